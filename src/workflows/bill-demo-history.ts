import type pg from 'pg';
import type { Db } from '../db/connect.js';
import { addMonths, businessMonth } from '../shared/business-time.js';
import { approveBillRun, startBillRun, startIssue, systemOperator, type BillRunRow, type Operator } from '../modules/billing/index.js';
import { driveBillRun } from './issue-bills.js';
import { AppError } from '../shared/errors.js';

/** How many months of history the demo county's reads cover (RULES §12: 24 months). */
export const DEMO_HISTORY_MONTHS = 24;

/** The `months` bill periods before the business month of asOf, oldest first. */
export function historyPeriods(asOf: Date, months: number = DEMO_HISTORY_MONTHS): string[] {
  const current = businessMonth(asOf);
  return Array.from({ length: months }, (_, i) => addMonths(current, i - months));
}

/** When the demo history issues a period's bills: the 5th of the following month, 10:00 (Asia/Shanghai). */
export function issueInstantOf(period: string): Date {
  return new Date(`${addMonths(period, 1)}-05T10:00:00+08:00`);
}

/**
 * Bills one month of the demo county's history through the real bill run (issue 3, item 7): rated, approved
 * and issued as if on the 5th of the following month (issueInstantOf), so due dates, ledger postings and
 * penalties fall where they would have — and accounts that pay in advance have their bills settled from
 * their prepaid balance at issue (issue-bills.ts). False when the month was already issued; an interrupted
 * month resumes. workflows/replay-demo-history.ts calls it month by month, between the months' payments.
 */
export async function billDemoMonth(handle: { db: Db; pool: pg.Pool }, companyId: number, period: string): Promise<boolean> {
  const issuedOn = issueInstantOf(period);
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
