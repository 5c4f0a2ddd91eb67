import type { Trx } from '../../../db/tx.js';
import { AppError, notFound } from '../../../shared/errors.js';
import { insertAudit } from '../../audit/index.js';
import { auditBy, type Ctx } from '../../org/index.js';
import { deleteDraftPriceTable, findPriceTable } from '../tariffs.repository.js';
import { requirePermission } from './guards.js';

/** Throws a month's draft away; a published table is final (409). */
export async function discardPriceTableDraft(trx: Trx, ctx: Ctx, id: number): Promise<void> {
  requirePermission(ctx, 'tariffs.write', 'discard agent-purchase drafts');
  const t = await findPriceTable(trx, id);
  if (!t) throw notFound('agent-purchase price table');
  if (t.status === 'published' || !(await deleteDraftPriceTable(trx, id))) throw new AppError('CONFLICT', `the ${t.month} table is published and final`);
  await insertAudit(trx, { ...auditBy(ctx), action: 'agentPrices.draft.discard', entity: 'agent_price_table', entityId: id, detail: { month: t.month, definition: t.definition } });
}
