import type { Executor, Trx } from '../../../db/tx.js';
import { AppError, invalid, notFound } from '../../../shared/errors.js';
import { insertAudit } from '../../audit/index.js';
import { auditBy } from '../../org/index.js';
import { maskedNameOf, newOutTradeNo, orderExpiry, orderState } from '../domain/orders.js';
import type { OnlineChannel } from '../domain/refusal.js';
import { countOpenPageOrders, findAccountById, findOrder, findPaymentForReceipt, insertOrder, type OrderRow } from '../channels.repository.js';
import type { OrderInput, PaymentOrder } from '../channels.types.js';
import { canSandboxSign, type ChannelKeys } from './channel-keys.js';
import { requireOrderRole, visibleAccount, type Caller } from './caller.js';

/**
 * Opens a payment order: the `outTradeNo` the channel will echo in its notification. No money moves
 * until the channel says it was paid. Staff orders are audited; the payment page's are not (no actor).
 * The payment page may have at most `openPerAccount` orders of an account open at a time. In the
 * caller's transaction.
 */
export async function createPaymentOrder(trx: Trx, keys: ChannelKeys, caller: Caller, input: OrderInput, now: Date, limits: { openPerAccount: number }): Promise<PaymentOrder> {
  requireOrderRole(caller);
  await visibleAccount(trx, caller, input.accountId);
  if (!keys[input.channel]) throw invalid('channel', `${input.channel} is not configured on this server`);
  const account = await findAccountById(trx, input.accountId);
  if (!account) throw notFound('account');
  if (caller.kind === 'payer' && (await countOpenPageOrders(trx, input.accountId, now)) >= limits.openPerAccount)
    throw new AppError('RATE_LIMITED', `this account already has ${limits.openPerAccount} payment orders open from the payment page: pay one or wait until they expire`);
  const order = await insertOrder(trx, {
    outTradeNo: newOutTradeNo(now),
    accountId: input.accountId,
    channel: input.channel,
    amountFen: input.amountFen,
    createdBy: caller.kind === 'staff' ? caller.ctx.actor.userId : null,
    createdAt: now,
    expiresAt: orderExpiry(now, keys.orderMinutes),
  });
  if (caller.kind === 'staff')
    await insertAudit(trx, { ...auditBy(caller.ctx), action: 'payment_order.create', entity: 'account', entityId: input.accountId, detail: { outTradeNo: order.out_trade_no, channel: order.channel, amountFen: order.amount_fen } });
  return presentOrder(trx, keys, order, now);
}

export async function getPaymentOrder(db: Executor, keys: ChannelKeys, caller: Caller, outTradeNo: string, now: Date): Promise<PaymentOrder> {
  const order = await findVisibleOrder(db, caller, outTradeNo);
  return presentOrder(db, keys, order, now);
}

/** The order when the caller may see its account; 404 otherwise (another subtree's order does not exist for them). */
export async function findVisibleOrder(db: Executor, caller: Caller, outTradeNo: string): Promise<OrderRow> {
  const order = await findOrder(db, outTradeNo);
  if (!order) throw notFound('payment order');
  try {
    await visibleAccount(db, caller, order.account_id);
  } catch (err) {
    if (err instanceof AppError && err.code === 'NOT_FOUND') throw notFound('payment order');
    throw err;
  }
  return order;
}

/** An order as the API shows it; once paid, with the payment's receipt. */
export async function presentOrder(db: Executor, keys: ChannelKeys, order: OrderRow, now: Date): Promise<PaymentOrder> {
  const channel = order.channel as OnlineChannel;
  const base = {
    id: order.id,
    outTradeNo: order.out_trade_no,
    accountId: order.account_id,
    channel,
    amountFen: order.amount_fen,
    status: orderState(order, now),
    createdAt: order.created_at.toISOString(),
    expiresAt: order.expires_at.toISOString(),
    paidAt: order.paid_at ? order.paid_at.toISOString() : null,
    paymentId: order.payment_id,
    channelTxnId: order.channel_txn_id,
    ...(canSandboxSign(keys, channel) && { checkoutUrl: `/pay/sandbox/${order.out_trade_no}` }),
  };
  if (order.status !== 'paid' || order.payment_id == null) return { ...base, receipt: null };
  const [payment, account] = await Promise.all([findPaymentForReceipt(db, order.account_id, order.payment_id), findAccountById(db, order.account_id)]);
  if (!payment || !account) return { ...base, receipt: null };
  return {
    ...base,
    receipt: {
      paymentId: payment.id,
      accountNo: account.account_no,
      maskedName: maskedNameOf(account.customer_name, account.customer_kind),
      // the payment that paid an order is of the order's channel
      channel: payment.channel as OnlineChannel,
      channelTxnId: payment.channel_txn_id,
      amountFen: payment.amount_fen,
      principalFen: payment.principal_fen,
      penaltyFen: payment.penalty_fen,
      prepaidFen: payment.prepaid_fen,
      paidAt: payment.paid_at.toISOString(),
      businessDate: payment.business_date,
      reversed: payment.reversed,
    },
  };
}
