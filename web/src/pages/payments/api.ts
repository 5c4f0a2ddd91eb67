import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, withQuery } from '../../api/client';
import type { ErrorMeta } from '../../api/errors';
import type { Page } from '../../api/types';

/**
 * The payments API (收费, 凭证, 账户结算, 审批): src/modules/payments/payments.types.ts. Money is integer fen.
 */

export const CHANNELS = ['counter', 'wechatpay', 'alipay', 'gridapp', 'bank'] as const;
export type Channel = (typeof CHANNELS)[number];

export interface Allocation {
  lineNo: number;
  billId: number | null;
  period: string | null;
  penaltyFen: number;
  principalFen: number;
  prepaidFen: number;
}

export interface PaymentSummary {
  id: number;
  channel: string;
  channelTxnId: string;
  amountFen: number;
  principalFen: number;
  penaltyFen: number;
  prepaidFen: number;
  paidAt: string;
  businessDate: string;
  reversed: boolean;
  operatorName: string | null;
  receiptNo: string;
}

/** GET /payments/:id — a payment and where its money went: what the receipt prints. */
export interface Payment extends PaymentSummary {
  accountId: number;
  accountNo: string;
  accountName: string;
  allocations: Allocation[];
}

export interface OpenBill {
  billId: number;
  period: string;
  dueOn: string;
  principalDueFen: number;
  principalOpenFen: number;
  /** penalty open as of the statement day (accrued to today, not yet posted) */
  penaltyFen: number;
  overdueDays: number;
}

export interface Settlement {
  billId: number;
  principalPaidFen: number;
  penaltyChargedFen: number;
  penaltyPaidFen: number;
  penaltyWaivedFen: number;
  settledOn: string | null;
}

export interface Statement {
  accountId: number;
  asOf: string;
  arrearsFen: number;
  penaltyFen: number;
  prepaidFen: number;
  /** arrears + penalty: what settles every open bill today */
  toPayFen: number;
  openBills: OpenBill[];
  settlements: Settlement[];
}

export const APPROVAL_KINDS = ['payment.reversal', 'prepaid.refund', 'penalty.waiver'] as const;
export type ApprovalKind = (typeof APPROVAL_KINDS)[number];
export type ApprovalStatus = 'pending' | 'approved' | 'rejected';

export interface Approval {
  id: number;
  kind: ApprovalKind;
  accountId: number;
  accountNo: string;
  accountName: string;
  paymentId: number | null;
  billId: number | null;
  amountFen: number;
  reason: string;
  status: ApprovalStatus;
  requestedBy: string;
  requestedByRole: string;
  requestedAt: string;
  decidedBy: string | null;
  decidedAt: string | null;
  decisionNote: string | null;
  /** only in lists: you may approve or reject it (one level above the requester, not your own) */
  mayDecide?: boolean;
}

export interface ApprovalInput {
  kind: ApprovalKind;
  accountId?: number;
  paymentId?: number;
  billId?: number;
  amountFen?: number;
  reason: string;
}

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
