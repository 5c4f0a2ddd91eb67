import type pg from 'pg';
import { applyPaymentBatch, type ApplyOutcome, type PaymentIntake } from '../../payments/index.js';
import { CopyTextBuffer } from '../../../db/copy-text.js';
import { advanceBatch, copyResultLines, stepLines, type BankBatchRow, type StepLine } from '../bankfiles.repository.js';
import { bankChannelTxnId, paidAtOf } from '../domain/debit-file.js';
import { reasonText } from '../domain/reasons.js';

export interface PostingOptions {
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
export async function postSteps(pool: pg.Pool, session: pg.PoolClient, start: BankBatchRow, opts: PostingOptions): Promise<BankBatchRow> {
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

async function runStep(
  client: pg.PoolClient,
  batch: BankBatchRow,
  range: { from: number; to: number },
  lines: StepLine[],
  after: { locked: Promise<void>; committed: Promise<void> },
  mine: { locked: Deferred; committed: Deferred },
  opts: PostingOptions,
): Promise<BankBatchRow> {
  let open = false;
  try {
    await after.locked;
    const postable = lines.filter((l) => l.reason === null);
    const paidAt = new Map<string, Date>(); // a file has one debit day or a few: one Date each
    const intakes: PaymentIntake[] = postable.map((l) => {
      let at = paidAt.get(l.debitDate!);
      if (!at) paidAt.set(l.debitDate!, (at = paidAtOf(l.debitDate!)));
      return { accountId: l.accountId!, channel: 'bank', channelTxnId: bankChannelTxnId(batch.bank, l.txn!), amountFen: l.amountFen!, paidAt: at, bankBatchId: batch.id, operatorId: opts.operatorId };
    });
    await client.query('begin');
    open = true;
    // The core's hot statements are prepared per connection; after five runs PostgreSQL may switch them to a
    // generic plan, costed for a handful of rows. A step hands them 20,000: plan each run for what it gets
    // (measured: generic plans made the payment-context read 20× slower for a few steps at 1M lines).
    await client.query('set local plan_cache_mode = force_custom_plan');
    // the core locks the step's accounts (in id order) first; the next step may take its locks from then on
    const outcomes = await applyPaymentBatch(client, intakes, { onLocked: () => mine.locked.resolve() });
    mine.locked.resolve(); // a step with nothing to post locks nothing
    if (outcomes.length !== intakes.length) throw new Error(`the payments core answered ${outcomes.length} outcomes for ${intakes.length} payments`);
    const result = resultLinesOf(batch.id, lines, postable, outcomes);
    await copyResultLines(client, result.bytes);
    const counts = { accepted: result.accepted, rejected: result.rejected, acceptedFen: result.acceptedFen };
    await after.committed;
    const moved = await advanceBatch(client, batch.id, range.from, range.to, counts);
    await client.query('commit');
    open = false;
    mine.committed.resolve();
    return moved;
  } catch (err) {
    if (open) await client.query('rollback').catch(() => {});
    mine.locked.reject(err);
    mine.committed.reject(err);
    throw err;
  }
}

/**
 * Every line of the step as a result line (COPY text in RESULT_LINE_COLUMNS order): a rejected line keeps its
 * reason; a posted one gets its payment. With what they add up to, for the batch's counters. `postable` are
 * the lines without a reason, in file order, and `outcomes` the core's answers for them in the same order.
 */
function resultLinesOf(batchId: number, lines: readonly StepLine[], postable: readonly StepLine[], outcomes: readonly ApplyOutcome[]) {
  const w = new CopyTextBuffer(Math.max(1 << 12, lines.length * 96));
  let accepted = 0;
  let acceptedFen = 0;
  let next = 0; // the next postable line and its outcome
  for (const l of lines) {
    const o = next < postable.length && postable[next] === l ? outcomes[next++] : undefined;
    const applied = o?.status === 'applied';
    if (applied) {
      accepted++;
      acceptedFen += l.amountFen!;
    }
    const reason = l.reason ?? (o ? rejectionOf(o) : 'not posted');
    w.int(batchId).int(l.lineNo).textOrNull(l.accountNo).intOrNull(l.accountId).intOrNull(l.amountFen).textOrNull(l.txn).bool(applied).textOrNull(reason);
    (applied ? w.int(o.paymentId) : w.nul()).endRow();
  }
  if (next !== postable.length) throw new Error(`${postable.length - next} posted lines not found among the step's lines`);
  return { bytes: w.bytes(), accepted, rejected: lines.length - accepted, acceptedFen };
}

/** What the core's outcome means for the line: null = posted; otherwise the reason it was not. */
function rejectionOf(o: ApplyOutcome): string | null {
  if (o.status === 'applied') return null;
  if (o.status === 'duplicate') return reasonText('already_applied', `payment ${o.paymentId}`);
  return reasonText('txn_conflict', `payment ${o.paymentId}`);
}
