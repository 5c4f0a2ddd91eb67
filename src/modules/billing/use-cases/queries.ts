import type { Executor } from '../../../db/tx.js';
import { AppError, notFound } from '../../../shared/errors.js';
import { encodeCursor } from '../../../shared/pagination.js';
import { accountInScope, findAccountInScope } from '../../customers/index.js';
import type { Ctx } from '../../org/index.js';
import { adjustmentIds, billLines, exceptionCounts, findBill, listAccountBills, listExceptions, listRuns, type ExceptionFilter } from '../billing.repository.js';
import { presentBill, presentLines, presentRun } from '../domain/present.js';
import type { Page } from '../../../platform/schemas.js';
import type { BillRun, BillRunException, BillSummary } from '../billing.types.js';
import type { Bill } from '../billing.lines.js';
import { requireBilling, type Operator } from './operator.js';
import { runInCompany } from './review-bill-run.js';

export async function listBillRuns(db: Executor, op: Operator, q: { limit: number; cursor?: string | undefined }): Promise<Page<BillRun>> {
  requireBilling(op, 'billing.view', 'see bill runs');
  const before = q.cursor ? periodCursor(q.cursor) : null;
  const rows = await listRuns(db, op.companyId, { beforePeriod: before, limit: q.limit });
  const more = rows.length > q.limit;
  const items = (more ? rows.slice(0, q.limit) : rows).map((r) => presentRun(r, op.now));
  return { items, nextCursor: more ? Buffer.from(`period:${items.at(-1)!.period}`).toString('base64url') : null };
}

function periodCursor(cursor: string): string {
  const m = /^period:(\d{4}-\d{2})$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!m) throw new AppError('BAD_REQUEST', 'cursor: not a cursor this API returned', { errors: [{ field: 'cursor', message: 'malformed' }] });
  return m[1]!;
}

export async function getBillRun(db: Executor, op: Operator, runId: number): Promise<BillRun> {
  requireBilling(op, 'billing.view', 'see bill runs');
  const run = await runInCompany(db, op, runId);
  return presentRun(run, op.now, await exceptionCounts(db, run.id));
}

export async function getBillRunExceptions(db: Executor, op: Operator, runId: number, f: ExceptionFilter): Promise<Page<BillRunException>> {
  requireBilling(op, 'billing.view', 'see bill runs');
  const run = await runInCompany(db, op, runId);
  const rows = await listExceptions(db, run.id, f);
  const more = rows.length > f.limit;
  const items = (more ? rows.slice(0, f.limit) : rows).map((e): BillRunException => ({
    id: e.id,
    accountId: e.account_id,
    accountNo: e.account_no,
    accountName: e.account_name,
    stationId: e.station_id,
    areaId: e.area_id,
    billId: e.bill_id,
    kind: e.kind,
    blocking: e.blocking,
    detail: e.detail,
    resolved: e.resolved,
  }));
  return { items, nextCursor: more ? encodeCursor(items.at(-1)!.id) : null };
}

/** An account's bills, newest first. The account must be in the caller's scope (404 otherwise). */
export async function getAccountBills(db: Executor, ctx: Ctx, accountId: number, q: { limit: number; cursor?: string | undefined }): Promise<Page<BillSummary>> {
  await accountInScope(db, ctx, accountId);
  const before = q.cursor ? idCursor(q.cursor) : null;
  const rows = await listAccountBills(db, accountId, { beforeId: before, limit: q.limit });
  const more = rows.length > q.limit;
  const items = (more ? rows.slice(0, q.limit) : rows).map(presentBill);
  return { items, nextCursor: more ? encodeCursor(items.at(-1)!.id) : null };
}

function idCursor(cursor: string): number {
  const m = /^id:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!m) throw new AppError('BAD_REQUEST', 'cursor: not a cursor this API returned', { errors: [{ field: 'cursor', message: 'malformed' }] });
  return Number(m[1]);
}

/** A bill within the caller's scope, or 404 — exactly as for a bill that does not exist. */
export async function billInScope(db: Executor, ctx: Ctx, billId: number) {
  const bill = await findBill(db, billId);
  const account = bill && (await findAccountInScope(db, ctx.actor.scope, bill.account_id));
  if (!bill || !account) throw notFound('bill');
  return { bill, account };
}

export async function getBill(db: Executor, ctx: Ctx, billId: number): Promise<Bill> {
  const { bill } = await billInScope(db, ctx, billId);
  const lines = await billLines(db, bill.account_id, bill.id);
  return { ...presentBill(bill), ...presentLines(lines), adjustmentIds: await adjustmentIds(db, bill.account_id, bill.id) };
}
