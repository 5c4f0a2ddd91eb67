import type { Executor } from '../../../db/tx.js';
import { encodeCursor } from '../../../shared/pagination.js';
import { businessDate } from '../../../shared/business-time.js';
import { notFound } from '../../../shared/errors.js';
import { accountInScope, findAccountInScope } from '../../customers/index.js';
import type { Ctx } from '../../org/index.js';
import { allocationsOf, findPayment, paymentsOfAccount, settlementsOf } from '../payments.repository.js';
import type { Channel } from '../domain/channels.js';
import type { Payment, PaymentSummary, Statement } from '../payments.types.js';
import { accountStatement } from './statement.js';


export function receiptNo(id: number, day: string): string {
  return `SK${day.replaceAll('-', '')}${String(id).padStart(8, '0')}`;
}

/** One payment with its allocation (the receipt), when the caller may see its account. */
export async function getPayment(db: Executor, ctx: Ctx, paymentId: number): Promise<Payment> {
  const p = await paymentInScope(db, ctx, paymentId);
  const lines = await allocationsOf(db, p.account_id, p.id);
  return {
    id: p.id,
    accountId: p.account_id,
    accountNo: p.account_no,
    accountName: p.account_name,
    channel: p.channel as Channel,
    channelTxnId: p.channel_txn_id,
    amountFen: p.amount_fen,
    principalFen: p.principal_fen,
    penaltyFen: p.penalty_fen,
    prepaidFen: p.prepaid_fen,
    paidAt: new Date(p.paid_at).toISOString(),
    businessDate: p.business_date,
    operatorName: p.operator_name,
    reversed: p.reversed,
    receiptNo: receiptNo(p.id, p.business_date),
    allocations: lines.map((l) => ({ lineNo: l.line_no, billId: l.bill_id, period: l.period, penaltyFen: l.penalty_fen, principalFen: l.principal_fen, prepaidFen: l.prepaid_fen })),
  };
}

export async function listAccountPayments(db: Executor, ctx: Ctx, accountId: number, cursor: number | null, limit: number) {
  await accountInScope(db, ctx, accountId);
  const rows = await paymentsOfAccount(db, accountId, cursor, limit + 1);
  const items = rows.slice(0, limit).map((r): PaymentSummary => ({
    id: r.id,
    channel: r.channel as Channel,
    channelTxnId: r.channel_txn_id,
    amountFen: r.amount_fen,
    principalFen: r.principal_fen,
    penaltyFen: r.penalty_fen,
    prepaidFen: r.prepaid_fen,
    paidAt: new Date(r.paid_at).toISOString(),
    businessDate: r.business_date,
    reversed: r.reversed,
    operatorName: r.operator_name,
    receiptNo: receiptNo(r.id, r.business_date),
  }));
  return { items, nextCursor: rows.length > limit ? encodeCursor(items[items.length - 1]!.id) : null };
}


export async function getStatement(db: Executor, ctx: Ctx, accountId: number, asOf?: string): Promise<Statement> {
  await accountInScope(db, ctx, accountId);
  const [statement, settlements] = await Promise.all([accountStatement(db, accountId, asOf ?? businessDate(ctx.now)), settlementsOf(db, accountId)]);
  return {
    ...statement,
    settlements: settlements.map((s) => ({
      billId: s.bill_id,
      principalPaidFen: s.principal_paid_fen,
      penaltyChargedFen: s.penalty_charged_fen,
      penaltyPaidFen: s.penalty_paid_fen,
      penaltyWaivedFen: s.penalty_waived_fen,
      settledOn: s.settled_on,
    })),
  };
}

/** A payment whose account the caller may see; another subtree's payment is "not found" like a missing one. */
export async function paymentInScope(db: Executor, ctx: Ctx, paymentId: number) {
  const p = await findPayment(db, paymentId);
  if (!p || !(await findAccountInScope(db, ctx.actor.scope, p.account_id))) throw notFound('payment');
  return p;
}
