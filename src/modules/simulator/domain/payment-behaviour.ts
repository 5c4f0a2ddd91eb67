import { createHash } from 'node:crypto';
import { allocate, ONLINE_CHANNELS, type Channel, type OnlineChannel, type OpenBill } from '../../payments/index.js';
import { addMonths, businessDate } from '../../../shared/business-time.js';
import type { Behaviour, PaymentMode } from './accounts.js';
import { dateOfEpochDay, epochDay } from './calendar.js';
import { cumulate, randFor, type Rand } from './random.js';

/**
 * The demo county's payment history (issue 4, item 6), planned per account from its behaviour profile,
 * category and payment mode. Pure: the workflow reads the accounts and their issued bills, calls
 * planAccountPayments, and applies the result through the payments core in date order.
 *
 * The planner keeps a mirror of the account's bills and allocates each planned payment with the payments
 * core's own `allocate` (oldest bill first, penalty then principal), so it knows to the fen what "pay
 * everything up to this bill" comes to on the payment day, penalties included. Its amounts therefore
 * never reach a bill issued after the payment — even though the whole bill history is issued before the
 * payments are replayed — except a prepaid top-up's round-up, which is only planned when no later bill
 * exists (the last month), so it stays as prepaid balance (预收).
 */

export interface HistoryAccount {
  id: number;
  category: string;
  paymentMode: PaymentMode;
  behaviour: Behaviour | null;
}

/** An issued bill as the payments core sees it (regular bill plus its adjustments, grouped). */
export interface HistoryBill {
  billId: number;
  period: string;
  issuedAt: Date;
  dueOn: string;
  totalFen: number;
}

export interface PlannedPayment {
  accountId: number;
  channel: Channel;
  /** deterministic: HIST-<channel>-<accountId>-<period>-<n>, so a replay is a duplicate for the payments core */
  channelTxnId: string;
  amountFen: number;
  paidAt: Date;
  /** the bill period the payment was meant for */
  period: string;
}

export interface PlanOptions {
  seed: number;
  /** nothing is paid after this instant (the demo's as-of time) */
  cutoff: Date;
  /** the business month the online share is counted from (the month the first history bill was issued) */
  firstMonth: string;
  /** over how many months the online share grows from ONLINE_SHARE_START to ONLINE_SHARE_END */
  months: number;
  /** the penalty minimum in force on a business day (the payments core's effective-dated setting) */
  minimumOn: (day: string) => number;
}

export const ONLINE_SHARE_START = 0.25;
export const ONLINE_SHARE_END = 0.75;

/** The county's online share of payments in month `index` (0 = firstMonth), growing linearly. */
export function onlineShare(index: number, months: number): number {
  const t = months <= 1 ? 1 : Math.min(1, Math.max(0, index / (months - 1)));
  return ONLINE_SHARE_START + (ONLINE_SHARE_END - ONLINE_SHARE_START) * t;
}

/** Organisations that pay by bank debit (代扣) on the due date, by category. */
const BANK_DEBIT: Record<string, number> = { commercial: 0.3, agriculture: 0.2, large_industry: 0.6, public: 0.5, heating: 0.4 };
const WALLETS = cumulate([45, 30, 25]); // wechatpay, alipay, gridapp
const TOP_UP_STEP_FEN = 5_000; // top-ups are in 50 元 steps

interface Traits {
  prepaidLike: boolean;
  behaviour: Behaviour;
  /** pays online once the county's online share has passed this rank */
  onlineRank: number;
  wallet: OnlineChannel;
  bankDebit: boolean;
}

type Kind = 'settle' | 'partial' | 'current';

/** A payment the customer means to make; its amount is decided on the day, against the mirror. */
interface Intention {
  at: Date;
  /** business date of `at`, as an epoch day (UTC midnight of the Asia/Shanghai date) */
  day: number;
  period: string;
  n: number;
  kind: Kind;
  /** share of what is open, for partial payments */
  fraction: number;
  channel: Channel;
  topUp: boolean;
}

/**
 * The account's payments over its bills, in time order, up to the cutoff. Deterministic for (seed, account,
 * bills): one random stream per account, drawn in bill order whatever the cutoff.
 */
export function planAccountPayments(account: HistoryAccount, bills: readonly HistoryBill[], opts: PlanOptions): PlannedPayment[] {
  const sorted = [...bills].sort((a, b) => (a.period < b.period ? -1 : a.period > b.period ? 1 : a.billId - b.billId));
  if (sorted.length === 0) return [];
  const rng = randFor(opts.seed, 'payments', account.id);
  const traits = traitsOf(rng, account);
  const intentions = intentionsOf(rng, traits, sorted, opts).filter((i) => i.at.getTime() <= opts.cutoff.getTime());
  intentions.sort((a, b) => a.at.getTime() - b.at.getTime() || (a.period < b.period ? -1 : a.period > b.period ? 1 : a.n - b.n));
  return amountsOf(account, sorted, intentions, opts);
}

function traitsOf(rng: Rand, a: HistoryAccount): Traits {
  const organisation = a.category !== 'residential';
  const prepaidLike = a.paymentMode !== 'postpaid';
  const onlineRank = rng.next();
  const wallet = ONLINE_CHANNELS[rng.weightedIndex(WALLETS)] as OnlineChannel;
  const bankDebit = organisation && !prepaidLike && rng.chance(BANK_DEBIT[a.category] ?? 0);
  return { prepaidLike, behaviour: a.behaviour ?? 'prompt', onlineRank, wallet, bankDebit };
}

// ---- when, how and how much each bill is paid --------------------------------------------------

const DAY_MS = 86_400_000;
const SHANGHAI_MS = 8 * 3_600_000;
/** The Asia/Shanghai business date of an instant, as an epoch day. */
const dayOfInstant = (ms: number) => Math.floor((ms + SHANGHAI_MS) / DAY_MS);

function intentionsOf(rng: Rand, t: Traits, bills: readonly HistoryBill[], opts: PlanOptions): Intention[] {
  const out: Intention[] = [];
  const n = bills.length;
  const firstMonthIndex = monthNumber(opts.firstMonth);
  // drawn once per account, before the bills, so they do not depend on how many bills there are
  const stopAt = rng.int(Math.max(2, Math.floor(n * 0.2)), Math.max(2, n - 4)); // defaulting: stops paying in full
  const disputes = disputesOf(rng, n);
  for (const [i, bill] of bills.entries()) {
    const issued = bill.issuedAt.getTime();
    const issueDay = dayOfInstant(issued);
    const due = epochDay(bill.dueOn);
    const add = (day: number, kind: Kind, opt: { n?: number; fraction?: number; topUp?: boolean } = {}) => {
      const channel = channelOf(rng, t, day > due, monthNumber(dateOfEpochDay(day)) - firstMonthIndex, opts.months);
      out.push({ at: timeOn(rng, day, channel, issued), day, period: bill.period, n: opt.n ?? 1, kind, fraction: opt.fraction ?? 1, channel, topUp: opt.topUp ?? false });
    };
    const clamp = (day: number, from: number, to: number) => (day < from ? from : day > to ? to : day);
    const onTime = () => (t.bankDebit ? due : t.prepaidLike ? clamp(issueDay + rng.int(0, 6), issueDay, due) : clamp(due - rng.int(1, 6), issueDay, due));
    const late = (min: number, max: number) => due + rng.int(min, max);
    switch (t.behaviour) {
      case 'prompt':
        if (!t.prepaidLike && !t.bankDebit && rng.chance(0.03)) add(late(1, 3), 'settle');
        else add(onTime(), 'settle', { topUp: t.prepaidLike });
        break;
      case 'late_but_pays':
        if (t.prepaidLike) add(clamp(due - rng.int(0, 2), issueDay, due), 'settle', { topUp: true });
        else if (rng.chance(0.8)) add(late(5, 40), 'settle');
        else add(onTime(), 'settle');
        break;
      case 'chronic_late':
        if (t.prepaidLike) {
          // the meter's balance runs low: a partial top-up now, the rest before the due date or with the next bill
          const day = onTime();
          if (rng.chance(0.3)) {
            add(day, 'partial', { fraction: rng.range(0.3, 0.8), topUp: true });
            if (rng.chance(0.5)) add(clamp(day + rng.int(1, 10), day, due), 'settle', { n: 2, topUp: true });
          } else add(day, 'settle', { topUp: true });
        } else if (rng.chance(0.12)) {
          // skipped: the next bill's payment catches up
        } else {
          const day = late(3, 60);
          if (rng.chance(0.35)) {
            add(day, 'partial', { fraction: rng.range(0.3, 0.8) });
            if (rng.chance(0.4)) add(day + rng.int(5, 20), 'settle', { n: 2 });
          } else add(day, 'settle');
        }
        break;
      case 'defaulting':
        if (i < stopAt) {
          if (rng.chance(0.2)) break;
          if (rng.chance(0.5)) add(late(10, 75), 'partial', { fraction: rng.range(0.2, 0.7) });
          else add(late(10, 75), 'settle');
        } else if (rng.chance(0.08)) add(late(20, 120), 'partial', { fraction: rng.range(0.1, 0.4) });
        break;
      case 'disputing': {
        const d = disputes.find((x) => i >= x.bill && i <= x.bill + x.months);
        if (!d) add(onTime(), 'settle', { topUp: t.prepaidLike });
        else if (i === d.bill) {
          // the disputed bill is withheld
        } else if (i < d.bill + d.months) add(onTime(), 'current'); // pays the month's bill, the disputed amount stays open
        else add(due + rng.int(0, 10), 'settle'); // settled: the disputed bill with its penalty, and the rest
        break;
      }
    }
  }
  return out;
}

/** One or two disputed bills (by index), each withheld for 2–6 months. */
function disputesOf(rng: Rand, n: number): { bill: number; months: number }[] {
  const count = rng.chance(0.5) ? 2 : 1;
  const out: { bill: number; months: number }[] = [];
  for (let k = 0; k < count; k++) {
    const bill = rng.int(1, Math.max(1, n - 3));
    const months = rng.int(2, 6);
    if (out.every((d) => bill > d.bill + d.months || bill + months < d.bill)) out.push({ bill, months });
  }
  return out;
}

/** Months since year 0 of a YYYY-MM or YYYY-MM-DD string. */
function monthNumber(date: string): number {
  return Number(date.slice(0, 4)) * 12 + Number(date.slice(5, 7)) - 1;
}

/**
 * Bank debit for the organisations that have it, when the debit is due; otherwise online once the
 * county's growing online share has reached the account (a few go against their habit each time).
 */
function channelOf(rng: Rand, t: Traits, late: boolean, monthIndex: number, months: number): Channel {
  const flip = rng.next();
  const other = rng.next();
  if (t.bankDebit && !late) return 'bank';
  let online = t.onlineRank < onlineShare(monthIndex, months);
  if (flip < 0.08) online = !online;
  if (!online) return 'counter';
  return other < 0.8 ? t.wallet : (ONLINE_CHANNELS[Math.floor(((other - 0.8) / 0.2) * ONLINE_CHANNELS.length)] as OnlineChannel);
}

const MINUTE = 60_000;
const WINDOWS: Record<'bank' | 'counter' | 'online', [number, number]> = {
  bank: [3 * 60, 6 * 60], // the debit file runs at night
  counter: [8 * 60 + 30, 18 * 60], // 营业厅 hours
  online: [7 * 60, 23 * 60 + 30],
};

/** A time of day on `day` (Asia/Shanghai) in the channel's hours, never before the bill was issued (and on the same day). */
function timeOn(rng: Rand, day: number, channel: Channel, issuedAt: number): Date {
  const [from, to] = WINDOWS[channel === 'bank' ? 'bank' : channel === 'counter' ? 'counter' : 'online'];
  const minute = rng.int(from, to - 1);
  const second = rng.int(0, 59);
  const at = day * DAY_MS - SHANGHAI_MS + minute * MINUTE + second * 1000;
  const earliest = issuedAt + 15 * MINUTE;
  return new Date(at > earliest ? at : earliest + (minute % 120) * MINUTE + second * 1000);
}

// ---- amounts, against a mirror of the account's bills ------------------------------------------

const OPEN_PROBE_FEN = Number.MAX_SAFE_INTEGER;

function amountsOf(account: HistoryAccount, bills: readonly HistoryBill[], intentions: readonly Intention[], opts: PlanOptions): PlannedPayment[] {
  // the mirror, oldest first as allocation takes them
  const list = bills.filter((b) => b.totalFen > 0).map((b) => openBillOf(b, account.category));
  const position = new Map(list.map((b, i) => [b.billId, i]));
  const totals = new Map(bills.map((b) => [b.period, b.totalFen]));
  const lastIssue = Math.max(...bills.map((b) => b.issuedAt.getTime()));
  const out: PlannedPayment[] = [];
  for (const it of intentions) {
    const day = dateOfEpochDay(it.day);
    const minimum = opts.minimumOn(day);
    const open: OpenBill[] = [];
    const through: OpenBill[] = [];
    let needed = 0;
    let onTime = true; // no bill it would pay is past due: nothing accrues, what is open is what it takes
    for (const b of list) {
      if (isSettled(b)) continue;
      open.push(b);
      if (b.period > it.period) continue;
      through.push(b);
      if (b.dueOn < day) onTime = false;
      needed += principalOpen(b) + penaltyOpen(b);
    }
    if (through.length === 0) continue;
    let probe: OpenBill[] | null = null;
    if (!onTime) {
      const settled = allocate(through, OPEN_PROBE_FEN, day, minimum);
      needed = settled.principalFen + settled.penaltyFen;
      probe = settled.bills;
    }
    if (needed <= 0) continue;
    let amount = needed;
    if (it.kind === 'partial') {
      const part = Math.floor((needed * it.fraction) / 100) * 100;
      if (part >= 100 && part < needed) amount = part;
    } else if (it.kind === 'current') {
      amount = Math.min(needed, totals.get(it.period) ?? needed);
    }
    // a top-up is a round sum; what is over the bill stays as prepaid balance — only when no later bill
    // exists, since the payments core would otherwise give it to that bill before it was issued
    if (it.topUp && it.kind === 'settle' && it.at.getTime() > lastIssue) amount = Math.ceil(amount / TOP_UP_STEP_FEN) * TOP_UP_STEP_FEN;
    if (amount === needed && probe) {
      // paying exactly what is open through this bill: allocation stops there, as the probe did
      for (const b of probe) list[position.get(b.billId)!] = b;
    } else if (amount === needed) {
      // the same as allocate would do: every bill through this one paid, penalty then principal, nothing accrued
      for (const b of through) list[position.get(b.billId)!] = { ...b, penaltyPaidFen: b.penaltyPaidFen + penaltyOpen(b), principalPaidFen: b.principalDueFen };
    } else {
      for (const b of allocate(open, amount, day, minimum).bills) list[position.get(b.billId)!] = b;
    }
    out.push({ accountId: account.id, channel: it.channel, channelTxnId: `HIST-${it.channel}-${account.id}-${it.period}-${it.n}`, amountFen: amount, paidAt: it.at, period: it.period });
  }
  return out;
}

const principalOpen = (b: OpenBill) => Math.max(0, b.principalDueFen - b.principalPaidFen);
const penaltyOpen = (b: OpenBill) => b.penaltyChargedFen - b.penaltyPaidFen - b.penaltyWaivedFen;

function openBillOf(b: HistoryBill, category: string): OpenBill {
  return {
    billId: b.billId,
    period: b.period,
    dueOn: b.dueOn,
    category,
    principalDueFen: b.totalFen,
    principalPaidFen: 0,
    penaltyAccruedMfen: 0,
    penaltyThrough: null,
    penaltyChargedFen: 0,
    penaltyPaidFen: 0,
    penaltyWaivedFen: 0,
  };
}

/** As the payments core: nothing open, principal or penalty. */
function isSettled(b: OpenBill): boolean {
  return principalOpen(b) === 0 && penaltyOpen(b) === 0;
}

/** The account's open principal and penalty after its planned payments, as the mirror sees them on `day`. */
export function arrearsAfter(account: HistoryAccount, bills: readonly HistoryBill[], payments: readonly PlannedPayment[], day: string, minimumOn: (day: string) => number): { principalFen: number; bills: number } {
  const state = new Map<number, OpenBill>();
  for (const b of bills) if (b.totalFen > 0) state.set(b.billId, openBillOf(b, account.category));
  for (const p of [...payments].sort((a, b) => a.paidAt.getTime() - b.paidAt.getTime())) {
    const d = businessDate(p.paidAt);
    const open = [...state.values()].filter((b) => !isSettled(b));
    for (const b of allocate(open, p.amountFen, d, minimumOn(d)).bills) state.set(b.billId, b);
  }
  const open = [...state.values()].filter((b) => b.principalDueFen > b.principalPaidFen && b.dueOn < day);
  return { principalFen: open.reduce((s, b) => s + b.principalDueFen - b.principalPaidFen, 0), bills: open.length };
}

/** The penalty minimum in force on a day: the latest setting effective on or before it (0 before any). */
export function minimumLookup(settings: readonly { effectiveFrom: string; minimumFen: number }[]): (day: string) => number {
  const sorted = [...settings].sort((a, b) => (a.effectiveFrom < b.effectiveFrom ? -1 : 1));
  return (day) => {
    let found = 0;
    for (const s of sorted) if (s.effectiveFrom <= day) found = s.minimumFen;
    return found;
  };
}

/** The month the first history bill is issued in: bills of period P are issued in P + 1. */
export function firstPaymentMonth(firstPeriod: string): string {
  return addMonths(firstPeriod, 1);
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/**
 * A deterministic out_trade_no in the channels module's shape (GR + business date + 16 base32
 * characters, 80 bits of SHA-256 over the payment's transaction id).
 */
export function historyOutTradeNo(paidAt: Date, channelTxnId: string): string {
  const digest = createHash('sha256').update(channelTxnId).digest();
  let bits = 0;
  let value = 0;
  let tail = '';
  for (let i = 0; tail.length < 16; i++) {
    value = ((value << 8) | digest[i]!) & 0xffff;
    bits += 8;
    while (bits >= 5 && tail.length < 16) {
      tail += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return `GR${businessDate(paidAt).replace(/-/g, '')}${tail}`;
}
