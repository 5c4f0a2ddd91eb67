import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromScaled, toScaled } from './decimal.js';
import { compareScaled, divCeil, divRoundHalfUp, formatDecimal, isqrt, maxBig, minBig, mulRound, parseDecimal, pow10, rescale, toSafeInteger } from './exact.js';

/** Reference HALF_UP (ties away from zero) through decimal string digits, independent of divRoundHalfUp. */
function refRound(num: bigint, den: bigint): bigint {
  const neg = num < 0n;
  const a = neg ? -num : num;
  const q = a / den;
  const r = a - q * den;
  const up = r * 2n >= den ? 1n : 0n;
  return neg ? -(q + up) : q + up;
}

describe('parseDecimal', () => {
  it('reads plain decimals at a scale', () => {
    expect(parseDecimal('300', 2)).toBe(30000n);
    expect(parseDecimal('0.5100', 6)).toBe(510000n);
    expect(parseDecimal('1.230', 2)).toBe(123n);
    expect(parseDecimal('007.5', 1)).toBe(75n);
    expect(parseDecimal('-0.015', 6, true)).toBe(-15000n);
    expect(parseDecimal('0', 2)).toBe(0n);
    expect(parseDecimal('123456789012345678901234.56', 2)).toBe(12345678901234567890123456n);
    expect(parseDecimal('9007199254740993', 0)).toBe(9007199254740993n); // beyond 2^53: exact
  });
  it('refuses what is not a plain decimal, signs when unsigned, and lost precision', () => {
    for (const bad of ['', '-', '.5', '5.', '1e3', '1,000', ' 1', '+1', '0x10', '1.2.3', 'NaN', '１']) expect(parseDecimal(bad, 2, true), bad).toBeUndefined();
    expect(parseDecimal('-1', 2)).toBeUndefined();
    expect(parseDecimal('1.234', 2)).toBeUndefined();
    expect(parseDecimal('0.0000001', 6)).toBeUndefined();
  });
  it('agrees with shared/decimal toScaled on every valid input', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), fc.integer({ min: 0, max: 8 }), fc.integer({ min: 0, max: 3 }), (n, scale, extraZeros) => {
        const text = fromScaled(n, scale) + (scale > 0 ? '0'.repeat(extraZeros) : '');
        expect(parseDecimal(text, scale, true)).toBe(toScaled(text, scale));
      }),
    );
  });
});

describe('formatDecimal', () => {
  it('prints exactly, trimming zeros only beyond minScale', () => {
    expect(formatDecimal(510000n, 6, 4)).toBe('0.5100');
    expect(formatDecimal(5100n, 6, 4)).toBe('0.0051');
    expect(formatDecimal(4980000n, 7, 4)).toBe('0.4980');
    expect(formatDecimal(49812345n, 8, 4)).toBe('0.49812345');
    expect(formatDecimal(42000000000000n, 10, 2)).toBe('4200.00');
    expect(formatDecimal(3499965n, 4, 2)).toBe('349.9965');
    expect(formatDecimal(35n, 0, 4)).toBe('35.0000');
    expect(formatDecimal(-75n, 4, 4)).toBe('-0.0075');
    expect(formatDecimal(0n, 6, 2)).toBe('0.00');
    expect(formatDecimal(0n, 0, 0)).toBe('0');
    expect(formatDecimal(123n, 1, 2)).toBe('12.30');
  });
  it('round-trips: parse(format(v)) = v for any value, scale and minScale', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 24n), max: 10n ** 24n }), fc.integer({ min: 0, max: 14 }), fc.integer({ min: 0, max: 6 }), (v, scale, minScale) => {
        const text = formatDecimal(v, scale, minScale);
        expect(parseDecimal(text, Math.max(scale, minScale), true)).toBe(v * pow10(Math.max(scale, minScale) - scale));
        expect(text).toMatch(/^-?\d+(\.\d+)?$/);
      }),
    );
  });
  it('round-trips decimal strings in canonical form: format(parse(s)) = s', () => {
    const canonical = fc
      .tuple(fc.bigInt({ min: 0n, max: 10n ** 12n }), fc.integer({ min: 0, max: 99 }))
      .map(([i, f]) => `${i}.${String(f).padStart(2, '0')}`);
    fc.assert(fc.property(canonical, (s) => formatDecimal(parseDecimal(s, 2)!, 2, 2) === s));
  });
});

describe('rounding', () => {
  it('rounds HALF_UP, ties away from zero', () => {
    expect(divRoundHalfUp(1005n, 10n)).toBe(101n);
    expect(divRoundHalfUp(1004n, 10n)).toBe(100n);
    expect(divRoundHalfUp(-1005n, 10n)).toBe(-101n);
    expect(divRoundHalfUp(-1004n, 10n)).toBe(-100n);
    expect(divRoundHalfUp(0n, 7n)).toBe(0n);
    expect(() => divRoundHalfUp(1n, 0n)).toThrow();
  });
  it('agrees with a digit-level reference', () => {
    fc.assert(fc.property(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), fc.bigInt({ min: 1n, max: 10n ** 15n }), (n, d) => divRoundHalfUp(n, d) === refRound(n, d)));
  });
  it('rescales, multiplies, compares', () => {
    expect(rescale(12345n, 4, 2)).toBe(123n);
    expect(rescale(12350n, 4, 2)).toBe(124n);
    expect(rescale(5n, 0, 3)).toBe(5000n);
    expect(mulRound(30000n, 2, 510000n, 6, 2)).toBe(15300n); // 300 kWh × 0.51 = 153.00
    expect(mulRound(67n, 2, 15n, 1, 2)).toBe(101n); // 0.67 × 1.5 = 1.005 → 1.01
    expect(compareScaled(150n, 2, 15n, 1)).toBe(0);
    expect(compareScaled(149n, 2, 15n, 1)).toBe(-1);
    expect(compareScaled(2n, 0, 1999n, 3)).toBe(1);
    expect(minBig(3n, -4n)).toBe(-4n);
    expect(maxBig(3n, -4n)).toBe(3n);
    expect(divCeil(7n, 2n)).toBe(4n);
    expect(divCeil(6n, 2n)).toBe(3n);
    expect(divCeil(-7n, 2n)).toBe(-3n);
  });
  it('takes integer square roots exactly, small and huge', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 60n }), (n) => {
        const r = isqrt(n);
        return r * r <= n && (r + 1n) * (r + 1n) > n;
      }),
    );
    expect(isqrt(0n)).toBe(0n);
    expect(isqrt(10n ** 40n)).toBe(10n ** 20n);
    expect(() => isqrt(-1n)).toThrow();
  });
  it('keeps money exact or refuses it', () => {
    expect(toSafeInteger(9007199254740991n, 'x')).toBe(9007199254740991);
    expect(() => toSafeInteger(9007199254740992n, 'x')).toThrow(/too large/);
  });
});
