import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/connect.js';
import { buildGridappNotification } from '../../src/modules/channels/domain/gridapp.js';
import { balanceOf, checkLedger, consumeEvents, subscribeEvents, type AccountEvent } from '../../src/modules/ledger/index.js';
import { FixedClock } from '../../src/shared/clock.js';
import { seedCounty, type Fixture } from '../fixtures/county.js';
import { buildTestApp, type TestApp } from '../support/app.js';
import { issueTestBill } from '../support/bills.js';
import { createTestDatabase } from '../support/db.js';

/**
 * Account events (issue 16): one of each money-moving operation — bills issued, a counter payment, an online
 * payment, a bank debit, a reversal, a refund, a penalty waiver, an adjustment whose credit moves to prepaid —
 * and exactly the expected events back, through the API (scoped), the server-sent-events stream, and an
 * in-process consumer stopped half-way and started again.
 */
const api = '/api/v1';
const clock = new FixedClock(new Date('2026-11-20T10:00:00+08:00'));
const GRID_SECRET = 'grid-app-secret-for-events';
let handle: DatabaseHandle;
let t: TestApp;
let fx: Fixture;
let overdueBill: number;
/** (account, kind) of every event the operations below should make, in order. */
const expected: [keyof Fixture['accounts'], string][] = [];

const ok = (res: { statusCode: number; body: string }, status = 201) => {
  expect(res.statusCode, res.body).toBe(status);
  return JSON.parse(res.body);
};
const approve = async (requester: 'cashierA' | 'cashierB', approver: 'headA' | 'headB', payload: object) => {
  const req = ok(await t.as(requester, { method: 'POST', url: `${api}/approvals`, payload }));
  ok(await t.as(approver, { method: 'POST', url: `${api}/approvals/${req.id}/decision`, payload: { approve: true } }), 200);
};

beforeAll(async () => {
  handle = await createTestDatabase();
  fx = await seedCounty(handle.db);
  t = await buildTestApp(handle, { clock, env: { GRANARY_GRIDAPP_SECRET: GRID_SECRET, GRANARY_PAY_TOKEN_SECRET: 'pay-token-secret-for-tests' } });

  // bills: A1 due later, A2 overdue (a penalty accrues), B1 to be paid and then corrected
  await issueTestBill(handle.db, { accountId: fx.accounts.A1, period: '2026-10', totalFen: 10_000, dueOn: '2026-11-25', issuedOn: '2026-11-05' });
  const overdue = (overdueBill = await issueTestBill(handle.db, { accountId: fx.accounts.A2, period: '2026-09', totalFen: 5_000, dueOn: '2026-10-25', issuedOn: '2026-10-05' }));
  const b3 = await issueTestBill(handle.db, { accountId: fx.accounts.B1, period: '2026-10', totalFen: 800, dueOn: '2026-11-25', issuedOn: '2026-11-05' });
  expected.push(['A1', 'bill.issued'], ['A2', 'bill.issued'], ['B1', 'bill.issued']);

  // a counter payment, an online payment, a bank debit (B1 pays its bill and more: the rest is prepaid)
  const counter = ok(await t.as('cashierA', { method: 'POST', url: `${api}/payments`, payload: { accountId: fx.accounts.A1, amountFen: 3_000 }, headers: { 'idempotency-key': 'events-1' } }));
  const order = ok(await t.as('cashierA', { method: 'POST', url: `${api}/payment-orders`, payload: { accountId: fx.accounts.A1, amountFen: 2_000, channel: 'gridapp' } }));
  const note = buildGridappNotification({ secret: Buffer.from(GRID_SECRET), body: { outTradeNo: order.outTradeNo, txnId: 'GA-EV-1', amountFen: 2_000, paidAt: clock.now().toISOString(), status: 'PAID' }, now: clock.now() });
  const notified = await t.app.inject({ method: 'POST', url: `${api}/channels/gridapp/notify`, payload: note.body, headers: note.headers });
  expect(notified.statusCode, notified.body).toBe(200);
  const file = 'bank_txn_id,account_no,amount,debit_date,status,bank_message\nEV0001,8800000003,23.00,2026-11-20,S,\n';
  ok(await t.as('marketing', { method: 'POST', url: `${api}/bank-files?bank=ICBC&fileName=ICBC_EV.csv`, payload: file, headers: { 'content-type': 'text/csv' } }));
  expected.push(['A1', 'payment.applied'], ['A1', 'payment.applied'], ['B1', 'payment.applied']);

  // approvals one level up: reversal, refund, waiver of the penalty accrued on A2's bill
  await approve('cashierA', 'headA', { kind: 'payment.reversal', paymentId: counter.id, reason: '收错户号' });
  await approve('cashierB', 'headB', { kind: 'prepaid.refund', accountId: fx.accounts.B1, amountFen: 500, reason: '退费' });
  const statement = ok(await t.as('cashierA', { method: 'GET', url: `${api}/accounts/${fx.accounts.A2}/statement` }), 200);
  const penalty = statement.openBills[0].penaltyFen as number;
  expect(penalty).toBeGreaterThan(0);
  await approve('cashierA', 'headA', { kind: 'penalty.waiver', accountId: fx.accounts.A2, billId: overdue, amountFen: penalty, reason: '灾害减免' });
  expected.push(['A1', 'payment.reversed'], ['B1', 'prepaid.refunded'], ['A2', 'penalty.waived']);

  // B1's paid bill corrected down by 3.00 元: the overpayment moves from receivable to prepaid
  ok(await t.as('headB', { method: 'POST', url: `${api}/bills/${b3}/adjustments`, payload: { reason: '抄表错误', lines: [{ code: 'energy', quantity: '-3', unitPrice: '1.00' }] } }));
  expected.push(['B1', 'bill.adjusted'], ['B1', 'prepaid.credited']);
});

afterAll(async () => {
  await t?.app.close();
  if (handle) expect((await checkLedger(handle.db)).violations).toEqual([]);
  await handle?.close();
});

async function allEvents(user: Parameters<TestApp['as']>[0] = 'admin'): Promise<AccountEvent[]> {
  const out: AccountEvent[] = [];
  for (let after = 0; ; ) {
    const page = ok(await t.as(user, { method: 'GET', url: `${api}/events?after=${after}&limit=4` }), 200);
    out.push(...page.items);
    if (page.items.length === 0) return out;
    after = Number(page.nextCursor);
  }
}

describe('account events', () => {
  it('are exactly one per account and operation, in order, each with its changes and the balances after it', async () => {
    const events = await allEvents();
    const keyOf = new Map(Object.entries(fx.accounts).map(([k, id]) => [id, k]));
    expect(events.map((e) => [keyOf.get(e.accountId), e.kind])).toEqual(expected);
    expect(events.map((e) => e.seq)).toEqual([...events.map((e) => e.seq)].sort((a, b) => a - b));
    // the balances after each event follow from the one before and its change, and end at the ledger's
    const last = new Map<number, { r: number; p: number; n: number }>();
    for (const e of events) {
      const before = last.get(e.accountId) ?? { r: 0, p: 0, n: 0 };
      expect([e.receivableFen, e.prepaidFen, e.penaltyFen], `${e.seq} ${e.kind}`).toEqual([before.r + e.receivableDeltaFen, before.p + e.prepaidDeltaFen, before.n + e.penaltyDeltaFen]);
      last.set(e.accountId, { r: e.receivableFen, p: e.prepaidFen, n: e.penaltyFen });
    }
    for (const [accountId, b] of last) {
      expect(b.r).toBe(await balanceOf(handle.db, accountId, 'receivable'));
      expect(b.p).toBe(0 - (await balanceOf(handle.db, accountId, 'prepaid')));
      expect(b.n).toBe(await balanceOf(handle.db, accountId, 'penalty'));
    }
    const kinds = (k: string) => events.filter((e) => e.kind === k);
    expect(kinds('bill.issued').map((e) => e.receivableDeltaFen)).toEqual([10_000, 5_000, 800]);
    expect(kinds('payment.applied').map((e) => [e.receivableDeltaFen, e.prepaidDeltaFen])).toEqual([[-3_000, 0], [-2_000, 0], [-800, 1_500]]);
    expect(kinds('payment.reversed')[0]).toMatchObject({ receivableDeltaFen: 3_000, receivableFen: 8_000 });
    expect(kinds('prepaid.refunded')[0]).toMatchObject({ prepaidDeltaFen: -500, prepaidFen: 1_000 });
    expect(kinds('penalty.waived')[0]).toMatchObject({ penaltyDeltaFen: 0, penaltyFen: 0, receivableDeltaFen: 0 });
    expect(kinds('bill.adjusted')[0]).toMatchObject({ receivableDeltaFen: -300, receivableFen: -300 });
    expect(kinds('prepaid.credited')[0]).toMatchObject({ receivableDeltaFen: 300, receivableFen: 0, prepaidDeltaFen: 300, prepaidFen: 1_300 });
  });

  it('are scoped like everything else', async () => {
    const all = await allEvents();
    const ids = (list: AccountEvent[]) => list.map((e) => e.seq);
    expect(ids(await allEvents('headB'))).toEqual(ids(all.filter((e) => e.accountId === fx.accounts.B1)));
    expect(ids(await allEvents('amA1'))).toEqual(ids(all.filter((e) => e.accountId === fx.accounts.A1)));
    const one = ok(await t.as('headA', { method: 'GET', url: `${api}/events?accountId=${fx.accounts.A2}` }), 200);
    expect(one.items.map((e: AccountEvent) => e.seq)).toEqual(ids(all.filter((e) => e.accountId === fx.accounts.A2)));
    expect(ok(await t.as('headB', { method: 'GET', url: `${api}/events?accountId=${fx.accounts.A2}` }), 200).items).toEqual([]);
    expect((await t.app.inject({ method: 'GET', url: `${api}/events` })).statusCode).toBe(401);
    expect((await t.as('admin', { method: 'GET', url: `${api}/events?after=-1` })).statusCode).toBe(422);
  });

  it('stream as server-sent events from a cursor, and resume after Last-Event-ID', async () => {
    const all = await allEvents();
    const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const token = await t.tokenFor('admin');
    const read = async (headers: Record<string, string>, query: string, count: number) => {
      const abort = new AbortController();
      const res = await fetch(`${address}${api}/events/stream${query}`, { headers: { authorization: `Bearer ${token}`, ...headers }, signal: abort.signal });
      expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
      const reader = res.body!.getReader();
      let text = '';
      const got: { id: number; event: string; data: AccountEvent }[] = [];
      const deadline = Date.now() + 10_000;
      while (got.length < count && Date.now() < deadline) {
        const { value, done } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
        for (let end = text.indexOf('\n\n'); end >= 0; end = text.indexOf('\n\n')) {
          const block = text.slice(0, end);
          text = text.slice(end + 2);
          const field = (name: string) => block.split('\n').find((l) => l.startsWith(`${name}: `))?.slice(name.length + 2);
          if (field('data')) got.push({ id: Number(field('id')), event: field('event')!, data: JSON.parse(field('data')!) });
        }
      }
      abort.abort();
      return got.slice(0, count);
    };
    const first = await read({}, '?after=0', 5);
    expect(first.map((g) => g.data)).toEqual(all.slice(0, 5));
    expect(first.map((g) => [g.id, g.event])).toEqual(all.slice(0, 5).map((e) => [e.seq, e.kind]));
    const rest = await read({ 'last-event-id': String(first[4]!.id) }, '', all.length - 5);
    expect(rest.map((g) => g.data)).toEqual(all.slice(5));
  });

  it('reach an in-process consumer once each, across a crash half-way', async () => {
    const all = await allEvents();
    await sql`create table test_consumed (seq bigint primary key, kind text not null)`.execute(handle.db);
    let batches = 0;
    const crashing = {
      name: 'test-consumer',
      batch: 3,
      async handle(trx: Parameters<Parameters<typeof consumeEvents>[1]['handle']>[0], events: readonly AccountEvent[]) {
        for (const e of events) await sql`insert into test_consumed values (${e.seq}, ${e.kind})`.execute(trx);
        if (++batches === 2) throw new Error('the consumer died');
      },
    };
    await expect(consumeEvents(handle.db, crashing)).rejects.toThrow('the consumer died');
    const seen = async () => (await sql<{ seq: number }>`select seq from test_consumed order by seq`.execute(handle.db)).rows.map((r) => Number(r.seq));
    expect(await seen()).toEqual(all.slice(0, 3).map((e) => e.seq)); // the second batch rolled back with its cursor

    const restarted = { ...crashing, handle: async (trx: Parameters<typeof crashing.handle>[0], events: readonly AccountEvent[]) => {
      for (const e of events) await sql`insert into test_consumed values (${e.seq}, ${e.kind})`.execute(trx);
    } };
    expect(await consumeEvents(handle.db, restarted)).toBe(all.length - 3);
    expect(await seen()).toEqual(all.map((e) => e.seq));
    expect(await consumeEvents(handle.db, restarted)).toBe(0);

    // subscribed: a new posting reaches it without another call
    const sub = subscribeEvents(handle.db, restarted, { pollMs: 50 });
    try {
      ok(await t.as('cashierA', { method: 'POST', url: `${api}/payments`, payload: { accountId: fx.accounts.A1, amountFen: 100 }, headers: { 'idempotency-key': 'events-2' } }));
      const deadline = Date.now() + 5_000;
      while ((await seen()).length === all.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    } finally {
      await sub.stop();
    }
    const latest = await allEvents();
    expect(latest.length).toBe(all.length + 1);
    expect(await seen()).toEqual(latest.map((e) => e.seq));
  });

  it('take money moved to prepaid back out when the payment it came from is reversed', async () => {
    const after = (await allEvents()).at(-1)!.seq;
    const open = ok(await t.as('cashierA', { method: 'GET', url: `${api}/accounts/${fx.accounts.A2}/statement` }), 200);
    const pay = ok(await t.as('cashierA', { method: 'POST', url: `${api}/payments`, payload: { accountId: fx.accounts.A2, amountFen: open.toPayFen }, headers: { 'idempotency-key': 'events-3' } }));
    // the bill paid in full is corrected down by 10.00 元: the 10.00 元 overpaid moves to prepaid
    ok(await t.as('headA', { method: 'POST', url: `${api}/bills/${overdueBill}/adjustments`, payload: { reason: '抄表错误', lines: [{ code: 'energy', quantity: '-10', unitPrice: '1.00' }] } }));
    expect(0 - (await balanceOf(handle.db, fx.accounts.A2, 'prepaid'))).toBe(1_000);
    await approve('cashierA', 'headA', { kind: 'payment.reversal', paymentId: pay.id, reason: '重复收费' });
    const statement = ok(await t.as('cashierA', { method: 'GET', url: `${api}/accounts/${fx.accounts.A2}/statement` }), 200);
    expect(statement.prepaidFen).toBe(0);
    expect(statement.arrearsFen).toBe(4_000);
    expect(await balanceOf(handle.db, fx.accounts.A2, 'receivable')).toBe(4_000);
    const events = (await allEvents()).filter((e) => e.seq > after);
    expect(events.map((e) => e.kind)).toEqual(['payment.applied', 'bill.adjusted', 'prepaid.credited', 'payment.reversed']);
    expect(events.at(-1)).toMatchObject({ receivableDeltaFen: 4_000, prepaidDeltaFen: -1_000, receivableFen: 4_000, prepaidFen: 0 });
    expect((await checkLedger(handle.db)).violations).toEqual([]);
  });
});
