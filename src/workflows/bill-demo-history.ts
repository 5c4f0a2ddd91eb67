import type pg from 'pg';
import type { Db } from '../db/connect.js';
import { addMonths, businessMonth } from '../shared/business-time.js';
import { approveBillRun, startBillRun, startIssue, systemOperator, type BillRunRow, type Operator } from '../modules/billing/index.js';
import { driveBillRun } from './issue-bills.js';
import { AppError } from '../shared/errors.js';
import { findCompanyUnit } from '../modules/org/index.js';

export interface HistoryProgress {
  phase: string;
  done: number;
  total: number;
  /** The month just finished, and whether it needed any work (false when it was already issued). */
  period?: string;
  billed?: boolean;
}

/** How many months of history the demo county's reads cover (RULES §12: 24 months). */
export const DEMO_HISTORY_MONTHS = 24;

/**
 * Bills the demo county's history through the real bill run (issue 3, item 7): each of the 24 months
 * before asOf is rated, approved and issued as if on the 5th of the following month, so due dates,
 * ledger postings and (later) penalties fall where they would have. Idempotent: months already issued
 * are skipped, an interrupted month resumes.
 */
export async function billDemoHistory(
  handle: { db: Db; pool: pg.Pool },
  opts: { asOf: Date; months?: number; onProgress?: (p: HistoryProgress) => void },
): Promise<{ periods: string[]; seconds: number }> {
  const started = performance.now();
  const company = await findCompanyUnit(handle.db);
  if (!company) throw new Error('no company in the database: create the demo county first');
  const months = opts.months ?? DEMO_HISTORY_MONTHS;
  const current = businessMonth(opts.asOf);
  const periods = Array.from({ length: months }, (_, i) => addMonths(current, i - months));
  opts.onProgress?.({ phase: 'billing history', done: 0, total: periods.length });
  for (const [i, period] of periods.entries()) {
    const billed = await billMonth(handle, company.id, period);
    opts.onProgress?.({ phase: 'billing history', done: i + 1, total: periods.length, period, billed });
  }
  return { periods, seconds: (performance.now() - started) / 1000 };
}

/** Bills one month to issued; false when it already was. */
async function billMonth(handle: { db: Db; pool: pg.Pool }, companyId: number, period: string): Promise<boolean> {
  const issuedOn = new Date(`${addMonths(period, 1)}-05T10:00:00+08:00`);
  const op = systemOperator(companyId, issuedOn, 'demo-history');
  const drive = () => driveOrWait(handle, op, period, () => driveBillRun(handle, run.id, { now: () => issuedOn }));
  let { run } = await startBillRun(handle.db, op, period);
  if (run.status === 'issued') return false;
  if (run.status === 'rating') run = await drive();
  if (run.status === 'review') run = await approveBillRun(handle.db, op, run.id, 'demo history');
  if (run.status === 'approved') run = await startIssue(handle.db, op, run.id);
  if (run.status === 'issuing') run = await drive();
  if (run.status !== 'issued') throw new Error(`demo history: the bill run of ${period} ended ${run.status}${run.error ? `: ${run.error}` : ''}`);
  return true;
}

/**
 * Drives a run, or — when another driver holds it (the server's runner resuming it after a restart) —
 * waits until that driver has moved it on.
 */
async function driveOrWait(handle: { db: Db; pool: pg.Pool }, op: Operator, period: string, drive: () => Promise<BillRunRow>): Promise<BillRunRow> {
  try {
    return await drive();
  } catch (err) {
    if (!(err instanceof AppError && err.code === 'CONFLICT')) throw err;
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      const { run } = await startBillRun(handle.db, op, period);
      if (run.status !== 'rating' && run.status !== 'issuing') return run;
    }
  }
}
