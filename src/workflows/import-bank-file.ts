import type pg from 'pg';
import { inClientTransaction, inTransaction } from '../db/tx.js';
import { businessDate } from '../shared/business-time.js';
import { AppError, invalid } from '../shared/errors.js';
import {
  advanceBatch,
  checkImport,
  copyResultLines,
  createBatch,
  DEFAULT_LANES,
  DEFAULT_STEP_SIZE,
  dropStage,
  findBatchOfFile,
  finishImport,
  planEachRun,
  prepareStage,
  readFacts,
  replay,
  stageFile,
  stepLines,
  stepPayments,
  stepResults,
  tryLockFile,
  unlockFile,
  type BankBatchRow,
  type BankFileInput,
  type BankFileOperator,
  type ImportDeps,
  type ImportOptions,
  type ImportResult,
  type StepLine,
} from '../modules/bankfiles/index.js';
import { applyPaymentBatch } from '../modules/payments/index.js';

/**
 * Imports a bank debit result file (代扣回盘) and posts its debited lines as payments, across bankfiles and
 * payments.
 *
 * 1. Reads the file once for its sha256 and encoding (UTF-8, else GB 18030). A file of this company
 *    with that hash posted before → its batch, nothing changes (`replayed`).
 * 2. One importer per file (a session advisory lock; a second one gets 409).
 * 3. Streams the file again through the line checks into a temporary table (COPY), indexes it by line
 *    and finds the bank_txn_ids it holds more than once (one statement each). A file that is not a debit
 *    file (header, no lines) is refused here: 422, nothing written. The checks against accounts are made
 *    per step as its lines are fetched (by index: a step costs the same in any size of county), and the
 *    payments core finds transactions applied by an earlier file.
 * 4. Creates the batch (status posting) with its audit entry, in one transaction.
 * 5. Posts in steps of `stepSize` lines (`postSteps`): per step one transaction holds the payments of its
 *    debited lines (payments.applyPaymentBatch, a constant number of statements), every result line of the
 *    step, the batch's cursor and counters, then the account events; two steps in flight at once,
 *    committing in file order. A crash loses the steps in flight and nothing else; importing the same
 *    file again re-reads it and resumes after the cursor (`resumed`).
 * 6. Marks the batch posted.
 */
export async function importBankFile(deps: ImportDeps, op: BankFileOperator, input: BankFileInput, opts: ImportOptions = {}): Promise<ImportResult> {
  const fileName = checkImport(op, input);
  const started = performance.now();
  const now = opts.now ?? (() => op.now);
  const progress = opts.onProgress ?? (() => {});

  const file = await readFacts(input.path, progress);
  const earlier = await findBatchOfFile(deps.db, op.companyId, file.sha256);
  if (earlier?.status === 'posted') return replay(earlier, started);

  const client = await deps.pool.connect();
  let locked = false;
  try {
    locked = await tryLockFile(client, op.companyId, file.sha256);
    if (!locked) throw new AppError('CONFLICT', 'this file is being imported right now by another session; try again when it has finished');
    const existing = await findBatchOfFile(deps.db, op.companyId, file.sha256);
    if (existing?.status === 'posted') return replay(existing, started);
    if (existing && existing.bank !== input.bank) throw invalid('bank', `this file was imported for bank ${existing.bank} (batch ${existing.id}); import it again with that bank`);

    const staged = await stageFile(client, input.path, file, businessDate(op.now), progress);
    const read = performance.now();
    if (staged.lines === 0) throw invalid('file', 'the file has a header but no debit lines');
    if (existing && existing.lines !== staged.lines) throw new Error(`bank batch ${existing.id} has ${existing.lines} lines, its file now ${staged.lines}`);
    progress({ phase: 'checking', done: 0, total: 1 });
    await inClientTransaction(client, (session) => prepareStage(session));
    progress({ phase: 'checking', done: 1, total: 1 });
    const checked = performance.now();

    let batch = existing ?? (await inTransaction(deps.db, (trx) => createBatch(trx, op, input, fileName, file, staged.lines, staged.lastDebitDate ?? businessDate(op.now))));
    progress({ phase: 'posting', done: batch.posted_through, total: batch.lines });
    batch = await postSteps(deps.pool, client, batch, {
      stepSize: opts.stepSize ?? DEFAULT_STEP_SIZE,
      lanes: opts.lanes ?? DEFAULT_LANES,
      operatorId: op.userId,
      companyId: op.companyId,
      onStep: (b) => progress({ phase: 'posting', done: b.posted_through, total: b.lines }),
    });
    const seconds = (performance.now() - started) / 1000;
    const id = batch.id;
    batch = await inTransaction(deps.db, (trx) => finishImport(trx, op, id, seconds, now(), existing !== undefined));
    await dropStage(client);
    return {
      batch,
      outcome: existing ? 'resumed' : 'created',
      timings: { readSeconds: (read - started) / 1000, checkSeconds: (checked - read) / 1000, postSeconds: (performance.now() - checked) / 1000, seconds },
    };
  } finally {
    if (locked) await unlockFile(client, op.companyId, file.sha256).catch(() => {});
    client.release();
  }
}

interface PostingOptions {
  /** Lines of the file per step (one transaction each). */
  stepSize: number;
  /** Steps in flight at once, each on its own connection. */
  lanes: number;
  operatorId: number | null;
  /** The company whose accounts the lines name. */
  companyId: number;
  onStep?: (batch: BankBatchRow) => void;
}

/**
 * Posts the lines after the batch's cursor in steps of `stepSize` lines. Each step is one transaction on
 * a lane connection: lock the step's accounts, the payments core applies its debited lines (a constant
 * number of statements), its result lines (every line of the range) are written, the batch's cursor and
 * counters move — then commit. A crash loses the steps in flight and nothing else.
 *
 * `lanes` steps run side by side so PostgreSQL works on one step's statements while Node allocates the
 * next — on their own connections, in file order where it matters:
 * - a step takes its account locks only after the step before it has taken its own, so a later step can
 *   wait for an earlier one's accounts, never the other way round (no deadlock, PostgreSQL's or ours);
 * - a step moves the cursor and commits only after the step before it committed, so `posted_through`
 *   always means "every line up to here is final" and a resumed import starts there.
 * A failed step fails every step after it (they roll back) and the import.
 *
 * Lines come from the staging tables of `session` (the importing connection), fetched a step ahead.
 */
async function postSteps(pool: pg.Pool, session: pg.PoolClient, start: BankBatchRow, opts: PostingOptions): Promise<BankBatchRow> {
  const ranges: { from: number; to: number }[] = [];
  for (let from = start.posted_through; from < start.lines; from += opts.stepSize) ranges.push({ from, to: Math.min(from + opts.stepSize, start.lines) });
  if (ranges.length === 0) return start;

  const laneCount = Math.max(1, Math.min(opts.lanes, ranges.length));
  const lanes = await Promise.all(Array.from({ length: laneCount }, () => pool.connect()));
  const idle = [...lanes];
  const waiting: ((c: pg.PoolClient) => void)[] = [];
  const takeLane = () => new Promise<pg.PoolClient>((resolve) => (idle.length ? resolve(idle.pop()!) : waiting.push(resolve)));
  const giveLane = (c: pg.PoolClient) => (waiting.length ? waiting.shift()!(c) : idle.push(c));

  let latest = start;
  let previousLocked: Promise<void> = Promise.resolve();
  let previousCommitted: Promise<void> = Promise.resolve();
  const running: Promise<void>[] = [];
  let failed = false;
  const fetch = (i: number) => {
    const p = stepLines(session, opts.companyId, ranges[i]!.from, ranges[i]!.to);
    p.catch(() => {}); // awaited below; one fetched ahead and then abandoned must not crash the process
    return p;
  };
  try {
    let next = fetch(0);
    for (let i = 0; i < ranges.length && !failed; i++) {
      const range = ranges[i]!;
      const lines = await next;
      if (i + 1 < ranges.length) next = fetch(i + 1);
      const lane = await takeLane();
      if (failed) {
        giveLane(lane);
        break;
      }
      const locked = deferred();
      const committed = deferred();
      const after = { locked: previousLocked, committed: previousCommitted };
      previousLocked = locked.promise;
      previousCommitted = committed.promise;
      running.push(
        runStep(lane, start, range, lines, after, { locked, committed }, opts)
          .then((batch) => {
            if (batch.posted_through > latest.posted_through) latest = batch;
            opts.onStep?.(batch);
          })
          .catch((err: unknown) => {
            failed = true;
            throw err;
          })
          .finally(() => giveLane(lane)),
      );
      running[running.length - 1]!.catch(() => {}); // settled below
    }
    await previousCommitted;
    const outcomes = await Promise.allSettled(running);
    const rejected = outcomes.find((o) => o.status === 'rejected');
    if (rejected) throw (rejected as PromiseRejectedResult).reason;
    return latest;
  } catch (err) {
    await Promise.allSettled(running);
    throw err;
  } finally {
    for (const c of lanes) c.release();
  }
}

interface Deferred {
  promise: Promise<void>;
  resolve(): void;
  reject(err: unknown): void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => {}); // a step nobody waits for (the last) must not be an unhandled rejection
  return { promise, resolve, reject };
}

/** One step in one transaction on its lane, ordered against its neighbours (see postSteps). */
async function runStep(
  lane: pg.PoolClient,
  batch: BankBatchRow,
  range: { from: number; to: number },
  lines: StepLine[],
  after: { locked: Promise<void>; committed: Promise<void> },
  mine: { locked: Deferred; committed: Deferred },
  opts: PostingOptions,
): Promise<BankBatchRow> {
  try {
    await after.locked;
    const { postable, payments } = stepPayments(batch, lines, opts.operatorId);
    const moved = await inClientTransaction(lane, async (client) => {
      await planEachRun(client);
      let advanced: BankBatchRow | undefined;
      // the core locks the step's accounts (in id order) first; the next step may take its locks from then
      // on. The step's own writes go before the core appends the account events: their lock is held to
      // COMMIT, so waiting for the step before with it held would deadlock the two lanes.
      await applyPaymentBatch(client, payments, {
        onLocked: () => mine.locked.resolve(),
        beforeEvents: async (outcomes) => {
          mine.locked.resolve(); // a step with nothing to post locks nothing
          const result = stepResults(batch.id, lines, postable, outcomes);
          await copyResultLines(client, result.bytes);
          await after.committed;
          advanced = await advanceBatch(client, batch.id, range.from, range.to, { accepted: result.accepted, rejected: result.rejected, acceptedFen: result.acceptedFen });
        },
      });
      return advanced!;
    });
    mine.committed.resolve();
    return moved;
  } catch (err) {
    mine.locked.reject(err);
    mine.committed.reject(err);
    throw err;
  }
}
