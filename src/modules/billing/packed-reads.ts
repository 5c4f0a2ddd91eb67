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

/**
 * Parses `meterId|flags|multiplier|current|previous|history`, each read being `total,peak,flat,valley,
 * reactive,max_demand[,estimated]` in hundredths with empty fields for nulls, and an empty read for none.
 */
export function parsePackedMeter(text: string): MeterReads {
  let i = 0;
  const n = text.length;
  // Reads an optionally negative integer up to the next separator; null for an empty field.
  const int = (): number | null => {
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
    i++; // the separator
    return digits === 0 ? null : negative ? -v : v;
  };
  const meterId = int()!;
  const flags = int()!;
  const multiplier = int()!;
  const read = (estimated: boolean): Read | null => {
    if (i >= n || text.charCodeAt(i) === 124) {
      i++;
      return null;
    }
    const total = int()!;
    const r: Read = { total, peak: int(), flat: int(), valley: int(), reactive: int(), maxDemand: int(), estimated: false };
    if (estimated) r.estimated = int() === 1;
    return r;
  };
  const current = read(true);
  const previous = read(false);
  const history = read(false);
  return { meterId, registers: REGISTER_SETS[flags]!, multiplier, current, previous, history };
}
