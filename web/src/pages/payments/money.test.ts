import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_PAYMENT_FEN, newIdempotencyKey, parseYuanInput, yuanInCapitals, yuanPlain } from './money';

const fen = (text: string) => {
  const r = parseYuanInput(text);
  if (!r.ok) throw new Error(`${text}: ${r.error}`);
  return r.fen;
};
const refusal = (text: string, max?: number) => {
  const r = parseYuanInput(text, max === undefined ? {} : { max });
  return r.ok ? null : r.error;
};

describe('parseYuanInput (元 as typed → integer fen)', () => {
  it('reads 元 exactly, by digits, never through a float', () => {
    expect(fen('12.30')).toBe(1230);
    expect(fen('12.3')).toBe(1230);
    expect(fen('12')).toBe(1200);
    expect(fen('12.')).toBe(1200);
    expect(fen('0.05')).toBe(5);
    expect(fen('0.29')).toBe(29); // 0.29 * 100 = 28.999999999999996 as a float
    expect(fen('1.15')).toBe(115); // 1.15 * 100 = 114.99999999999999
    expect(fen('4.35')).toBe(435); // 4.35 * 100 = 434.99999999999994
    expect(fen('007.10')).toBe(710);
    expect(fen('100000000.00')).toBe(MAX_PAYMENT_FEN);
  });

  it('accepts what people and Chinese IMEs type: spaces, separators, full-width digits, 。, ¥ and 元', () => {
    expect(fen(' 1,234.56 ')).toBe(123456);
    expect(fen('１２．３０')).toBe(1230);
    expect(fen('12。3')).toBe(1230);
    expect(fen('¥88')).toBe(8800);
    expect(fen('￥88.8')).toBe(8880);
    expect(fen('56元')).toBe(5600);
  });

  it('refuses more than two decimals, signs, exponents, words and nothing at all', () => {
    expect(refusal('1.001')).toBe('decimals');
    expect(refusal('12.345')).toBe('decimals');
    expect(refusal('0.000')).toBe('decimals');
    for (const bad of ['-1', '+1', '1e3', 'abc', '.5', '1.2.3', 'NaN', 'Infinity', '1 2x']) expect(refusal(bad), bad).toBe('format');
    expect(refusal('')).toBe('empty');
    expect(refusal('   ')).toBe('empty');
    expect(refusal('0')).toBe('zero');
    expect(refusal('0.00')).toBe('zero');
  });

  it('refuses more than the limit (the API’s, or a smaller one given)', () => {
    expect(refusal('100000000.01')).toBe('tooLarge');
    expect(refusal('99999999999999999999')).toBe('tooLarge');
    expect(refusal('10.01', 1000)).toBe('tooLarge');
    expect(refusal('10.00', 1000)).toBeNull();
  });

  it('is the inverse of printing fen as 元 (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX_PAYMENT_FEN }), (f) => {
        expect(fen(yuanPlain(f))).toBe(f);
        // and with a single decimal where the last digit is 0
        if (f % 10 === 0) expect(fen(yuanPlain(f).slice(0, -1))).toBe(f);
      }),
    );
  });
});

describe('yuanInCapitals (人民币大写)', () => {
  it('is the server’s (src/shared/capitals.ts, tested there): a receipt writes an amount as the bill does', async () => {
    const server = await import('../../../../src/shared/capitals');
    expect(yuanInCapitals).toBe(server.yuanInCapitals);
    expect(yuanInCapitals(168032)).toBe('壹仟陆佰捌拾元零叁角贰分');
  });
});

describe('newIdempotencyKey', () => {
  it('gives a different UUID each time', () => {
    const a = newIdempotencyKey();
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(newIdempotencyKey()).not.toBe(a);
  });
});
