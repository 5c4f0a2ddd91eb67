import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, withQuery } from '../../api/client';
import type { ErrorMeta } from '../../api/errors';
import type { Page } from '../../api/types';

/** The fee-control API (费控): src/modules/feecontrol/feecontrol.types.ts. Money is integer fen; phones arrive masked. */

export { FEE_STATES, WARN_FEN, type FeeState } from '../../../../src/modules/feecontrol/domain/policy';
export type {
  AccountFeeControl,
  BlackoutDay,
  BlackoutInput,
  CommandState,
  DisconnectApproval,
  DisconnectApprovalStatus,
  DryRun,
  DryRunItem,
  FeeControlSummary,
  FeePosition,
  MeterCommand,
  PeriodComparison,
  Protection,
  StateChange,
  TimelinePoint,
  UnitCounts,
} from '../../../../src/modules/feecontrol/feecontrol.types';
import type {
  AccountFeeControl,
  AccountsQuery,
  BlackoutDay,
  BlackoutInput,
  CommandState,
  DisconnectApproval,
  DisconnectApprovalStatus,
  DryRun,
  FeeControlSummary,
  FeePosition,
  MeterCommand,
} from '../../../../src/modules/feecontrol/feecontrol.types';

export type AccountFilters = Omit<AccountsQuery, 'cursor' | 'limit'>;

/** What the run answers (the daily run's RunSummary). */
export interface RunResult {
  accounts: number;
  estimated: number;
  changes: number;
  notices: number;
  disconnects: number;
  held: number;
  cancelled: number;
}

export const feeKeys = {
  all: ['fee-control'] as const,
  summary: ['fee-control', 'summary'] as const,
  accounts: (f: AccountFilters) => ['fee-control', 'accounts', f] as const,
  dryRun: (date: string | undefined, hour: number | undefined) => ['fee-control', 'dry-run', date ?? '', hour ?? -1] as const,
  commands: (state: CommandState | undefined) => ['fee-control', 'commands', state ?? 'all'] as const,
  approvals: (status: DisconnectApprovalStatus | undefined) => ['fee-control', 'approvals', status ?? 'all'] as const,
  blackout: ['fee-control', 'blackout'] as const,
  account: (id: number, days: number) => ['fee-control-account', id, days] as const,
};

const meta = { silentStatuses: [403] } satisfies ErrorMeta;

/** The monitor's figures; refreshed every 15 s while the page is open. */
export function useFeeSummary(enabled = true) {
  return useQuery({
    queryKey: feeKeys.summary,
    queryFn: ({ signal }) => api<FeeControlSummary>('/fee-control/summary', { signal }),
    enabled,
    refetchInterval: 15_000,
    staleTime: 5_000,
    meta,
  });
}

export function useFeeAccounts(filters: AccountFilters, opts: { enabled?: boolean; pageSize?: number; refetchMs?: number } = {}) {
  return useInfiniteQuery({
    queryKey: feeKeys.accounts(filters),
    queryFn: ({ pageParam, signal }) => api<Page<FeePosition>>(withQuery('/fee-control/accounts', { ...filters, limit: opts.pageSize ?? 50, cursor: pageParam }), { signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
    enabled: opts.enabled ?? true,
    refetchInterval: opts.refetchMs ?? false,
    meta,
  });
}

export function useDryRun(date: string | undefined, hour: number | undefined, enabled = true) {
  return useQuery({
    queryKey: feeKeys.dryRun(date, hour),
    queryFn: ({ signal }) => api<DryRun>(withQuery('/fee-control/dry-run', { date, hour }), { signal }),
    enabled,
    placeholderData: keepPreviousData,
    meta,
  });
}

export function useCommands(state: CommandState | undefined, enabled = true) {
  return useInfiniteQuery({
    queryKey: feeKeys.commands(state),
    queryFn: ({ pageParam, signal }) => api<Page<MeterCommand>>(withQuery('/fee-control/commands', { state, limit: 50, cursor: pageParam }), { signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    enabled,
    refetchInterval: 10_000,
    meta,
  });
}

export function useDisconnectApprovals(status: DisconnectApprovalStatus | undefined, enabled = true) {
  return useInfiniteQuery({
    queryKey: feeKeys.approvals(status),
    queryFn: ({ pageParam, signal }) => api<Page<DisconnectApproval>>(withQuery('/fee-control/approvals', { status, limit: 50, cursor: pageParam }), { signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    enabled,
    meta,
  });
}

export function useBlackoutDays(enabled = true) {
  return useQuery({
    queryKey: feeKeys.blackout,
    queryFn: ({ signal }) => api<{ items: BlackoutDay[] }>('/fee-control/blackout-days', { signal }),
    enabled,
    meta,
  });
}

export function useAccountFeeControl(accountId: number, days: number, enabled = true) {
  return useQuery({
    queryKey: feeKeys.account(accountId, days),
    queryFn: ({ signal }) => api<AccountFeeControl>(withQuery(`/accounts/${accountId}/fee-control`, { days }), { signal }),
    enabled: enabled && Number.isInteger(accountId) && accountId > 0,
    placeholderData: keepPreviousData,
    meta: { silentStatuses: [403, 404] } satisfies ErrorMeta,
  });
}

/** After any change: everything fee control shows may have moved. */
function useSettled() {
  const qc = useQueryClient();
  return () => {
    void qc.invalidateQueries({ queryKey: feeKeys.all });
    void qc.invalidateQueries({ queryKey: ['fee-control-account'] });
  };
}

const mutation = { meta: { handlesErrors: true } };

/** POST /fee-control/runs: "run today now". */
export function useRunToday() {
  const settled = useSettled();
  return useMutation({ mutationFn: () => api<RunResult>('/fee-control/runs', { method: 'POST' }), onSuccess: settled, ...mutation });
}

export function useRetryCommand() {
  const settled = useSettled();
  return useMutation({ mutationFn: (id: number) => api<MeterCommand>(`/fee-control/commands/${id}/retry`, { method: 'POST' }), onSuccess: settled, ...mutation });
}

export function useCancelCommand() {
  const settled = useSettled();
  return useMutation({ mutationFn: (id: number) => api<MeterCommand>(`/fee-control/commands/${id}/cancel`, { method: 'POST' }), onSuccess: settled, ...mutation });
}

export function useAddBlackoutDay() {
  const settled = useSettled();
  return useMutation({ mutationFn: (input: BlackoutInput) => api<BlackoutDay>('/fee-control/blackout-days', { method: 'POST', body: input }), onSuccess: settled, ...mutation });
}

export function useRemoveBlackoutDay() {
  const settled = useSettled();
  return useMutation({ mutationFn: (day: string) => api<void>(`/fee-control/blackout-days/${day}`, { method: 'DELETE' }), onSuccess: settled, ...mutation });
}

export function useRequestApproval() {
  const settled = useSettled();
  return useMutation({
    mutationFn: (input: { accountIds: number[]; reason: string; bulk?: boolean }) => api<{ items: DisconnectApproval[] }>('/fee-control/approvals', { method: 'POST', body: input }),
    onSuccess: settled,
    ...mutation,
  });
}

export function useDecideApproval() {
  const settled = useSettled();
  return useMutation({
    mutationFn: ({ id, approve, note }: { id: number; approve: boolean; note?: string }) =>
      api<DisconnectApproval>(`/fee-control/approvals/${id}/decide`, { method: 'POST', body: note ? { approve, note } : { approve } }),
    onSuccess: settled,
    ...mutation,
  });
}

export function useSetWarning(accountId: number) {
  const settled = useSettled();
  return useMutation({
    mutationFn: (warnFen: number) => api<FeePosition>(`/accounts/${accountId}/fee-control/warning`, { method: 'PUT', body: { warnFen } }),
    onSuccess: settled,
    ...mutation,
  });
}
