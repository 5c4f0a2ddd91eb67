import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type pg from 'pg';
import type { Db } from '../../../db/connect.js';
import type { Executor } from '../../../db/tx.js';
import { businessDate } from '../../../shared/business-time.js';
import { invalid } from '../../../shared/errors.js';
import { CopyTextBuffer } from '../../../db/copy-text.js';
import { insertAudit } from '../../audit/index.js';
import { copyStage, createStage, finishBatch, insertBatch, type BankBatchRow } from '../bankfiles.repository.js';
import { BANK_CODE, checkLine, columnIndexOf, RecordSplitter, splitRecord, type ColumnIndex } from '../domain/debit-file.js';
import { EncodingSniffer, type TextEncoding } from '../domain/encoding.js';
import type { ImportOutcome } from '../bankfiles.types.js';
import { auditActor, requireBankFiles, type BankFileOperator } from './operator.js';

/**
 * Bankfiles' pieces of importing a bank debit result file (代扣回盘): the checks, reading and staging the
 * file, the batch and its audit entries. `workflows/import-bank-file.ts` runs the import and posts the
 * lines through the payments core.
 */

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
  outcome: ImportOutcome;
  timings: { readSeconds: number; checkSeconds: number; postSeconds: number; seconds: number };
}

export const DEFAULT_STEP_SIZE = 20_000;
export const DEFAULT_LANES = 2;

/** What bankfiles' routes and commands are given from `workflows/` (they may not import it). */
export interface BankFileFlows {
  importBankFile(deps: ImportDeps, op: BankFileOperator, input: BankFileInput, opts?: ImportOptions): Promise<ImportResult>;
}

/** The checks made before the file is read; the file name to keep. */
export function checkImport(op: BankFileOperator, input: BankFileInput): string {
  requireBankFiles(op, 'bankfiles.import', 'import bank files');
  if (!BANK_CODE.test(input.bank)) throw invalid('bank', 'a bank code: upper-case letters, digits and _ (2–16), e.g. ICBC');
  const fileName = input.fileName.trim();
  if (fileName.length < 1 || fileName.length > 200) throw invalid('fileName', '1–200 characters');
  return fileName;
}

/** The answer for a file posted before: its batch, nothing changed. */
export function replay(batch: BankBatchRow, started: number): ImportResult {
  const seconds = (performance.now() - started) / 1000;
  return { batch, outcome: 'replayed', timings: { readSeconds: seconds, checkSeconds: 0, postSeconds: 0, seconds } };
}

export interface FileFacts {
  sha256: string;
  encoding: TextEncoding;
  bytes: number;
}

/** One pass over the bytes: the hash that recognises the file, and its encoding. */
export async function readFacts(path: string, progress: (p: ImportProgress) => void): Promise<FileFacts> {
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

/** Bytes of the file read at a time (and the initial size of a chunk's COPY text, about the same). */
const CHUNK = 1 << 20;

export interface StageFacts {
  lines: number;
  /** The latest debit date of the debited lines that passed the line checks: the batch's business date. */
  lastDebitDate: string | null;
}

/**
 * Streams the file through the line checks into the session's temporary table (COPY): decoded, cut into
 * records, the header read, each line checked (`checkLine`); memory stays at one chunk of the file. A file
 * with no header is refused (422).
 */
export async function stageFile(session: pg.PoolClient, path: string, file: FileFacts, today: string, progress: (p: ImportProgress) => void): Promise<StageFacts> {
  await createStage(session);
  const staged: StageFacts = { lines: 0, lastDebitDate: null };
  await copyStage(session, stageChunks(path, file, today, staged, progress));
  return staged;
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

/** The batch posted, with its audit entry (what it came to), in the caller's transaction. */
export async function finishImport(trx: Executor, op: BankFileOperator, id: number, seconds: number, at: Date, resumed: boolean): Promise<BankBatchRow> {
  const batch = await finishBatch(trx, id, seconds, at);
  await insertAudit(trx, {
    ...auditActor(op),
    action: 'bank_file.posted',
    entity: 'bank_batch',
    entityId: id,
    detail: { lines: batch.lines, accepted: batch.accepted, rejected: batch.rejected, acceptedFen: batch.accepted_fen, resumed },
  });
  return batch;
}

/** The batch (status posting), with its audit entry, in the caller's transaction. */
export async function createBatch(trx: Executor, op: BankFileOperator, input: BankFileInput, fileName: string, file: FileFacts, lines: number, date: string): Promise<BankBatchRow> {
  const batch = await insertBatch(trx, { companyId: op.companyId, bank: input.bank, fileName, sha256: file.sha256, encoding: file.encoding, businessDate: date, lines, createdBy: op.userId });
  await insertAudit(trx, {
    ...auditActor(op),
    action: 'bank_file.import',
    entity: 'bank_batch',
    entityId: batch.id,
    detail: { bank: input.bank, fileName, sha256: file.sha256, bytes: file.bytes, encoding: file.encoding, lines },
  });
  return batch;
}
