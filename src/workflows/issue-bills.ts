import type pg from 'pg';
import type { Db } from '../db/connect.js';
import { BillRunner, driveBillRun as driveWith, type DriveOptions, type PrepaidAtIssue } from '../modules/billing/index.js';
import { lockPrepaidAccountsToIssue, settleFromPrepaid } from '../modules/payments/index.js';

/**
 * Issuing a bill run's bills, across billing and payments: billing marks each batch's bills issued and
 * posts them; in the same transaction payments settles the bills of accounts that pay in advance from
 * their prepaid balance (RULES §8.4), having locked those accounts before anything is written. Billing's
 * driver requires this hook in its deps, so every composition root passes it: the HTTP runner
 * (http/app.ts), `granary bill-run` (cli/index.ts), the demo history and tests (`driveBillRun` here).
 */
export const prepaidAtIssue: PrepaidAtIssue = { lock: lockPrepaidAccountsToIssue, settle: settleFromPrepaid };

/** Drives a bill run (rating → review, issuing → issued) with prepaid settlement at issue. */
export function driveBillRun(handle: { db: Db; pool: pg.Pool }, runId: number, opts?: DriveOptions) {
  return driveWith({ db: handle.db, pool: handle.pool, prepaidAtIssue }, runId, opts);
}

/** A background runner of bill runs (billing's BillRunner) with prepaid settlement at issue. */
export function billRunner(handle: { db: Db; pool: pg.Pool }, opts?: ConstructorParameters<typeof BillRunner>[1]): BillRunner {
  return new BillRunner({ db: handle.db, pool: handle.pool, prepaidAtIssue }, opts);
}
