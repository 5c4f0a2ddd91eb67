/**
 * Account events (账务事件): one per account and business object a posting moved money for — a bill issued,
 * a payment applied, a refund … — with what it changed on the account's books and the balances after.
 * Other modules react to these instead of reading each other's tables.
 */
export const EVENT_KINDS = [
  'bill.issued',
  'bill.adjusted',
  'payment.applied',
  'payment.reversed',
  'prepaid.refunded',
  'prepaid.credited',
  'prepaid.debited',
  'penalty.posted',
  'penalty.waived',
  // fee control's state changes (no money moves: deltas 0, the balances as they stand)
  'fee_control.normal',
  'fee_control.warned',
  'fee_control.pending',
  'fee_control.disconnected',
  'fee_control.reconnecting',
] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

/** The event each transfer kind makes (a penalty brought to charge with a payment or waiver is part of that). */
const EVENT_OF_TRANSFER: Record<string, EventKind> = {
  'bill.issue': 'bill.issued',
  'bill.adjustment': 'bill.adjusted',
  payment: 'payment.applied',
  'payment.reversal': 'payment.reversed',
  'prepaid.refund': 'prepaid.refunded',
  'prepaid.credit': 'prepaid.credited',
  'prepaid.settle': 'prepaid.debited',
  'penalty.waiver': 'penalty.waived',
  'penalty.assess': 'penalty.posted',
};

/** The event kind of a ref's transfers: the first that is not a penalty assessment, else the assessment. */
export function eventKindOf(transferKinds: readonly string[]): EventKind {
  const main = transferKinds.find((k) => k !== 'penalty.assess') ?? transferKinds[0];
  const kind = main === undefined ? undefined : EVENT_OF_TRANSFER[main];
  if (!kind) throw new Error(`no account event for transfers ${JSON.stringify(transferKinds)}`);
  return kind;
}

/**
 * What one posting did to one account for one business object: the event to append (appendEvents adds the
 * balances after it). Changes as the customer sees them: receivable and penalty owed, prepaid held for them.
 */
export interface EventRef {
  accountId: number;
  refType: string;
  refId: number;
  kind: EventKind;
  businessDate: string;
  receivableDeltaFen: number;
  prepaidDeltaFen: number;
  penaltyDeltaFen: number;
}

/** One event per (account, ref) of posted entries, in first-seen order: its kind from the transfer kinds, its changes from the amounts. */
export function eventRefsOf(refType: string, entries: readonly { accountId: number; refId: number; kind: string; book: string; amountFen: number; businessDate: string }[]): EventRef[] {
  const groups = new Map<string, { ref: EventRef; kinds: string[] }>();
  for (const e of entries) {
    const key = `${e.accountId}:${e.refId}`;
    let g = groups.get(key);
    if (!g) {
      g = { ref: { accountId: e.accountId, refType, refId: e.refId, kind: 'payment.applied', businessDate: e.businessDate, receivableDeltaFen: 0, prepaidDeltaFen: 0, penaltyDeltaFen: 0 }, kinds: [] };
      groups.set(key, g);
    }
    if (!g.kinds.includes(e.kind)) g.kinds.push(e.kind);
    if (e.book === 'receivable') g.ref.receivableDeltaFen += e.amountFen;
    else if (e.book === 'prepaid') g.ref.prepaidDeltaFen -= e.amountFen; // a credit to the book is money held for the customer
    else if (e.book === 'penalty') g.ref.penaltyDeltaFen += e.amountFen;
  }
  return [...groups.values()].map((g) => ({ ...g.ref, kind: eventKindOf(g.kinds) }));
}
