import type { Executor } from '../../../db/tx.js';
import { AppError, notFound } from '../../../shared/errors.js';
import { insertAudit } from '../../audit/index.js';
import { resolutionProblem, type Resolution } from '../domain/matching.js';
import { findItemInScope, markResolved, paymentReversed } from '../reconciliation.repository.js';
import { itemOf, type ItemJson } from './queries.js';
import { auditActor, requireReconciliation, type Operator } from './operator.js';

/**
 * Review of an exception (ledger-only, amount mismatch, channel-only not applied): the decision and a note,
 * audited. No money moves here — a correction of the ledger goes through the payments flow (reversal 冲正
 * with approval one level up); `accepted_statement` on a ledger-only item therefore needs its payment
 * reversed first. Another subtree's item answers 404; an item that needs no review, or is resolved, 409.
 */
export async function resolveItem(trx: Executor, op: Operator, id: number, input: { resolution: Resolution; note: string }): Promise<ItemJson> {
  requireReconciliation(op, 'reconciliation.manage', 'resolve reconciliation items');
  if (!op.scope) throw new AppError('INTERNAL', 'a scope is needed to resolve items');
  const item = await findItemInScope(trx, op.scope, id, { forUpdate: true });
  if (!item) throw notFound('reconciliation item');
  const problem = resolutionProblem({ status: item.status, paymentId: item.payment_id, resolved: item.resolved });
  if (problem) throw new AppError('CONFLICT', problem);
  if (input.resolution === 'accepted_statement' && item.status === 'ledger_only' && item.payment_id !== null && !(await paymentReversed(trx, item.payment_id)))
    throw new AppError('CONFLICT', `the statement does not have payment ${item.payment_id}: reverse it first (冲正, approved one level up), then accept the statement`);
  await markResolved(trx, id, { resolution: input.resolution, note: input.note, by: op.userId, at: op.now });
  await insertAudit(trx, {
    ...auditActor(op),
    action: 'reconciliation.resolve',
    entity: 'recon_item',
    entityId: id,
    detail: { resolution: input.resolution, note: input.note, status: item.status, channel: item.channel, channelTxnId: item.channel_txn_id, statementFen: item.statement_fen, ledgerFen: item.ledger_fen },
  });
  return itemOf((await findItemInScope(trx, op.scope, id))!);
}
