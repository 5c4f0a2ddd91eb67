import type { Executor } from '../../../db/tx.js';
import { businessDate } from '../../../shared/business-time.js';
import { AppError } from '../../../shared/errors.js';
import { allocate, isSettled, type OpenBill } from '../domain/allocation.js';
import { isChannel, type Channel } from '../domain/channels.js';
import { minimumOn } from '../domain/penalty.js';
import { paymentEntries } from '../domain/posting.js';
import {
  lockAccounts,
  readPaymentContext,
  writePayments,
  type ExistingPayment,
  type NewAllocation,
  type NewEntry,
  type NewPayment,
  type OpenBillRow,
  type SettlementState,
} from '../payments.repository.js';

export interface PaymentIntake {
  accountId: number;
  channel: Channel;
  /** the channel's own transaction id: applied at most once per channel (I3) */
  channelTxnId: string;
  amountFen: number;
  paidAt: Date;
  orderId?: number | null;
  bankBatchId?: number | null;
  operatorId?: number | null;
}

export interface AppliedPayment {
  paymentId: number;
  accountId: number;
  amountFen: number;
  principalFen: number;
  penaltyFen: number;
  prepaidFen: number;
}

/** Where an applied payment's money went: per bill (oldest first) penalty and principal, then prepaid. */
export interface AppliedLine {
  lineNo: number;
  billId: number | null;
  period: string | null;
  penaltyFen: number;
  principalFen: number;
  prepaidFen: number;
}

export type ApplyOutcome =
  | ({ status: 'applied'; lines: AppliedLine[] } & AppliedPayment)
  | ({ status: 'duplicate' } & AppliedPayment)
  | { status: 'conflict'; paymentId: number; existingAccountId: number; existingAmountFen: number };

/**
 * Applies payments exactly once each, in the caller's transaction, with a constant number of queries
 * whatever their number: lock the accounts, read their open bills and any earlier application of the same
 * channel transactions, allocate in TypeScript (oldest bill first, penalty then principal, the rest to
 * prepaid), then write payments, allocations, bill states and ledger transfers in one statement.
 * A transaction id seen before with the same account and amount is a duplicate (the first result is
 * returned); with another amount or account it is a conflict and nothing is applied. Outcomes are in
 * input order.
 */
export async function applyPayments(trx: Executor, intakes: readonly PaymentIntake[]): Promise<ApplyOutcome[]> {
  if (intakes.length === 0) return [];
  intakes.forEach(checkIntake);
  const accountIds = [...new Set(intakes.map((i) => i.accountId))].sort((a, b) => a - b);
  const found = await lockAccounts(trx, accountIds);
  if (found.length !== accountIds.length) {
    const missing = accountIds.filter((id) => !found.includes(id));
    throw new AppError('NOT_FOUND', `account ${missing.slice(0, 5).join(', ')} not found`, { errors: [{ field: 'accountId', message: `no account ${missing[0]}` }] });
  }
  const ctx = await readPaymentContext(trx, accountIds, intakes, intakes.length);
  const billsByAccount = groupBills(ctx.bills);
  const seen = new Map<string, ExistingPayment>(ctx.existing.map((e) => [txnKey(e.channel, e.channelTxnId), e]));
  const state = new Map<string, OpenBill>(); // bills touched in this batch, latest state
  const settledOn = new Map<string, string>(); // the day of the payment that settled each bill
  const out: ApplyOutcome[] = [];
  const write = { payments: [] as NewPayment[], allocations: [] as NewAllocation[], entries: [] as NewEntry[] };
  let nextId = 0;

  for (const intake of intakes) {
    const earlier = seen.get(txnKey(intake.channel, intake.channelTxnId));
    if (earlier) {
      out.push(earlier.accountId === intake.accountId && earlier.amountFen === intake.amountFen ? { status: 'duplicate', ...appliedOf(earlier) } : { status: 'conflict', paymentId: earlier.paymentId, existingAccountId: earlier.accountId, existingAmountFen: earlier.amountFen });
      continue;
    }
    const id = ctx.ids[nextId++]!;
    const day = businessDate(intake.paidAt);
    const open = (billsByAccount.get(intake.accountId) ?? []).map((b) => state.get(billKey(intake.accountId, b.billId)) ?? b);
    const a = allocate(
      open.filter((b) => !isSettled(b)),
      intake.amountFen,
      day,
      minimumOn(ctx.minimums, day),
    );
    for (const b of a.bills) {
      state.set(billKey(intake.accountId, b.billId), b);
      if (isSettled(b) && !settledOn.has(billKey(intake.accountId, b.billId))) settledOn.set(billKey(intake.accountId, b.billId), day);
    }
    const payment: NewPayment = {
      accountId: intake.accountId,
      id,
      channel: intake.channel,
      channelTxnId: intake.channelTxnId,
      amountFen: intake.amountFen,
      paidAt: intake.paidAt,
      businessDate: day,
      orderId: intake.orderId ?? null,
      bankBatchId: intake.bankBatchId ?? null,
      operatorId: intake.operatorId ?? null,
      principalFen: a.principalFen,
      penaltyFen: a.penaltyFen,
      prepaidFen: a.prepaidFen,
    };
    write.payments.push(payment);
    a.lines.forEach((l, i) => write.allocations.push({ accountId: intake.accountId, paymentId: id, lineNo: i + 1, ...l }));
    for (const e of paymentEntries(intake.channel, { ...a, amountFen: intake.amountFen })) write.entries.push({ ...e, accountId: intake.accountId, refId: id, businessDate: day });
    const applied: ExistingPayment = { ...payment, channelTxnId: intake.channelTxnId, paymentId: id };
    seen.set(txnKey(intake.channel, intake.channelTxnId), applied);
    const periods = new Map(open.map((b) => [b.billId, b.period]));
    const lines = a.lines.map((l, i) => ({ lineNo: i + 1, ...l, period: l.billId === null ? null : (periods.get(l.billId) ?? null) }));
    out.push({ status: 'applied', ...appliedOf(applied), lines });
  }

  if (write.payments.length > 0) {
    const settlements = [...state.entries()].map(([key, b]) => settlementOf(Number(key.split(':')[0]), b, settledOn.get(key) ?? null));
    const { inserted } = await writePayments(trx, { ...write, settlements, refType: 'payment' });
    // Another transaction applied one of these channel transactions between our read and our write
    // (a concurrent delivery to another account): give up the whole batch; a retry sees it as applied.
    if (inserted !== write.payments.length) throw new AppError('CONFLICT', 'a payment of this batch was applied concurrently; retry');
  }
  return out;
}

export async function applyPayment(trx: Executor, intake: PaymentIntake): Promise<ApplyOutcome> {
  return (await applyPayments(trx, [intake]))[0]!;
}

function checkIntake(i: PaymentIntake): void {
  if (!isChannel(i.channel)) throw new AppError('VALIDATION', `unknown channel ${i.channel}`, { errors: [{ field: 'channel', message: 'unknown channel' }] });
  if (!Number.isSafeInteger(i.amountFen) || i.amountFen <= 0) throw new AppError('VALIDATION', `amount ${i.amountFen} is not a positive number of fen`, { errors: [{ field: 'amountFen', message: 'must be a positive whole number of fen' }] });
  if (typeof i.channelTxnId !== 'string' || i.channelTxnId.length < 1 || i.channelTxnId.length > 128) throw new AppError('VALIDATION', 'channel transaction id must be 1–128 characters', { errors: [{ field: 'channelTxnId', message: '1–128 characters' }] });
  if (!(i.paidAt instanceof Date) || Number.isNaN(i.paidAt.getTime())) throw new AppError('VALIDATION', 'paidAt is not a time', { errors: [{ field: 'paidAt', message: 'not a time' }] });
}

function settlementOf(accountId: number, b: OpenBill, settledOn: string | null): SettlementState {
  return {
    accountId,
    billId: b.billId,
    principalPaidFen: b.principalPaidFen,
    penaltyAccruedMfen: b.penaltyAccruedMfen,
    penaltyThrough: b.penaltyThrough,
    penaltyChargedFen: b.penaltyChargedFen,
    penaltyPaidFen: b.penaltyPaidFen,
    penaltyWaivedFen: b.penaltyWaivedFen,
    settledOn: isSettled(b) ? settledOn : null,
  };
}

function groupBills(rows: readonly OpenBillRow[]): Map<number, OpenBill[]> {
  const m = new Map<number, OpenBill[]>();
  for (const { accountId, ...bill } of rows) {
    const list = m.get(accountId) ?? [];
    list.push({ ...bill, principalDueFen: Number(bill.principalDueFen) });
    m.set(accountId, list);
  }
  return m;
}

function appliedOf(p: ExistingPayment): AppliedPayment {
  return { paymentId: p.paymentId, accountId: p.accountId, amountFen: p.amountFen, principalFen: p.principalFen, penaltyFen: p.penaltyFen, prepaidFen: p.prepaidFen };
}

const txnKey = (channel: string, txn: string) => `${channel}\u0000${txn}`;
const billKey = (accountId: number, billId: number) => `${accountId}:${billId}`;
