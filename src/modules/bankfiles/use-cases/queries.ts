import { AppError, notFound } from '../../../shared/errors.js';
import { decodeCursor, toPage, type Page } from '../../../shared/pagination.js';
import type { Executor } from '../../../db/tx.js';
import { batchFigures, findBatch, listBatches, resultRows, type BankBatchRow } from '../bankfiles.repository.js';
import { RESULT_HEADER, resultLine } from '../domain/result-file.js';
import type { BankBatch, BankBatchDetail } from '../bankfiles.types.js';
import { requireBankFiles, type BankFileOperator } from './operator.js';

export function viewOf(b: BankBatchRow): BankBatch {
  return {
    id: b.id,
    bank: b.bank,
    fileName: b.file_name,
    sha256: b.file_sha256,
    encoding: b.encoding,
    businessDate: b.business_date,
    status: b.status,
    lines: b.lines,
    postedThrough: b.posted_through,
    accepted: b.accepted,
    rejected: b.rejected,
    acceptedFen: b.accepted_fen,
    createdBy: b.created_by,
    createdAt: new Date(b.created_at).toISOString(),
    postedAt: b.posted_at ? new Date(b.posted_at).toISOString() : null,
    seconds: b.seconds === null ? null : Number(b.seconds),
  };
}

/** Another company's batch answers exactly like a missing one. */
async function visibleBatch(db: Executor, op: BankFileOperator, id: number): Promise<BankBatchRow> {
  requireBankFiles(op, 'bankfiles.view', 'see bank files');
  const batch = await findBatch(db, id);
  if (!batch || batch.company_id !== op.companyId) throw notFound('bank file');
  return batch;
}

export async function listBankBatches(db: Executor, op: BankFileOperator, q: { limit: number; cursor?: string | undefined }): Promise<Page<BankBatch>> {
  requireBankFiles(op, 'bankfiles.view', 'see bank files');
  const rows = await listBatches(db, op.companyId, { beforeId: decodeCursor(q.cursor) || null, limit: q.limit });
  return toPage(rows.map(viewOf), q.limit);
}

export async function getBankBatch(db: Executor, op: BankFileOperator, id: number): Promise<BankBatchDetail> {
  return detailOf(db, await visibleBatch(db, op, id));
}

export async function detailOf(db: Executor, batch: BankBatchRow): Promise<BankBatchDetail> {
  const f = await batchFigures(db, batch.id);
  return { ...viewOf(batch), allocation: { payments: f.payments, principalFen: f.principalFen, penaltyFen: f.penaltyFen, prepaidFen: f.prepaidFen }, rejectedByReason: f.reasons as BankBatchDetail['rejectedByReason'] };
}

/** Result lines read per query while the file is written. */
const WINDOW = 20_000;

/**
 * The result file of a posted batch (domain/result-file.ts), as text chunks read in windows of line
 * numbers — a million-line file streams in bounded memory. A batch still posting has no result yet (409).
 */
export async function resultFile(db: Executor, op: BankFileOperator, id: number): Promise<{ fileName: string; chunks: AsyncIterable<string> }> {
  const batch = await visibleBatch(db, op, id);
  if (batch.status !== 'posted') throw new AppError('CONFLICT', `bank batch ${id} is still posting (${batch.posted_through} of ${batch.lines} lines); import its file again to finish it`);
  return { fileName: resultFileName(batch), chunks: resultChunks(db, batch) };
}

export function resultFileName(batch: BankBatchRow): string {
  const base = batch.file_name.replace(/\.[A-Za-z0-9]{1,5}$/, '').replace(/[^\w.-]+/g, '_').slice(0, 80) || 'bank-file';
  return `${base}.result-${batch.id}.csv`;
}

export async function* resultChunks(db: Executor, batch: BankBatchRow): AsyncGenerator<string> {
  yield RESULT_HEADER;
  for (let from = 0; from < batch.lines; from += WINDOW) {
    const rows = await resultRows(db, batch.id, from, from + WINDOW);
    let text = '';
    for (const r of rows) text += resultLine(r);
    yield text;
  }
}
