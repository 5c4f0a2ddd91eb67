import type { Executor } from '../../../db/tx.js';
import { addDays, addMonths, businessDate } from '../../../shared/business-time.js';
import { invalid } from '../../../shared/errors.js';
import { accountInScope } from '../../customers/index.js';
import type { Ctx } from '../../org/index.js';
import { withUsage } from '../domain/usage.js';
import { listCycleReads, listDailyReads } from '../metering.repository.js';
import type { Read, ReadsQuery } from '../metering.types.js';

/** Defaults: the last 25 months of cycle reads (24 usages), or the last 60 days of daily reads. */
export async function listReads(db: Executor, ctx: Ctx, accountId: number, q: ReadsQuery): Promise<Read[]> {
  await accountInScope(db, ctx, accountId);
  const kind = q.kind ?? 'cycle';
  const today = businessDate(ctx.now);
  const to = q.to ?? today;
  const from = q.from ?? (kind === 'cycle' ? `${addMonths(today.slice(0, 7), -24)}-01` : addDays(today, -60));
  if (from > to) throw invalid('from', 'must not be after to');
  const rows = kind === 'cycle' ? await listCycleReads(db, accountId, from, to) : await listDailyReads(db, accountId, from, to);
  return withUsage(rows, from).map((r) => ({
    meterId: r.meter_id,
    meterNo: r.meter_no,
    period: r.period,
    readOn: r.read_on,
    total: r.total,
    peak: r.peak,
    flat: r.flat,
    valley: r.valley,
    reactive: r.reactive,
    maxDemand: r.max_demand,
    estimated: r.estimated,
    usage: r.usage,
  }));
}
