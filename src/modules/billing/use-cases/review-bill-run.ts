import type { Db } from '../../../db/connect.js';
import { inTransaction, type Executor } from '../../../db/tx.js';
import { businessDate } from '../../../shared/business-time.js';
import { AppError, notFound } from '../../../shared/errors.js';
import { insertAudit } from '../../audit/index.js';
import { exceptionCounts, findRun, moveRun, type BillRunRow } from '../billing.repository.js';
import { auditActor, requireBilling, type Operator } from './operator.js';

/** A run of the operator's company; another company's run is not found (404), like any other subtree's object. */
export async function runInCompany(db: Executor, op: Operator, runId: number): Promise<BillRunRow> {
  const run = await findRun(db, runId);
  if (!run || run.company_id !== op.companyId) throw notFound('bill run');
  return run;
}

/**
 * Approval (审核) of a run in review: one audited decision by marketing or admin. Accounts with a blocking
 * exception have no bill in this run; the exception list is their work list (fix the read, then bill
 * them in a later run or by an adjustment). Approving changes no bill row: bills stay drafts until issued.
 */
export async function approveBillRun(db: Db, op: Operator, runId: number, note: string | null): Promise<BillRunRow> {
  requireBilling(op, 'billing.run', 'approve a bill run');
  return inTransaction(db, async (trx) => {
    const run = await runInCompany(trx, op, runId);
    if (run.status !== 'review') throw new AppError('CONFLICT', `bill run ${run.period} is ${run.status}: only a run in review can be approved`);
    const approved = await moveRun(trx, run.id, ['review'], { status: 'approved', approved_by: op.userId, approved_at: op.now, approval_note: note });
    if (!approved) throw new AppError('CONFLICT', `bill run ${run.period} changed while it was being approved`);
    const exceptions = await exceptionCounts(trx, run.id);
    await insertAudit(trx, {
      ...auditActor(op),
      action: 'bill_run.approve',
      entity: 'bill_run',
      entityId: run.id,
      detail: { period: run.period, bills: run.bills, totalFen: run.total_fen, exceptions: Object.fromEntries(exceptions.map((e) => [e.kind, e.count])), note },
    });
    return approved;
  });
}

/**
 * Issue (发行) of an approved run: fixes the issue date (business date, Asia/Shanghai — due dates follow
 * from it) and moves the run to issuing; the caller then drives the batches. Asking again while it is
 * issuing returns it (to resume).
 */
export async function startIssue(db: Db, op: Operator, runId: number): Promise<BillRunRow> {
  requireBilling(op, 'billing.run', 'issue a bill run');
  return inTransaction(db, async (trx) => {
    const run = await runInCompany(trx, op, runId);
    if (run.status === 'issuing' || (run.status === 'failed' && run.failed_status === 'issuing')) {
      return run.status === 'failed' ? (await moveRun(trx, run.id, ['failed'], { status: 'issuing', failed_status: null, error: null }))! : run;
    }
    if (run.status !== 'approved') throw new AppError('CONFLICT', `bill run ${run.period} is ${run.status}: only an approved run can be issued`);
    const issuing = await moveRun(trx, run.id, ['approved'], { status: 'issuing', issue_date: businessDate(op.now), issue_started_at: op.now, phase_started_at: op.now, phase_started_done: 0 });
    if (!issuing) throw new AppError('CONFLICT', `bill run ${run.period} changed while it was being issued`);
    await insertAudit(trx, { ...auditActor(op), action: 'bill_run.issue', entity: 'bill_run', entityId: run.id, detail: { period: run.period, bills: run.bills, totalFen: run.total_fen, issueDate: issuing.issue_date } });
    return issuing;
  });
}
