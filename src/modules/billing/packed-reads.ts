import type { MeterReads, Read } from './domain/reads.js';

/**
 * The text format in which the rating query (billing.repository.ts) packs a meter and its three reads:
 * one string of integers per row instead of thirty values keeps the garbage of a million-account run small.
 */

/** Register sets by the flags the query packs (1 TOU, 2 reactive, 4 max demand): shared, never copied. */
const REGISTER_SETS: readonly (readonly string[])[] = Array.from({ length: 8 }, (_, f) => [
  'total',
  ...(f & 1 ? ['peak', 'flat', 'valley'] : []),
  ...(f & 2 ? ['reactive'] : []),
  ...(f & 4 ? ['max_demand'] : []),
]);

/** A cursor over one packed text: plain methods, no closures per call (this runs a million times a run). */
class PackedText {
  i = 0;
  constructor(readonly text: string) {}

  /** An optionally negative integer up to the next separator, which it skips; null for an empty field. */
  int(): number | null {
    const text = this.text;
    const n = text.length;
    let i = this.i;
    let v = 0;
    let digits = 0;
    let negative = false;
    if (text.charCodeAt(i) === 45) {
      negative = true;
      i++;
    }
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c < 48 || c > 57) break;
      v = v * 10 + (c - 48);
      digits++;
    }
    this.i = i + 1;
    return digits === 0 ? null : negative ? -v : v;
  }

  read(withEstimated: boolean): Read | null {
    if (this.i >= this.text.length || this.text.charCodeAt(this.i) === 124) {
      this.i++;
      return null;
    }
    const total = this.int()!;
    const r: Read = { total, peak: this.int(), flat: this.int(), valley: this.int(), reactive: this.int(), maxDemand: this.int(), estimated: false };
    if (withEstimated) r.estimated = this.int() === 1;
    return r;
  }
}

/**
 * Parses `meterId|flags|multiplier|current|previous|history`, each read being `total,peak,flat,valley,
 * reactive,max_demand[,estimated]` in hundredths with empty fields for nulls, and an empty read for none.
 */
export function parsePackedMeter(text: string): MeterReads {
  const p = new PackedText(text);
  const meterId = p.int()!;
  const flags = p.int()!;
  const multiplier = p.int()!;
  const current = p.read(true);
  const previous = p.read(false);
  const history = p.read(false);
  return { meterId, registers: REGISTER_SETS[flags]!, multiplier, current, previous, history };
}
