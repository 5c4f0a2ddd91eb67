import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { yuanInCapitals } from './capitals.js';

describe('yuanInCapitals (人民币大写)', () => {
  it.each([
    [17500, '壹佰柒拾伍元整'], // RULES R1
    [8160, '捌拾壹元陆角'], // R2
    [12721, '壹佰贰拾柒元贰角壹分'], // R3
    [1680000, '壹万陆仟捌佰元整'], // T1
    [133600, '壹仟叁佰叁拾陆元整'], // P1
    [42000, '肆佰贰拾元整'], // RULES L1's penalty
    [100, '壹元整'], // L2's minimum
    [1230, '壹拾贰元叁角'],
    [5, '伍分'],
    [50, '伍角'],
    [0, '零元整'],
    [1000, '壹拾元整'],
    [100500, '壹仟零伍元整'],
    [10001000, '壹拾万零壹拾元整'],
    [168032, '壹仟陆佰捌拾元零叁角贰分'],
    [100005, '壹仟元零伍分'],
    [10105, '壹佰零壹元零伍分'],
    [100000000, '壹佰万元整'],
    [1000000100, '壹仟万零壹元整'],
    [10000000000, '壹亿元整'],
    [10000010000, '壹亿零壹佰元整'],
    [10100000000, '壹亿零壹佰万元整'],
    [-133600, '负壹仟叁佰叁拾陆元整'],
    [-5, '负伍分'],
  ])('%i fen → %s', (fen, words) => {
    expect(yuanInCapitals(fen)).toBe(words);
  });

  it('writes only capitals and units, never two 零 in a row, and never ends a 元 amount without 整 or a 角/分', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e13, max: 1e13 }), (fen) => {
        const words = yuanInCapitals(fen);
        expect(words).toMatch(/^负?[零壹贰叁肆伍陆柒捌玖拾佰仟万亿元角分整]+$/);
        expect(words).not.toContain('零零');
        expect(words).toMatch(/[整角分]$/);
      }),
    );
  });

  it('refuses fractions of a fen and unsafe integers', () => {
    expect(() => yuanInCapitals(1.5)).toThrow(RangeError);
    expect(() => yuanInCapitals(2 ** 53)).toThrow(RangeError);
  });

  it('refuses amounts beyond 万亿', () => {
    expect(() => yuanInCapitals(10n ** 18n)).toThrow(/too large/);
  });
});
