import type pg from 'pg';
import { kyselyOnClient, type Db } from '../../../db/connect.js';
import { inClientTransaction, inTransaction, type Executor } from '../../../db/tx.js';
import { businessDate } from '../../../shared/business-time.js';
import { insertAudit } from '../../audit/index.js';
import { cleanReads, groupByMeter, judgeMeters, spanDays, type IncomingRead, type MeterReads, type Verdicts } from '../domain/read-rules.js';
import { copyDailyReads, insertDailyReads, lockReadIngest, readContext } from '../metering.repository.js';
import type { BatchResult } from '../metering.types.js';

export type ReadSource = 'ami' | 'import' | 'manual';
type Refusal = Verdicts['refused'][number];
type Flag = Verdicts['flagged'][number];

export interface IngestOptions {
  /** how the reads came (daily_read.source); default 'ami' */
  source?: ReadSource;
  /** only meters of this company's accounts are known (an importer sees its own company); default: every meter */
  companyId?: number | undefined;
  /** who imports: one audit entry for the batch (`reads.import`); none for the head-end's own feed */
  audit?: { actorId: number | null; actorName: string; ip: string | null } | undefined;
  /** "today" for the future-date rule is the business date of this instant (default: now) */
  now?: Date | undefined;
  /** reads per chunk (see ingestReadsIn); default CHUNK_READS */
  chunkReads?: number | undefined;
}

/** Reads per chunk: a 50,000-read batch is judged in 6 (the first a quarter of this), each while PostgreSQL reads the next ones' context. */
export const CHUNK_READS = 10_000;
/** Below this many accepted reads a chunk is written by INSERT even when COPY is at hand (fewer round trips). */
const COPY_FROM = 500;

/**
 * Daily frozen reads in (issue 18): one batch, one transaction. Each read is judged by the rules of
 * `domain/read-rules.ts` — its values first (no database), then against its meter and the meter's stored
 * reads, fetched in one query per chunk under the ingest lock — and the accepted ones are written, one
 * statement per chunk. A refused read is listed with its reason and writes nothing; the others are written.
 * Should anything fail (the database, a constraint), the transaction rolls back and nothing of the batch is
 * written. A batch that cannot be read at all never gets here (`parseReadsPayload`, the API's schema, the
 * CSV reader refuse it whole).
 *
 * Opens its own transaction on `db` (the MQTT feed's entry point); `ingestReadsBulk` does the same on a
 * pool's client and writes by COPY (the API, the file import); `ingestReadsIn` runs inside a caller's.
 */
export function ingestReads(db: Db, reads: readonly IncomingRead[], opts: IngestOptions = {}): Promise<BatchResult> {
  return inTransaction(db, (trx) => ingestReadsIn(trx, reads, opts));
}

/**
 * `ingestReads` for big batches (the API): its transaction on a client of `pool`, the accepted reads written
 * by COPY, and the chunks' context queries on a second client, so that PostgreSQL reads the next chunks'
 * context while it writes the judged ones (both under the ingest lock, which the transaction holds; each
 * chunk's meters are its own, so no context needs another chunk's writes). One bulk batch at a time in this
 * process — the lock would make them take turns anyway — so two clients are never waited for by several
 * batches each holding one.
 */
export function ingestReadsBulk(pool: pg.Pool, reads: readonly IncomingRead[], opts: IngestOptions = {}): Promise<BatchResult> {
  const turn = bulkTurn.then(() =>
    inClientTransaction(pool, async (client, trx) => {
      if (reads.length <= (opts.chunkReads ?? CHUNK_READS)) return ingestReadsIn(trx, reads, opts, client); // too small to be worth a second connection
      const side = await pool.connect();
      try {
        return await ingestReadsIn(trx, reads, opts, client, kyselyOnClient(side));
      } finally {
        side.release();
      }
    }),
  );
  bulkTurn = turn.catch(() => {});
  return turn;
}
let bulkTurn: Promise<unknown> = Promise.resolve();

/**
 * The batch inside the caller's transaction (`copyClient`: the client that transaction runs on, to write
 * by COPY; `contextDb`: another connection for the context queries, see ingestReadsBulk). The reads are cut into chunks of whole meters (a meter's reads all in one chunk, so chunks
 * are judged independently); every chunk's context query is sent at once after the lock — PostgreSQL
 * runs them back to back — and each chunk is judged as its context arrives, its write queued behind them:
 * Node's work overlaps PostgreSQL's instead of adding to it. Statements per batch: 1 + 2 × chunks.
 */
export async function ingestReadsIn(
  db: Executor,
  reads: readonly IncomingRead[],
  opts: IngestOptions = {},
  copyClient?: pg.PoolClient,
  contextDb?: Executor,
): Promise<BatchResult> {
  const source = opts.source ?? 'ami';
  const { clean, refused } = cleanReads(reads, businessDate(opts.now ?? new Date()));
  const chunks = chunksOf(groupByMeter(clean), opts.chunkReads ?? CHUNK_READS);
  let accepted = 0;
  let duplicates = 0;
  let judgedRefused: Refusal[] = [];
  let flagged: Flag[] = [];
  if (chunks.length) {
    await lockReadIngest(db);
    // Statements go out one after another, each as soon as the one before is answered (a driver's client
    // takes one at a time), so each chunk is judged while PostgreSQL already runs the next statement.
    const next = statementQueue();
    const nextContext = contextDb ? statementQueue() : next;
    const contexts = chunks.map((chunk) => nextContext(() => readContext(contextDb ?? db, chunk.map(spanOf), opts.companyId)));
    const writes: Promise<void>[] = [];
    const handled = <T>(p: Promise<T>) => (p.catch(() => {}), p); // awaited below; never an unhandled rejection meanwhile
    contexts.forEach(handled);
    try {
      for (const [i, chunk] of chunks.entries()) {
        const v = judgeMeters(chunk, await contexts[i]!);
        writes.push(handled(next(() => (copyClient && v.accepted.length >= COPY_FROM ? copyDailyReads(copyClient, v.accepted, source) : insertDailyReads(db, v.accepted, source)))));
        accepted += v.accepted.length;
        duplicates += v.duplicates;
        judgedRefused = chunks.length === 1 ? v.refused : judgedRefused.concat(v.refused);
        flagged = chunks.length === 1 ? v.flagged : flagged.concat(v.flagged);
      }
    } finally {
      // a failure fails the transaction and every statement queued behind it: let them all settle first
      await Promise.allSettled([...contexts, ...writes]);
    }
    await Promise.all(writes);
  }
  const byIndex = (a: { index: number }, b: { index: number }) => a.index - b.index;
  if (chunks.length > 1) {
    judgedRefused.sort(byIndex);
    flagged.sort(byIndex);
  }
  const result: BatchResult = { received: reads.length, accepted, duplicates, refused: refused.length ? mergeByIndex(refused, judgedRefused) : judgedRefused, flagged };
  if (opts.audit) {
    const byReason: Record<string, number> = {};
    for (const r of result.refused) byReason[r.reason] = (byReason[r.reason] ?? 0) + 1;
    await insertAudit(db, {
      ...opts.audit,
      action: 'reads.import',
      entity: 'daily_read',
      detail: { source, received: result.received, accepted, duplicates, refused: byReason, flagged: flagged.length },
    });
  }
  return result;
}

/** Runs each statement given to it after the one before has settled (its own failure is the caller's). */
function statementQueue(): <T>(statement: () => Promise<T>) => Promise<T> {
  let last: Promise<unknown> = Promise.resolve();
  return <T>(statement: () => Promise<T>) => {
    const run = last.then(statement);
    last = run.catch(() => {});
    return run;
  };
}

/**
 * Meters cut into chunks of about `size` reads (a meter's reads all in one chunk); the first chunk a quarter
 * of that, so that the first write, which waits for the first context, starts sooner.
 */
function chunksOf(groups: MeterReads[], size: number): MeterReads[][] {
  const chunks: MeterReads[][] = [];
  let open: MeterReads[] = [];
  let reads = 0;
  let limit = Math.max(1, Math.floor(size / 4));
  for (const g of groups) {
    if (reads >= limit) {
      chunks.push(open);
      open = [];
      reads = 0;
      limit = size;
    }
    open.push(g);
    reads += 1 + (g.more?.length ?? 0);
  }
  if (open.length) chunks.push(open);
  return chunks;
}

const spanOf = (g: MeterReads) => ({ meterNo: g.meterNo, first: g.first, n: spanDays(g) });

/** Two lists each in index order → one. */
function mergeByIndex(a: readonly Refusal[], b: readonly Refusal[]): Refusal[] {
  const out: Refusal[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) out.push(j >= b.length || (i < a.length && a[i]!.index < b[j]!.index) ? a[i++]! : b[j++]!);
  return out;
}
