import type { Db } from '../../../db/connect.js';
import type { Executor, Trx } from '../../../db/tx.js';
import { verifyAlipayNotification } from '../domain/alipay.js';
import { verifyGridappNotification } from '../domain/gridapp.js';
import { Refusal, type OnlineChannel, type PaidNotice } from '../domain/refusal.js';
import { verifyWechatpayNotification, type Headers } from '../domain/wechatpay.js';
import { acknowledgeRepeat, findPaymentByTxn, insertSecurityEvent, lockOrder, markOrderPaid, rememberNonce, type OrderRow } from '../channels.repository.js';
import type { ChannelKeys } from './channel-keys.js';

/**
 * Channels' pieces of receiving a payment notification; `workflows/receive-channel-payment.ts` puts them
 * together with the payments core, in one transaction.
 */

export interface Delivery {
  headers: Headers;
  /** the body exactly as received (signatures are over its bytes) */
  rawBody: string;
  remoteAddr: string | null;
}

export type NotifyResult =
  | { ok: true; status: 'applied' | 'duplicate'; orderId: number; paymentId: number; outTradeNo: string }
  | { ok: false; refusal: Refusal };

/** What channels' routes are given from `workflows/` (they may not import it): the whole callback flow. */
export interface ChannelFlows {
  receivePayment(db: Db, keys: ChannelKeys, channel: OnlineChannel, d: Delivery, now: Date): Promise<NotifyResult>;
}

/** Verifies a delivery with the channel's keys (pure), or refuses it. The channel must be configured. */
export function verifyDelivery(keys: ChannelKeys, channel: OnlineChannel, d: Delivery, now: Date): PaidNotice {
  if (channel === 'wechatpay') return verifyWechatpayNotification(keys.wechatpay!, d.headers, d.rawBody, now);
  if (channel === 'alipay') return verifyAlipayNotification(keys.alipay!, d.rawBody);
  return verifyGridappNotification(keys.gridapp!.secret, d.headers, d.rawBody, now);
}

/**
 * A repeat of the notification that paid the order, in one statement (its nonce recorded): the answer to
 * give, or null when the notice is not such a repeat. A repeated nonce is refused.
 */
export async function acknowledgeDelivery(db: Executor, notice: PaidNotice, now: Date): Promise<(NotifyResult & { ok: true }) | null> {
  const repeat = await acknowledgeRepeat(db, { ...notice, seenAt: now });
  if (repeat.outcome === 'replayed') throw replayed(notice);
  if (repeat.outcome === 'fresh') return { ok: true, status: 'duplicate', orderId: repeat.orderId, paymentId: repeat.paymentId, outTradeNo: notice.outTradeNo };
  return null;
}

const replayed = (n: PaidNotice) => new Refusal('replayed_nonce', 'this nonce was seen before', { outTradeNo: n.outTradeNo, channelTxnId: n.channelTxnId, amountFen: n.amountFen, nonce: n.nonce });
const about = (n: PaidNotice) => ({ outTradeNo: n.outTradeNo, channelTxnId: n.channelTxnId, amountFen: n.amountFen });

/** In the caller's transaction: records the nonce, locks the order the notice names and checks it against the notice. */
export async function claimOrder(trx: Trx, n: PaidNotice, now: Date): Promise<OrderRow> {
  if (n.nonce !== null && !(await rememberNonce(trx, n.channel, n.nonce, now))) throw replayed(n);
  const order = await lockOrder(trx, n.outTradeNo);
  if (!order) throw new Refusal('unknown_order', 'out_trade_no is not one of our payment orders', about(n));
  if (order.channel !== n.channel) throw new Refusal('wrong_channel', `the order was opened for ${order.channel}`, about(n));
  if (order.amount_fen !== n.amountFen) throw new Refusal('wrong_amount', `paid ${n.amountFen} fen, the order is for ${order.amount_fen} fen`, { ...about(n), orderFen: order.amount_fen });
  return order;
}

/**
 * For an order already paid: the payment this notice's transaction made (its order's, or one applied
 * earlier for the same account and amount), null when the transaction is new; a transaction applied
 * with another account or amount is refused.
 */
export async function paymentOfPaidOrder(trx: Trx, n: PaidNotice, order: OrderRow): Promise<number | null> {
  if (order.channel_txn_id === n.channelTxnId) return order.payment_id!;
  const earlier = await findPaymentByTxn(trx, n.channel, n.channelTxnId);
  if (earlier && (earlier.account_id !== order.account_id || earlier.amount_fen !== n.amountFen))
    throw new Refusal('txn_conflict', `transaction ${n.channelTxnId} was applied before with ${earlier.amount_fen} fen`, { ...about(n), existingPaymentId: earlier.id, existingAmountFen: earlier.amount_fen });
  return earlier ? earlier.id : null;
}

/** The refusal for a transaction the payments core found applied before with another account or amount. */
export function txnConflict(n: PaidNotice, existing: { paymentId: number; existingAmountFen: number; existingAccountId: number }, detailed = true): Refusal {
  const detail = detailed ? { existingAmountFen: existing.existingAmountFen, existingAccountId: existing.existingAccountId } : {};
  return new Refusal('txn_conflict', `transaction ${n.channelTxnId} was applied before with ${existing.existingAmountFen} fen`, { ...about(n), existingPaymentId: existing.paymentId, ...detail });
}

export { markOrderPaid };

/** A refusal goes to the security log, in its own statement. */
export async function logRefusal(db: Executor, channel: OnlineChannel, err: Refusal, d: Delivery, now: Date): Promise<void> {
  await insertSecurityEvent(db, { at: now, channel, kind: err.kind, reason: err.reason, remoteAddr: d.remoteAddr, detail: err.detail });
}
