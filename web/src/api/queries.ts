import { keepPreviousData, MutationCache, QueryCache, QueryClient, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, API_BASE, ApiError, withQuery } from './client';
import { reportError, type ErrorMeta } from './errors';
import type { Account, AccountFilters, AccountSummary, Bill, BillRun, BillRunException, BillRunExceptionFilter, BillSummary, OrgTree, Page, Read, User } from './types';

export function createQueryClient(): QueryClient {
  return new QueryClient({
    queryCache: new QueryCache({ onError: (err, query) => reportError(err, query.meta as ErrorMeta | undefined) }),
    mutationCache: new MutationCache({
      onError: (err, _vars, _ctx, mutation) => {
        if ((mutation.meta as { handlesErrors?: boolean } | undefined)?.handlesErrors) return;
        reportError(err);
      },
    }),
    defaultOptions: {
      queries: {
        staleTime: 30_000,
        refetchOnWindowFocus: false,
        // 4xx will not change by asking again; network blips and 5xx get one more try.
        retry: (count, err) => !(err instanceof ApiError && err.status >= 400 && err.status < 500) && count < 1,
      },
    },
  });
}

export const queryKeys = {
  me: ['me'] as const,
  orgTree: ['org-tree'] as const,
  accounts: (filters: AccountFilters) => ['accounts', filters] as const,
  account: (id: number, unmask: boolean) => ['account', id, { unmask }] as const,
  reads: (id: number, kind: 'cycle' | 'daily', from: string, to: string) => ['reads', id, kind, from, to] as const,
  apiRoutes: ['api-routes'] as const,
  billRuns: ['bill-runs'] as const,
  billRun: (id: number) => ['bill-run', id] as const,
  billRunExceptions: (id: number, filter: BillRunExceptionFilter) => ['bill-run-exceptions', id, filter] as const,
  accountBills: (accountId: number) => ['account-bills', accountId] as const,
  bill: (id: number) => ['bill', id] as const,
};

/** The signed-in user, or null when there is no session (401 is an answer here, not an error). */
export function useMe() {
  return useQuery({
    queryKey: queryKeys.me,
    queryFn: async ({ signal }) => {
      try {
        return await api<User>('/auth/me', { signal });
      } catch (err) {
        if (err instanceof ApiError && err.status === 401) return null;
        throw err;
      }
    },
    staleTime: Infinity,
  });
}

export function useOrgTree(enabled = true) {
  return useQuery({ queryKey: queryKeys.orgTree, queryFn: ({ signal }) => api<OrgTree>('/org/tree', { signal }), enabled, staleTime: 5 * 60_000 });
}

export const PAGE_SIZE = 50;

export function useAccountSearch(filters: AccountFilters, enabled = true) {
  return useInfiniteQuery({
    queryKey: queryKeys.accounts(filters),
    queryFn: ({ pageParam, signal }) =>
      api<Page<AccountSummary>>(withQuery('/accounts', { ...filters, limit: PAGE_SIZE, cursor: pageParam }), { signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
    enabled,
  });
}

export function useAccount(id: number, unmask: boolean) {
  return useQuery({
    queryKey: queryKeys.account(id, unmask),
    queryFn: ({ signal }) => api<Account>(withQuery(`/accounts/${id}`, { unmask: unmask || undefined }), { signal }),
    enabled: Number.isInteger(id) && id > 0,
    placeholderData: keepPreviousData,
    meta: { silentStatuses: [404] } satisfies ErrorMeta,
    // Unmasked numbers are not kept around longer than the page needs them.
    gcTime: unmask ? 0 : 5 * 60_000,
  });
}

export function useReads(id: number, kind: 'cycle' | 'daily', from: string, to: string, enabled = true) {
  return useQuery({
    queryKey: queryKeys.reads(id, kind, from, to),
    queryFn: ({ signal }) => api<{ items: Read[] }>(withQuery(`/accounts/${id}/reads`, { kind, from, to }), { signal }),
    enabled,
  });
}

/**
 * The API's routes as its OpenAPI document lists them ("GET /api/v1/bills/{id}/pdf"), so the UI offers a
 * download only where the server has it. Loaded once per session; an unreadable document means "none".
 */
export function useApiRoutes(enabled = true) {
  return useQuery({
    queryKey: queryKeys.apiRoutes,
    queryFn: async ({ signal }) => {
      const response = await fetch('/openapi.json', { credentials: 'same-origin', headers: { accept: 'application/json' }, signal });
      if (!response.ok) return new Set<string>();
      const doc = (await response.json()) as { paths?: Record<string, Record<string, unknown>> };
      const routes = new Set<string>();
      for (const [path, methods] of Object.entries(doc.paths ?? {})) for (const method of Object.keys(methods)) routes.add(`${method.toUpperCase()} ${path}`);
      return routes;
    },
    enabled,
    staleTime: Infinity,
    retry: false,
  });
}

/** Whether the server has a route, e.g. hasRoute(routes, 'GET', '/bills/{id}/pdf') (path below /api/v1). */
export function hasRoute(routes: Set<string> | undefined, method: string, path: string): boolean {
  return routes?.has(`${method} ${API_BASE}${path}`) ?? false;
}

// ——— Billing: bill runs (电费发行) and bills ———

/** A run is under way while it rates or issues; the screens poll it then (every second on its own page). */
export const runInProgress = (status: BillRun['status'] | undefined) => status === 'rating' || status === 'issuing';

export function useBillRuns(enabled = true) {
  return useInfiniteQuery({
    queryKey: queryKeys.billRuns,
    queryFn: ({ pageParam, signal }) => api<Page<BillRun>>(withQuery('/bill-runs', { limit: 24, cursor: pageParam }), { signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    enabled,
    meta: { silentStatuses: [403] } satisfies ErrorMeta,
    refetchInterval: (query) => (query.state.data?.pages.some((p) => p.items.some((r) => runInProgress(r.status))) ? 2000 : false),
  });
}

export function useBillRun(id: number) {
  return useQuery({
    queryKey: queryKeys.billRun(id),
    queryFn: ({ signal }) => api<BillRun>(`/bill-runs/${id}`, { signal }),
    enabled: Number.isInteger(id) && id > 0,
    meta: { silentStatuses: [403, 404] } satisfies ErrorMeta,
    staleTime: 0,
    // Live progress: once a second while rating or issuing, then the run is settled until someone acts.
    refetchInterval: (query) => (runInProgress(query.state.data?.status) ? 1000 : false),
    refetchIntervalInBackground: false,
  });
}

export function useBillRunExceptions(id: number, filter: BillRunExceptionFilter, enabled = true) {
  return useInfiniteQuery({
    queryKey: queryKeys.billRunExceptions(id, filter),
    queryFn: ({ pageParam, signal }) => api<Page<BillRunException>>(withQuery(`/bill-runs/${id}/exceptions`, { ...filter, limit: PAGE_SIZE, cursor: pageParam }), { signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
    enabled: enabled && Number.isInteger(id) && id > 0,
  });
}

/** After a run changes, its page, the list and any bills shown elsewhere are out of date. */
function useRunSettled() {
  const qc = useQueryClient();
  return (run: BillRun) => {
    qc.setQueryData(queryKeys.billRun(run.id), run);
    void qc.invalidateQueries({ queryKey: queryKeys.billRuns });
    void qc.invalidateQueries({ queryKey: ['bill-run-exceptions', run.id] });
  };
}

/** POST /bill-runs: starts the period's run, or answers the one already there (running a period again adds nothing). */
export function useStartBillRun() {
  const settled = useRunSettled();
  return useMutation({
    mutationFn: (period: string) => api<BillRun>('/bill-runs', { method: 'POST', body: { period } }),
    onSuccess: settled,
    meta: { handlesErrors: true },
  });
}

export function useApproveBillRun() {
  const settled = useRunSettled();
  return useMutation({
    mutationFn: ({ id, note }: { id: number; note?: string }) => api<BillRun>(`/bill-runs/${id}/approve`, { method: 'POST', body: note ? { note } : {} }),
    onSuccess: settled,
    meta: { handlesErrors: true },
  });
}

/** POST /bill-runs/:id/issue: issues an approved run, or resumes one whose issue stopped. */
export function useIssueBillRun() {
  const settled = useRunSettled();
  return useMutation({
    mutationFn: (id: number) => api<BillRun>(`/bill-runs/${id}/issue`, { method: 'POST' }),
    onSuccess: settled,
    meta: { handlesErrors: true },
  });
}

export function useAccountBills(accountId: number, enabled = true) {
  return useInfiniteQuery({
    queryKey: queryKeys.accountBills(accountId),
    queryFn: ({ pageParam, signal }) => api<Page<BillSummary>>(withQuery(`/accounts/${accountId}/bills`, { limit: 12, cursor: pageParam }), { signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    enabled: enabled && Number.isInteger(accountId) && accountId > 0,
  });
}

export function useBill(id: number | null) {
  return useQuery({
    queryKey: queryKeys.bill(id ?? 0),
    queryFn: ({ signal }) => api<Bill>(`/bills/${id}`, { signal }),
    enabled: id !== null && id > 0,
  });
}

export const billRunSummaryUrl = (id: number) => `${API_BASE}/bill-runs/${id}/summary.xlsx`;
export const billPdfUrl = (id: number) => `${API_BASE}/bills/${id}/pdf`;
