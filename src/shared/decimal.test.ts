import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromScaled, multiplyDecimal, subtractDecimal, toScaled } from './decimal.js';

describe('exact decimals', () => {
  it('parses and prints at a scale', () => {
    expect(toScaled('123.45', 2)).toBe(12345n);
    expect(toScaled('7', 2)).toBe(700n);
    expect(toScaled('-0.5', 2)).toBe(-50n);
    expect(toScaled('1.230', 2)).toBe(123n);
    expect(fromScaled(5n, 2)).toBe('0.05');
    expect(fromScaled(-12345n, 2)).toBe('-123.45');
  });
  it('refuses non-numbers and lost precision', () => {
    expect(() => toScaled('1e5', 2)).toThrow(/not a decimal/);
    expect(() => toScaled('1.234', 2)).toThrow(/more than 2 decimal places/);
  });
  it('subtracts without float drift', () => {
    expect(subtractDecimal('0.30', '0.10')).toBe('0.20');
    expect(subtractDecimal('100000.01', '99999.99')).toBe('0.02');
  });
  it('multiplies exactly, keeping the digits the product has', () => {
    expect(multiplyDecimal('123.45', '50.00')).toBe('6172.50');
    expect(multiplyDecimal('0.01', '1.25')).toBe('0.0125');
    expect(multiplyDecimal('7', '1')).toBe('7.00');
  });
  it('round-trips any scaled value', () => {
    fc.assert(fc.property(fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }), fc.integer({ min: 0, max: 6 }), (n, scale) => toScaled(fromScaled(n, scale), scale) === n));
  });
});
