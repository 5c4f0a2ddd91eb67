import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { alipaySignContent, alipayTime, buildAlipayNotification, parseAlipayForm, parseAlipayTime, signAlipay, verifyAlipayNotification, verifyAlipaySignature, type AlipayMerchant } from './alipay.js';
import { Refusal } from './refusal.js';

const alipay = generateKeyPairSync('rsa', { modulusLength: 2048 });
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
const merchant: AlipayMerchant = { appId: '2021000000000001', sellerId: '2088000000000001', publicKey: alipay.publicKey };
const now = new Date('2026-11-20T02:00:00Z');

const form = (o: Partial<Parameters<typeof buildAlipayNotification>[0]> = {}) =>
  buildAlipayNotification({ privateKey: alipay.privateKey, appId: merchant.appId, sellerId: merchant.sellerId, outTradeNo: 'GR20261120ABCDEFGHIJKLMNOP', tradeNo: '2026112022001400000000000001', amountFen: 1234, paidAt: now, now, ...o });

function refusalOf(f: () => unknown): Refusal {
  try {
    f();
  } catch (err) {
    if (err instanceof Refusal) return err;
    throw err;
  }
  throw new Error('not refused');
}

describe('the Alipay string to sign', () => {
  it('sorts k=v pairs, leaving out sign, sign_type and empty values', () => {
    expect(alipaySignContent({ total_amount: '2.00', app_id: '2014072300007148', sign: 'xx', sign_type: 'RSA2', body: '', charset: 'utf-8', notify_id: 'ac05099524730693a8b330c5ecf72da9786' })).toBe(
      'app_id=2014072300007148&charset=utf-8&notify_id=ac05099524730693a8b330c5ecf72da9786&total_amount=2.00',
    );
    // byte order (ASCII): upper case before lower case, '_' between them
    expect(alipaySignContent({ b: '1', B: '2', a_b: '3', ab: '4' })).toBe('B=2&a_b=3&ab=4&b=1');
  });

  it('signs and verifies RSA2 over decoded values', () => {
    const params = { subject: '电费 缴费&1', out_trade_no: 'GR1', total_amount: '0.01' };
    const sig = signAlipay(alipay.privateKey, params);
    expect(verifyAlipaySignature(alipay.publicKey, params, sig)).toBe(true);
    expect(verifyAlipaySignature(alipay.publicKey, { ...params, total_amount: '0.02' }, sig)).toBe(false);
    expect(verifyAlipaySignature(other.publicKey, params, sig)).toBe(false);
    const parsed = parseAlipayForm(new URLSearchParams({ ...params, sign: sig, sign_type: 'RSA2' }).toString());
    expect(verifyAlipaySignature(alipay.publicKey, parsed, parsed.sign!)).toBe(true);
  });

  it('refuses a parameter given twice', () => {
    expect(refusalOf(() => parseAlipayForm('a=1&a=2')).kind).toBe('malformed');
  });

  it('reads gmt_payment as Beijing time', () => {
    expect(parseAlipayTime('2026-11-20 10:00:00')).toEqual(new Date('2026-11-20T02:00:00Z'));
    expect(alipayTime(new Date('2026-11-20T02:00:00Z'))).toBe('2026-11-20 10:00:00');
    for (const bad of ['2026-11-20T10:00:00', '2026-11-20', '', undefined, '2026-13-40 99:00:00']) expect(parseAlipayTime(bad)).toBeNull();
  });
});

describe('an Alipay notification', () => {
  it('verifies to a paid notice in fen', () => {
    expect(verifyAlipayNotification(merchant, form())).toEqual({
      channel: 'alipay',
      outTradeNo: 'GR20261120ABCDEFGHIJKLMNOP',
      channelTxnId: '2026112022001400000000000001',
      amountFen: 1234,
      paidAt: now,
      nonce: null,
    });
    expect(verifyAlipayNotification(merchant, form({ tradeStatus: 'TRADE_FINISHED' })).amountFen).toBe(1234);
  });

  it('refuses each forgery with its kind', () => {
    const kind = (body: string) => refusalOf(() => verifyAlipayNotification(merchant, body)).kind;
    expect(kind(form({ signType: 'RSA' }))).toBe('weak_sign_type');
    expect(kind(form({ signType: 'rsa2' }))).toBe('weak_sign_type');
    expect(kind(form({ signType: '' }))).toBe('malformed');
    expect(kind(form({ tamper: { total_amount: '12.35' } }))).toBe('bad_signature');
    expect(kind(form({ tamper: { sign: '' } }))).toBe('bad_signature');
    expect(kind(form({ privateKey: other.privateKey }))).toBe('bad_signature');
    expect(kind(form({ appId: '2021000000000002' }))).toBe('wrong_merchant');
    expect(kind(form({ sellerId: '2088000000000002' }))).toBe('wrong_merchant');
    for (const tradeStatus of ['WAIT_BUYER_PAY', 'TRADE_CLOSED']) expect(kind(form({ tradeStatus }))).toBe('unpaid_status');
    expect(kind('not a form at all')).toBe('malformed');
    expect(kind('')).toBe('malformed');
  });

  it('never reads a refund notification as a payment, whatever its trade status', () => {
    const kind = (body: string) => refusalOf(() => verifyAlipayNotification(merchant, body)).kind;
    const refund = { refund_fee: '10.00', gmt_refund: '2026-10-05 10:00:00.000', out_biz_no: 'RF20261005001' };
    expect(kind(form({ extra: refund }))).toBe('refund_notice');
    expect(kind(form({ tradeStatus: 'TRADE_CLOSED', extra: refund }))).toBe('refund_notice');
    expect(kind(form({ extra: { refund_fee: '10.00' } }))).toBe('refund_notice');
    expect(kind(form({ tradeStatus: 'TRADE_FINISHED', extra: { gmt_refund: '2026-10-05 10:00:00' } }))).toBe('refund_notice');
  });

  /** The form as the verifier sees it: its fields, and the signature's bytes. */
  const decoded = (f: string) => {
    const p = new URLSearchParams(f);
    const sig = Buffer.from(p.get('sign') ?? '', 'base64').toString('hex');
    p.delete('sign');
    return `${p.toString()}|${sig}`;
  };

  it('flipping any one character of the posted form is refused', () => {
    const body = form();
    const sign = new URLSearchParams(body).get('sign')!;
    let refused = 0;
    for (let i = 0; i < body.length; i += 7) {
      const c = body[i]!;
      if (c === '&' || c === '=' || c === '%') continue;
      const flipped = body.slice(0, i) + (c === 'A' ? 'B' : 'A') + body.slice(i + 1);
      if (flipped === body) continue;
      // base64 ignores the unused low bits of a signature's last character: such a flip changes no byte
      if (decoded(flipped) === decoded(body)) continue;
      // a flip inside sign itself, or elsewhere: either way no payment notice comes out
      expect(() => verifyAlipayNotification(merchant, flipped), `at ${i}`).toThrow(Refusal);
      refused++;
    }
    expect(refused).toBeGreaterThan(20);
    expect(sign.length).toBeGreaterThan(100);
  });
});
