import type { Executor } from '../../../db/tx.js';
import { businessDate } from '../../../shared/business-time.js';
import { notFound } from '../../../shared/errors.js';
import type { Ctx } from '../../org/index.js';
import type { TariffKind } from '../domain/index.js';
import { findVersion, listVersions, type VersionRow } from '../tariffs.repository.js';
import type { Catalogue, Version } from '../tariffs.types.js';
import { presentVersion, presentVersionSummary } from './present.js';

/**
 * The catalogue by code, oldest version first, with the published version in effect today. Every role
 * may read it: prices are public information, and the same for the whole company.
 */
export async function listCatalogue(db: Executor, ctx: Ctx): Promise<Catalogue> {
  const today = businessDate(ctx.now);
  const byCode = new Map<string, VersionRow[]>();
  for (const v of await listVersions(db)) byCode.set(v.code, [...(byCode.get(v.code) ?? []), v]);
  const items = [...byCode].map(([code, versions]) => {
    const current = versions.filter((v) => v.status === 'published' && v.effective_from <= today).at(-1) ?? null;
    const shown = current ?? versions.at(-1)!;
    return { code, name: shown.name, kind: shown.kind as TariffKind, currentVersionId: current?.id ?? null, versions: versions.map(presentVersionSummary) };
  });
  return { items, today };
}

export async function getVersion(db: Executor, _ctx: Ctx, id: number): Promise<Version> {
  const v = await findVersion(db, id);
  if (!v) throw notFound('tariff version');
  return presentVersion(v);
}
