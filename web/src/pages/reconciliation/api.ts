import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, API_BASE, apiUpload, withQuery } from '../../api/client';
import type { ErrorMeta } from '../../api/errors';
import type { Page } from '../../api/types';

/** The reconciliation API (对账): src/modules/reconciliation/reconciliation.types.ts. Money is integer fen. */

export const RECON_CHANNELS = ['wechatpay', 'alipay', 'gridapp', 'bank'] as const;
export type ReconChannel = (typeof RECON_CHANNELS)[number];
export const ITEM_STATUSES = ['matched', 'channel_only', 'ledger_only', 'amount_mismatch'] as const;
export type ItemStatus = (typeof ITEM_STATUSES)[number];
export const RESOLUTIONS = ['accepted_statement', 'channel_error', 'written_off'] as const;
export type Resolution = (typeof RESOLUTIONS)[number];

export interface DayRow {
  channel: ReconChannel;
  date: string;
  statementCount: number;
  statementFen: number;
  ledgerCount: number;
  ledgerFen: number;
  matched: number;
  channelOnly: number;
  ledgerOnly: number;
  amountMismatch: number;
  /** exceptions not yet reviewed */
  unresolved: number;
}

export interface ReconItem {
  id: number;
  channel: ReconChannel;
  date: string;
  channelTxnId: string;
  outTradeNo: string | null;
  status: ItemStatus;
  /** a difference to review */
  exception: boolean;
  statementFen: number | null;
  ledgerFen: number | null;
  paymentId: number | null;
  accountId: number | null;
  accountNo: string | null;
  accountName: string | null;
  importId: number | null;
  statementLine: number | null;
  reason: string | null;
  held: boolean;
  resolved: boolean;
  resolution: Resolution | null;
  resolutionNote: string | null;
  resolvedBy: number | null;
  resolvedAt: string | null;
}

export interface ImportResult {
  importId: number;
  replayed: boolean;
  channel: string;
  fileName: string;
  sha256: string;
  rows: number;
  statementFen: number;
  refunds: { count: number; fen: number };
  skipped: number;
  days: string[];
  counts: { matched: number; amountMismatch: number; channelOnlyApplied: number; channelOnlyUnapplied: number; heldForReview: number; ledgerOnly: number; alreadyReconciled: number };
}

export interface DaysFilter {
  from: string;
  to: string;
  channel?: ReconChannel | undefined;
}

export interface ItemsFilter {
  status?: ItemStatus | undefined;
  unresolved?: boolean | undefined;
}

export const reconKeys = {
  days: (f: DaysFilter) => ['recon-days', f] as const,
  items: (channel: string, date: string, f: ItemsFilter) => ['recon-items', channel, date, f] as const,
};

export function useReconDays(f: DaysFilter, enabled = true) {
  return useQuery({
    queryKey: reconKeys.days(f),
    queryFn: ({ signal }) => api<{ items: DayRow[] }>(withQuery('/reconciliation/days', { ...f }), { signal }),
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
