import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, API_BASE, ApiError, withQuery, type Problem } from '../../api/client';
import type { ErrorMeta } from '../../api/errors';

/**
 * The tariffs API (电价): src/modules/tariffs/tariffs.types.ts, one hook per endpoint. Money is integer
 * fen; prices are decimal strings. Definitions are in the catalogue format (domain/tariff-format.ts).
 */

export type {
  AffectedAccount as Affected,
  Bucket,
  Catalogue,
  CatalogueItem,
  Impact,
  PriceTable,
  PriceTableList,
  PriceTableSummary,
  QuoteResult,
  Status,
  Version,
  VersionSummary,
} from '../../../../src/modules/tariffs/tariffs.types';
export type { AgentPriceRow as PriceRow } from '../../../../src/modules/tariffs/domain/tariff-format';
import type { Catalogue, Impact, PriceTable, PriceTableList, QuoteResult, Version } from '../../../../src/modules/tariffs/tariffs.types';
import type { TariffVersion } from '../../../../src/modules/tariffs/domain/tariff-format';

type KeyOfAny<T> = T extends unknown ? keyof T : never;
type ValueOfAny<T, K extends PropertyKey> = T extends unknown ? (K extends keyof T ? T[K] : never) : never;

/**
 * A tariff version read without narrowing on its kind (the form, the view): the fields every kind has,
 * and every kind's own fields as optional.
 */
export type TariffDefinition = Pick<TariffVersion, keyof TariffVersion> & {
  [K in Exclude<KeyOfAny<TariffVersion>, keyof TariffVersion>]?: ValueOfAny<TariffVersion, K>;
};

export type { PresentedLine } from '../../api/types';

export type DraftRef = { kind: 'version' | 'table'; id: number };

export const tariffKeys = {
  catalogue: ['tariffs'] as const,
  version: (id: number) => ['tariff-version', id] as const,
  tables: ['agent-prices'] as const,
  table: (id: number) => ['agent-prices', id] as const,
  impact: (ref: DraftRef, top: number) => ['impact', ref.kind, ref.id, top] as const,
};

export function useCatalogue() {
  return useQuery({ queryKey: tariffKeys.catalogue, queryFn: ({ signal }) => api<Catalogue>('/tariffs', { signal }) });
}

export function useVersion(id: number | null) {
  return useQuery({
    queryKey: tariffKeys.version(id ?? 0),
    queryFn: ({ signal }) => api<Version>(`/tariff-versions/${id}`, { signal }),
    enabled: id !== null && id > 0,
    meta: { silentStatuses: [404] } satisfies ErrorMeta,
  });
}

export function usePriceTables() {
  return useQuery({ queryKey: tariffKeys.tables, queryFn: ({ signal }) => api<PriceTableList>('/agent-prices', { signal }) });
}

export function usePriceTable(id: number | null) {
  return useQuery({
    queryKey: tariffKeys.table(id ?? 0),
    queryFn: ({ signal }) => api<PriceTable>(`/agent-prices/${id}`, { signal }),
    enabled: id !== null && id > 0,
    meta: { silentStatuses: [404] } satisfies ErrorMeta,
  });
}

export function useImpact(ref: DraftRef | null, top: number) {
  return useQuery({
    queryKey: tariffKeys.impact(ref ?? { kind: 'version', id: 0 }, top),
    queryFn: ({ signal }) => api<Impact>(withQuery(impactPath(ref!), { top }), { signal }),
    enabled: ref !== null,
    staleTime: 60_000,
  });
}

export const impactPath = (ref: DraftRef) => (ref.kind === 'version' ? `/tariff-versions/${ref.id}/impact` : `/agent-prices/${ref.id}/impact`);
export const impactXlsxUrl = (ref: DraftRef, top: number) => `${API_BASE}${withQuery(impactPath(ref), { top, format: 'xlsx' })}`;
export const priceTableFileUrl = (id: number, format: 'csv' | 'xlsx', labels: 'en' | 'zh' = 'zh') => `${API_BASE}${withQuery(`/agent-prices/${id}/file`, { format, labels })}`;

// Mutations whose page shows the 422 list itself say `handlesErrors: true` (no toast on top of it).

export function useSaveVersion() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (definition: unknown) => api<Version>('/tariff-versions', { method: 'POST', body: definition }),
    onSuccess: () => qc.invalidateQueries({ queryKey: tariffKeys.catalogue }),
    meta: { handlesErrors: true },
  });
}

export function usePublishVersion() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => api<Version>(`/tariff-versions/${id}/publish`, { method: 'POST' }),
    onSuccess: (v) => {
      void qc.invalidateQueries({ queryKey: tariffKeys.catalogue });
      qc.setQueryData(tariffKeys.version(v.id), v);
    },
  });
}

export function useDiscardVersion() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => api<void>(`/tariff-versions/${id}`, { method: 'DELETE' }),
    onSuccess: () => qc.invalidateQueries({ queryKey: tariffKeys.catalogue }),
  });
}

export function useSavePriceTable() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (table: unknown) => api<PriceTable>('/agent-prices', { method: 'POST', body: table }),
    onSuccess: () => qc.invalidateQueries({ queryKey: tariffKeys.tables }),
    meta: { handlesErrors: true },
  });
}

export function useImportPriceTable() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ month, file }: { month: string; file: File }) => upload<PriceTable>(withQuery('/agent-prices/import', { month }), file),
    onSuccess: () => qc.invalidateQueries({ queryKey: tariffKeys.tables }),
    meta: { handlesErrors: true },
  });
}

export function usePublishPriceTable() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => api<PriceTable>(`/agent-prices/${id}/publish`, { method: 'POST' }),
    onSuccess: (t) => {
      void qc.invalidateQueries({ queryKey: tariffKeys.tables });
      qc.setQueryData(tariffKeys.table(t.id), t);
    },
  });
}

export function useDiscardPriceTable() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => api<void>(`/agent-prices/${id}`, { method: 'DELETE' }),
    onSuccess: () => qc.invalidateQueries({ queryKey: tariffKeys.tables }),
  });
}

export function useQuote() {
  return useMutation({ mutationFn: (body: unknown) => api<QuoteResult>('/quotes', { method: 'POST', body }), meta: { handlesErrors: true } });
}

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** A file as the raw request body (the import takes CSV or xlsx as they are), same session and errors as api(). */
async function upload<T>(path: string, file: File): Promise<T> {
  const type = file.name.toLowerCase().endsWith('.xlsx') ? XLSX : 'text/csv';
  let response: Response;
  try {
    response = await fetch(`${API_BASE}${path}`, { method: 'POST', credentials: 'same-origin', headers: { accept: 'application/json', 'content-type': type }, body: file });
  } catch (err) {
    throw new ApiError({ status: 0, code: 'NETWORK', detail: (err as Error).message });
  }
  const body = (await response.json().catch(() => null)) as (Problem & T) | null;
  if (!response.ok) throw new ApiError({ ...(body ?? {}), status: body?.status ?? response.status });
  return body as T;
}

/** The field problems of a 422, or null for any other error. */
export function fieldProblems(err: unknown): Problem['errors'] | null {
  return err instanceof ApiError && err.status === 422 && err.problem.errors?.length ? err.problem.errors : null;
}
