import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, API_BASE, apiUpload, withQuery } from '../../api/client';
import type { ErrorMeta } from '../../api/errors';
import type { Page } from '../../api/types';

/** The reconciliation API (对账): src/modules/reconciliation/reconciliation.types.ts. Money is integer fen. */

export { RECON_CHANNELS, type ReconChannel } from '../../../../src/modules/reconciliation/domain/statements';
export { ITEM_STATUSES, RESOLUTIONS, type ItemStatus, type Resolution } from '../../../../src/modules/reconciliation/domain/matching';
export type { DayRow, ImportResult, ReconItem } from '../../../../src/modules/reconciliation/reconciliation.types';
import type { ReconChannel } from '../../../../src/modules/reconciliation/domain/statements';
import type { Resolution } from '../../../../src/modules/reconciliation/domain/matching';
import type { DaysPage, DaysQuery, ImportResult, ItemsQuery, ReconItem } from '../../../../src/modules/reconciliation/reconciliation.types';

/** The report's filter: the query of GET /reconciliation/days. */
export type DaysFilter = DaysQuery;

/** The items' filter (the pages are the hook's). */
export type ItemsFilter = Pick<ItemsQuery, 'status' | 'unresolved'>;

export const reconKeys = {
  days: (f: DaysFilter) => ['recon-days', f] as const,
  items: (channel: string, date: string, f: ItemsFilter) => ['recon-items', channel, date, f] as const,
};

export function useReconDays(f: DaysFilter, enabled = true) {
  return useQuery({
    queryKey: reconKeys.days(f),
    queryFn: ({ signal }) => api<DaysPage>(withQuery('/reconciliation/days', { ...f }), { signal }),
    placeholderData: keepPreviousData,
    enabled,
    meta: { silentStatuses: [403] } satisfies ErrorMeta,
  });
}

export function useReconItems(channel: string, date: string, f: ItemsFilter) {
  return useInfiniteQuery({
    queryKey: reconKeys.items(channel, date, f),
    queryFn: ({ pageParam, signal }) => api<Page<ReconItem>>(withQuery(`/reconciliation/days/${channel}/${date}/items`, { ...f, limit: 100, cursor: pageParam }), { signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
    meta: { silentStatuses: [403, 404] } satisfies ErrorMeta,
  });
}

export function useResolveItem() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, resolution, note }: { id: number; resolution: Resolution; note: string }) => api<ReconItem>(`/reconciliation/items/${id}/resolve`, { method: 'POST', body: { resolution, note } }),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['recon-items'] });
      void qc.invalidateQueries({ queryKey: ['recon-days'] });
    },
    meta: { handlesErrors: true },
  });
}

/** Alipay statements may be GBK: the file goes as bytes (octet-stream), the server sniffs the encoding. */
export function useImportStatement() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ channel, file }: { channel: ReconChannel; file: File }) =>
      apiUpload<ImportResult>(withQuery('/reconciliation/imports', { channel, fileName: file.name.slice(0, 200) }), file, 'application/octet-stream'),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['recon-days'] });
      void qc.invalidateQueries({ queryKey: ['recon-items'] });
    },
    meta: { handlesErrors: true },
  });
}

export const reconDaysXlsxUrl = (f: DaysFilter) => `${API_BASE}${withQuery('/reconciliation/days.xlsx', { ...f })}`;
