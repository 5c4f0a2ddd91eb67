import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type pg from 'pg';
import type { Db } from '../../../db/connect.js';
import { businessDate } from '../../../shared/business-time.js';
import { AppError, invalid } from '../../../shared/errors.js';
import { CopyTextBuffer } from '../../../db/copy-text.js';
import { insertAudit } from '../../audit/index.js';
import {
  copyStage,
  createStage,
  dropStage,
  findBatchOfFile,
  finishBatch,
  insertBatch,
  prepareStage,
  tryLockFile,
  unlockFile,
  type BankBatchRow,
} from '../bankfiles.repository.js';
import { BANK_CODE, checkLine, columnIndexOf, RecordSplitter, splitRecord, type ColumnIndex } from '../domain/debit-file.js';
import { EncodingSniffer, type TextEncoding } from '../domain/encoding.js';
import { auditActor, requireBankFiles, type BankFileOperator } from './operator.js';
import { postSteps } from './post-steps.js';

export interface ImportDeps {
  db: Db;
  pool: pg.Pool;
}

export interface BankFileInput {
  /** The bank's code (ICBC, ABC, CCB, BOC, RCC …): upper-case letters, digits, underscore. */
  bank: string;
  /** The name the file came with (shown in lists; the content is recognised by its sha256). */
  fileName: string;
  /** Where the file is on disk (the HTTP route saves the upload to a temporary file first). */
  path: string;
}

export interface ImportProgress {
  phase: 'reading' | 'checking' | 'posting';
  done: number;
  total: number;
}

export interface ImportOptions {
  /** Lines of the file per posting step (one transaction each). Default 20,000. */
  stepSize?: number;
  /** Posting steps in flight at once, each on its own connection. Default 2. */
  lanes?: number;
  onProgress?: (p: ImportProgress) => void;
  /** Wall clock for posted_at (default: the operator's now). */
  now?: () => Date;
}

export interface ImportResult {
  batch: BankBatchRow;
  /** created: a new file, posted now · resumed: a file a crash had left half-posted, finished now · replayed: posted before, nothing changed. */
  outcome: 'created' | 'resumed' | 'replayed';
  timings: { readSeconds: number; checkSeconds: number; postSeconds: number; seconds: number };
}

export const DEFAULT_STEP_SIZE = 20_000;
export const DEFAULT_LANES = 2;

/**
 * Imports a bank debit result file (代扣回盘) and posts its debited lines as payments.
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
 *    debited lines (the payments core, a constant number of statements), every result line of the step and
 *    the batch's cursor and counters; two steps in flight at once, committing in file order. A crash loses
 *    the steps in flight and nothing else; importing the same file again re-reads it and resumes after the
 *    cursor (`resumed`).
 * 6. Marks the batch posted.
 */
export async function importBankFile(deps: ImportDeps, op: BankFileOperator, input: BankFileInput, opts: ImportOptions = {}): Promise<ImportResult> {
  requireBankFiles(op, 'bankfiles.import', 'import bank files');
  if (!BANK_CODE.test(input.bank)) throw invalid('bank', 'a bank code: upper-case letters, digits and _ (2–16), e.g. ICBC');
  const fileName = input.fileName.trim();
  if (fileName.length < 1 || fileName.length > 200) throw invalid('fileName', '1–200 characters');
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

    await createStage(client);
    const staged: StageFacts = { lines: 0, lastDebitDate: null };
    await copyStage(client, stageChunks(input.path, file, businessDate(op.now), staged, progress));
    const read = performance.now();
    if (staged.lines === 0) throw invalid('file', 'the file has a header but no debit lines');
    if (existing && existing.lines !== staged.lines) throw new Error(`bank batch ${existing.id} has ${existing.lines} lines, its file now ${staged.lines}`);
    progress({ phase: 'checking', done: 0, total: 1 });
    await prepareStage(client);
    progress({ phase: 'checking', done: 1, total: 1 });
    const checked = performance.now();

    let batch = existing ?? (await createBatch(deps.db, op, input, fileName, file, staged.lines, staged.lastDebitDate ?? businessDate(op.now)));
    progress({ phase: 'posting', done: batch.posted_through, total: batch.lines });
    batch = await postSteps(deps.pool, client, batch, {
      stepSize: opts.stepSize ?? DEFAULT_STEP_SIZE,
      lanes: opts.lanes ?? DEFAULT_LANES,
      operatorId: op.userId,
      companyId: op.companyId,
      onStep: (b) => progress({ phase: 'posting', done: b.posted_through, total: b.lines }),
    });
    const seconds = (performance.now() - started) / 1000;
    batch = await finish(deps.db, op, batch.id, seconds, now(), existing !== undefined);
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

function replay(batch: BankBatchRow, started: number): ImportResult {
  const seconds = (performance.now() - started) / 1000;
  return { batch, outcome: 'replayed', timings: { readSeconds: seconds, checkSeconds: 0, postSeconds: 0, seconds } };
}

interface FileFacts {
  sha256: string;
  encoding: TextEncoding;
  bytes: number;
}

/** One pass over the bytes: the hash that recognises the file, and its encoding. */
async function readFacts(path: string, progress: (p: ImportProgress) => void): Promise<FileFacts> {
  let size: number;
  try {
    size = (await fs.promises.stat(path)).size;
  } catch {
    throw invalid('file', `cannot read ${path}`);
  }
  if (size === 0) throw invalid('file', 'the file is empty');
  const hash = createHash('sha256');
  const sniffer = new EncodingSniffer();
  let bytes = 0;
  for await (const chunk of fs.createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    sniffer.push(chunk);
    bytes += chunk.length;
    progress({ phase: 'reading', done: bytes / 2, total: size });
  }
  return { sha256: hash.digest('hex'), encoding: sniffer.end(), bytes };
}

/**
 * The file as COPY text for the staging table: decoded, cut into records, the header read, each line
 * checked (`checkLine`). Memory stays at one chunk of the file.
 */
/** Bytes of the file read at a time (and the initial size of a chunk's COPY text, about the same). */
const CHUNK = 1 << 20;

interface StageFacts {
  lines: number;
  /** The latest debit date of the debited lines that passed the line checks: the batch's business date. */
  lastDebitDate: string | null;
}

async function* stageChunks(path: string, file: FileFacts, today: string, facts: StageFacts, progress: (p: ImportProgress) => void): AsyncGenerator<Uint8Array> {
  const decoder = new TextDecoder(file.encoding);
  const splitter = new RecordSplitter();
  let cols: ColumnIndex | null = null;
  let lineNo = 0;
  let bytes = 0;
  const encode = (records: string[]): Uint8Array => {
    const out = new CopyTextBuffer(CHUNK);
    for (const record of records) {
      if (!cols) {
        cols = columnIndexOf(splitRecord(record) ?? [record]);
        continue;
      }
      const l = checkLine(record, ++lineNo, cols, today);
      if (l.reason === null && (facts.lastDebitDate === null || l.debitDate! > facts.lastDebitDate)) facts.lastDebitDate = l.debitDate;
      // STAGE_COLUMNS order
      out.int(l.lineNo).textOrNull(l.txnId).textOrNull(l.accountNo).intOrNull(l.amountFen).textOrNull(l.debitDate).textOrNull(l.reason).textOrNull(l.detail).endRow();
    }
    facts.lines = lineNo;
    return out.bytes();
  };
  for await (const chunk of fs.createReadStream(path, { highWaterMark: CHUNK }) as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    const text = encode(splitter.push(decoder.decode(chunk, { stream: true })));
    progress({ phase: 'reading', done: (file.bytes + bytes) / 2, total: file.bytes });
    if (text.length > 0) yield text;
  }
  const tail = encode(splitter.end(splitter.push(decoder.decode())));
  if (tail.length > 0) yield tail;
  if (!cols) throw invalid('file', 'the file has no header line');
}

/** The batch posted, with its audit entry (what it came to), in one transaction. */
async function finish(db: Db, op: BankFileOperator, id: number, seconds: number, at: Date, resumed: boolean): Promise<BankBatchRow> {
  return db.transaction().execute(async (trx) => {
    const batch = await finishBatch(trx, id, seconds, at);
    await insertAudit(trx, {
      ...auditActor(op),
      action: 'bank_file.posted',
      entity: 'bank_batch',
      entityId: id,
      detail: { lines: batch.lines, accepted: batch.accepted, rejected: batch.rejected, acceptedFen: batch.accepted_fen, resumed },
    });
    return batch;
  });
}

async function createBatch(db: Db, op: BankFileOperator, input: BankFileInput, fileName: string, file: FileFacts, lines: number, date: string): Promise<BankBatchRow> {
  return db.transaction().execute(async (trx) => {
    const batch = await insertBatch(trx, { companyId: op.companyId, bank: input.bank, fileName, sha256: file.sha256, encoding: file.encoding, businessDate: date, lines, createdBy: op.userId });
    await insertAudit(trx, {
      ...auditActor(op),
      action: 'bank_file.import',
      entity: 'bank_batch',
      entityId: batch.id,
      detail: { bank: input.bank, fileName, sha256: file.sha256, bytes: file.bytes, encoding: file.encoding, lines },
    });
    return batch;
  });
}
