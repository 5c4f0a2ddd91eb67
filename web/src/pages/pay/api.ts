import { useMutation, useQuery } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { ErrorMeta } from '../../api/errors';

/**
 * The public payment page's API (no staff session): src/modules/channels/channels.types.ts. The lookup by
 * account no. and full name answers a pay token; orders of that account are opened and read with it
 * (header X-Pay-Token). Every hook here handles its own errors (meta.silent / handlesErrors): a 401 means
 * "look the account up again", never "sign in".
 */

export { ONLINE_CHANNELS, type OnlineChannel } from '../../../../src/modules/channels/domain/refusal';
export type { OrderStatus } from '../../../../src/modules/channels/domain/order-terms';
export type { Lookup, LookupBill, OrderReceipt, PaymentOrder, SandboxView } from '../../../../src/modules/channels/channels.types';
import type { Lookup, LookupInput, OrderInput, PaymentOrder, SandboxView } from '../../../../src/modules/channels/channels.types';

// ——— The pay session: the lookup and its token, for this tab only ———

const STORAGE_KEY = 'granary.pay';

type Saved = Lookup & { stale?: boolean };

function readSaved(): Saved | null {
  try {
    const raw = sessionStorage.getItem(STORAGE_KEY);
    if (!raw) return null;
    const lookup = JSON.parse(raw) as Saved;
    return Date.parse(lookup.payTokenExpiresAt) > Date.now() ? lookup : null;
  } catch {
    return null;
  }
}

/** The lookup to show: none once a payment made its balances out of date (the customer looks up again). */
export function savedLookup(): Lookup | null {
  const saved = readSaved();
  return saved && !saved.stale ? saved : null;
}

/** The account number last looked up in this tab (to start the next look-up with). */
export function lastAccountNo(): string | undefined {
  return readSaved()?.accountNo;
}

/** After a payment: the balances shown are out of date, the token still reads this tab's orders. */
export function markLookupStale(): void {
  const saved = readSaved();
  if (saved && !saved.stale) saveLookup({ ...saved, stale: true } as Lookup);
}

export function saveLookup(lookup: Lookup | null): void {
  try {
    if (lookup) sessionStorage.setItem(STORAGE_KEY, JSON.stringify(lookup));
    else sessionStorage.removeItem(STORAGE_KEY);
  } catch {
    /* storage disabled: the page still works within one screen */
  }
}

/** The token header when this tab has a lookup (a signed-in staff member needs none: the session answers). */
function tokenHeaders(): Record<string, string> {
  const token = readSaved()?.payToken;
  return token ? { 'x-pay-token': token } : {};
}

export function useLookup() {
  return useMutation({
    mutationFn: (body: LookupInput) => api<Lookup>('/pay/lookup', { method: 'POST', body }),
    onSuccess: (lookup) => saveLookup(lookup),
    meta: { handlesErrors: true },
  });
}

export function useCreateOrder() {
  return useMutation({
    mutationFn: (body: OrderInput) => api<PaymentOrder>('/payment-orders', { method: 'POST', body, headers: tokenHeaders() }),
    meta: { handlesErrors: true },
  });
}

/** The order, polled while it is open (the channel's notification may arrive any moment). */
export function useOrder(outTradeNo: string, poll: boolean) {
  return useQuery({
    queryKey: ['pay-order', outTradeNo],
    queryFn: ({ signal }) => api<PaymentOrder>(`/payment-orders/${encodeURIComponent(outTradeNo)}`, { signal, headers: tokenHeaders() }),
    enabled: outTradeNo !== '',
    staleTime: 0,
    retry: false,
    refetchInterval: (q) => (poll && (q.state.data?.status ?? 'open') === 'open' && !q.state.error ? 1500 : false),
    meta: { silent: true } satisfies ErrorMeta,
  });
}

export function useSandboxOrder(outTradeNo: string) {
  return useQuery({
    queryKey: ['sandbox-order', outTradeNo],
    queryFn: ({ signal }) => api<SandboxView>(`/sandbox/orders/${encodeURIComponent(outTradeNo)}`, { signal, headers: tokenHeaders() }),
    enabled: outTradeNo !== '',
    staleTime: 0,
    retry: false,
    meta: { silent: true } satisfies ErrorMeta,
  });
}

export function useSandboxPay() {
  return useMutation({
    mutationFn: (outTradeNo: string) => api<SandboxView>(`/sandbox/orders/${encodeURIComponent(outTradeNo)}/pay`, { method: 'POST', headers: tokenHeaders() }),
    meta: { handlesErrors: true },
  });
}
