import { clearingBook, type Channel } from './channels.js';

/** A ledger entry of a payment's transfers, before the transfer ids exist. */
export interface PaymentEntry {
  kind: 'penalty.assess' | 'payment' | 'payment.reversal' | 'penalty.waiver' | 'prepaid.refund' | 'prepaid.settle';
  book: string;
  amountFen: number;
}

/**
 * The transfers a payment posts: the penalty it brought to charge (penalty receivable debited, penalty
 * revenue credited), then the payment itself (the channel's clearing book debited; receivable, penalty and
 * prepaid credited with what allocation gave each). Zero entries are left out; each transfer balances.
 */
export function paymentEntries(channel: Channel, p: { amountFen: number; principalFen: number; penaltyFen: number; prepaidFen: number; penaltyChargedFen: number }): PaymentEntry[] {
  const out: PaymentEntry[] = [];
  if (p.penaltyChargedFen > 0) {
    out.push({ kind: 'penalty.assess', book: 'penalty', amountFen: p.penaltyChargedFen });
    out.push({ kind: 'penalty.assess', book: 'revenue.penalty', amountFen: -p.penaltyChargedFen });
  }
  out.push({ kind: 'payment', book: clearingBook(channel), amountFen: p.amountFen });
  if (p.principalFen > 0) out.push({ kind: 'payment', book: 'receivable', amountFen: -p.principalFen });
  if (p.penaltyFen > 0) out.push({ kind: 'payment', book: 'penalty', amountFen: -p.penaltyFen });
  if (p.prepaidFen > 0) out.push({ kind: 'payment', book: 'prepaid', amountFen: -p.prepaidFen });
  return out;
}

/** The reversal (冲正) of a payment: its payment transfer with the signs turned. */
export function reversalEntries(channel: Channel, p: { amountFen: number; principalFen: number; penaltyFen: number; prepaidFen: number }): PaymentEntry[] {
  return paymentEntries(channel, { ...p, penaltyChargedFen: 0 }).map((e) => ({ kind: 'payment.reversal', book: e.book, amountFen: -e.amountFen }));
}

/** A refund of prepaid balance paid out at the counter. */
export function refundEntries(amountFen: number): PaymentEntry[] {
  return [
    { kind: 'prepaid.refund', book: 'prepaid', amountFen },
    { kind: 'prepaid.refund', book: clearingBook('counter'), amountFen: -amountFen },
  ];
}

/** A waiver of charged penalty: penalty revenue given back, the penalty receivable credited. */
export function waiverEntries(amountFen: number): PaymentEntry[] {
  return [
    { kind: 'penalty.waiver', book: 'revenue.penalty', amountFen },
    { kind: 'penalty.waiver', book: 'penalty', amountFen: -amountFen },
  ];
}

/** Penalty brought to charge outside a payment (before a waiver). */
export function assessEntries(amountFen: number): PaymentEntry[] {
  return amountFen > 0
    ? [
        { kind: 'penalty.assess', book: 'penalty', amountFen },
        { kind: 'penalty.assess', book: 'revenue.penalty', amountFen: -amountFen },
      ]
    : [];
}

/** A bill paid from the prepaid balance (预收冲抵): the prepaid credit debited, receivable credited. */
export function settleEntries(amountFen: number): PaymentEntry[] {
  return [
    { kind: 'prepaid.settle', book: 'prepaid', amountFen },
    { kind: 'prepaid.settle', book: 'receivable', amountFen: -amountFen },
  ];
}

/**
 * How much of each newly issued bill the prepaid balances pay (RULES §8.4), in the order given: each bill
 * takes what is left of its account's prepaid balance, up to its total. Bills of nothing, and accounts
 * without a balance, take nothing.
 */
export function prepaidSettlements(bills: readonly { accountId: number; billId: number; totalFen: number }[], prepaid: ReadonlyMap<number, number>): { accountId: number; billId: number; totalFen: number; settledFen: number }[] {
  const left = new Map(prepaid);
  const out: { accountId: number; billId: number; totalFen: number; settledFen: number }[] = [];
  for (const b of bills) {
    const available = left.get(b.accountId) ?? 0;
    const settledFen = Math.min(available, Math.max(b.totalFen, 0));
    if (settledFen <= 0) continue;
    left.set(b.accountId, available - settledFen);
    out.push({ ...b, settledFen });
  }
  return out;
}
