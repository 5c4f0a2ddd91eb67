import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, withQuery } from '../../api/client';
import type { ErrorMeta } from '../../api/errors';
import type { Page } from '../../api/types';

/**
 * The payments API (收费, 凭证, 账户结算, 审批): src/modules/payments/payments.types.ts. Money is integer fen.
 */

export type { Channel } from '../../../../src/modules/payments/domain/channels';
export type {
  Allocation,
  Approval,
  ApprovalInput,
  ApprovalKind,
  ApprovalStatus,
  OpenBill,
  Payment,
  PaymentSummary,
  Settlement,
  Statement,
} from '../../../../src/modules/payments/payments.types';
import type { Approval, ApprovalInput, ApprovalStatus, Payment, PaymentSummary, Statement } from '../../../../src/modules/payments/payments.types';

export const paymentKeys = {
  statement: (accountId: number) => ['statement', accountId] as const,
  accountPayments: (accountId: number) => ['account-payments', accountId] as const,
  payment: (id: number) => ['payment', id] as const,
  approvals: (status: ApprovalStatus | 'all') => ['approvals', status] as const,
};

const validId = (id: number | null | undefined): id is number => typeof id === 'number' && Number.isInteger(id) && id > 0;

export function useStatement(accountId: number | null, enabled = true) {
  return useQuery({
    queryKey: paymentKeys.statement(accountId ?? 0),
    queryFn: ({ signal }) => api<Statement>(`/accounts/${accountId}/statement`, { signal }),
    enabled: enabled && validId(accountId),
    staleTime: 10_000,
    meta: { silentStatuses: [403, 404] } satisfies ErrorMeta,
  });
}

export function useAccountPayments(accountId: number, enabled = true) {
  return useInfiniteQuery({
    queryKey: paymentKeys.accountPayments(accountId),
    queryFn: ({ pageParam, signal }) => api<Page<PaymentSummary>>(withQuery(`/accounts/${accountId}/payments`, { limit: 10, cursor: pageParam }), { signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    enabled: enabled && validId(accountId),
    meta: { silentStatuses: [403, 404] } satisfies ErrorMeta,
  });
}

export function usePayment(id: number) {
  return useQuery({
    queryKey: paymentKeys.payment(id),
    queryFn: ({ signal }) => api<Payment>(`/payments/${id}`, { signal }),
    enabled: validId(id),
    meta: { silentStatuses: [404] } satisfies ErrorMeta,
  });
}

/** After money moved on an account: its statement, payments and bills are out of date. */
function useAccountMoved() {
  const qc = useQueryClient();
  return (accountId: number) => {
    void qc.invalidateQueries({ queryKey: paymentKeys.statement(accountId) });
    void qc.invalidateQueries({ queryKey: paymentKeys.accountPayments(accountId) });
    void qc.invalidateQueries({ queryKey: ['account-bills', accountId] });
  };
}

/**
 * POST /payments (坐收) with the Idempotency-Key of this submission: a retry of the same submission
 * (a lost answer, a double click) sends the same key and gets the first answer, never a second payment.
 */
export function useCollect() {
  const moved = useAccountMoved();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ accountId, amountFen, key }: { accountId: number; amountFen: number; key: string }) =>
      api<Payment>('/payments', { method: 'POST', body: { accountId, amountFen }, headers: { 'idempotency-key': key } }),
    onSuccess: (p) => {
      qc.setQueryData(paymentKeys.payment(p.id), p);
      moved(p.accountId);
    },
    meta: { handlesErrors: true },
  });
}

export function useApprovals(status: ApprovalStatus | 'all', enabled = true) {
  return useInfiniteQuery({
    queryKey: paymentKeys.approvals(status),
    queryFn: ({ pageParam, signal }) => api<Page<Approval>>(withQuery('/approvals', { status: status === 'all' ? undefined : status, limit: 50, cursor: pageParam }), { signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
    enabled,
  });
}

export function useRequestApproval() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: ApprovalInput) => api<Approval>('/approvals', { method: 'POST', body: input }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['approvals'] }),
    meta: { handlesErrors: true },
  });
}

export function useDecide() {
  const qc = useQueryClient();
  const moved = useAccountMoved();
  return useMutation({
    mutationFn: ({ id, approve, note }: { id: number; approve: boolean; note?: string }) =>
      api<Approval>(`/approvals/${id}/decision`, { method: 'POST', body: note ? { approve, note } : { approve } }),
    onSuccess: (a) => {
      void qc.invalidateQueries({ queryKey: ['approvals'] });
      if (a.paymentId) void qc.invalidateQueries({ queryKey: paymentKeys.payment(a.paymentId) });
      moved(a.accountId);
    },
    meta: { handlesErrors: true },
  });
}
