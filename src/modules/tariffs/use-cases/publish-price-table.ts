import type { Trx } from '../../../db/tx.js';
import { businessDate } from '../../../shared/business-time.js';
import { AppError, notFound } from '../../../shared/errors.js';
import { insertAudit } from '../../audit/index.js';
import { auditBy, type Ctx } from '../../org/index.js';
import { assertAgentPriceTable } from '../domain/index.js';
import { findPriceTable, findPriceTablesOfMonth, markPriceTablePublished } from '../tariffs.repository.js';
import { authorOf, requirePermission } from './guards.js';
import { getPriceTable } from './read-price-tables.js';
import { isLatePublication, publishDeadline } from '../domain/publishing.js';
import type { PriceTable } from '../tariffs.types.js';

/**
 * Publishes a month's draft table (营销部 or admin), stamping `publishedOn` with today's business date.
 *
 * RULES §3 wants it published at least 3 days before the month starts. Later is allowed — the prices
 * still have to be billed by, and refusing would only block the bill run — but it is recorded: the row
 * keeps `late = true` for ever, the answer says `late: true` with the deadline, and the audit entry
 * carries both, so the late publication is visible to reviewers and auditors.
 */
export async function publishPriceTable(trx: Trx, ctx: Ctx, id: number): Promise<PriceTable> {
  requirePermission(ctx, 'tariffs.publish', 'publish agent-purchase price tables');
  const t = await findPriceTable(trx, id);
  if (!t) throw notFound('agent-purchase price table');
  if (t.status === 'published') throw new AppError('CONFLICT', `the ${t.month} table is already published`);
  if ((await findPriceTablesOfMonth(trx, t.month)).some((x) => x.status === 'published'))
    throw new AppError('CONFLICT', `${t.month} already has a published table, which is final`, { errors: [{ field: 'month', code: 'already_published', message: 'already published' }] });
  assertAgentPriceTable(t.definition);
  const today = businessDate(ctx.now);
  const deadline = publishDeadline(t.month);
  const late = isLatePublication(t.month, today);
  const table = { ...t.definition, publishedOn: today };
  if (!(await markPriceTablePublished(trx, id, table, late, authorOf(ctx), ctx.now))) throw new AppError('CONFLICT', 'the draft was published or discarded meanwhile');
  await insertAudit(trx, { ...auditBy(ctx), action: 'agentPrices.publish', entity: 'agent_price_table', entityId: id, detail: { month: t.month, publishedOn: today, deadline, late } });
  return getPriceTable(trx, ctx, id);
}
