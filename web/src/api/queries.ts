import { keepPreviousData, MutationCache, QueryCache, QueryClient, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { api, ApiError, withQuery } from './client';
import { reportError, type ErrorMeta } from './errors';
import type { Account, AccountFilters, AccountSummary, OrgTree, Page, Read, User } from './types';

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

export function useAccountSearch(filters: AccountFilters) {
  return useInfiniteQuery({
    queryKey: queryKeys.accounts(filters),
    queryFn: ({ pageParam, signal }) =>
      api<Page<AccountSummary>>(withQuery('/accounts', { ...filters, limit: PAGE_SIZE, cursor: pageParam }), { signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
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
