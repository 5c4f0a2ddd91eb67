import type { Trx } from '../../../db/tx.js';
import { businessMonth } from '../../../shared/business-time.js';
import { AppError, notFound } from '../../../shared/errors.js';
import { insertAudit } from '../../audit/index.js';
import { auditBy, type Ctx } from '../../org/index.js';
import { assertTariffVersion } from '../domain/index.js';
import { findVersion, markVersionPublished } from '../tariffs.repository.js';
import { authorOf, requirePermission } from './guards.js';
import { presentVersion } from './present.js';
import type { Version } from '../tariffs.types.js';

/**
 * Publishes a draft tariff version (营销部 or admin). Effective-dated: it may not start before the
 * current business month, so periods already billed are never re-priced (corrections are adjustment
 * bills). Once published the row is final — the database refuses any change to it.
 */
export async function publishTariffVersion(trx: Trx, ctx: Ctx, id: number): Promise<Version> {
  requirePermission(ctx, 'tariffs.publish', 'publish tariff versions');
  const v = await findVersion(trx, id);
  if (!v) throw notFound('tariff version');
  if (v.status === 'published') throw new AppError('CONFLICT', `${v.code} from ${v.effective_from} is already published; a change is a new version`);
  const firstOfMonth = `${businessMonth(ctx.now)}-01`;
  if (v.effective_from < firstOfMonth)
    throw new AppError('VALIDATION', `effectiveFrom: ${v.effective_from} is before the current month (${firstOfMonth})`, {
      errors: [
        {
          field: 'effectiveFrom',
          code: 'before_current_month',
          message: `${v.effective_from} is before the current month (${firstOfMonth}): periods that may be billed already are never re-priced; draft the version from ${firstOfMonth} or later`,
          params: { first: firstOfMonth },
        },
      ],
    });
  assertTariffVersion(v.definition);
  if (!(await markVersionPublished(trx, id, authorOf(ctx), ctx.now))) throw new AppError('CONFLICT', 'the draft was published or discarded meanwhile');
  await insertAudit(trx, { ...auditBy(ctx), action: 'tariff.publish', entity: 'tariff_version', entityId: id, detail: { code: v.code, effectiveFrom: v.effective_from } });
  return presentVersion((await findVersion(trx, id))!);
}
