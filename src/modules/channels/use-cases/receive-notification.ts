import type { Db } from '../../../db/connect.js';
import type { Trx } from '../../../db/tx.js';
import { AppError } from '../../../shared/errors.js';
import { applyPayment } from '../../payments/index.js';
import { verifyAlipayNotification } from '../domain/alipay.js';
import { verifyGridappNotification } from '../domain/gridapp.js';
import { Refusal, type OnlineChannel, type PaidNotice } from '../domain/refusal.js';
import { verifyWechatpayNotification, type Headers } from '../domain/wechatpay.js';
import { acknowledgeRepeat, findPaymentByTxn, insertSecurityEvent, lockOrder, markOrderPaid, rememberNonce } from '../channels.repository.js';
import type { ChannelKeys } from './channel-keys.js';

export interface Delivery {
  headers: Headers;
  /** the body exactly as received (signatures are over its bytes) */
  rawBody: string;
  remoteAddr: string | null;
}

export type NotifyResult =
  | { ok: true; status: 'applied' | 'duplicate'; orderId: number; paymentId: number; outTradeNo: string }
  | { ok: false; refusal: Refusal };

/** Verifies a delivery with the channel's keys (pure), or refuses it. The channel must be configured. */
export function verifyDelivery(keys: ChannelKeys, channel: OnlineChannel, d: Delivery, now: Date): PaidNotice {
  if (channel === 'wechatpay') return verifyWechatpayNotification(keys.wechatpay!, d.headers, d.rawBody, now);
  if (channel === 'alipay') return verifyAlipayNotification(keys.alipay!, d.rawBody);
  return verifyGridappNotification(keys.gridapp!.secret, d.headers, d.rawBody, now);
}

/** How many times a delivery is retried when a concurrent one applied the same transaction first. */
const ATTEMPTS = 3;

/**
 * One callback delivery: verify it; a repeat of the notification that paid the order is acknowledged in one
 * statement (its nonce recorded); otherwise, in one transaction, record the nonce, lock the order, check it,
 * apply the payment (payments.applyPayment) and mark the order paid — the order and the payment commit
 * together, or neither does. A refusal rolls the transaction back (no ledger effect, the nonce
 * not kept) and is written to the security log in its own statement.
 */
export async function receiveNotification(db: Db, keys: ChannelKeys, channel: OnlineChannel, d: Delivery, now: Date): Promise<NotifyResult> {
  try {
    const notice = verifyDelivery(keys, channel, d, now);
    const repeat = await acknowledgeRepeat(db, { ...notice, seenAt: now });
    if (repeat.outcome === 'replayed') throw replayed(notice);
    if (repeat.outcome === 'fresh') return { ok: true, status: 'duplicate', orderId: repeat.orderId, paymentId: repeat.paymentId, outTradeNo: notice.outTradeNo };
    for (let attempt = 1; ; attempt++) {
      try {
        return await db.transaction().execute((trx) => applyNotice(trx, notice, now));
      } catch (err) {
        // applyPayment gives up when another transaction inserted the same channel transaction between
        // its read and its write; on retry it sees that payment (duplicate or conflict)
        if (err instanceof AppError && err.code === 'CONFLICT' && attempt < ATTEMPTS) continue;
        throw err;
      }
    }
  } catch (err) {
    if (!(err instanceof Refusal)) throw err;
    await insertSecurityEvent(db, { at: now, channel, kind: err.kind, reason: err.reason, remoteAddr: d.remoteAddr, detail: err.detail });
    return { ok: false, refusal: err };
  }
}

const replayed = (n: PaidNotice) => new Refusal('replayed_nonce', 'this nonce was seen before', { outTradeNo: n.outTradeNo, channelTxnId: n.channelTxnId, amountFen: n.amountFen, nonce: n.nonce });

async function applyNotice(trx: Trx, n: PaidNotice, now: Date): Promise<NotifyResult & { ok: true }> {
  const about = { outTradeNo: n.outTradeNo, channelTxnId: n.channelTxnId, amountFen: n.amountFen };
  if (n.nonce !== null && !(await rememberNonce(trx, n.channel, n.nonce, now))) throw replayed(n);
  const order = await lockOrder(trx, n.outTradeNo);
  if (!order) throw new Refusal('unknown_order', 'out_trade_no is not one of our payment orders', about);
  if (order.channel !== n.channel) throw new Refusal('wrong_channel', `the order was opened for ${order.channel}`, about);
  if (order.amount_fen !== n.amountFen) throw new Refusal('wrong_amount', `paid ${n.amountFen} fen, the order is for ${order.amount_fen} fen`, { ...about, orderFen: order.amount_fen });
  const paid = { orderId: order.id, outTradeNo: order.out_trade_no };

  if (order.status === 'paid') {
    if (order.channel_txn_id === n.channelTxnId) return { ok: true, status: 'duplicate', paymentId: order.payment_id!, ...paid };
    const earlier = await findPaymentByTxn(trx, n.channel, n.channelTxnId);
    if (earlier && (earlier.account_id !== order.account_id || earlier.amount_fen !== n.amountFen))
      throw new Refusal('txn_conflict', `transaction ${n.channelTxnId} was applied before with ${earlier.amount_fen} fen`, { ...about, existingPaymentId: earlier.id, existingAmountFen: earlier.amount_fen });
    if (earlier) return { ok: true, status: 'duplicate', paymentId: earlier.id, ...paid };
    // A second genuine transaction for a paid order: the customer paid twice and the channel holds the
    // money, so it is applied like any payment (allocation puts what no bill needs on the prepaid balance);
    // the order keeps its first transaction.
    const again = await applyPayment(trx, { accountId: order.account_id, channel: n.channel, channelTxnId: n.channelTxnId, amountFen: n.amountFen, paidAt: n.paidAt, orderId: order.id });
    if (again.status === 'conflict') throw new Refusal('txn_conflict', `transaction ${n.channelTxnId} was applied before with ${again.existingAmountFen} fen`, { ...about, existingPaymentId: again.paymentId });
    return { ok: true, status: again.status, paymentId: again.paymentId, ...paid };
  }

  // open, expired or closed: the channel took the money, so it is applied (an order's expiry is ours)
  const outcome = await applyPayment(trx, { accountId: order.account_id, channel: n.channel, channelTxnId: n.channelTxnId, amountFen: n.amountFen, paidAt: n.paidAt, orderId: order.id });
  if (outcome.status === 'conflict')
    throw new Refusal('txn_conflict', `transaction ${n.channelTxnId} was applied before with ${outcome.existingAmountFen} fen`, { ...about, existingPaymentId: outcome.paymentId, existingAmountFen: outcome.existingAmountFen, existingAccountId: outcome.existingAccountId });
  await markOrderPaid(trx, order.id, { paidAt: n.paidAt, paymentId: outcome.paymentId, channelTxnId: n.channelTxnId });
  return { ok: true, status: outcome.status, paymentId: outcome.paymentId, ...paid };
}
