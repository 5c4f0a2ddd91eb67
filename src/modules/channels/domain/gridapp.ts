import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { checkNonce, checkOutTradeNo, checkTimestamp, checkTxnId, headerOf, Refusal, type PaidNotice } from './refusal.js';
import { parseRfc3339, type Headers } from './wechatpay.js';

/**
 * The grid's own app (网上国网) callback — Granary's protocol, documented in the module README:
 * POST JSON `{outTradeNo, txnId, amountFen, paidAt, status: 'PAID'}` with headers X-Grid-Timestamp
 * (Unix seconds), X-Grid-Nonce and X-Grid-Signature = lowercase hex HMAC-SHA256, keyed with the shared
 * secret, over `timestamp\nnonce\nbody\n` (the body byte for byte).
 */
export function gridappSignature(secret: Buffer, timestamp: string, nonce: string, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}\n${nonce}\n${body}\n`, 'utf8').digest('hex');
}

export function verifyGridappSignature(secret: Buffer, timestamp: string, nonce: string, body: string, signature: string): boolean {
  if (!/^[0-9a-f]{64}$/.test(signature)) return false;
  return timingSafeEqual(Buffer.from(gridappSignature(secret, timestamp, nonce, body), 'hex'), Buffer.from(signature, 'hex'));
}

export interface GridappBody {
  outTradeNo: string;
  txnId: string;
  amountFen: number;
  paidAt: string;
  status: string;
}

const FIELDS = ['outTradeNo', 'txnId', 'amountFen', 'paidAt', 'status'];

export function verifyGridappNotification(secret: Buffer, headers: Headers, rawBody: string, now: Date): PaidNotice {
  const timestamp = headerOf(headers, 'X-Grid-Timestamp');
  const nonce = checkNonce(headerOf(headers, 'X-Grid-Nonce'));
  const signature = headerOf(headers, 'X-Grid-Signature');
  if (!verifyGridappSignature(secret, timestamp, nonce, rawBody, signature)) throw new Refusal('bad_signature', 'X-Grid-Signature does not verify with the shared secret');
  checkTimestamp(timestamp, now);
  let b: Partial<GridappBody>;
  try {
    b = JSON.parse(rawBody);
  } catch {
    throw new Refusal('malformed', 'body is not JSON');
  }
  if (!b || typeof b !== 'object' || Array.isArray(b)) throw new Refusal('malformed', 'body is not an object');
  const unknown = Object.keys(b).filter((k) => !FIELDS.includes(k));
  if (unknown.length) throw new Refusal('malformed', `unknown fields: ${unknown.join(', ').slice(0, 100)}`);
  const outTradeNo = checkOutTradeNo(b.outTradeNo, 'outTradeNo');
  if (b.status !== 'PAID') throw new Refusal('unpaid_status', `status ${String(b.status).slice(0, 40)} is not PAID`, { outTradeNo, status: String(b.status).slice(0, 40) });
  const channelTxnId = checkTxnId(b.txnId, 'txnId');
  if (typeof b.amountFen !== 'number' || !Number.isSafeInteger(b.amountFen) || b.amountFen <= 0) throw new Refusal('malformed', 'amountFen is not a positive whole number', { outTradeNo });
  const paidAt = parseRfc3339(b.paidAt);
  if (!paidAt) throw new Refusal('malformed', 'paidAt is not an RFC 3339 time with an offset', { outTradeNo });
  return { channel: 'gridapp', outTradeNo, channelTxnId, amountFen: b.amountFen, paidAt, nonce };
}

/** A callback exactly as the grid app sends it (sandbox and tests). */
export function buildGridappNotification(o: { secret: Buffer; body: GridappBody; now: Date; nonce?: string }): { headers: Record<string, string>; body: string } {
  const body = JSON.stringify(o.body);
  const timestamp = String(Math.floor(o.now.getTime() / 1000));
  const nonce = o.nonce ?? randomBytes(12).toString('hex');
  return {
    headers: { 'content-type': 'application/json', 'x-grid-timestamp': timestamp, 'x-grid-nonce': nonce, 'x-grid-signature': gridappSignature(o.secret, timestamp, nonce, body) },
    body,
  };
}
