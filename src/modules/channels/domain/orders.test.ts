import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base32, nameMatches, newOutTradeNo, orderState, OUT_TRADE_NO_PATTERN } from './orders.js';

describe('out_trade_no', () => {
  it('base32 follows RFC 4648 (no padding)', () => {
    const cases: [string, string][] = [['', ''], ['f', 'MY'], ['fo', 'MZXQ'], ['foo', 'MZXW6'], ['foob', 'MZXW6YQ'], ['fooba', 'MZXW6YTB'], ['foobar', 'MZXW6YTBOI']];
    for (const [plain, encoded] of cases) expect(base32(Buffer.from(plain))).toBe(encoded);
  });

  it('is GR + Beijing date + 16 base32 characters, at most 32 characters', () => {
    // 23:30 UTC is already the next day in Beijing
    expect(newOutTradeNo(new Date('2026-11-19T23:30:00Z'), Buffer.alloc(10))).toBe('GR20261120AAAAAAAAAAAAAAAA');
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 10, maxLength: 10 }), fc.date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }), (bytes, at) => {
        const no = newOutTradeNo(at, bytes);
        return new RegExp(OUT_TRADE_NO_PATTERN).test(no) && no.length <= 32;
      }),
    );
    expect(new Set(Array.from({ length: 1000 }, () => newOutTradeNo(new Date()))).size).toBe(1000);
  });
});

describe('the name check of the payment page', () => {
  it('wants the full registered name, ignoring white space and full-width forms', () => {
    expect(nameMatches('张三明', '张三明')).toBe(true);
    expect(nameMatches(' 张 三明 ', '张三明')).toBe(true);
    expect(nameMatches('ＡＢＣ公司', 'ABC公司')).toBe(true);
    expect(nameMatches('张', '张三明')).toBe(false);
    expect(nameMatches('张*明', '张三明')).toBe(false);
    expect(nameMatches('', '')).toBe(false);
    expect(nameMatches('张三', '张三明')).toBe(false);
  });
});

describe('order state', () => {
  it('shows an open order past its expiry as expired', () => {
    const at = new Date('2026-11-20T02:00:00Z');
    expect(orderState({ status: 'open', expires_at: new Date(at.getTime() + 1) }, at)).toBe('open');
    expect(orderState({ status: 'open', expires_at: at }, at)).toBe('expired');
    expect(orderState({ status: 'paid', expires_at: at }, at)).toBe('paid');
  });
});
