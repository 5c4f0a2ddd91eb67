import { createCipheriv, createDecipheriv, randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import { checkNonce, checkOutTradeNo, checkTimestamp, checkTxnId, headerOf, Refusal, type PaidNotice } from './refusal.js';

/**
 * WeChat Pay API v3 payment notifications (支付成功通知), pure: signing and verifying the
 * `timestamp\nnonce\nbody\n` message with RSA-SHA256 (PKCS#1 v1.5), and AEAD_AES_256_GCM for the
 * `resource` (key = the 32-byte APIv3 key, the 16-byte tag appended to the ciphertext, base64).
 * The build functions are what the demo sandbox and the tests use to make notifications exactly as
 * WeChat does, so every delivery goes through the same verification code.
 */
export interface WechatpayMerchant {
  mchid: string;
  appid: string;
  /** The APIv3 key: 32 bytes (WeChat shows it as 32 ASCII characters). */
  apiV3Key: Buffer;
  /** Serial number of the platform certificate whose key signs notifications (Wechatpay-Serial). */
  platformSerial: string;
  platformPublicKey: KeyObject;
}

/** The decrypted `resource` of a TRANSACTION.SUCCESS notification (the fields Granary reads). */
export interface WechatpayTransaction {
  mchid: string;
  appid: string;
  out_trade_no: string;
  transaction_id: string;
  trade_type?: string;
  trade_state: string;
  trade_state_desc?: string;
  bank_type?: string;
  attach?: string;
  success_time: string;
  payer?: { openid: string };
  amount: { total: number; payer_total?: number; currency?: string; payer_currency?: string };
}

export interface WechatpayResource {
  original_type?: string;
  algorithm: string;
  ciphertext: string;
  associated_data?: string;
  nonce: string;
}

const GCM_TAG_BYTES = 16;

export function wechatpayMessage(timestamp: string, nonce: string, body: string): Buffer {
  return Buffer.from(`${timestamp}\n${nonce}\n${body}\n`, 'utf8');
}

/** Wechatpay-Signature: base64 RSA-SHA256 over the message. */
export function signWechatpay(privateKey: KeyObject, timestamp: string, nonce: string, body: string): string {
  return sign('sha256', wechatpayMessage(timestamp, nonce, body), privateKey).toString('base64');
}

export function verifyWechatpaySignature(publicKey: KeyObject, timestamp: string, nonce: string, body: string, signature: string): boolean {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(signature)) return false;
  try {
    return verify('sha256', wechatpayMessage(timestamp, nonce, body), publicKey, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

export function assertApiV3Key(key: Buffer): Buffer {
  if (key.length !== 32) throw new Error(`the WeChat Pay APIv3 key must be 32 bytes, got ${key.length}`);
  return key;
}

/** AEAD_AES_256_GCM: base64 of ciphertext ‖ 16-byte tag. `nonce` is the 12-character resource nonce. */
export function encryptWechatpayResource(apiV3Key: Buffer, plaintext: string, nonce: string, associatedData: string): string {
  const cipher = createCipheriv('aes-256-gcm', assertApiV3Key(apiV3Key), Buffer.from(nonce, 'utf8'));
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([body, cipher.getAuthTag()]).toString('base64');
}

/** The plaintext of a resource, or a `bad_ciphertext` refusal (wrong key, altered bytes or tag, wrong AAD). */
export function decryptWechatpayResource(apiV3Key: Buffer, resource: WechatpayResource): string {
  if (resource.algorithm !== 'AEAD_AES_256_GCM') throw new Refusal('malformed', `resource algorithm ${String(resource.algorithm).slice(0, 40)} is not AEAD_AES_256_GCM`);
  const data = Buffer.from(resource.ciphertext, 'base64');
  if (data.length < GCM_TAG_BYTES || !/^[A-Za-z0-9+/]+={0,2}$/.test(resource.ciphertext)) throw new Refusal('bad_ciphertext', 'ciphertext too short or not base64');
  if (typeof resource.nonce !== 'string' || resource.nonce.length === 0 || resource.nonce.length > 64) throw new Refusal('malformed', 'resource nonce missing');
  try {
    const decipher = createDecipheriv('aes-256-gcm', assertApiV3Key(apiV3Key), Buffer.from(resource.nonce, 'utf8'));
    decipher.setAAD(Buffer.from(resource.associated_data ?? '', 'utf8'));
    decipher.setAuthTag(data.subarray(data.length - GCM_TAG_BYTES));
    return Buffer.concat([decipher.update(data.subarray(0, data.length - GCM_TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    throw new Refusal('bad_ciphertext', 'resource does not decrypt with the APIv3 key (altered ciphertext, tag or associated data, or another key)');
  }
}

export type Headers = Record<string, string | string[] | undefined>;

/**
 * Verifies a WeChat Pay notification delivery up to what needs no database: serial, signature,
 * timestamp window, decryption, merchant, trade state and field shapes. The caller then checks the
 * nonce has not been seen and the order and amount (use-cases/receive-notification.ts).
 */
export function verifyWechatpayNotification(m: WechatpayMerchant, headers: Headers, rawBody: string, now: Date): PaidNotice {
  const timestamp = headerOf(headers, 'Wechatpay-Timestamp');
  const nonce = checkNonce(headerOf(headers, 'Wechatpay-Nonce'));
  const signature = headerOf(headers, 'Wechatpay-Signature');
  const serial = headerOf(headers, 'Wechatpay-Serial');
  if (serial !== m.platformSerial) throw new Refusal('bad_signature', 'Wechatpay-Serial is not our platform certificate', { serial: serial.slice(0, 64) });
  if (!verifyWechatpaySignature(m.platformPublicKey, timestamp, nonce, rawBody, signature)) throw new Refusal('bad_signature', 'Wechatpay-Signature does not verify with the platform public key');
  checkTimestamp(timestamp, now);

  let envelope: { event_type?: unknown; resource?: Partial<WechatpayResource> };
  try {
    envelope = JSON.parse(rawBody);
  } catch {
    throw new Refusal('malformed', 'body is not JSON');
  }
  const r = envelope?.resource;
  if (!r || typeof r !== 'object' || typeof r.ciphertext !== 'string' || typeof r.nonce !== 'string' || typeof r.algorithm !== 'string') throw new Refusal('malformed', 'resource missing');
  if (r.associated_data !== undefined && typeof r.associated_data !== 'string') throw new Refusal('malformed', 'resource.associated_data not a string');
  const plaintext = decryptWechatpayResource(m.apiV3Key, r as WechatpayResource);

  let txn: Partial<WechatpayTransaction>;
  try {
    txn = JSON.parse(plaintext);
  } catch {
    throw new Refusal('malformed', 'decrypted resource is not JSON');
  }
  if (!txn || typeof txn !== 'object') throw new Refusal('malformed', 'decrypted resource is not an object');
  if (txn.mchid !== m.mchid) throw new Refusal('wrong_merchant', 'mchid is not ours', { mchid: String(txn.mchid).slice(0, 40) });
  if (typeof envelope.event_type === 'string' && envelope.event_type.startsWith('REFUND.'))
    throw new Refusal('refund_notice', `a refund notification (${envelope.event_type.slice(0, 40)}): recorded for review, nothing credited`, { outTradeNo: String(txn.out_trade_no ?? '').slice(0, 64), eventType: envelope.event_type.slice(0, 40) });
  if (txn.appid !== m.appid) throw new Refusal('wrong_merchant', 'appid is not ours', { appid: String(txn.appid).slice(0, 40) });
  const outTradeNo = checkOutTradeNo(txn.out_trade_no, 'out_trade_no');
  if (txn.trade_state !== 'SUCCESS') throw new Refusal('unpaid_status', `trade_state ${String(txn.trade_state).slice(0, 40)} is not SUCCESS`, { outTradeNo, tradeState: String(txn.trade_state).slice(0, 40) });
  const channelTxnId = checkTxnId(txn.transaction_id, 'transaction_id');
  const total = txn.amount?.total;
  if (typeof total !== 'number' || !Number.isSafeInteger(total) || total <= 0) throw new Refusal('malformed', 'amount.total is not a positive whole number of fen', { outTradeNo });
  if (txn.amount?.currency !== undefined && txn.amount.currency !== 'CNY') throw new Refusal('malformed', 'amount.currency is not CNY', { outTradeNo });
  const paidAt = parseRfc3339(txn.success_time);
  if (!paidAt) throw new Refusal('malformed', 'success_time is not an RFC 3339 time', { outTradeNo });
  return { channel: 'wechatpay', outTradeNo, channelTxnId, amountFen: total, paidAt, nonce };
}

/** "2026-11-20T10:00:00+08:00" → Date; anything without an explicit offset is refused. */
export function parseRfc3339(value: unknown): Date | null {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/.test(value)) return null;
  const t = Date.parse(value);
  return Number.isFinite(t) ? new Date(t) : null;
}

/** 2026-11-20T02:00:00Z → "2026-11-20T10:00:00+08:00" (WeChat writes Beijing time with its offset). */
export function beijingRfc3339(at: Date): string {
  return `${new Date(at.getTime() + 8 * 3600_000).toISOString().slice(0, 19)}+08:00`;
}

export interface BuildWechatpay {
  platformPrivateKey: KeyObject;
  platformSerial: string;
  apiV3Key: Buffer;
  transaction: WechatpayTransaction;
  /** the delivery time (Wechatpay-Timestamp) */
  now: Date;
  nonce?: string;
  resourceNonce?: string;
  associatedData?: string;
}

/** A notification delivery exactly as WeChat Pay sends it: headers and the JSON body, byte for byte. */
export function buildWechatpayNotification(o: BuildWechatpay): { headers: Record<string, string>; body: string } {
  const resourceNonce = o.resourceNonce ?? randomBytes(6).toString('hex');
  const associatedData = o.associatedData ?? 'transaction';
  const body = JSON.stringify({
    id: `EV-${randomBytes(10).toString('hex')}`,
    create_time: beijingRfc3339(o.now),
    resource_type: 'encrypt-resource',
    event_type: 'TRANSACTION.SUCCESS',
    summary: '支付成功',
    resource: {
      original_type: 'transaction',
      algorithm: 'AEAD_AES_256_GCM',
      ciphertext: encryptWechatpayResource(o.apiV3Key, JSON.stringify(o.transaction), resourceNonce, associatedData),
      associated_data: associatedData,
      nonce: resourceNonce,
    },
  });
  const timestamp = String(Math.floor(o.now.getTime() / 1000));
  const nonce = o.nonce ?? randomBytes(16).toString('hex').toUpperCase();
  return {
    headers: {
      'content-type': 'application/json',
      'wechatpay-timestamp': timestamp,
      'wechatpay-nonce': nonce,
      'wechatpay-signature': signWechatpay(o.platformPrivateKey, timestamp, nonce, body),
      'wechatpay-serial': o.platformSerial,
      'wechatpay-signature-type': 'WECHATPAY2-SHA256-RSA2048',
    },
    body,
  };
}

/** A paid transaction resource for an order (sandbox and tests). */
export function wechatpayTransaction(o: { mchid: string; appid: string; outTradeNo: string; transactionId: string; amountFen: number; paidAt: Date; tradeState?: string }): WechatpayTransaction {
  return {
    mchid: o.mchid,
    appid: o.appid,
    out_trade_no: o.outTradeNo,
    transaction_id: o.transactionId,
    trade_type: 'JSAPI',
    trade_state: o.tradeState ?? 'SUCCESS',
    trade_state_desc: o.tradeState && o.tradeState !== 'SUCCESS' ? '未支付' : '支付成功',
    bank_type: 'OTHERS',
    attach: '',
    success_time: beijingRfc3339(o.paidAt),
    payer: { openid: 'oSandbox000000000000000000000' },
    amount: { total: o.amountFen, payer_total: o.amountFen, currency: 'CNY', payer_currency: 'CNY' },
  };
}
