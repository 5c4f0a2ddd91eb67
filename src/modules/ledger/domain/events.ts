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

/** One business object's transfers on one account, posted together: what makes one event. */
export interface EventRef {
  accountId: number;
  refType: string;
  refId: number;
  /** the kinds of the transfers (of this ref) that this posting wrote */
  transferKinds: readonly string[];
}

/** The event kind of a ref's transfers: the first that is not a penalty assessment, else the assessment. */
export function eventKindOf(transferKinds: readonly string[]): EventKind {
  const main = transferKinds.find((k) => k !== 'penalty.assess') ?? transferKinds[0];
  const kind = main === undefined ? undefined : EVENT_OF_TRANSFER[main];
  if (!kind) throw new Error(`no account event for transfers ${JSON.stringify(transferKinds)}`);
  return kind;
}

/** Refs of entries as postings give them: one per (account, ref), with their transfer kinds, in first-seen order. */
export function eventRefsOf(refType: string, entries: readonly { accountId: number; refId: number; kind: string }[]): EventRef[] {
  const out: EventRef[] = [];
  const byKey = new Map<string, EventRef>();
  for (const e of entries) {
    const key = `${e.accountId}:${e.refId}`;
    let ref = byKey.get(key);
    if (!ref) byKey.set(key, (ref = { accountId: e.accountId, refType, refId: e.refId, transferKinds: [] }));
    if (ref.transferKinds.length === 0) out.push(ref);
    if (!ref.transferKinds.includes(e.kind)) (ref.transferKinds as string[]).push(e.kind);
  }
  return out;
}

/** An event as the API and consumers see it. */
export interface AccountEvent {
  seq: number;
  accountId: number;
  kind: EventKind;
  refType: string;
  refId: number;
  businessDate: string;
  at: string;
  /** as the customer sees them: receivable and penalty owed, prepaid held for them; the change, then the balance after */
  receivableDeltaFen: number;
  prepaidDeltaFen: number;
  penaltyDeltaFen: number;
  receivableFen: number;
  prepaidFen: number;
  penaltyFen: number;
}
