import type { Db } from '../db/connect.js';
import { inTransaction, type Trx } from '../db/tx.js';
import { AppError } from '../shared/errors.js';
import {
  acknowledgeDelivery,
  claimOrder,
  logRefusal,
  markOrderPaid,
  paymentOfPaidOrder,
  Refusal,
  txnConflict,
  verifyDelivery,
  type ChannelKeys,
  type Delivery,
  type NotifyResult,
  type OnlineChannel,
  type PaidNotice,
} from '../modules/channels/index.js';
import { applyPayment } from '../modules/payments/index.js';

/** How many times a delivery is retried when a concurrent one applied the same transaction first. */
const ATTEMPTS = 3;

/**
 * One channel callback delivery, across channels and payments: verify it (channels); a repeat of the
 * notification that paid the order is acknowledged in one statement; otherwise, in one transaction,
 * record the nonce, lock and check the order (channels), apply the payment (payments.applyPayment) and
 * mark the order paid — the order and the payment commit together, or neither does. A refusal rolls the
 * transaction back (no ledger effect, the nonce not kept) and is written to the security log on its own.
 */
export async function receiveChannelPayment(db: Db, keys: ChannelKeys, channel: OnlineChannel, d: Delivery, now: Date): Promise<NotifyResult> {
  try {
    const notice = verifyDelivery(keys, channel, d, now);
    const repeat = await acknowledgeDelivery(db, notice, now);
    if (repeat) return repeat;
    for (let attempt = 1; ; attempt++) {
      try {
        return await inTransaction(db, (trx) => applyNotice(trx, notice, now));
      } catch (err) {
        // applyPayment gives up when another transaction inserted the same channel transaction between
        // its read and its write; on retry it sees that payment (duplicate or conflict)
        if (err instanceof AppError && err.code === 'CONFLICT' && attempt < ATTEMPTS) continue;
        throw err;
      }
    }
  } catch (err) {
    if (!(err instanceof Refusal)) throw err;
    await logRefusal(db, channel, err, d, now);
    return { ok: false, refusal: err };
  }
}

async function applyNotice(trx: Trx, n: PaidNotice, now: Date): Promise<NotifyResult & { ok: true }> {
  const order = await claimOrder(trx, n, now);
  const paid = { orderId: order.id, outTradeNo: order.out_trade_no };
  const payment = { accountId: order.account_id, channel: n.channel, channelTxnId: n.channelTxnId, amountFen: n.amountFen, paidAt: n.paidAt, orderId: order.id };

  if (order.status === 'paid') {
    const earlier = await paymentOfPaidOrder(trx, n, order);
    if (earlier !== null) return { ok: true, status: 'duplicate', paymentId: earlier, ...paid };
    // A second genuine transaction for a paid order: the customer paid twice and the channel holds the
    // money, so it is applied like any payment (allocation puts what no bill needs on the prepaid balance);
    // the order keeps its first transaction.
    const again = await applyPayment(trx, payment);
    if (again.status === 'conflict') throw txnConflict(n, again, false);
    return { ok: true, status: again.status, paymentId: again.paymentId, ...paid };
  }

  // open, expired or closed: the channel took the money, so it is applied (an order's expiry is ours)
  const outcome = await applyPayment(trx, payment);
  if (outcome.status === 'conflict') throw txnConflict(n, outcome);
  await markOrderPaid(trx, order.id, { paidAt: n.paidAt, paymentId: outcome.paymentId, channelTxnId: n.channelTxnId });
  return { ok: true, status: outcome.status, paymentId: outcome.paymentId, ...paid };
}
