import type { Executor } from '../../../db/tx.js';
import { AppError, notFound } from '../../../shared/errors.js';
import { insertAudit } from '../../audit/index.js';
import { resolutionProblem, targetOfOrder, type ApplyTarget } from '../domain/matching.js';
import type { ReconChannel } from '../domain/statements.js';
import { attachPayment, findItemInScope, findOrderByOutTradeNo, importById, markOrdersPaid, markResolved, paymentReversed, type ItemView } from '../reconciliation.repository.js';
import type { ReconItem, ResolveInput } from '../reconciliation.types.js';
import { itemOf } from './queries.js';
import { auditActor, requireReconciliation, type Operator } from './operator.js';
import type { PaymentOutcome, StatementPayment } from './import-statement.js';

/**
 * Review of an exception (ledger-only, amount mismatch, channel-only not applied): the decision and a note,
 * audited. No money moves here — a correction of the ledger goes through the payments flow (reversal 冲正
 * with approval one level up); `accepted_statement` on a ledger-only item therefore needs its payment
 * reversed first. The one exception: a row held because it credits more than the review limit is applied
 * when accepted — to the order it names, checked again — by someone other than who imported it
 * (`workflows/import-statement.ts resolveStatementItem` puts these pieces together with the payments core).
 * Another subtree's item answers 404; an item that needs no review, or is resolved, 409.
 */

/** The item to resolve, locked, once the resolution is allowed. */
export async function itemToResolve(trx: Executor, op: Operator, id: number, input: ResolveInput): Promise<ItemView> {
  requireReconciliation(op, 'reconciliation.manage', 'resolve reconciliation items');
  if (!op.scope) throw new AppError('INTERNAL', 'a scope is needed to resolve items');
  const item = await findItemInScope(trx, op.scope, id, { forUpdate: true });
  if (!item) throw notFound('reconciliation item');
  const problem = resolutionProblem({ status: item.status, paymentId: item.payment_id, resolved: item.resolved });
  if (problem) throw new AppError('CONFLICT', problem);
  if (input.resolution === 'accepted_statement' && item.status === 'ledger_only' && item.payment_id !== null && !(await paymentReversed(trx, item.payment_id)))
    throw new AppError('CONFLICT', `the statement does not have payment ${item.payment_id}: reverse it first (冲正, approved one level up), then accept the statement`);
  return item;
}

/** The payment a resolution applies: a held row accepted, to its order or account; null for any other. */
export async function heldPaymentOf(trx: Executor, op: Operator, item: ItemView, input: ResolveInput): Promise<StatementPayment | null> {
  if (!(input.resolution === 'accepted_statement' && item.held && item.payment_id === null)) return null;
  const imported = item.import_id === null ? undefined : await importById(trx, item.import_id);
  if (imported?.created_by != null && imported.created_by === op.userId) throw new AppError('FORBIDDEN', 'a held row is accepted by someone other than who imported the statement');
  let target: ApplyTarget | { reason: string };
  if (item.channel === 'bank') target = item.account_id === null ? { reason: 'no account' } : { accountId: item.account_id, orderId: null };
  else {
    const order = item.out_trade_no === null ? undefined : await findOrderByOutTradeNo(trx, item.out_trade_no);
    target = targetOfOrder(item.channel, { outTradeNo: item.out_trade_no, amountFen: item.statement_fen! }, order && { id: order.id, accountId: order.account_id, channel: order.channel, amountFen: order.amount_fen });
  }
  if ('reason' in target) throw new AppError('CONFLICT', `the held row cannot be applied: ${target.reason}`);
  const paidAt = item.paid_at ?? new Date(`${item.business_date}T12:00:00+08:00`);
  return { accountId: target.accountId, channel: item.channel as ReconChannel, channelTxnId: item.channel_txn_id, amountFen: item.statement_fen!, paidAt, orderId: target.orderId, operatorId: op.userId };
}

/** Attaches the payments core's payment for a held row to its item (and order); the payment's id. */
export async function attachHeldPayment(trx: Executor, item: ItemView, payment: StatementPayment, outcome: PaymentOutcome): Promise<number> {
  if (outcome.status === 'conflict') throw new AppError('CONFLICT', `transaction ${item.channel_txn_id} is in the ledger for another account or amount`);
  await attachPayment(trx, item.id, outcome.paymentId, outcome.amountFen);
  if (payment.orderId !== null) await markOrdersPaid(trx, [{ orderId: payment.orderId, paymentId: outcome.paymentId, paidAt: payment.paidAt, channelTxnId: item.channel_txn_id }]);
  return outcome.paymentId;
}

/** Records the resolution, audited (with the payment applied, if any); the item as it is now. */
export async function recordResolution(trx: Executor, op: Operator, item: ItemView, input: ResolveInput, applied: number | null): Promise<ReconItem> {
  const id = item.id;
  await markResolved(trx, id, { resolution: input.resolution, note: input.note, by: op.userId, at: op.now });
  await insertAudit(trx, {
    ...auditActor(op),
    action: 'reconciliation.resolve',
    entity: 'recon_item',
    entityId: id,
    detail: { resolution: input.resolution, note: input.note, status: item.status, channel: item.channel, channelTxnId: item.channel_txn_id, statementFen: item.statement_fen, ledgerFen: item.ledger_fen, appliedPaymentId: applied },
  });
  return itemOf((await findItemInScope(trx, op.scope!, id))!);
}
