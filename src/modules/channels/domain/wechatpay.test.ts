import { generateKeyPairSync, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Refusal } from './refusal.js';
import {
  buildWechatpayNotification,
  decryptWechatpayResource,
  encryptWechatpayResource,
  signWechatpay,
  verifyWechatpayNotification,
  verifyWechatpaySignature,
  wechatpayMessage,
  wechatpayTransaction,
  type WechatpayMerchant,
} from './wechatpay.js';

const platform = generateKeyPairSync('rsa', { modulusLength: 2048 });
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
const apiV3Key = Buffer.from('0123456789abcdefABCDEF0123456789', 'utf8');
const merchant: WechatpayMerchant = { mchid: '1900000109', appid: 'wxd678efh567hg6787', apiV3Key, platformSerial: '5157F09EFDC096DE15EBE81A47057A7232F1B8E1', platformPublicKey: platform.publicKey };
const now = new Date('2026-11-20T02:00:00Z');

function delivery(over: Partial<Parameters<typeof wechatpayTransaction>[0]> = {}, o: { at?: Date; key?: typeof platform.privateKey; apiV3Key?: Buffer } = {}) {
  const transaction = wechatpayTransaction({ mchid: merchant.mchid, appid: merchant.appid, outTradeNo: 'GR20261120ABCDEFGHIJKLMNOP', transactionId: '4200000001202611200000000001', amountFen: 12345, paidAt: now, ...over });
  return buildWechatpayNotification({ platformPrivateKey: o.key ?? platform.privateKey, platformSerial: merchant.platformSerial, apiV3Key: o.apiV3Key ?? apiV3Key, transaction, now: o.at ?? now });
}

function refusalOf(f: () => unknown): Refusal {
  try {
    f();
  } catch (err) {
    if (err instanceof Refusal) return err;
    throw err;
  }
  throw new Error('not refused');
}

describe('WeChat Pay v3 signature', () => {
  it('signs timestamp\\nnonce\\nbody\\n', () => {
    expect(wechatpayMessage('1554208460', '593BEC0C930BF1AFEB40B4A08C8FB242', '{"a":1}').toString()).toBe('1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n{"a":1}\n');
    const sig = signWechatpay(platform.privateKey, '1554208460', 'N', '{"a":1}');
    expect(verifyWechatpaySignature(platform.publicKey, '1554208460', 'N', '{"a":1}', sig)).toBe(true);
    expect(verifyWechatpaySignature(other.publicKey, '1554208460', 'N', '{"a":1}', sig)).toBe(false);
    expect(verifyWechatpaySignature(platform.publicKey, '1554208461', 'N', '{"a":1}', sig)).toBe(false);
    expect(verifyWechatpaySignature(platform.publicKey, '1554208460', 'N', '{"a":1}', 'not base64!')).toBe(false);
    expect(verifyWechatpaySignature(platform.publicKey, '1554208460', 'N', '{"a":1}', '')).toBe(false);
  });

  it('fails on any one flipped byte of the body', () => {
    const body = JSON.stringify({ id: 'EV-1', resource: { ciphertext: 'abc' } });
    const sig = signWechatpay(platform.privateKey, '1', 'n', body);
    for (let i = 0; i < body.length; i++) {
      const flipped = body.slice(0, i) + String.fromCharCode(body.charCodeAt(i) ^ 1) + body.slice(i + 1);
      expect(verifyWechatpaySignature(platform.publicKey, '1', 'n', flipped, sig)).toBe(false);
    }
  });
});

describe('AEAD_AES_256_GCM resource', () => {
  it('round-trips any text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.string({ minLength: 1, maxLength: 20 }), (text, aad) => {
        const ciphertext = encryptWechatpayResource(apiV3Key, text, 'fdasflkja484', aad);
        return decryptWechatpayResource(apiV3Key, { algorithm: 'AEAD_AES_256_GCM', ciphertext, nonce: 'fdasflkja484', associated_data: aad }) === text;
      }),
      { numRuns: 200 },
    );
  });

  it('puts the 16-byte tag after the ciphertext', () => {
    const ciphertext = encryptWechatpayResource(apiV3Key, 'hello', 'fdasflkja484', 'transaction');
    expect(Buffer.from(ciphertext, 'base64').length).toBe(5 + 16);
  });

  it('refuses a flipped tag, a flipped ciphertext byte, another key, other associated data and a short text', () => {
    const ciphertext = encryptWechatpayResource(apiV3Key, '{"trade_state":"SUCCESS"}', 'fdasflkja484', 'transaction');
    const raw = Buffer.from(ciphertext, 'base64');
    const flip = (i: number) => {
      const b = Buffer.from(raw);
      b[i]! ^= 0x01;
      return b.toString('base64');
    };
    const base = { algorithm: 'AEAD_AES_256_GCM', nonce: 'fdasflkja484', associated_data: 'transaction' };
    for (const r of [
      { ...base, ciphertext: flip(raw.length - 1) },
      { ...base, ciphertext: flip(0) },
      { ...base, ciphertext, associated_data: 'transactioN' },
      { ...base, ciphertext, nonce: 'fdasflkja485' },
      { ...base, ciphertext: raw.subarray(0, 10).toString('base64') },
    ])
      expect(refusalOf(() => decryptWechatpayResource(apiV3Key, r)).kind).toBe('bad_ciphertext');
    expect(refusalOf(() => decryptWechatpayResource(randomBytes(32), { ...base, ciphertext })).kind).toBe('bad_ciphertext');
    expect(refusalOf(() => decryptWechatpayResource(apiV3Key, { ...base, ciphertext, algorithm: 'AES-CBC' })).kind).toBe('malformed');
  });

  it('wants a 32-byte APIv3 key', () => {
    expect(() => encryptWechatpayResource(Buffer.alloc(16), 'x', 'n', 'a')).toThrow(/32 bytes/);
  });
});

describe('a notification delivery', () => {
  it('verifies to a paid notice', () => {
    const d = delivery();
    expect(verifyWechatpayNotification(merchant, d.headers, d.body, new Date(now.getTime() + 299_000))).toEqual({
      channel: 'wechatpay',
      outTradeNo: 'GR20261120ABCDEFGHIJKLMNOP',
      channelTxnId: '4200000001202611200000000001',
      amountFen: 12345,
      paidAt: now,
      nonce: d.headers['wechatpay-nonce'],
    });
  });

  it('refuses each forgery with its kind', () => {
    const d = delivery();
    const kind = (headers: Record<string, string>, body = d.body, at = now) => refusalOf(() => verifyWechatpayNotification(merchant, headers, body, at)).kind;
    const flippedBody = d.body.replace('TRANSACTION.SUCCESS', 'TRANSACTION.SUCCESs');
    expect(kind(d.headers, flippedBody)).toBe('bad_signature');
    expect(kind({ ...d.headers, 'wechatpay-serial': 'OTHER' })).toBe('bad_signature');
    expect(kind({ ...d.headers, 'wechatpay-nonce': 'another' })).toBe('bad_signature');
    expect(kind(delivery({}, { key: other.privateKey }).headers, delivery({}, { key: other.privateKey }).body)).toBe('bad_signature');
    const { 'wechatpay-signature': _s, ...unsigned } = d.headers;
    expect(kind(unsigned)).toBe('malformed');
    expect(kind(d.headers, d.body, new Date(now.getTime() + 301_000))).toBe('stale_timestamp');
    expect(kind(d.headers, d.body, new Date(now.getTime() - 301_000))).toBe('stale_timestamp');
    const wrongKey = delivery({}, { apiV3Key: randomBytes(32) });
    expect(kind(wrongKey.headers, wrongKey.body)).toBe('bad_ciphertext');
    for (const over of [{ mchid: '1900000110' }, { appid: 'wx0000000000000000' }]) {
      const x = delivery(over);
      expect(kind(x.headers, x.body)).toBe('wrong_merchant');
    }
    for (const tradeState of ['NOTPAY', 'CLOSED', 'REFUND', 'PAYERROR', 'USERPAYING']) {
      const x = delivery({ tradeState });
      expect(kind(x.headers, x.body)).toBe('unpaid_status');
    }
    for (const amountFen of [0, -1, 1.5]) {
      const x = delivery({ amountFen });
      expect(kind(x.headers, x.body)).toBe('malformed');
    }
  });
});
