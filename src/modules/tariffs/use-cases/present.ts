import type { AgentPriceTable, TariffKind, TariffVersion } from '../domain/index.js';
import type { PriceTableRow, PriceTableWithDefinition, VersionRow, VersionWithDefinition } from '../tariffs.repository.js';
import type { PriceTableSummary, Version, VersionSummary } from '../tariffs.types.js';

/** Rows → API shapes (camelCase, ISO timestamps). */

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

export function presentVersionSummary(v: VersionRow): VersionSummary {
  return {
    id: v.id,
    code: v.code,
    effectiveFrom: v.effective_from,
    kind: v.kind as TariffKind,
    name: v.name,
    status: v.status,
    createdByName: v.created_by_name,
    createdAt: iso(v.created_at)!,
    publishedByName: v.published_by_name,
    publishedAt: iso(v.published_at),
  };
}

export function presentVersion(v: VersionWithDefinition): Version {
  return { ...presentVersionSummary(v), definition: v.definition as unknown as TariffVersion };
}

export function presentPriceTableSummary(t: Omit<PriceTableRow, 'row_count'> & { row_count?: number }): PriceTableSummary {
  const rows = (t as { definition?: { rows?: unknown[] } }).definition?.rows;
  return {
    id: t.id,
    month: t.month,
    status: t.status,
    source: t.source,
    late: t.late,
    rowCount: t.row_count ?? rows?.length ?? 0,
    createdByName: t.created_by_name,
    createdAt: iso(t.created_at)!,
    publishedByName: t.published_by_name,
    publishedAt: iso(t.published_at),
  };
}

export function presentPriceTable(t: PriceTableWithDefinition) {
  return { ...presentPriceTableSummary(t), definition: t.definition as unknown as AgentPriceTable };
}
