import fs from 'node:fs';
import { parse } from 'csv-parse';
import type pg from 'pg';
import { inClientTransaction } from '../../../db/tx.js';
import { AppError } from '../../../shared/errors.js';
import { insertAudit } from '../../audit/index.js';
import type { IncomingRead } from '../domain/read-rules.js';
import type { Progress } from '../../../platform/deps.js';
import { MAX_BATCH_READS, type BatchResult } from '../metering.types.js';
import { ingestReadsIn, type IngestOptions } from './ingest-reads.js';

/** Header names a reads file may use (case-insensitive): snake_case as the CSV files of the project, or the API's camelCase. */
const COLUMNS: Readonly<Record<string, keyof IncomingRead>> = {
  meter_no: 'meterNo',
  meterno: 'meterNo',
  read_on: 'readOn',
  readon: 'readOn',
  total: 'total',
  peak: 'peak',
  flat: 'flat',
  valley: 'valley',
};
const REQUIRED: (keyof IncomingRead)[] = ['meterNo', 'readOn', 'total'];

type Judged = BatchResult['refused'][number] | BatchResult['flagged'][number];
/** A refused or flagged read of the file: `index` its row (from 0), `line` its line, `read` its cells. */
export type FileJudgement<J extends Judged = Judged> = J & { line: number; read: IncomingRead };

export interface ReadsFileResult {
  rows: number;
  batches: number;
  accepted: number;
  duplicates: number;
  refused: FileJudgement<BatchResult['refused'][number]>[];
  flagged: FileJudgement<BatchResult['flagged'][number]>[];
  seconds: number;
}

export interface ReadsFileOptions extends Pick<IngestOptions, 'source' | 'companyId' | 'audit' | 'now'> {
  /** reads per batch (one context query and one insert each); default 50,000 */
  batchSize?: number;
  onProgress?: (p: Progress) => void;
}

/**
 * `granary reads import <file.csv>`: a CSV file of daily reads (a header line naming meter_no, read_on,
 * total and optionally peak, flat, valley; UTF-8, a BOM allowed), streamed in batches through the rules of
 * `ingestReads`, all in one transaction on one client (accepted reads written by COPY): a line that cannot be read (CSV syntax, a wrong number of cells,
 * an unknown column) stops the import and nothing of the file is written; reads refused by the rules are
 * listed with their line, the others written. Memory stays at one batch plus the refused and flagged lines.
 * One audit entry for the file. Progress is reported in bytes of the file read.
 */
export async function importReadsFile(pool: pg.Pool, path: string, opts: ReadsFileOptions = {}): Promise<ReadsFileResult> {
  const started = performance.now();
  const batchSize = Math.max(1, opts.batchSize ?? MAX_BATCH_READS);
  const size = fs.statSync(path).size;
  const result: ReadsFileResult = { rows: 0, batches: 0, accepted: 0, duplicates: 0, refused: [], flagged: [], seconds: 0 };
  await inClientTransaction(pool, async (client, trx) => {
    let batch: IncomingRead[] = [];
    let lines: number[] = [];
    const flush = async () => {
      if (!batch.length) return;
      const r = await ingestReadsIn(trx, batch, { source: opts.source ?? 'import', companyId: opts.companyId, now: opts.now }, client);
      result.batches++;
      result.accepted += r.accepted;
      result.duplicates += r.duplicates;
      const offset = result.rows - batch.length;
      for (const j of r.refused) result.refused.push({ ...j, index: offset + j.index, line: lines[j.index]!, read: batch[j.index]! });
      for (const j of r.flagged) result.flagged.push({ ...j, index: offset + j.index, line: lines[j.index]!, read: batch[j.index]! });
      batch = [];
      lines = [];
    };
    const parser = fs.createReadStream(path).pipe(
      parse({ bom: true, columns: headerOf, skip_empty_lines: true, trim: true, info: true, relax_column_count: false }),
    );
    try {
      for await (const { record, info } of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number; bytes: number } }>) {
        result.rows++;
        batch.push(record as unknown as IncomingRead);
        lines.push(info.lines);
        if (batch.length >= batchSize) {
          await flush();
          opts.onProgress?.({ phase: 'reads', done: info.bytes, total: size });
        }
      }
    } catch (err) {
      if (err instanceof AppError) throw err;
      throw new AppError('VALIDATION', `${path} cannot be read, nothing written: ${err instanceof Error ? err.message : String(err)}`, { errors: [{ field: 'file', message: String(err) }] });
    }
    await flush();
    opts.onProgress?.({ phase: 'reads', done: size, total: size });
    if (opts.audit) {
      const byReason: Record<string, number> = {};
      for (const r of result.refused) byReason[r.reason] = (byReason[r.reason] ?? 0) + 1;
      await insertAudit(trx, {
        ...opts.audit,
        action: 'reads.import',
        entity: 'daily_read',
        detail: { source: opts.source ?? 'import', file: path.split('/').pop(), received: result.rows, accepted: result.accepted, duplicates: result.duplicates, refused: byReason, flagged: result.flagged.length },
      });
    }
  });
  result.seconds = (performance.now() - started) / 1000;
  return result;
}

/** The header line → the reads' field names; an unknown or missing column refuses the file. */
function headerOf(header: string[]): string[] {
  const names = header.map((h) => {
    const name = COLUMNS[h.trim().toLowerCase()];
    if (!name) throw new AppError('VALIDATION', `unknown column "${h}" (a reads file has meter_no, read_on, total and optionally peak, flat, valley): nothing written`, { errors: [{ field: h, message: 'unknown column' }] });
    return name;
  });
  const missing = REQUIRED.filter((r) => !names.includes(r));
  if (missing.length) throw new AppError('VALIDATION', `missing column ${missing.join(', ')}: nothing written`, { errors: missing.map((m) => ({ field: m, message: 'required column' })) });
  if (new Set(names).size !== names.length) throw new AppError('VALIDATION', 'a column is named twice: nothing written', { errors: [{ field: 'header', message: 'repeated column' }] });
  return names;
}
