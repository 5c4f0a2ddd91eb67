import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, API_BASE, ApiError, withQuery, type Problem } from '../../api/client';
import type { ErrorMeta } from '../../api/errors';
import type { PresentedLine } from '../../api/types';

/** The tariffs API (电价): shapes and one hook per endpoint. Money is integer fen; prices are decimal strings. */

export type Status = 'draft' | 'published';

export interface VersionSummary {
  id: number;
  code: string;
  effectiveFrom: string;
  kind: 'tiered' | 'shared-meter' | 'flat' | 'single-part' | 'two-part';
  name: string;
  status: Status;
  createdByName: string;
  createdAt: string;
  publishedByName: string | null;
  publishedAt: string | null;
}

export interface Version extends VersionSummary {
  definition: TariffDefinition;
  replaced?: boolean;
}

/** The catalogue format (src/modules/tariffs/domain/tariff-format.ts), loosely: the UI only reads it. */
export interface TariffDefinition {
  code: string;
  name: string;
  effectiveFrom: string;
  kind: VersionSummary['kind'];
  appliesTo?: { categories?: string[]; voltageLevels?: string[] };
  notes?: string;
  tiers?: { upToKwh?: string; price: string }[];
  cycleThresholds?: 'per-month' | 'per-cycle';
  basePrice?: string;
  markup?: string;
  price?: string;
  funds?: { perKwh: string };
  agentPurchase?: { column: 'single-part' | 'two-part' };
  tou?: {
    factors: { peak: string; flat: string; valley: string; critical?: string };
    hours: { period: 'peak' | 'flat' | 'valley'; from: string; to: string }[];
    critical?: { months: number[]; hours: { from: string; to: string }[] };
    floating: string[];
  };
  basic?: {
    capacityPricePerKva: string;
    demandPricePerKw: string;
    demandTolerance: string;
    excessMultiplier: string;
    demandFloorOfCapacity: string;
    highLoadDiscount?: { kwhPerKva: string; factor: string; appliesTo: string[] };
    daysPerMonth: number;
    singlePartUpToKva?: string;
  };
  powerFactor?: { tables: unknown; exemptBelowKva?: string };
}

export interface CatalogueItem {
  code: string;
  name: string;
  kind: string;
  currentVersionId: number | null;
  versions: VersionSummary[];
}

export interface PriceRow {
  voltage: string;
  column: 'single-part' | 'two-part';
  agent: string;
  lineLoss: string;
  td: string;
  systemOps: string;
  funds: string;
}

export interface PriceTableSummary {
  id: number;
  month: string;
  status: Status;
  source: 'api' | 'csv' | 'xlsx' | 'seed';
  late: boolean;
  rowCount: number;
  createdByName: string;
  createdAt: string;
  publishedByName: string | null;
  publishedAt: string | null;
}

export interface PriceTable extends PriceTableSummary {
  definition: { month: string; publishedOn?: string; region?: string; notes?: string; rows: PriceRow[] };
  deadline: string;
  replaced?: boolean;
  ignoredColumns?: string[];
  comparison: { month: string; missingRows: string[]; changes: { voltage: string; column: string; component: string; from: string; to: string }[] } | null;
}

export type { PresentedLine } from '../../api/types';

export interface QuoteResult {
  tariffCode: string;
  tariffEffectiveFrom: string;
  tariffName: string;
  period: string;
  lines: PresentedLine[];
  subtotals: { kind: PresentedLine['kind']; amountFen: number }[];
  kwh: string;
  averagePrice: string | null;
  totalFen: number;
  agentPrices: { month: string; source: 'published' | 'inline' } | null;
}

export interface Bucket {
  from: number | null;
  to: number | null;
  count: number;
}

export interface Affected {
  accountId: number;
  accountNo: string;
  name: string;
  category: string;
  tariffCode: string;
  stationName: string | null;
  areaName: string | null;
  managerName: string | null;
  phone: string | null;
  period: string;
  beforeFen: number;
  afterFen: number;
  changeFen: number;
  changePercent: string | null;
}

export interface Impact {
  draft: { kind: 'tariffVersion' | 'agentPriceTable'; id: number; code: string | null; effectiveFrom: string | null; month: string | null };
  basis: string;
  scope: 'company' | 'station' | 'area';
  accounts: { considered: number; rated: number; increased: number; decreased: number; unchanged: number; noUsage: number; notAffected: number; notRated: number };
  totals: { beforeFen: number; afterFen: number; changeFen: number; changePercent: string | null };
  histogramFen: Bucket[];
  histogramPercent: Bucket[];
  noBase: number;
  periods: { period: string; accounts: number }[];
  problems: { field: string; message: string; count: number; accountNo: string }[];
  top: Affected[];
  elapsedMs: number;
}

export type DraftRef = { kind: 'version' | 'table'; id: number };

export const tariffKeys = {
  catalogue: ['tariffs'] as const,
  version: (id: number) => ['tariff-version', id] as const,
  tables: ['agent-prices'] as const,
  table: (id: number) => ['agent-prices', id] as const,
  impact: (ref: DraftRef, top: number) => ['impact', ref.kind, ref.id, top] as const,
};

export function useCatalogue() {
  return useQuery({ queryKey: tariffKeys.catalogue, queryFn: ({ signal }) => api<{ items: CatalogueItem[]; today: string }>('/tariffs', { signal }) });
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
  return useQuery({ queryKey: tariffKeys.tables, queryFn: ({ signal }) => api<{ items: PriceTableSummary[] }>('/agent-prices', { signal }) });
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
