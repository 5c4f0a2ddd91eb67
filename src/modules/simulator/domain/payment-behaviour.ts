import { createHash } from 'node:crypto';
import { allocate, ONLINE_CHANNELS, type Channel, type OnlineChannel, type OpenBill } from '../../payments/index.js';
import { addMonths, businessDate } from '../../../shared/business-time.js';
import type { Behaviour, PaymentMode } from './accounts.js';
import { dateOfEpochDay, epochDay } from './calendar.js';
import { cumulate, randFor, type Rand } from './random.js';

/**
 * The demo county's payment history (issue 4, item 6; issue 16, item 3), planned per account from its
 * behaviour profile, category and payment mode. Pure: the workflow (workflows/replay-demo-history.ts) issues
 * the history month by month and, after each issue, applies the payments that fall before the next one,
 * planned by planAccountWindow against the account as the payments core then holds it.
 *
 * The planner keeps a mirror of the account as the payments core sees it — its open bills, a new bill
 * appearing at its issue and, for an account that pays in advance, settled from the prepaid balance then
 * (RULES §8.4), payments allocated with the core's own `allocate` (oldest bill first, penalty then principal,
 * the rest to prepaid) — so it knows to the fen what "pay everything up to this bill" comes to on the
 * payment day, penalties included, and what a household's balance is.
 *
 * Postpaid accounts pay their bills, never more. Accounts that pay in advance (smart prepaid, purchase-before-
 * use) top up instead: a round sum (50 元 steps) that clears anything open and brings the balance up to what
 * they expect the next bill to be (the larger of the last bill and the same month a year before) times a
 * cushion of their own, so most of their bills are settled from the balance at issue. Defaulting ones, and
 * disputing ones in a dispute, pay bills (late, in part, or not) and put nothing aside: their bills stay open.
 *
 * Each account's randomness is one stream for its traits and one per bill month, so a month's payments are
 * drawn without the months before them: a window needs only the bills that can still be paid in it (due at
 * most MAX_LAG_DAYS before it) and the state it starts from — planAccountWindow with the state the
 * whole-history planner (planAccountPayments) reaches at the window's start gives exactly its payments.
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

/** An account as the payments core holds it at an instant: its bills with something open (oldest first) and its prepaid balance. */
export interface AccountState {
  open: readonly OpenBill[];
  prepaidFen: number;
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
  /** the months of the whole history: the online share grows over them from ONLINE_SHARE_START to ONLINE_SHARE_END, and defaults and disputes are drawn within them */
  months: number;
  /** the penalty minimum in force on a business day (the payments core's effective-dated setting) */
  minimumOn: (day: string) => number;
}

export const ONLINE_SHARE_START = 0.25;
export const ONLINE_SHARE_END = 0.75;
/** No payment is meant for a bill more than this many days after its due date (the latest: a defaulter's 120). */
export const MAX_LAG_DAYS = 150;

/** The county's online share of payments in month `index` (0 = firstMonth), growing linearly. */
export function onlineShare(index: number, months: number): number {
  const t = months <= 1 ? 1 : Math.min(1, Math.max(0, index / (months - 1)));
  return ONLINE_SHARE_START + (ONLINE_SHARE_END - ONLINE_SHARE_START) * t;
}

/** Organisations that pay by bank debit (代扣) on the due date, by category. */
const BANK_DEBIT: Record<string, number> = { commercial: 0.3, agriculture: 0.2, large_industry: 0.6, public: 0.5, heating: 0.4 };
const WALLETS = cumulate([45, 30, 25]); // wechatpay, alipay, gridapp
const TOP_UP_STEP_FEN = 5_000; // top-ups are in 50 元 steps
const PARTIAL_TOP_UP_STEP_FEN = 1_000; // a part top-up in 10 元 steps

interface Traits {
  prepaidLike: boolean;
  /** an account that pays in advance keeps its balance at about this many times the bill it expects */
  cushion: number;
  behaviour: Behaviour;
  /** pays online once the county's online share has passed this rank */
  onlineRank: number;
  wallet: OnlineChannel;
  bankDebit: boolean;
  /** defaulting: the bill month (0 = the history's first) from which it stops paying in full */
  stopAt: number;
  /** disputing: bills (by month) withheld, each for some months */
  disputes: { bill: number; months: number }[];
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
  /** a prepaid top-up: clears what is open and brings the balance up to the cushion, in 50 元 steps */
  topUp: boolean;
}

/**
 * The account's payments over its whole bill history (bills issued in period order), in time order, up to the
 * cutoff: the mirror starts from nothing. Deterministic for (seed, account, bills), and prefix-stable: the
 * payments before a bill's issue are the same whatever bills come after it.
 */
export function planAccountPayments(account: HistoryAccount, bills: readonly HistoryBill[], opts: PlanOptions): PlannedPayment[] {
  return plan(account, bills, null, Number.NEGATIVE_INFINITY, opts.cutoff.getTime(), opts);
}

/**
 * The account's payments from `from` (an issue) up to before `until` (the next issue; null: up to the cutoff),
 * planned against `state`, the account as the payments core holds it at `from`, after that issue. `bills` are those issued so
 * far — only those issued less than MAX_LAG_DAYS before `from` are drawn from (and, for the expected bill, the
 * last one and the one eleven months before it), so a caller may pass just those.
 */
export function planAccountWindow(account: HistoryAccount, bills: readonly HistoryBill[], state: AccountState, opts: PlanOptions & { from: Date; until: Date | null }): PlannedPayment[] {
  const until = Math.min(opts.until ? opts.until.getTime() - 1 : Number.POSITIVE_INFINITY, opts.cutoff.getTime());
  return plan(account, bills, state, opts.from.getTime(), until, opts);
}

function plan(account: HistoryAccount, bills: readonly HistoryBill[], state: AccountState | null, from: number, until: number, opts: PlanOptions): PlannedPayment[] {
  const sorted = [...bills].sort((a, b) => (a.period < b.period ? -1 : a.period > b.period ? 1 : a.billId - b.billId));
  if (sorted.length === 0) return [];
  const traits = traitsOf(account, opts);
  const fromDay = from === Number.NEGATIVE_INFINITY ? from : dayOfInstant(from);
  const intentions: Intention[] = [];
  for (const bill of sorted) {
    if (dayOfDate(bill.dueOn) + MAX_LAG_DAYS < fromDay) continue; // nothing of it can be paid any more
    for (const it of intentionsOf(account, traits, bill, opts)) if (it.at.getTime() >= from && it.at.getTime() <= until) intentions.push(it);
  }
  intentions.sort((a, b) => a.at.getTime() - b.at.getTime() || (a.period < b.period ? -1 : a.period > b.period ? 1 : a.n - b.n));
  return amountsOf(account, traits, new Mirror(account, sorted, state, from), intentions, opts);
}

/** The account's traits and its account-wide draws: one stream per account, the same whatever bills there are. */
function traitsOf(a: HistoryAccount, opts: PlanOptions): Traits {
  const rng = randFor(opts.seed, 'payments', a.id);
  const organisation = a.category !== 'residential';
  const prepaidLike = a.paymentMode !== 'postpaid';
  const onlineRank = rng.next();
  const wallet = ONLINE_CHANNELS[rng.weightedIndex(WALLETS)] as OnlineChannel;
  const bankDebit = organisation && !prepaidLike && rng.chance(BANK_DEBIT[a.category] ?? 0);
  // purchase-before-use must stay in credit (RULES §8.5): a wider margin than a household's
  const cushion = a.paymentMode === 'purchase_before_use' ? 1.3 + 0.7 * rng.next() : 1.05 + 0.5 * rng.next();
  const n = opts.months;
  const stopAt = rng.int(Math.max(2, Math.floor(n * 0.2)), Math.max(2, n - 4)); // defaulting: stops paying in full
  const disputes = disputesOf(rng, n);
  return { prepaidLike, cushion, behaviour: a.behaviour ?? 'prompt', onlineRank, wallet, bankDebit, stopAt, disputes };
}

// ---- when, how and how much each bill is paid --------------------------------------------------

const DAY_MS = 86_400_000;
const SHANGHAI_MS = 8 * 3_600_000;
/** The Asia/Shanghai business date of an instant, as an epoch day. */
const dayOfInstant = (ms: number) => Math.floor((ms + SHANGHAI_MS) / DAY_MS);

/** What one bill's payer means to do about it: drawn from the account's stream for the bill's month. */
function intentionsOf(account: HistoryAccount, t: Traits, bill: HistoryBill, opts: PlanOptions): Intention[] {
  const firstMonthIndex = monthNumber(opts.firstMonth);
  const i = monthNumber(bill.period) + 1 - firstMonthIndex; // bills of period P are issued in P + 1
  const issued = bill.issuedAt.getTime();
  const c: BillContext = { rng: randFor(opts.seed, monthTag(i), account.id), t, bill, issued, issueDay: dayOfInstant(issued), due: dayOfDate(bill.dueOn), firstMonthIndex, months: opts.months, out: [] };
  const { rng, due, issueDay } = c;
  switch (t.behaviour) {
    case 'prompt':
      if (!t.prepaidLike && !t.bankDebit && rng.chance(0.03)) add(c, late(c, 1, 3), 'settle');
      else add(c, onTime(c), 'settle', { topUp: t.prepaidLike });
      break;
    case 'late_but_pays':
      if (t.prepaidLike) add(c, clamp(due - rng.int(0, 2), issueDay, due), 'settle', { topUp: true });
      else if (rng.chance(0.8)) add(c, late(c, 5, 40), 'settle');
      else add(c, onTime(c), 'settle');
      break;
    case 'chronic_late':
      if (t.prepaidLike) {
        // the balance runs low: a partial top-up now, the rest before the due date, after it, or with the next bill
        const day = rng.chance(0.25) ? late(c, 1, 12) : onTime(c);
        if (rng.chance(0.3)) {
          add(c, day, 'partial', { fraction: rng.range(0.3, 0.8), topUp: true });
          if (rng.chance(0.5)) {
            const later = day + rng.int(1, 10);
            add(c, day > due ? later : clamp(later, day, due), 'settle', { n: 2, topUp: true });
          }
        } else add(c, day, 'settle', { topUp: true });
      } else if (rng.chance(0.12)) {
        // skipped: the next bill's payment catches up
      } else {
        const day = late(c, 3, 60);
        if (rng.chance(0.35)) {
          add(c, day, 'partial', { fraction: rng.range(0.3, 0.8) });
          if (rng.chance(0.4)) add(c, day + rng.int(5, 20), 'settle', { n: 2 });
        } else add(c, day, 'settle');
      }
      break;
    case 'defaulting':
      if (i < t.stopAt) {
        if (rng.chance(0.2)) break;
        if (rng.chance(0.5)) add(c, late(c, 10, 75), 'partial', { fraction: rng.range(0.2, 0.7) });
        else add(c, late(c, 10, 75), 'settle');
      } else if (rng.chance(0.08)) add(c, late(c, 20, 120), 'partial', { fraction: rng.range(0.1, 0.4) });
      break;
    case 'disputing': {
      const d = t.disputes.find((x) => i >= x.bill && i <= x.bill + x.months);
      if (!d) add(c, onTime(c), 'settle', { topUp: t.prepaidLike });
      else if (i === d.bill) {
        // the disputed bill is withheld (a household in a dispute puts nothing aside)
      } else if (i < d.bill + d.months) add(c, onTime(c), 'current'); // pays the month's bill, the disputed amount stays open
      else add(c, due + rng.int(0, 10), 'settle'); // settled: the disputed bill with its penalty, and the rest
      break;
    }
  }
  return c.out;
}

interface BillContext {
  rng: Rand;
  t: Traits;
  bill: HistoryBill;
  issued: number;
  /** issue and due dates as epoch days */
  issueDay: number;
  due: number;
  firstMonthIndex: number;
  months: number;
  out: Intention[];
}

const monthTags: string[] = [];
/** The tag of an account's stream for bill month i (cached: a string per month, not per account). */
function monthTag(i: number): string {
  return i >= 0 ? (monthTags[i] ??= `payments.${i}`) : `payments.${i}`;
}

function add(c: BillContext, day: number, kind: Kind, opt: { n?: number; fraction?: number; topUp?: boolean } = {}): void {
  const channel = channelOf(c.rng, c.t, day > c.due, monthOfDay(day) - c.firstMonthIndex, c.months);
  c.out.push({ at: timeOn(c.rng, day, channel, c.issued), day, period: c.bill.period, n: opt.n ?? 1, kind, fraction: opt.fraction ?? 1, channel, topUp: opt.topUp ?? false });
}

const clamp = (day: number, from: number, to: number) => (day < from ? from : day > to ? to : day);

function onTime(c: BillContext): number {
  const { t, due, issueDay, rng } = c;
  return t.bankDebit ? due : t.prepaidLike ? clamp(issueDay + rng.int(0, 6), issueDay, due) : clamp(due - rng.int(1, 6), issueDay, due);
}

function late(c: BillContext, min: number, max: number): number {
  return c.due + c.rng.int(min, max);
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

const daysOfDates = new Map<string, number>();
/** epochDay of a date (cached: a bill's due date is looked at in every window). */
function dayOfDate(date: string): number {
  let d = daysOfDates.get(date);
  if (d === undefined) daysOfDates.set(date, (d = epochDay(date)));
  return d;
}

const monthOfDays = new Map<number, number>();
/** monthNumber of an epoch day (cached: a few thousand days ever occur). */
function monthOfDay(day: number): number {
  let m = monthOfDays.get(day);
  if (m === undefined) monthOfDays.set(day, (m = monthNumber(dateOfEpochDay(day))));
  return m;
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

// ---- amounts, against a mirror of the account ----------------------------------------------------

const OPEN_PROBE_FEN = Number.MAX_SAFE_INTEGER;

function amountsOf(account: HistoryAccount, t: Traits, mirror: Mirror, intentions: readonly Intention[], opts: PlanOptions): PlannedPayment[] {
  const out: PlannedPayment[] = [];
  for (const it of intentions) {
    mirror.issueBefore(it.at.getTime());
    const day = dateOfEpochDay(it.day);
    const minimum = opts.minimumOn(day);
    // what it pays towards: its own bill and older ones; a top-up clears everything open
    const open = mirror.open();
    const through = it.topUp ? open : open.filter((b) => b.period <= it.period);
    let needed = 0;
    let probe: OpenBill[] | null = null;
    if (through.some((b) => b.dueOn < day)) {
      // something is past due: allocation brings penalties up to the day first
      const settled = allocate(through, OPEN_PROBE_FEN, day, minimum);
      needed = settled.principalFen + settled.penaltyFen;
      probe = settled.bills;
    } else for (const b of through) needed += principalOpen(b) + penaltyOpen(b);
    let amount: number;
    if (it.topUp) {
      const want = needed + Math.max(0, Math.ceil(mirror.expectedBill() * t.cushion) - mirror.prepaidFen);
      if (want <= 0) continue; // the balance already covers what it expects
      amount = Math.ceil(want / TOP_UP_STEP_FEN) * TOP_UP_STEP_FEN;
      if (it.kind === 'partial') {
        const step = want >= 10 * PARTIAL_TOP_UP_STEP_FEN ? PARTIAL_TOP_UP_STEP_FEN : 100;
        const part = Math.floor((want * it.fraction) / step) * step;
        if (part >= 100) amount = part;
      }
    } else {
      if (through.length === 0 || needed <= 0) continue;
      amount = needed;
      if (it.kind === 'partial') {
        const part = Math.floor((needed * it.fraction) / 100) * 100;
        if (part >= 100 && part < needed) amount = part;
      } else if (it.kind === 'current') {
        amount = Math.min(needed, mirror.totalOf(it.period) ?? needed);
      }
    }
    if (amount === needed && probe) mirror.replace(probe); // paying exactly what is open through this bill: allocation stops there, as the probe did
    else if (amount === needed && !probe) mirror.replace(through.map((b) => ({ ...b, penaltyPaidFen: b.penaltyPaidFen + penaltyOpen(b), principalPaidFen: b.principalDueFen })));
    else mirror.pay(allocate(open, amount, day, minimum));
    out.push({ accountId: account.id, channel: it.channel, channelTxnId: `HIST-${it.channel}-${account.id}-${it.period}-${it.n}`, amountFen: amount, paidAt: it.at, period: it.period });
  }
  return out;
}

/**
 * The account as the payments core sees it at a moment of the replay: the bills issued so far (oldest first),
 * their states, and the prepaid balance. A bill appears at its issue and, for an account that pays in
 * advance, takes what the balance holds up to its total (payments settleFromPrepaid, RULES §8.4).
 */
class Mirror {
  private readonly bills: OpenBill[] = [];
  private readonly position = new Map<number, number>();
  /** bill totals by month number of the period */
  private readonly totals = new Map<number, number>();
  private readonly advance: boolean;
  private next = 0;
  private firstOpen = 0;
  private lastMonth: number | null = null;
  prepaidFen = 0;

  /** From nothing (state null), or from the account's state at `from`: every bill issued up to then (at `from` itself too) issued already. */
  constructor(
    private readonly account: HistoryAccount,
    private readonly history: readonly HistoryBill[],
    state: AccountState | null,
    from: number,
  ) {
    this.advance = account.paymentMode !== 'postpaid';
    if (!state) return;
    for (; this.next < history.length && history[this.next]!.issuedAt.getTime() <= from; this.next++) this.seen(history[this.next]!);
    for (const b of state.open) this.add(b);
    this.prepaidFen = state.prepaidFen;
  }

  /** Issues every bill issued before the instant: settled from the prepaid balance for an account that pays in advance. */
  issueBefore(at: number): void {
    for (; this.next < this.history.length && this.history[this.next]!.issuedAt.getTime() < at; this.next++) {
      const b = this.history[this.next]!;
      this.seen(b);
      if (b.totalFen <= 0) continue; // nothing to pay: the payments core never sees it open
      const settled = this.advance ? Math.min(this.prepaidFen, b.totalFen) : 0;
      this.prepaidFen -= settled;
      this.add({ ...openBillOf(b, this.account.category), principalPaidFen: settled });
    }
  }

  private seen(b: HistoryBill): void {
    this.lastMonth = monthNumber(b.period);
    this.totals.set(this.lastMonth, b.totalFen);
  }

  private add(b: OpenBill): void {
    this.position.set(b.billId, this.bills.length);
    this.bills.push(b);
  }

  /** The bills with something open, oldest first. */
  open(): OpenBill[] {
    while (this.firstOpen < this.bills.length && isSettled(this.bills[this.firstOpen]!)) this.firstOpen++;
    const out: OpenBill[] = [];
    for (let i = this.firstOpen; i < this.bills.length; i++) if (!isSettled(this.bills[i]!)) out.push(this.bills[i]!);
    return out;
  }

  totalOf(period: string): number | undefined {
    return this.totals.get(monthNumber(period));
  }

  /** What the household expects its next bill to be: the larger of the last one and the same month a year before. */
  expectedBill(): number {
    if (this.lastMonth === null) return 0;
    return Math.max(0, this.totals.get(this.lastMonth) ?? 0, this.totals.get(this.lastMonth - 11) ?? 0);
  }

  replace(bills: readonly OpenBill[]): void {
    for (const b of bills) this.bills[this.position.get(b.billId)!] = b;
  }

  pay(a: { bills: readonly OpenBill[]; prepaidFen: number }): void {
    this.replace(a.bills);
    this.prepaidFen += a.prepaidFen;
  }
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

/**
 * The account as the payments core holds it just before `at`, its planned payments replayed as the demo
 * history does: each bill issued at its time and, for an account that pays in advance, settled from its
 * prepaid balance; each payment allocated. Also what the issues settled from prepaid. (For tests: the replay
 * reads this state from the database.)
 */
export function stateAt(account: HistoryAccount, bills: readonly HistoryBill[], payments: readonly PlannedPayment[], at: number, minimumOn: (day: string) => number): AccountState & { settledAtIssueFen: number } {
  const advance = account.paymentMode !== 'postpaid';
  const state = new Map<number, OpenBill>();
  let prepaid = 0;
  let settledAtIssue = 0;
  const events = [
    ...bills.map((b) => ({ at: b.issuedAt.getTime(), bill: b, payment: null })),
    ...payments.map((p) => ({ at: p.paidAt.getTime(), bill: null, payment: p })),
  ]
    .filter((e) => e.at < at)
    .sort((a, b) => a.at - b.at);
  for (const e of events) {
    if (e.bill) {
      if (e.bill.totalFen <= 0) continue;
      const s = advance ? Math.min(prepaid, e.bill.totalFen) : 0;
      prepaid -= s;
      settledAtIssue += s;
      state.set(e.bill.billId, { ...openBillOf(e.bill, account.category), principalPaidFen: s });
    } else if (e.payment) {
      const d = businessDate(e.payment.paidAt);
      const a = allocate([...state.values()].filter((b) => !isSettled(b)), e.payment.amountFen, d, minimumOn(d));
      for (const b of a.bills) state.set(b.billId, b);
      prepaid += a.prepaidFen;
    }
  }
  return { open: [...state.values()].filter((b) => !isSettled(b)), prepaidFen: prepaid, settledAtIssueFen: settledAtIssue };
}

/**
 * The account after its planned payments (stateAt, all of them), on `day`: the principal open on bills past
 * due, how many such bills, the prepaid balance, and what was settled from it at issue.
 */
export function arrearsAfter(
  account: HistoryAccount,
  bills: readonly HistoryBill[],
  payments: readonly PlannedPayment[],
  day: string,
  minimumOn: (day: string) => number,
): { principalFen: number; bills: number; prepaidFen: number; settledAtIssueFen: number } {
  const s = stateAt(account, bills, payments, Number.POSITIVE_INFINITY, minimumOn);
  const open = s.open.filter((b) => b.principalDueFen > b.principalPaidFen && b.dueOn < day);
  return { principalFen: open.reduce((sum, b) => sum + b.principalDueFen - b.principalPaidFen, 0), bills: open.length, prepaidFen: s.prepaidFen, settledAtIssueFen: s.settledAtIssueFen };
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
