import { sign, verify, type KeyObject } from 'node:crypto';
import { parseYuan, yuanOf } from '../../../shared/money.js';
import { checkOutTradeNo, checkTxnId, Refusal, type PaidNotice } from './refusal.js';

/**
 * Alipay asynchronous notifications (异步通知), pure. Alipay POSTs an
 * application/x-www-form-urlencoded form; the signed content is every parameter except `sign` and
 * `sign_type` and those with empty values, sorted by name, written `k=v` (decoded values) and joined
 * with `&`; `sign` is base64 RSA-SHA256 (RSA2) of it with Alipay's key. `sign_type=RSA` (SHA-1) is
 * refused outright: sign_type is not itself signed, so accepting it would let anyone downgrade.
 */
export interface AlipayMerchant {
  appId: string;
  /** Our seller (partner) id, 2088…: the payee the notification must name. */
  sellerId: string;
  publicKey: KeyObject;
}

export const ALIPAY_PAID_STATUSES = ['TRADE_SUCCESS', 'TRADE_FINISHED'] as const;

/** The string Alipay signs: sorted `k=v` pairs without sign, sign_type and empty values. */
export function alipaySignContent(params: Record<string, string>): string {
  return Object.keys(params)
    .filter((k) => k !== 'sign' && k !== 'sign_type' && params[k] !== '')
    .sort()
    .map((k) => `${k}=${params[k]}`)
    .join('&');
}

export function signAlipay(privateKey: KeyObject, params: Record<string, string>): string {
  return sign('sha256', Buffer.from(alipaySignContent(params), 'utf8'), privateKey).toString('base64');
}

export function verifyAlipaySignature(publicKey: KeyObject, params: Record<string, string>, signature: string): boolean {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(signature)) return false;
  try {
    return verify('sha256', Buffer.from(alipaySignContent(params), 'utf8'), publicKey, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

/** The form as a plain object; a parameter given twice is refused (which one would be signed?). */
export function parseAlipayForm(rawBody: string): Record<string, string> {
  const out: Record<string, string> = {};
  let form: URLSearchParams;
  try {
    form = new URLSearchParams(rawBody);
  } catch {
    throw new Refusal('malformed', 'body is not a form');
  }
  for (const [k, v] of form) {
    if (Object.hasOwn(out, k)) throw new Refusal('malformed', `parameter ${k.slice(0, 40)} given twice`);
    out[k] = v;
  }
  return out;
}

/** "2026-11-20 10:00:00" in Asia/Shanghai (how Alipay writes gmt_payment) → Date. */
export function parseAlipayTime(value: string | undefined): Date | null {
  const m = value && /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})$/.exec(value);
  if (!m) return null;
  const t = Date.parse(`${m[1]}T${m[2]}+08:00`);
  return Number.isFinite(t) ? new Date(t) : null;
}

export function alipayTime(at: Date): string {
  return new Date(at.getTime() + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
}

/**
 * Verifies an Alipay notification up to what needs no database: sign type, signature, app_id,
 * seller_id, trade status and field shapes. The caller then checks the order and amount.
 */
export function verifyAlipayNotification(m: AlipayMerchant, rawBody: string): PaidNotice {
  const p = parseAlipayForm(rawBody);
  if (p.charset !== undefined && p.charset.toLowerCase() !== 'utf-8') throw new Refusal('malformed', 'only charset=utf-8 notifications are accepted', { charset: p.charset.slice(0, 20) });
  if (!p.sign_type) throw new Refusal('malformed', 'sign_type missing');
  if (p.sign_type !== 'RSA2') throw new Refusal('weak_sign_type', `sign_type ${JSON.stringify((p.sign_type ?? '').slice(0, 20))} refused: only RSA2 is accepted`, { signType: (p.sign_type ?? '').slice(0, 20) });
  if (!p.sign) throw new Refusal('bad_signature', 'sign missing');
  if (!verifyAlipaySignature(m.publicKey, p, p.sign)) throw new Refusal('bad_signature', 'sign does not verify with the Alipay public key');
  if (p.app_id !== m.appId) throw new Refusal('wrong_merchant', 'app_id is not ours', { appId: String(p.app_id).slice(0, 40) });
  if (p.seller_id !== m.sellerId) throw new Refusal('wrong_merchant', 'seller_id is not ours', { sellerId: String(p.seller_id).slice(0, 40) });
  const outTradeNo = checkOutTradeNo(p.out_trade_no, 'out_trade_no');
  // A refund is notified with the trade's status (TRADE_SUCCESS while part is left, TRADE_CLOSED after a full
  // refund) and its total_amount, plus refund_fee / gmt_refund / out_biz_no: it must never read as a payment.
  if (p.refund_fee || p.gmt_refund || p.out_biz_no)
    throw new Refusal('refund_notice', `a refund notification (trade_status ${String(p.trade_status).slice(0, 40)}): recorded for review, nothing credited`, {
      outTradeNo,
      tradeNo: String(p.trade_no ?? '').slice(0, 64),
      tradeStatus: String(p.trade_status ?? '').slice(0, 40),
      refundFee: String(p.refund_fee ?? '').slice(0, 20),
      totalAmount: String(p.total_amount ?? '').slice(0, 20),
      outBizNo: String(p.out_biz_no ?? '').slice(0, 64),
    });
  if (!(ALIPAY_PAID_STATUSES as readonly string[]).includes(p.trade_status ?? ''))
    throw new Refusal('unpaid_status', `trade_status ${String(p.trade_status).slice(0, 40)} is not a payment`, { outTradeNo, tradeStatus: String(p.trade_status).slice(0, 40) });
  const channelTxnId = checkTxnId(p.trade_no, 'trade_no');
  let amountFen: number;
  try {
    amountFen = parseYuan(p.total_amount ?? '');
  } catch {
    throw new Refusal('malformed', 'total_amount is not an amount in 元 with at most two decimals', { outTradeNo, totalAmount: String(p.total_amount).slice(0, 40) });
  }
  if (amountFen <= 0) throw new Refusal('malformed', 'total_amount is not positive', { outTradeNo });
  const paidAt = parseAlipayTime(p.gmt_payment);
  if (!paidAt) throw new Refusal('malformed', 'gmt_payment is not "yyyy-MM-dd HH:mm:ss"', { outTradeNo });
  return { channel: 'alipay', outTradeNo, channelTxnId, amountFen, paidAt, nonce: null };
}

export interface BuildAlipay {
  privateKey: KeyObject;
  appId: string;
  sellerId: string;
  outTradeNo: string;
  tradeNo: string;
  amountFen: number;
  paidAt: Date;
  now: Date;
  tradeStatus?: string;
  /** sign_type to post (RSA2; tests post RSA to see it refused) */
  signType?: string;
  /** parameters changed after signing (tests) */
  tamper?: Record<string, string>;
  /** further signed parameters, e.g. a refund's refund_fee and gmt_refund */
  extra?: Record<string, string>;
}

/** The form body of a notification exactly as Alipay posts it, signed RSA2. */
export function buildAlipayNotification(o: BuildAlipay): string {
  const params: Record<string, string> = {
    gmt_create: alipayTime(new Date(o.paidAt.getTime() - 5000)),
    charset: 'utf-8',
    seller_email: 'granary-sandbox@example.com',
    subject: '电费缴费',
    buyer_id: '2088102177846880',
    invoice_amount: yuanOf(o.amountFen),
    notify_id: `2026${o.tradeNo.slice(-12)}${Math.floor(o.now.getTime() / 1000)}`,
    fund_bill_list: JSON.stringify([{ amount: yuanOf(o.amountFen), fundChannel: 'ALIPAYACCOUNT' }]),
    notify_type: 'trade_status_sync',
    trade_status: o.tradeStatus ?? 'TRADE_SUCCESS',
    receipt_amount: yuanOf(o.amountFen),
    app_id: o.appId,
    buyer_pay_amount: yuanOf(o.amountFen),
    seller_id: o.sellerId,
    gmt_payment: alipayTime(o.paidAt),
    notify_time: alipayTime(o.now),
    version: '1.0',
    out_trade_no: o.outTradeNo,
    total_amount: yuanOf(o.amountFen),
    trade_no: o.tradeNo,
    auth_app_id: o.appId,
    buyer_logon_id: 'gra***@example.com',
    point_amount: '0.00',
    ...o.extra,
  };
  const signed = { ...params, sign: signAlipay(o.privateKey, params), sign_type: o.signType ?? 'RSA2', ...o.tamper };
  return new URLSearchParams(signed).toString();
}
