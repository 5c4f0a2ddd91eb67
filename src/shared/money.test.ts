import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseYuan, yuanOf } from './money.js';

describe('parseYuan', () => {
  it('reads 元 strings to whole fen exactly', () => {
    expect(parseYuan('0.01')).toBe(1);
    expect(parseYuan('12.3')).toBe(1230);
    expect(parseYuan('12')).toBe(1200);
    expect(parseYuan(' 420.00 ')).toBe(42000);
    expect(parseYuan('0.29')).toBe(29); // 0.29 * 100 is 28.999999999999996 in floats
    expect(parseYuan('9999999999999.99')).toBe(999_999_999_999_999);
  });

  it('refuses what is not a plain amount', () => {
    for (const bad of ['', '-1.00', '+1', '1.001', '1e3', '1,000.00', '01.00', '.5', '1.', 'NaN', '１.00', '10000000000000.00'])
      expect(() => parseYuan(bad), bad).toThrow(RangeError);
  });

  it('is the inverse of yuanOf for every non-negative safe amount', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 999_999_999_999_999 }), (fen) => parseYuan(yuanOf(fen)) === fen));
  });
});
