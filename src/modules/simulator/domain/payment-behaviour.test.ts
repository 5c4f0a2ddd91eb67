import { describe, expect, it } from 'vitest';
import { allocate, type OpenBill } from '../../payments/index.js';
import { addDays, addMonths, businessDate } from '../../../shared/business-time.js';
import type { Behaviour, PaymentMode } from './accounts.js';
import {
  arrearsAfter,
  historyOutTradeNo,
  MAX_LAG_DAYS,
  minimumLookup,
  onlineShare,
  planAccountPayments,
  planAccountWindow,
  stateAt,
  type HistoryAccount,
  type HistoryBill,
  type PlannedPayment,
  type PlanOptions,
} from './payment-behaviour.js';

const FIRST_PERIOD = '2024-11';
const MONTHS = 24;
const cutoff = new Date('2026-11-15T04:00:00Z');
const minimumOn = minimumLookup([
  { effectiveFrom: '1996-09-01', minimumFen: 100 },
  { effectiveFrom: '2024-06-01', minimumFen: 100 },
]);
const opts: PlanOptions = { seed: 7, cutoff, firstMonth: addMonths(FIRST_PERIOD, 1), months: MONTHS, minimumOn };

/** 24 monthly bills as the demo history issues them: on the 5th of the next month at 10:00, due 15 days later (residential) or on day 25. */
function billsOf(accountId: number, category = 'residential', totalFen = (i: number) => 8_000 + ((accountId * 37 + i * 101) % 9_000)): HistoryBill[] {
  return Array.from({ length: MONTHS }, (_, i) => {
    const period = addMonths(FIRST_PERIOD, i);
    const issueDay = `${addMonths(period, 1)}-05`;
    return { billId: accountId * 100 + i, period, issuedAt: new Date(`${issueDay}T10:00:00+08:00`), dueOn: category === 'residential' ? addDays(issueDay, 15) : `${issueDay.slice(0, 8)}25`, totalFen: totalFen(i) };
  });
}

function account(id: number, behaviour: Behaviour, paymentMode: PaymentMode = 'postpaid', category = 'residential'): HistoryAccount {
  return { id, behaviour, paymentMode, category };
}

const asOfDay = businessDate(cutoff);
const sum = (ps: readonly PlannedPayment[]) => ps.reduce((s, p) => s + p.amountFen, 0);

describe('planning the demo payment history', () => {
  it('is deterministic for a seed, and another seed gives other payments', () => {
    const a = account(42, 'chronic_late');
    const bills = billsOf(42);
    expect(planAccountPayments(a, bills, opts)).toEqual(planAccountPayments(a, bills, opts));
    expect(planAccountPayments(a, bills, { ...opts, seed: 8 })).not.toEqual(planAccountPayments(a, bills, opts));
  });

  it('pays only after a bill is issued and up to the cutoff, in whole positive fen, with unique channel transaction ids', () => {
    const behaviours: Behaviour[] = ['prompt', 'late_but_pays', 'chronic_late', 'defaulting', 'disputing'];
    const wrong: string[] = [];
    for (let id = 1; id <= 200; id++) {
      const a = account(id, behaviours[id % 5]!, id % 3 === 0 ? 'postpaid' : 'smart_prepaid', id % 7 === 0 ? 'commercial' : 'residential');
      const bills = billsOf(id, a.category);
      const plan = planAccountPayments(a, bills, opts);
      for (const p of plan) {
        const bill = bills.find((b) => b.period === p.period)!;
        if (!Number.isSafeInteger(p.amountFen) || p.amountFen <= 0) wrong.push(`${p.channelTxnId}: amount ${p.amountFen}`);
        if (p.paidAt.getTime() <= bill.issuedAt.getTime()) wrong.push(`${p.channelTxnId}: paid before its bill was issued`);
        if (p.paidAt.getTime() > cutoff.getTime()) wrong.push(`${p.channelTxnId}: after the cutoff`);
        if (!new RegExp(`^HIST-${p.channel}-${id}-${p.period}-[12]$`).test(p.channelTxnId)) wrong.push(`${p.channelTxnId}: not HIST-<channel>-<account>-<period>-<n>`);
      }
      if (new Set(plan.map((p) => `${p.channel}:${p.channelTxnId}`)).size !== plan.length) wrong.push(`account ${id}: a transaction id twice`);
      if (plan.some((p, i) => i > 0 && p.paidAt < plan[i - 1]!.paidAt)) wrong.push(`account ${id}: not in time order`);
    }
    expect(wrong).toEqual([]);
  }, 30_000);

  it('is prefix-stable, and a window planned from the state at its start gives the whole history’s payments in it', () => {
    const behaviours: Behaviour[] = ['prompt', 'late_but_pays', 'chronic_late', 'defaulting', 'disputing'];
    const modes: PaymentMode[] = ['postpaid', 'smart_prepaid', 'purchase_before_use'];
    const wrong: string[] = [];
    for (let id = 1; id <= 90; id++) {
      const a = account(id, behaviours[id % 5]!, modes[id % 3]!, id % 4 === 0 ? 'commercial' : 'residential');
      const bills = billsOf(id, a.category);
      const whole = planAccountPayments(a, bills, opts);
      for (let k = 1; k <= bills.length; k++) {
        const from = bills[k - 1]!.issuedAt;
        const until = bills[k]?.issuedAt ?? null;
        const inWindow = (ps: PlannedPayment[]) => ps.filter((p) => p.paidAt >= from && (!until || p.paidAt < until));
        if (until && JSON.stringify(planAccountPayments(a, bills.slice(0, k), opts).filter((p) => p.paidAt < until)) !== JSON.stringify(whole.filter((p) => p.paidAt < until)))
          wrong.push(`account ${id}: the payments before bill ${k} differ`);
        // the replay's window: the state at the issue (after it), the bills issued so far (only the recent ones)
        const state = stateAt(a, bills.slice(0, k), whole, from.getTime() + 1, minimumOn);
        const recent = bills.slice(Math.max(0, k - 12), k);
        const window = planAccountWindow(a, recent, state, { ...opts, from, until });
        if (JSON.stringify(window) !== JSON.stringify(inWindow(whole))) wrong.push(`account ${id}: window ${k} differs`);
      }
    }
    expect(wrong).toEqual([]);
  }, 60_000);

  it('never pays a bill later than MAX_LAG_DAYS after its due date', () => {
    const behaviours: Behaviour[] = ['prompt', 'late_but_pays', 'chronic_late', 'defaulting', 'disputing'];
    let latest = 0;
    for (let id = 1; id <= 500; id++) {
      const a = account(id, behaviours[id % 5]!, id % 2 ? 'postpaid' : 'smart_prepaid', id % 3 ? 'residential' : 'commercial');
      const bills = billsOf(id, a.category);
      for (const p of planAccountPayments(a, bills, opts)) {
        const due = bills.find((b) => b.period === p.period)!.dueOn;
        latest = Math.max(latest, (Date.parse(businessDate(p.paidAt)) - Date.parse(due)) / 86_400_000);
      }
    }
    expect(latest).toBeGreaterThan(60);
    expect(latest).toBeLessThanOrEqual(MAX_LAG_DAYS);
  });

  it('pays exactly what is open: after a prompt payment nothing up to its bill is left, not a fen (the mirror agrees with the payments core, settlement at issue included)', () => {
    const wrong: string[] = [];
    for (let id = 1; id <= 150; id++) {
      const a = account(id, 'prompt', id % 2 ? 'smart_prepaid' : 'postpaid', id % 3 ? 'residential' : 'commercial');
      const bills = billsOf(id, a.category);
      const plan = planAccountPayments(a, bills, opts);
      for (const [i, p] of plan.entries()) {
        const issued = bills.filter((b) => b.issuedAt < p.paidAt);
        // as the replay leaves the account just after this payment: bills open up to its bill?
        const after = arrearsAfter(a, issued, plan.slice(0, i + 1), '9999-12-31', minimumOn);
        const through = issued.filter((b) => b.period <= p.period);
        const openThrough = arrearsAfter(a, through, plan.slice(0, i + 1), '9999-12-31', minimumOn);
        if (openThrough.principalFen > 0) wrong.push(`${p.channelTxnId}: ${openThrough.bills} bills still open`);
        if (a.paymentMode === 'postpaid' && after.prepaidFen > 0) wrong.push(`${p.channelTxnId}: a postpaid account overpaid ${after.prepaidFen}`);
      }
    }
    expect(wrong).toEqual([]);
  }, 30_000);

  it('prompt postpaid households pay each bill in full a few days before it is due, without penalty', () => {
    let late = 0;
    let payments = 0;
    for (let id = 1; id <= 200; id++) {
      const a = account(id, 'prompt');
      const bills = billsOf(id);
      const plan = planAccountPayments(a, bills, opts);
      for (const p of plan) {
        const due = bills.find((b) => b.period === p.period)!.dueOn;
        const day = businessDate(p.paidAt);
        payments++;
        if (day > due) {
          late++;
          expect(day <= addDays(due, 3)).toBe(true);
        }
      }
      expect(arrearsAfter(a, bills, plan, asOfDay, minimumOn).principalFen).toBe(0);
      const paidBills = bills.filter((b) => plan.some((p) => p.period === b.period));
      expect(sum(plan)).toBeGreaterThanOrEqual(paidBills.reduce((s, b) => s + b.totalFen, 0));
    }
    expect(late / payments).toBeLessThan(0.06);
  });

  it('smart prepaid households top up in round sums ahead of their bills, so most bills are settled from the balance at issue', () => {
    let bills = 0;
    let settledAtIssue = 0;
    let billedFen = 0;
    let fromPrepaidFen = 0;
    for (let id = 1; id <= 200; id++) {
      const a = account(id, id % 4 ? 'prompt' : 'late_but_pays', 'smart_prepaid');
      const history = billsOf(id);
      const plan = planAccountPayments(a, history, opts);
      for (const p of plan) {
        expect(p.amountFen % 5_000).toBe(0);
        expect(businessDate(p.paidAt) <= history.find((b) => b.period === p.period)!.dueOn).toBe(true);
      }
      // never overdue, and in credit at the as-of date
      const end = arrearsAfter(a, history, plan, asOfDay, minimumOn);
      expect(end.principalFen).toBe(0);
      expect(end.prepaidFen).toBeGreaterThan(0);
      fromPrepaidFen += end.settledAtIssueFen;
      for (const [k, b] of history.entries()) {
        if (k === 0) continue; // nothing was paid before the first bill
        bills++;
        billedFen += b.totalFen;
        const paidBefore = plan.filter((p) => p.paidAt < b.issuedAt);
        const before = arrearsAfter(a, history.slice(0, k), paidBefore, '9999-12-31', minimumOn);
        if (before.prepaidFen >= b.totalFen) settledAtIssue++;
      }
    }
    expect(settledAtIssue / bills).toBeGreaterThan(0.7);
    expect(fromPrepaidFen / billedFen).toBeGreaterThan(0.8);
  }, 30_000);

  it('prepaid households in default or in a dispute put nothing aside: their bills stay open', () => {
    let withArrears = 0;
    for (let id = 1; id <= 100; id++) {
      const a = account(id, id % 2 ? 'defaulting' : 'disputing', 'smart_prepaid');
      const history = billsOf(id);
      const plan = planAccountPayments(a, history, opts);
      if (a.behaviour === 'defaulting') expect(arrearsAfter(a, history, plan, asOfDay, minimumOn).principalFen).toBeGreaterThan(0);
      // at some issue a bill stayed open: its household had no balance to settle it from
      const open = history.some((b, k) => k > 0 && arrearsAfter(a, history.slice(0, k), plan.filter((p) => p.paidAt < b.issuedAt), '9999-12-31', minimumOn).prepaidFen < b.totalFen);
      if (open) withArrears++;
    }
    expect(withArrears).toBe(100);
  }, 30_000);

  it('late payers pay in full 5–40 days late mostly, and penalties make them pay more than billed', () => {
    let lateOnes = 0;
    let all = 0;
    for (let id = 1; id <= 100; id++) {
      const a = account(id, 'late_but_pays');
      const bills = billsOf(id);
      const plan = planAccountPayments(a, bills, opts);
      for (const p of plan) {
        const due = bills.find((b) => b.period === p.period)!.dueOn;
        all++;
        if (businessDate(p.paidAt) > due) lateOnes++;
      }
      // everything due more than 40 days before the cutoff is paid, with its penalty
      expect(arrearsAfter(a, bills, plan, addDays(asOfDay, -41), minimumOn).principalFen).toBe(0);
      const paidBills = bills.filter((b) => b.dueOn < addDays(asOfDay, -41));
      expect(sum(plan)).toBeGreaterThan(paidBills.reduce((s, b) => s + b.totalFen, 0));
    }
    expect(lateOnes / all).toBeGreaterThan(0.6);
  });

  it('chronic late payers pay some bills partly and catch up later', () => {
    let partial = 0;
    for (let id = 1; id <= 100; id++) {
      const a = account(id, 'chronic_late');
      const bills = billsOf(id);
      const plan = planAccountPayments(a, bills, opts);
      partial += plan.filter((p) => p.amountFen % 100 === 0 && p.amountFen < bills.find((b) => b.period === p.period)!.totalFen).length;
    }
    expect(partial).toBeGreaterThan(100);
  });

  it('defaulting accounts stop paying: arrears remain at the end', () => {
    for (let id = 1; id <= 100; id++) {
      const a = account(id, 'defaulting', id % 2 ? 'postpaid' : 'smart_prepaid', id % 3 ? 'residential' : 'commercial');
      const bills = billsOf(id, a.category);
      const plan = planAccountPayments(a, bills, opts);
      const arrears = arrearsAfter(a, bills, plan, asOfDay, minimumOn);
      expect(arrears.principalFen).toBeGreaterThan(0);
      expect(arrears.bills).toBeGreaterThanOrEqual(3);
    }
  });

  it('disputing accounts withhold a bill for months, paying the newer ones, then pay it with its penalty', () => {
    let resolved = 0;
    for (let id = 1; id <= 100; id++) {
      const a = account(id, 'disputing');
      const bills = billsOf(id);
      const plan = planAccountPayments(a, bills, opts);
      const paid = new Set(plan.map((p) => p.period));
      expect(bills.some((b, i) => !paid.has(b.period) && paid.has(bills[i + 1]?.period ?? ''))).toBe(true);
      if (plan.some((p) => p.amountFen > bills.find((b) => b.period === p.period)!.totalFen * 1.5)) resolved++;
    }
    expect(resolved).toBeGreaterThan(50);
  });

  it('moves payments online over the 24 months, and organisations on bank debit pay by bank', () => {
    const count = { firstOnline: 0, first: 0, lastOnline: 0, last: 0, bank: 0, householdBank: 0 };
    const online = new Set(['wechatpay', 'alipay', 'gridapp']);
    for (let id = 1; id <= 1500; id++) {
      const a = account(id, id % 4 ? 'prompt' : 'late_but_pays', id % 2 ? 'smart_prepaid' : 'postpaid', id % 10 === 0 ? 'public' : 'residential');
      for (const p of planAccountPayments(a, billsOf(id, a.category), opts)) {
        const m = businessDate(p.paidAt).slice(0, 7);
        if (m <= '2025-02') ((count.first += 1), (count.firstOnline += online.has(p.channel) ? 1 : 0));
        if (m >= '2026-09') ((count.last += 1), (count.lastOnline += online.has(p.channel) ? 1 : 0));
        if (p.channel === 'bank') (a.category === 'residential' ? count.householdBank++ : count.bank++);
      }
    }
    const first = count.firstOnline / count.first;
    const last = count.lastOnline / count.last;
    expect(first).toBeGreaterThan(0.15);
    expect(first).toBeLessThan(0.4);
    expect(last).toBeGreaterThan(0.6);
    expect(last).toBeLessThan(0.85);
    expect(count.bank).toBeGreaterThan(100);
    expect(count.householdBank).toBe(0);
  }, 30_000);

  it('grows the online share linearly from 25% to 75%', () => {
    expect(onlineShare(0, 24)).toBe(0.25);
    expect(onlineShare(23, 24)).toBe(0.75);
    expect(onlineShare(40, 24)).toBe(0.75);
    expect(onlineShare(-3, 24)).toBe(0.25);
  });

  it('makes out_trade_no values in the channels shape, the same for the same payment', () => {
    const at = new Date('2025-03-07T02:00:00Z');
    const nos = Array.from({ length: 2000 }, (_, i) => historyOutTradeNo(at, `HIST-wechatpay-${i}-2025-02-1`));
    for (const no of nos) expect(no).toMatch(/^GR20250307[A-Z2-7]{16}$/);
    expect(new Set(nos).size).toBe(nos.length);
    expect(historyOutTradeNo(at, 'HIST-alipay-1-2025-02-1')).toBe(historyOutTradeNo(at, 'HIST-alipay-1-2025-02-1'));
  });
});
