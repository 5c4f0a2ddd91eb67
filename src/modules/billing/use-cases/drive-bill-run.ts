import { setImmediate as yieldToEventLoop, setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import type { Db } from '../../../db/connect.js';
import { inClientTransaction } from '../../../db/tx.js';
import { AppError } from '../../../shared/errors.js';
import { insertAudit } from '../../audit/index.js';
import type { AccountForBilling, RatingContext } from '../domain/assemble.js';
import { dueDateTable } from '../domain/due-date.js';
import { periodEnd, shiftPeriod } from '../domain/periods.js';
import { RatedBatch, rateSlice } from '../domain/rating-batch.js';
import { DEFAULT_READ_POLICY } from '../domain/reads.js';
import {
  addTiming,
  analyzeBills,
  fetchRatingInputs,
  findRun,
  issueBillBatch,
  type PrepaidAtIssue,
  moveRun,
  tryLockRun,
  unlockRun,
  updateRun,
  writeRatingBatch,
  type BillRunRow,
} from '../billing.repository.js';
import { loadRatingTariffs } from './tariff-source.js';

export interface DriveDeps {
  db: Db;
  pool: pg.Pool;
  /**
   * Prepaid settlement at issue (RULES §8.4), payments' part of each issue batch. Required, so no driver
   * can issue without it: the composition roots supply it (`workflows/issue-bills.ts`).
   */
  prepaidAtIssue: PrepaidAtIssue;
}

/** What billing's routes and commands are given from `workflows/` (they may not import it). */
export type BillingFlows = Pick<DriveDeps, 'prepaidAtIssue'>;

export interface DriveOptions {
  /** Account ids per rating batch (the batch is the unit of commit and of resume). Default 20,000. */
  batchSize?: number;
  /** Account ids per issue batch. Default 50,000. */
  issueBatchSize?: number;
  /** Issue batches run side by side, each on its own connection. Default 2. */
  issueLanes?: number;
  /** Pause between batches, to leave a busy server room during the day. Default 0. */
  throttleMs?: number;
  /** Called after every committed batch. */
  onProgress?: (run: BillRunRow) => void;
  /** Stops between batches; the run stays where it is and resumes later. */
  signal?: AbortSignal;
  now?: () => Date;
}

export const DEFAULT_BATCH_SIZE = 20_000;
export const DEFAULT_ISSUE_BATCH_SIZE = 50_000;
export const DEFAULT_ISSUE_LANES = 2;
/** Accounts rated between yields to the event loop, so COPY keeps streaming while the next batch is rated. */
const SLICE = 2_000;

/**
 * Drives a run as far as it can go on its own: rating → review, and issuing → issued. One process at a
 * time works on a run (a PostgreSQL advisory lock held on this process's connection; kill -9 releases
 * it with the connection). Every batch commits its rows and its cursor together, so after a crash the
 * next drive resumes at the cursor with nothing duplicated and nothing missed.
 */
export async function driveBillRun(deps: DriveDeps, runId: number, opts: DriveOptions = {}): Promise<BillRunRow> {
  const client = await deps.pool.connect();
  let locked = false;
  try {
    locked = await tryLockRun(client, runId);
    if (!locked) throw new AppError('CONFLICT', `bill run ${runId} is being worked on by another process`);
    let run = await findRun(deps.db, runId);
    if (!run) throw new AppError('NOT_FOUND', `bill run ${runId} not found`);
    try {
      if (run.status === 'rating') run = await ratingPass(deps, client, run, opts);
      if (run.status === 'issuing' && !opts.signal?.aborted) run = await issuePass(deps, client, run, opts);
    } catch (err) {
      if (run.status === 'rating' || run.status === 'issuing') await markFailed(deps.db, run, err);
      throw err;
    }
    return run;
  } finally {
    if (locked) await unlockRun(client, runId).catch(() => {});
    client.release();
  }
}

async function markFailed(db: Db, run: BillRunRow, err: unknown): Promise<void> {
  const message = err instanceof Error ? err.message : String(err);
  await moveRun(db, run.id, [run.status], { status: 'failed', failed_status: run.status as 'rating' | 'issuing', error: message.slice(0, 2000) }).catch(() => {});
}

// ---- rating ------------------------------------------------------------------------------------

interface FetchedBatch {
  lo: number;
  hi: number;
  accounts: AccountForBilling[];
  billIds: number[];
}

/**
 * Rating pass: batches of account ids (cursor, cursor + size]. While batch k is written (COPY in its
 * transaction), batch k+1 is fetched on another connection and rated here — PostgreSQL and Node work at
 * the same time. Queries per batch are constant: one fetch, one transaction of COPYs and a cursor update.
 */
async function ratingPass(deps: DriveDeps, client: pg.PoolClient, start: BillRunRow, opts: DriveOptions): Promise<BillRunRow> {
  const now = opts.now ?? (() => new Date());
  const size = opts.batchSize ?? DEFAULT_BATCH_SIZE;
  const period = start.period;
  const tariffs = await loadRatingTariffs(deps.db);
  const ctx: RatingContext = { period, catalogue: tariffs.catalogue, agentPrices: tariffs.agentPrices, readPolicy: DEFAULT_READ_POLICY };
  const query = {
    companyId: start.company_id,
    period,
    previous: shiftPeriod(period, -1),
    history: shiftPeriod(period, -1 - DEFAULT_READ_POLICY.historyMonths),
    periodEnd: periodEnd(period),
  };
  const bound = start.account_id_bound;
  const fetch = (lo: number): Promise<FetchedBatch> => {
    const hi = Math.min(lo + size, bound);
    const p = fetchRatingInputs(deps.pool, { ...query, lo, hi }).then((r) => ({ lo, hi, ...r }));
    p.catch(() => {}); // handled where awaited; a batch fetched ahead and then abandoned must not crash the process
    return p;
  };

  let run = await updateRun(deps.db, start.id, { phase_started_at: now(), phase_started_done: start.accounts_done });
  const started = performance.now();
  let next: Promise<FetchedBatch> | null = run.rating_cursor < bound ? fetch(run.rating_cursor) : null;
  let writing: Promise<BillRunRow> | null = null;
  while (next) {
    const batch = await next;
    next = batch.hi < bound && !opts.signal?.aborted ? fetch(batch.hi) : null;
    const write = await rateBatch(batch, ctx, run.id);
    if (writing) {
      run = await writing;
      opts.onProgress?.(run);
      if (opts.throttleMs) await sleep(opts.throttleMs);
    }
    writing = inClientTransaction(client, (c) => writeRatingBatch(c, { runId: run.id, period, from: batch.lo, to: batch.hi, ...write }));
  }
  if (writing) {
    run = await writing;
    opts.onProgress?.(run);
  }
  if (run.rating_cursor < bound) return run; // stopped by the signal: resumes later at the cursor
  await analyzeBills(deps.db); // fresh statistics for the review's queries and the issue's plans
  await addTiming(deps.db, run.id, 'ratingSeconds', (performance.now() - started) / 1000);
  return (await moveRun(deps.db, run.id, ['rating'], { status: 'review', rated_at: now(), phase_started_at: null }))!;
}

/** Rates a fetched batch in slices, yielding between them so the previous batch's COPY keeps flowing. */
async function rateBatch(batch: FetchedBatch, ctx: RatingContext, runId: number) {
  const out = new RatedBatch();
  for (let i = 0; i < batch.accounts.length; i += SLICE) {
    rateSlice(batch.accounts, i, Math.min(i + SLICE, batch.accounts.length), batch.billIds, ctx, runId, out);
    await yieldToEventLoop();
  }
  return { bills: out.bills.take(), lines: out.lines.take(), exceptions: out.exceptions.take(), estimatedReads: out.estimatedReads.take(), counts: out.counts };
}

// ---- issue -------------------------------------------------------------------------------------

/**
 * Issue pass: batches of account ids, each one statement that marks its draft bills issued with their due
 * dates and posts exactly those to the ledger set-based, then the run's counters — one transaction.
 * `issueLanes` batches run side by side on their own connections (PostgreSQL does this pass alone, so a
 * second lane uses the second core). The resume point written is the frontier below which every batch
 * has committed; a batch above it that was done already is found with no draft left and adds nothing.
 * Due dates come from one table computed in TypeScript for the run's issue date.
 */
async function issuePass(deps: DriveDeps, client: pg.PoolClient, start: BillRunRow, opts: DriveOptions): Promise<BillRunRow> {
  const now = opts.now ?? (() => new Date());
  const size = opts.issueBatchSize ?? DEFAULT_ISSUE_BATCH_SIZE;
  if (!start.issue_date) throw new Error(`bill run ${start.id} is issuing without an issue date`);
  const issueDate = start.issue_date;
  const dueDates = dueDateTable(issueDate);
  const issuedAt = start.issue_started_at ?? now();
  const bound = start.account_id_bound;
  let run = await updateRun(deps.db, start.id, { phase_started_at: now(), phase_started_done: start.issued_bills });
  const started = performance.now();

  const batches: { from: number; to: number }[] = [];
  for (let from = run.issue_cursor; from < bound; from += size) batches.push({ from, to: Math.min(from + size, bound) });
  const committed = new Set<number>();
  let frontier = 0; // batches [0, frontier) are committed
  let next = 0;
  const lane = async (c: pg.PoolClient) => {
    while (next < batches.length && !opts.signal?.aborted) {
      const i = next++;
      const batch = batches[i]!;
      const front = frontier < batches.length ? batches[frontier]!.from : bound;
      const issue = { runId: run.id, period: run.period, ...batch, frontier: front, issueDate, issuedAt, dueDates };
      const done = await inClientTransaction(c, (client, trx) => issueBillBatch(client, trx, issue, deps.prepaidAtIssue));
      committed.add(i);
      while (committed.has(frontier)) frontier++;
      if (done.run.issued_bills >= run.issued_bills) run = done.run;
      opts.onProgress?.(run);
      if (opts.throttleMs) await sleep(opts.throttleMs);
    }
  };
  const lanes = Math.max(1, Math.min(opts.issueLanes ?? DEFAULT_ISSUE_LANES, batches.length));
  const extra = await Promise.all(Array.from({ length: lanes - 1 }, () => deps.pool.connect()));
  try {
    await Promise.all([lane(client), ...extra.map(lane)]);
  } finally {
    for (const c of extra) c.release();
  }
  if (frontier < batches.length) return (await findRun(deps.db, run.id))!; // stopped: resumes at the frontier
  const end = await updateRun(deps.db, run.id, { issue_cursor: bound });
  await addTiming(deps.db, end.id, 'issueSeconds', (performance.now() - started) / 1000);
  const done = (await moveRun(deps.db, end.id, ['issuing'], { status: 'issued', issued_at: now(), phase_started_at: null }))!;
  await insertAudit(deps.db, {
    actorId: null,
    actorName: 'system',
    action: 'bill_run.issued',
    entity: 'bill_run',
    entityId: done.id,
    detail: { period: done.period, bills: done.issued_bills, totalFen: done.issued_fen, issueDate: done.issue_date },
  });
  return done;
}
