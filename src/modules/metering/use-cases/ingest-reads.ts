import type { Db } from '../../../db/connect.js';
import { inTransaction, type Executor } from '../../../db/tx.js';
import { businessDate } from '../../../shared/business-time.js';
import { insertAudit } from '../../audit/index.js';
import { checkValues, judgeReads, meterSpans, spanDays, type CleanRead, type IncomingRead, type MeterContext, type Verdicts } from '../domain/read-rules.js';
import { insertDailyReads, lockReadIngest, readContext, type ReadContextRow } from '../metering.repository.js';
import type { BatchResult } from '../metering.types.js';

export type ReadSource = 'ami' | 'import' | 'manual';
type Refusal = Verdicts['refused'][number];

export interface IngestOptions {
  /** how the reads came (daily_read.source); default 'ami' */
  source?: ReadSource;
  /** only meters of this company's accounts are known (an importer sees its own company); default: every meter */
  companyId?: number | undefined;
  /** who imports: one audit entry for the batch (`reads.import`); none for the head-end's own feed */
  audit?: { actorId: number | null; actorName: string; ip: string | null } | undefined;
  /** "today" for the future-date rule is the business date of this instant (default: now) */
  now?: Date | undefined;
}

/**
 * Daily frozen reads in (issue 18): one batch, one transaction. Each read is judged by the rules of
 * `domain/read-rules.ts` — its values first (no database), then against its meter and the meter's stored
 * reads, fetched for the whole batch in one query under the ingest lock — and the accepted ones are
 * written in one statement. A refused read is listed with its reason and writes nothing; the others are
 * written. Should anything fail (the database, a constraint), the transaction rolls back and nothing of
 * the batch is written. A batch that cannot be read at all never gets here (`parseReadsPayload`, the API's
 * schema, the CSV reader refuse it whole).
 *
 * Opens its own transaction (the module's entry point for the API, the file import and the MQTT feed);
 * `ingestReadsIn` runs inside a caller's.
 */
export function ingestReads(db: Db, reads: readonly IncomingRead[], opts: IngestOptions = {}): Promise<BatchResult> {
  return inTransaction(db, (trx) => ingestReadsIn(trx, reads, opts));
}

export async function ingestReadsIn(db: Executor, reads: readonly IncomingRead[], opts: IngestOptions = {}): Promise<BatchResult> {
  const today = businessDate(opts.now ?? new Date());
  const clean: CleanRead[] = [];
  const refused: Refusal[] = [];
  for (let i = 0; i < reads.length; i++) {
    const checked = checkValues(reads[i]!, i, today);
    if (checked.ok) clean.push(checked.read);
    else refused.push(checked.refusal);
  }
  let judged: Pick<Verdicts, 'duplicates' | 'refused' | 'flagged'> & { accepted: readonly unknown[] } = { accepted: [], duplicates: 0, refused: [], flagged: [] };
  if (clean.length) {
    await lockReadIngest(db);
    const spans = meterSpans(clean);
    const rows = await readContext(db, spans.map((s) => ({ meterNo: s.meterNo, first: s.first, n: spanDays(s) })), opts.companyId);
    const verdicts = judgeReads(clean, contextOf(rows));
    await insertDailyReads(db, verdicts.accepted, opts.source ?? 'ami');
    judged = verdicts;
  }
  const result: BatchResult = {
    received: reads.length,
    accepted: judged.accepted.length,
    duplicates: judged.duplicates,
    refused: refused.length ? mergeByIndex(refused, judged.refused) : judged.refused,
    flagged: judged.flagged,
  };
  if (opts.audit) {
    const byReason: Record<string, number> = {};
    for (const r of result.refused) byReason[r.reason] = (byReason[r.reason] ?? 0) + 1;
    await insertAudit(db, {
      ...opts.audit,
      action: 'reads.import',
      entity: 'daily_read',
      detail: { source: opts.source ?? 'ami', received: result.received, accepted: result.accepted, duplicates: result.duplicates, refused: byReason, flagged: result.flagged.length },
    });
  }
  return result;
}

/** The context rows (one per stored read, reads in date order within a meter after sorting) → each meter's context. */
function contextOf(rows: readonly ReadContextRow[]): Map<string, MeterContext> {
  const meters = new Map<string, MeterContext>();
  for (const r of rows) {
    let m = meters.get(r.meter_no);
    if (!m) {
      m = {
        meterId: r.meter_id,
        accountId: r.account_id,
        removed: r.removed,
        multiplier: r.multiplier_h,
        capacityKva: r.capacity_kva === null ? null : Number(r.capacity_kva),
        voltageLevel: r.voltage_level,
        stored: [],
      };
      meters.set(r.meter_no, m);
    }
    if (r.read_on !== null) m.stored.push({ readOn: r.read_on, total: r.total_h!, peak: r.peak_h, flat: r.flat_h, valley: r.valley_h });
  }
  for (const m of meters.values()) if (m.stored.length > 1) m.stored.sort((a, b) => (a.readOn < b.readOn ? -1 : a.readOn > b.readOn ? 1 : 0));
  return meters;
}

/** Two lists each in index order → one. */
function mergeByIndex(a: readonly Refusal[], b: readonly Refusal[]): Refusal[] {
  const out: Refusal[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) out.push(j >= b.length || (i < a.length && a[i]!.index < b[j]!.index) ? a[i++]! : b[j++]!);
  return out;
}
