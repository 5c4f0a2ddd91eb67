import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fenOfYuanText, yuanOf } from './money.js';

describe('yuanOf', () => {
  it('prints fen as 元 with two decimals, exactly', () => {
    expect(yuanOf(17500)).toBe('175.00');
    expect(yuanOf(12721)).toBe('127.21');
    expect(yuanOf(5)).toBe('0.05');
    expect(yuanOf(0)).toBe('0.00');
    expect(yuanOf(-133600)).toBe('-1336.00');
    expect(yuanOf(-5)).toBe('-0.05');
    expect(yuanOf(1680000, { grouped: true })).toBe('16,800.00');
    expect(yuanOf(123456789012, { grouped: true })).toBe('1,234,567,890.12');
    expect(yuanOf(-99999, { grouped: true })).toBe('-999.99');
  });

  it('is exact where a float would not be: the largest safe number of fen', () => {
    expect(yuanOf(Number.MAX_SAFE_INTEGER)).toBe('90071992547409.91');
    expect(yuanOf(2n ** 70n)).toBe('11805916207174113034.24');
  });

  it('refuses fractions of a fen and unsafe integers', () => {
    expect(() => yuanOf(1.5)).toThrow(RangeError);
    expect(() => yuanOf(2 ** 53)).toThrow(RangeError);
  });

  it('reads back as the same fen (property)', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), fc.boolean(), (fen, grouped) => {
        expect(fenOfYuanText(yuanOf(fen, { grouped }))).toBe(fen);
      }),
    );
  });
});
