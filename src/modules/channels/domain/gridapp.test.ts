import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildGridappNotification, gridappSignature, verifyGridappNotification, verifyGridappSignature } from './gridapp.js';
import { Refusal } from './refusal.js';

const secret = Buffer.from('grid-shared-secret-for-tests-0001');
const now = new Date('2026-11-20T02:00:00Z');
const body = { outTradeNo: 'GR20261120ABCDEFGHIJKLMNOP', txnId: 'GA202611200001', amountFen: 500, paidAt: '2026-11-20T10:00:00+08:00', status: 'PAID' };

function refusalOf(f: () => unknown): Refusal {
  try {
    f();
  } catch (err) {
    if (err instanceof Refusal) return err;
    throw err;
  }
  throw new Error('not refused');
}

describe('grid app callback', () => {
  it('signs hex HMAC-SHA256 over timestamp\\nnonce\\nbody\\n', () => {
    // fixed vector, recomputable with: printf '1700000000\nabc\n{}\n' | openssl dgst -sha256 -hmac key
    expect(gridappSignature(Buffer.from('key'), '1700000000', 'abc', '{}')).toBe('eb64720bf58b1c954316390ba0514d4d47d84a66e354c2fc19abce1a085bf0fb');
    const sig = gridappSignature(secret, '1', 'n', '{}');
    expect(sig).toMatch(/^[0-9a-f]{64}$/);
    expect(verifyGridappSignature(secret, '1', 'n', '{}', sig)).toBe(true);
    expect(verifyGridappSignature(secret, '1', 'n', '{ }', sig)).toBe(false);
    expect(verifyGridappSignature(randomBytes(32), '1', 'n', '{}', sig)).toBe(false);
    expect(verifyGridappSignature(secret, '1', 'n', '{}', sig.toUpperCase())).toBe(false);
  });

  it('verifies a callback to a paid notice', () => {
    const d = buildGridappNotification({ secret, body, now });
    expect(verifyGridappNotification(secret, d.headers, d.body, now)).toEqual({
      channel: 'gridapp',
      outTradeNo: body.outTradeNo,
      channelTxnId: body.txnId,
      amountFen: 500,
      paidAt: now,
      nonce: d.headers['x-grid-nonce'],
    });
  });

  it('refuses each forgery with its kind', () => {
    const d = buildGridappNotification({ secret, body, now });
    const kind = (headers: Record<string, string>, b: string, at = now) => refusalOf(() => verifyGridappNotification(secret, headers, b, at)).kind;
    expect(kind(d.headers, d.body.replace('500', '501'))).toBe('bad_signature');
    expect(kind({ ...d.headers, 'x-grid-nonce': 'other' }, d.body)).toBe('bad_signature');
    const wrong = buildGridappNotification({ secret: randomBytes(32), body, now });
    expect(kind(wrong.headers, wrong.body)).toBe('bad_signature');
    expect(kind(d.headers, d.body, new Date(now.getTime() + 301_000))).toBe('stale_timestamp');
    const unpaid = buildGridappNotification({ secret, body: { ...body, status: 'PENDING' }, now });
    expect(kind(unpaid.headers, unpaid.body)).toBe('unpaid_status');
    const extra = buildGridappNotification({ secret, body: { ...body, extra: 1 } as typeof body, now });
    expect(kind(extra.headers, extra.body)).toBe('malformed');
    const { 'x-grid-timestamp': _t, ...noTimestamp } = d.headers;
    expect(kind(noTimestamp, d.body)).toBe('malformed');
  });
});
