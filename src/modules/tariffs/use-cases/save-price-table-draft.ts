import type { Trx } from '../../../db/tx.js';
import { AppError } from '../../../shared/errors.js';
import { insertAudit } from '../../audit/index.js';
import { auditBy, type Ctx } from '../../org/index.js';
import { assertAgentPriceTable, type AgentPriceTable } from '../domain/index.js';
import { findPriceTablesOfMonth, insertPriceTable, replaceDraftPriceTable } from '../tariffs.repository.js';
import type { PriceTable, PriceTableSource } from '../tariffs.types.js';
import { authorOf, requirePermission } from './guards.js';
import { getPriceTable } from './read-price-tables.js';

/**
 * Saves a month's agent-purchase table as a draft (validated: 422 with every problem, nothing written).
 * A month has at most one draft — saving again replaces it — and once a month is published its table
 * is final (409): RULES §3 stores the published table as data, never re-derived or edited.
 */
export async function savePriceTableDraft(trx: Trx, ctx: Ctx, input: unknown, source: PriceTableSource = 'api'): Promise<PriceTable> {
  requirePermission(ctx, 'tariffs.write', 'draft agent-purchase price tables');
  assertAgentPriceTable(input);
  return storeDraft(trx, ctx, input, source);
}

/** For a table already validated (the import validates row by row itself). */
export async function storeDraft(trx: Trx, ctx: Ctx, table: AgentPriceTable, source: PriceTableSource): Promise<PriceTable> {
  const existing = await findPriceTablesOfMonth(trx, table.month);
  if (existing.some((t) => t.status === 'published'))
    throw new AppError('CONFLICT', `the ${table.month} agent-purchase table is published and final`, { errors: [{ field: 'month', code: 'already_published', message: 'already published' }] });
  const draft = existing.find((t) => t.status === 'draft');
  const id = draft ? draft.id : await insertPriceTable(trx, table, source, authorOf(ctx), ctx.now);
  if (draft) await replaceDraftPriceTable(trx, draft.id, table, source, authorOf(ctx), ctx.now);
  await insertAudit(trx, {
    ...auditBy(ctx),
    action: draft ? 'agentPrices.draft.replace' : 'agentPrices.draft.create',
    entity: 'agent_price_table',
    entityId: id,
    detail: { month: table.month, source, rows: table.rows.length },
  });
  return { ...(await getPriceTable(trx, ctx, id)), replaced: Boolean(draft) };
}
