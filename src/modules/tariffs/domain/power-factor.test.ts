import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isqrt } from '../../../shared/exact.js';
import { PF_TABLES_1983 } from './pf-tables.js';
import { compilePfTable, pfPercent, roundedPowerFactor, truncatedPowerFactor } from './power-factor.js';

/**
 * Reference: PF × 10^20 floored with an integer square root, then rounded half-up on its digits.
 * Floor-then-round is exact for rounding at 2 (or 4) places because 20 digits leave the tie digit
 * untouched: a value just below a tie stays below it, a value at or above stays at or above.
 */
function referencePf(p: bigint, q: bigint, digits: number): number {
  const s = p * p + q * q;
  const scaled = isqrt((p * p * 10n ** 40n) / s); // floor(PF × 10^20)
  const unit = 10n ** BigInt(20 - digits);
  const k = scaled / unit + ((scaled % unit) * 2n >= unit ? 1n : 0n);
  return Number(k);
}

const table = (standard: string) => compilePfTable(PF_TABLES_1983.find((t) => t.standard === standard)!);
const percentAt = (standard: string, pf: number) => Number(pfPercent(table(standard), pf)) / 100;

describe('monthly power factor', () => {
  it('example P1: P = 100,000 kWh, Q = 60,000 kvarh → 0.8575 → 0.86', () => {
    expect(roundedPowerFactor(10000000n, 6000000n, 4)).toBe(8575);
    expect(roundedPowerFactor(10000000n, 6000000n, 2)).toBe(86);
  });
  it('shows the PF truncated to 6 places, never contradicting its rounding', () => {
    expect(truncatedPowerFactor(10000000n, 6000000n)).toBe(857492n);
    expect(truncatedPowerFactor(3n, 4n)).toBe(600000n);
    expect(truncatedPowerFactor(0n, 0n)).toBeUndefined();
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 12n }), fc.bigInt({ min: 0n, max: 10n ** 12n }), (p, q) => {
        fc.pre(p + q > 0n);
        const t = truncatedPowerFactor(p, q)!;
        expect(Number((t + 5000n) / 10000n)).toBe(roundedPowerFactor(p, q, 2)); // half-up of the shown digits = the billed rounding
      }),
    );
  });
  it('edge cases: no reactive energy, no active energy, no energy', () => {
    expect(roundedPowerFactor(100n, 0n)).toBe(100);
    expect(roundedPowerFactor(0n, 100n)).toBe(0);
    expect(roundedPowerFactor(0n, 0n)).toBeUndefined();
    expect(() => roundedPowerFactor(-1n, 0n)).toThrow();
  });
  it('is exact on rational power factors (Pythagorean triples)', () => {
    // A PF can only be rational when P²+Q² is a square; it then is P/h exactly. (It can never sit on a
    // rounding tie (2k−1)/200: h of a triple is odd after reduction, the tie's denominator is a multiple of 8.)
    expect(roundedPowerFactor(3n, 4n)).toBe(60);
    expect(roundedPowerFactor(4n, 3n)).toBe(80);
    expect(roundedPowerFactor(20n, 21n)).toBe(69); // 20/29 = 0.6897
    expect(roundedPowerFactor(21n, 20n)).toBe(72); // 21/29 = 0.7241
    expect(roundedPowerFactor(9n, 40n, 4)).toBe(2195); // 9/41 = 0.219512…
  });
  it('agrees with an exact rational reference (2 and 4 decimals)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 12n }), fc.bigInt({ min: 0n, max: 10n ** 12n }), (p, q) => {
        fc.pre(p + q > 0n);
        expect(roundedPowerFactor(p, q, 2)).toBe(referencePf(p, q, 2));
        expect(roundedPowerFactor(p, q, 4)).toBe(referencePf(p, q, 4));
      }),
      { numRuns: 2000 },
    );
  });
  it('gets right the cases a float gets wrong (found from continued fractions, see below)', () => {
    // 959,079.48 kWh / 756,873.47 kvarh: PF = 0.784999999999999…, a float rounds it to 0.79
    expect(roundedPowerFactor(95907948n, 75687347n)).toBe(78);
    // 1,267,818.94 kWh / 934,366.51 kvarh: PF = 0.804999999999999…, a float says 0.81
    expect(roundedPowerFactor(126781894n, 93436651n)).toBe(80);
    const floatWay = (p: number, q: number) => Math.round((100 * p) / Math.sqrt(p * p + q * q));
    expect(floatWay(95907948, 75687347)).toBe(79);
    expect(floatWay(126781894, 93436651)).toBe(81);
  });
  it('agrees with the reference on the hardest inputs: best rational approximations of every tie', () => {
    // Q/P from the convergents of tan(arccos((2k−1)/200)) = √(40000 − m²)/m, m = 2k−1: PF lands within
    // ~1/P² of the tie, closer than a double can tell apart. Hundreds of these fool Math.sqrt.
    let checked = 0;
    let fooledFloats = 0;
    for (let m = 1n; m < 200n; m += 2n) {
      const D = (40000n - m * m) * m * m; // √N/m = (√D + a)/b with a = 0, b = m²
      const sD = isqrt(D);
      if (sD * sD === D) continue;
      let a = 0n;
      let b = m * m;
      let [h0, h1, k0, k1] = [1n, 0n, 0n, 1n];
      for (let i = 0; i < 60; i++) {
        const t = (sD + a) / b;
        [h0, h1] = [t * h0 + h1, h0];
        [k0, k1] = [t * k0 + k1, k0];
        if (k0 > 10n ** 13n) break;
        const [p, q] = [k0, h0];
        expect(roundedPowerFactor(p, q, 2), `P=${p} Q=${q}`).toBe(referencePf(p, q, 2));
        if (Math.round((100 * Number(p)) / Math.sqrt(Number(p) ** 2 + Number(q) ** 2)) !== referencePf(p, q, 2)) fooledFloats++;
        checked++;
        a = t * b - a;
        b = (D - a * a) / b;
      }
    }
    expect(checked).toBeGreaterThan(1000);
    expect(fooledFloats).toBeGreaterThan(100); // the test really is at the edge
  });
  it('agrees with the reference near every rounding boundary', () => {
    // Q/P chosen so PF sits within 1e-9 of k/100 ± 0.005, where a float could go either way.
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100 }), fc.bigInt({ min: 10n ** 6n, max: 10n ** 9n }), fc.integer({ min: -3, max: 3 }), (k, p, nudge) => {
        const x = (2 * k - 1) / 200; // the tie below k/100
        const q = BigInt(Math.max(0, Math.round(Number(p) * Math.sqrt(1 / (x * x) - 1)) + nudge));
        expect(roundedPowerFactor(p, q, 2)).toBe(referencePf(p, q, 2));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('1983 adjustment tables (RULES §5)', () => {
  it('checks: 0.90 at 0.60 → +25%, at 0.30 → +85%; 0.85 at 0.30 → +75%; 0.80 at 0.30 → +65%', () => {
    expect(percentAt('0.90', 60)).toBe(25);
    expect(percentAt('0.90', 30)).toBe(85);
    expect(percentAt('0.85', 30)).toBe(75);
    expect(percentAt('0.80', 30)).toBe(65);
  });
  it('example P1: 0.86 against 0.90 → +2.0%', () => {
    expect(percentAt('0.90', 86)).toBe(2);
  });
  it('reductions, a sample from each table', () => {
    expect([91, 92, 93, 94, 95, 96, 100].map((pf) => percentAt('0.90', pf))).toEqual([-0.15, -0.3, -0.45, -0.6, -0.75, -0.75, -0.75]);
    expect([86, 88, 90, 91, 92, 93, 94, 97].map((pf) => percentAt('0.85', pf))).toEqual([-0.1, -0.3, -0.5, -0.65, -0.8, -0.95, -1.1, -1.1]);
    expect([81, 85, 90, 91, 92, 99].map((pf) => percentAt('0.80', pf))).toEqual([-0.1, -0.5, -1.0, -1.15, -1.3, -1.3]);
  });
  it('zero at the standard', () => {
    expect(percentAt('0.90', 90)).toBe(0);
    expect(percentAt('0.85', 85)).toBe(0);
    expect(percentAt('0.80', 80)).toBe(0);
  });
  /** RULES §5's surcharge column, restated as step rules, independently of the table data. */
  const surchargeRule: Record<string, { halfDownTo: number; oneDownTo: number }> = {
    '0.90': { halfDownTo: 70, oneDownTo: 65 },
    '0.85': { halfDownTo: 65, oneDownTo: 60 },
    '0.80': { halfDownTo: 60, oneDownTo: 55 },
  };
  for (const [standard, rule] of Object.entries(surchargeRule)) {
    it(`${standard}: every surcharge from the standard down to 0.00 follows RULES §5 (+0.5 / +1 / +2 per 0.01)`, () => {
      const std = Math.round(Number(standard) * 100);
      let expected = 0;
      for (let pf = std - 1; pf >= 0; pf--) {
        expected += pf >= rule.halfDownTo ? 0.5 : pf >= rule.oneDownTo ? 1 : 2;
        expect(percentAt(standard, pf), `PF 0.${String(pf).padStart(2, '0')}`).toBeCloseTo(expected, 10);
      }
    });
  }
  it('percentages never grow as the power factor improves', () => {
    for (const t of PF_TABLES_1983) {
      const c = compilePfTable(t);
      for (let pf = 1; pf <= 100; pf++) expect(pfPercent(c, pf)).toBeLessThanOrEqual(pfPercent(c, pf - 1));
    }
  });
});
