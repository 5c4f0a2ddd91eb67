import type pg from 'pg';
import { kyselyOnClient } from '../../../db/connect.js';
import { inSequence, type Executor } from '../../../db/tx.js';
import { businessDate } from '../../../shared/business-time.js';
import { AppError } from '../../../shared/errors.js';
import { allocate, isSettled, type OpenBill } from '../domain/allocation.js';
import { isChannel, type Channel } from '../domain/channels.js';
import { minimumOn } from '../domain/penalty.js';
import { paymentEntries } from '../domain/posting.js';
import {
  copyPayments,
  lockAccounts,
  lockBatchAccounts,
  readBatchContext,
  readPaymentContext,
  writePayments,
  type ExistingPayment,
  type NewAllocation,
  type NewEntry,
  type NewPayment,
  type OpenBillRow,
  type PaymentContext,
  type PaymentWrite,
  type SettlementState,
} from '../payments.repository.js';
import { appendEvents, eventRefsOf, nextTransferIds, type PostingTransfer } from '../../ledger/index.js';

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
  const read = await readForPayments(trx, intakes);
  return writePlan(trx, allocatePayments(read, intakes));
}

/** What a batch's allocation starts from: the accounts found (and locked), and their context. */
export interface PaymentsRead {
  found: ReadonlySet<number>;
  ctx: PaymentContext;
}

/**
 * The lock and the read of `applyPayments`, sent together: on a pipelined transaction one round trip (the
 * read runs after the lock is granted, so it sees every payment committed before). Nothing is applied
 * until `allocatePayments` and `writePlan` — for these intakes or any subset of them.
 */
export async function readForPayments(trx: Executor, intakes: readonly PaymentIntake[]): Promise<PaymentsRead> {
  intakes.forEach(checkIntake);
  const accountIds = [...new Set(intakes.map((i) => i.accountId))].sort((a, b) => a - b);
  const [found, ctx] = await inSequence(
    trx,
    () => lockAccounts(trx, accountIds),
    () => readPaymentContext(trx, accountIds, intakes, intakes.length),
  );
  return { found: new Set(found), ctx };
}

/** Allocates intakes read (and checked) by `readForPayments`, all of them or some: what `writePlan` writes. */
export function allocatePayments(read: PaymentsRead, intakes: readonly PaymentIntake[]): PaymentPlan {
  const missing = [...new Set(intakes.map((i) => i.accountId))].filter((id) => !read.found.has(id));
  if (missing.length > 0) throw accountsNotFound(missing);
  return allocateAll(read.ctx, intakes);
}

/**
 * Writes what `allocatePayments` planned, in one statement, and appends its account events (ledger), and
 * gives the outcomes. Both are sent before this returns (so a pipelined caller may send its next statements
 * behind them). `strict`: a channel
 * transaction applied concurrently fails the statement itself, and so the transaction — for a caller that
 * sends its COMMIT before it sees the answer (pipeline.ts `commitSent`).
 */
export async function writePlan(trx: Executor, plan: PaymentPlan, opts: { strict?: boolean } = {}): Promise<ApplyOutcome[]> {
  if (plan.write.payments.length === 0) return plan.outcomes;
  const write = writePayments(trx, { ...plan.write, refType: 'payment' }, opts.strict);
  // sent behind the write (the same flight on a pipelined transaction); its failure is the write's
  const events = appendEvents(trx, eventRefsOf('payment', plan.write.entries)).then(
    () => null,
    (err: unknown) => err,
  );
  const { inserted } = await write.catch((err: { code?: string; constraint?: string }) => {
    throw err.code === '23505' && err.constraint === 'payment_channel_txn' ? concurrentlyApplied() : err;
  });
  // Another transaction applied one of these channel transactions between our read and our write
  // (a concurrent delivery to another account): give up the whole batch; a retry sees it as applied.
  if (inserted !== plan.write.payments.length) throw concurrentlyApplied();
  const failed = await events;
  if (failed) throw failed;
  return plan.outcomes;
}

/**
 * `applyPayments` for batches of thousands (bank debit files): the same locks, read, allocation, outcomes
 * and errors, but the rows are written with COPY on the caller's client (in its open transaction) — about
 * half the cost per row of the one-statement write. The ledger transfers get their ids from the sequence
 * up front, so entries need no join back to them. A channel transaction inserted concurrently makes the
 * payment COPY fail on the unique index: CONFLICT, as in applyPayments, and the caller rolls back.
 * `onLocked` is called once the accounts are locked (a caller running batches side by side orders them by
 * their locks). `beforeEvents` runs the caller's own writes once the payments are written and before the
 * account events are appended, whose lock is held to COMMIT: a caller that waits there for another
 * transaction (a bank-file step for the step before it) must wait before that lock is taken.
 */
export async function applyPaymentBatch(
  client: pg.PoolClient,
  intakes: readonly PaymentIntake[],
  opts: { onLocked?: () => void; beforeEvents?: (outcomes: readonly ApplyOutcome[]) => Promise<void> } = {},
): Promise<ApplyOutcome[]> {
  const beforeEvents = opts.beforeEvents ?? (async () => {});
  if (intakes.length === 0) {
    await beforeEvents([]);
    return [];
  }
  const trx = kyselyOnClient(client);
  // one transfer per payment, plus one per penalty brought to charge (fetched after allocation if any)
  const plan = await planPayments(trx, intakes, intakes.length, opts.onLocked);
  const { payments } = plan.write;
  if (payments.length === 0) {
    await beforeEvents(plan.outcomes);
    return plan.outcomes;
  }
  const transfers = transfersOf(plan.write.entries);
  const ids = plan.transferIds.slice(0, transfers.length);
  if (ids.length < transfers.length) ids.push(...(await nextTransferIds(trx, transfers.length - ids.length)));
  const applied = await copyPayments(client, { ...plan.write, transfers, transferIds: ids, refType: 'payment' });
  if (!applied) throw concurrentlyApplied();
  await beforeEvents(plan.outcomes);
  await appendEvents(trx, eventRefsOf('payment', plan.write.entries));
  return plan.outcomes;
}

export interface PaymentPlan {
  outcomes: ApplyOutcome[];
  write: Omit<PaymentWrite, 'refType'>;
  /** ledger transfer ids taken from the sequence with the read (as many as asked for) */
  transferIds: number[];
}

/** Locks, reads and allocates: everything but the write, which the bulk path does its own way. */
async function planPayments(trx: Executor, intakes: readonly PaymentIntake[], transferIds: number, onLocked?: () => void): Promise<PaymentPlan> {
  intakes.forEach(checkIntake);
  const accountIds = [...new Set(intakes.map((i) => i.accountId))].sort((a, b) => a - b);
  const locked = await lockBatchAccounts(trx, accountIds);
  if (locked.ids.length !== accountIds.length) {
    const present = new Set(locked.ids);
    throw accountsNotFound(accountIds.filter((id) => !present.has(id)));
  }
  onLocked?.();
  return allocateAll(await readBatchContext(trx, locked, intakes, intakes.length, transferIds), intakes);
}

/** Allocation of a batch in input order, each payment seeing the bills as the ones before it left them. */
function allocateAll(ctx: PaymentContext, intakes: readonly PaymentIntake[]): PaymentPlan {
  const accounts = groupBills(ctx.bills);
  const seen = new TxnIndex(ctx.existing);
  const touched: { account: AccountBills; index: number }[] = []; // bills this batch touched, in first-touch order
  const outcomes: ApplyOutcome[] = [];
  const write = { payments: [] as NewPayment[], allocations: [] as NewAllocation[], entries: [] as NewEntry[] };
  const minimums = new Map<string, number>(); // per payment day: a batch has one or a few
  const days = new Map<number, string>(); // per paidAt instant: a bank file's payments share a few
  let nextId = 0;

  for (const intake of intakes) {
    const earlier = seen.get(intake.channel, intake.channelTxnId);
    if (earlier) {
      outcomes.push(earlier.accountId === intake.accountId && earlier.amountFen === intake.amountFen ? { status: 'duplicate', ...appliedOf(earlier) } : { status: 'conflict', paymentId: earlier.paymentId, existingAccountId: earlier.accountId, existingAmountFen: earlier.amountFen });
      continue;
    }
    const id = ctx.ids[nextId++]!;
    let day = days.get(intake.paidAt.getTime());
    if (day === undefined) days.set(intake.paidAt.getTime(), (day = businessDate(intake.paidAt)));
    let minimum = minimums.get(day);
    if (minimum === undefined) minimums.set(day, (minimum = minimumOn(ctx.minimums, day)));
    const account = accounts.get(intake.accountId) ?? NO_BILLS;
    const a = allocate(
      account.bills.filter((b) => !isSettled(b)),
      intake.amountFen,
      day,
      minimum,
    );
    for (const b of a.bills) {
      const index = account.bills.findIndex((x) => x.billId === b.billId);
      if (account.settledOn[index] === undefined) touched.push({ account, index });
      account.bills[index] = b;
      account.settledOn[index] ??= isSettled(b) ? day : null;
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
    const lines: AppliedLine[] = [];
    for (let i = 0; i < a.lines.length; i++) {
      const l = a.lines[i]!;
      write.allocations.push({ accountId: intake.accountId, paymentId: id, lineNo: i + 1, billId: l.billId, penaltyFen: l.penaltyFen, principalFen: l.principalFen, prepaidFen: l.prepaidFen });
      const period = l.billId === null ? null : (account.bills.find((b) => b.billId === l.billId)?.period ?? null);
      lines.push({ lineNo: i + 1, billId: l.billId, period, penaltyFen: l.penaltyFen, principalFen: l.principalFen, prepaidFen: l.prepaidFen });
    }
    for (const e of paymentEntries(intake.channel, { amountFen: intake.amountFen, principalFen: a.principalFen, penaltyFen: a.penaltyFen, prepaidFen: a.prepaidFen, penaltyChargedFen: a.penaltyChargedFen }))
      write.entries.push({ kind: e.kind, book: e.book, amountFen: e.amountFen, accountId: intake.accountId, refId: id, businessDate: day });
    const applied: AppliedPayment = { paymentId: id, accountId: intake.accountId, amountFen: intake.amountFen, principalFen: a.principalFen, penaltyFen: a.penaltyFen, prepaidFen: a.prepaidFen };
    seen.set(intake.channel, intake.channelTxnId, applied);
    outcomes.push({ status: 'applied', ...applied, lines });
  }

  const settlements = touched.map(({ account, index }) => settlementOf(account.accountId, account.bills[index]!, account.settledOn[index]!, account.stored[index]!));
  return { outcomes, write: { ...write, settlements }, transferIds: ctx.transferIds };
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

/**
 * The ledger transfers of a batch's entries: one per payment and kind, in entry order (a payment's entries
 * come kind by kind, penalty.assess before payment).
 */
function transfersOf(entries: readonly NewEntry[]): PostingTransfer[] {
  const out: PostingTransfer[] = [];
  let last: NewEntry | undefined;
  for (const e of entries) {
    if (!last || last.refId !== e.refId || last.kind !== e.kind || last.accountId !== e.accountId) out.push({ accountId: e.accountId, kind: e.kind, refId: e.refId, businessDate: e.businessDate, entries: 0 });
    out[out.length - 1]!.entries++;
    last = e;
  }
  return out;
}

const accountsNotFound = (missing: readonly number[]) =>
  new AppError('NOT_FOUND', `account ${missing.slice(0, 5).join(', ')} not found`, { errors: [{ field: 'accountId', message: `no account ${missing[0]}` }] });

const concurrentlyApplied = () => new AppError('CONFLICT', 'a payment of this batch was applied concurrently; retry');

function settlementOf(accountId: number, b: OpenBill, settledOn: string | null, stored: boolean): SettlementState {
  return {
    stored,
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

/**
 * An account's open bills as read, each replaced by its latest state as the batch's payments reach it, and
 * per bill the day of the payment that settled it (undefined: not touched yet; null: touched, still open).
 */
interface AccountBills {
  accountId: number;
  bills: OpenBill[];
  settledOn: (string | null | undefined)[];
  /** per bill: whether its bill_settlement row existed when read */
  stored: boolean[];
}

const NO_BILLS: AccountBills = { accountId: 0, bills: [], settledOn: [], stored: [] };

function groupBills(rows: readonly OpenBillRow[]): Map<number, AccountBills> {
  const m = new Map<number, AccountBills>();
  for (const row of rows) {
    let account = m.get(row.accountId);
    if (!account) m.set(row.accountId, (account = { accountId: row.accountId, bills: [], settledOn: [], stored: [] }));
    account.bills.push(row); // the row is the bill (its accountId and stored flag ride along unused)
    account.settledOn.push(undefined);
    // the counter's read does not say; its write upserts whatever this says
    account.stored.push(row.stored ?? true);
  }
  return m;
}

/** Payments by channel and channel transaction id: those applied before, then this batch's. */
class TxnIndex {
  private readonly byChannel = new Map<string, Map<string, AppliedPayment>>();
  constructor(existing: readonly ExistingPayment[]) {
    for (const e of existing) this.set(e.channel, e.channelTxnId, e);
  }
  get(channel: string, txn: string): AppliedPayment | undefined {
    return this.byChannel.get(channel)?.get(txn);
  }
  set(channel: string, txn: string, p: AppliedPayment): void {
    let m = this.byChannel.get(channel);
    if (!m) this.byChannel.set(channel, (m = new Map()));
    m.set(txn, p);
  }
}

function appliedOf(p: AppliedPayment): AppliedPayment {
  return { paymentId: p.paymentId, accountId: p.accountId, amountFen: p.amountFen, principalFen: p.principalFen, penaltyFen: p.penaltyFen, prepaidFen: p.prepaidFen };
}

