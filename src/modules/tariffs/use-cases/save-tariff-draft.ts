import type { Trx } from '../../../db/tx.js';
import { AppError } from '../../../shared/errors.js';
import { insertAudit } from '../../audit/index.js';
import { auditBy, type Ctx } from '../../org/index.js';
import { assertTariffVersion } from '../domain/index.js';
import { findVersion, findVersionAt, insertVersion, replaceDraftVersion } from '../tariffs.repository.js';
import { authorOf, requirePermission } from './guards.js';
import { presentVersion } from './present.js';
import type { Version } from '../tariffs.types.js';

/**
 * Saves a draft tariff version: validated first (422 listing every problem with its path), then
 * inserted — or, when a draft of the same code and effective date exists, put in its place. A
 * published version of that code and date is final: the change must be a new version (409).
 */
export async function saveTariffDraft(trx: Trx, ctx: Ctx, input: unknown): Promise<Version> {
  requirePermission(ctx, 'tariffs.write', 'draft tariff versions');
  assertTariffVersion(input);
  const existing = await findVersionAt(trx, input.code, input.effectiveFrom);
  if (existing?.status === 'published')
    throw new AppError('CONFLICT', `${input.code} from ${input.effectiveFrom} is published and final: draft a new version with a later effectiveFrom`, {
      errors: [{ field: 'effectiveFrom', code: 'already_published', message: 'a published version already starts on this date' }],
    });
  let id: number;
  if (existing) {
    id = existing.id;
    await replaceDraftVersion(trx, id, input, authorOf(ctx), ctx.now);
  } else {
    id = await insertVersion(trx, input, 'draft', authorOf(ctx), ctx.now);
  }
  await insertAudit(trx, {
    ...auditBy(ctx),
    action: existing ? 'tariff.draft.replace' : 'tariff.draft.create',
    entity: 'tariff_version',
    entityId: id,
    detail: { code: input.code, effectiveFrom: input.effectiveFrom, kind: input.kind },
  });
  return { ...presentVersion((await findVersion(trx, id))!), replaced: Boolean(existing) };
}
