import { isqrt, parseDecimal } from '../../../shared/exact.js';
import type { PfTable } from './tariff-format.js';

/**
 * Power factor (功率因数) and its adjustment percentage, exactly (RULES §5).
 *
 * PF = P/√(P²+Q²) is irrational in general, so it is never computed: "PF rounded half-up to d decimals
 * is at least k/10^d" ⇔ PF ≥ (2k−1)/(2·10^d) ⇔ (2·10^d)²·P² ≥ (2k−1)²·(P²+Q²) — a comparison of
 * integers. A float only guesses k; the integer test settles it.
 */

/**
 * The monthly power factor rounded HALF_UP to `digits` decimals, as an integer k meaning k/10^digits
 * (0.86 → 86 for digits = 2). P and Q are non-negative and at the same scale (any scale: the ratio is
 * scale-free). Returns undefined when P = Q = 0 (no energy, no power factor).
 */
export function roundedPowerFactor(p: bigint, q: bigint, digits = 2): number | undefined {
  if (p < 0n || q < 0n) throw new RangeError('power factor of negative energy');
  if (p === 0n && q === 0n) return undefined;
  const top = 10 ** digits;
  const two10d = 2n * 10n ** BigInt(digits);
  const lhs = two10d * two10d * p * p;
  const s = p * p + q * q;
  // rounded ≥ k/10^d ⇔ lhs ≥ (2k−1)²·s   (k ≥ 1; k = 0 always holds)
  const atLeast = (k: number): boolean => {
    if (k <= 0) return true;
    const m = BigInt(2 * k - 1);
    return lhs >= m * m * s;
  };
  const pf = Number(p) / Math.sqrt(Number(p) * Number(p) + Number(q) * Number(q));
  let k = Math.min(top, Math.max(0, Math.round(pf * top)));
  if (!Number.isFinite(k)) k = 0;
  while (k < top && atLeast(k + 1)) k++;
  while (k > 0 && !atLeast(k)) k--;
  return k;
}

/**
 * The power factor truncated to `digits` decimals, as an integer (0.857492… → 857492 for 6): for
 * display. Truncation (not rounding) at 3 or more places can never disagree with the rounding to 2
 * places — "0.804999" is visibly below the 0.805 tie where a rounded "0.8050" would not be.
 */
export function truncatedPowerFactor(p: bigint, q: bigint, digits = 6): bigint | undefined {
  if (p < 0n || q < 0n) throw new RangeError('power factor of negative energy');
  const s = p * p + q * q;
  if (s === 0n) return undefined;
  return isqrt((p * p * 10n ** BigInt(2 * digits)) / s); // ⌊√⌊x⌋⌋ = ⌊√x⌋
}

/** A PF table ready for look-ups: percentages (scale 2) indexed by PF in hundredths. */
export interface CompiledPfTable {
  standard: number; // hundredths: 0.90 → 90
  lowest: number; // hundredths of the first listed point
  highest: number; // hundredths of the last listed point
  percents: bigint[]; // percents[i] for PF (lowest + i)/100, scale 2 (−0.75% → −75n)
  perStepBelow: bigint; // scale 2
  source: PfTable;
}

export function compilePfTable(t: PfTable): CompiledPfTable {
  const hundredths = (x: string) => Number(parseDecimal(x, 2));
  const points = t.points.map((pt) => ({ pf: hundredths(pt.pf), percent: parseDecimal(pt.percent, 2, true)! }));
  return {
    standard: hundredths(t.standard),
    lowest: points[0]!.pf,
    highest: points[points.length - 1]!.pf,
    percents: points.map((pt) => pt.percent),
    perStepBelow: parseDecimal(t.percentPerStepBelow, 2)!,
    source: t,
  };
}

/** Adjustment percentage (scale 2: 200n = +2.00%) for a PF rounded to hundredths. */
export function pfPercent(table: CompiledPfTable, pfHundredths: number): bigint {
  if (pfHundredths >= table.highest) return table.percents[table.percents.length - 1]!;
  if (pfHundredths >= table.lowest) return table.percents[pfHundredths - table.lowest]!;
  return table.percents[0]! + BigInt(table.lowest - pfHundredths) * table.perStepBelow;
}
