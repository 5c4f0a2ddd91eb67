import type { Trx } from '../../../db/tx.js';
import { AppError, notFound } from '../../../shared/errors.js';
import { insertAudit } from '../../audit/index.js';
import { auditBy, type Ctx } from '../../org/index.js';
import { deleteDraftVersion, findVersion } from '../tariffs.repository.js';
import { requirePermission } from './guards.js';

/** Throws a draft away. A published version is never deleted (409; the database refuses it too). */
export async function discardTariffDraft(trx: Trx, ctx: Ctx, id: number): Promise<void> {
  requirePermission(ctx, 'tariffs.write', 'discard tariff drafts');
  const v = await findVersion(trx, id);
  if (!v) throw notFound('tariff version');
  if (v.status === 'published' || !(await deleteDraftVersion(trx, id))) throw new AppError('CONFLICT', `${v.code} from ${v.effective_from} is published and final`);
  await insertAudit(trx, { ...auditBy(ctx), action: 'tariff.draft.discard', entity: 'tariff_version', entityId: id, detail: { code: v.code, effectiveFrom: v.effective_from, definition: v.definition } });
}
