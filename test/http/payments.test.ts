import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/connect.js';
import { checkLedger } from '../../src/modules/ledger/index.js';
import { FixedClock } from '../../src/shared/clock.js';
import { seedCounty, type Fixture } from '../fixtures/county.js';
import { buildTestApp, type TestApp } from '../support/app.js';
import { issueTestBill } from '../support/bills.js';
import { createTestDatabase } from '../support/db.js';
import { fingerprintTables } from '../support/tables.js';

/**
 * Counter payments (坐收), allocation (销账), penalties (违约金) and the approvals of reversal, refund and
 * waiver, through the API, with RULES §6's worked examples L1 and L2 to the fen.
 */
const api = '/api/v1';
let handle: DatabaseHandle;
let t: TestApp;
let fx: Fixture;
const clock = new FixedClock(new Date('2025-01-10T10:00:00+08:00'));
let l1Bill: number;

async function balances(accountId: number): Promise<Record<string, number>> {
  const rows = await handle.db.selectFrom('ledger_balance').select(['book', 'balance_fen']).where('account_id', '=', accountId).execute();
  return Object.fromEntries(rows.map((r) => [r.book, r.balance_fen]));
}

const pay = (user: 'cashierA' | 'cashierB' | 'headA' | 'amA1' | 'admin', key: string, payload: unknown) =>
  t.as(user, { method: 'POST', url: `${api}/payments`, payload, headers: { 'idempotency-key': key } });

beforeAll(async () => {
  handle = await createTestDatabase();
  fx = await seedCounty(handle.db);
  await handle.db.updateTable('account').set({ category: 'commercial' }).where('id', '=', fx.accounts.A1).execute();
  // sessions outlive the month the clock moves forward
  t = await buildTestApp(handle, { clock, env: { GRANARY_SESSION_TTL_MINUTES: '100000' } });
  l1Bill = await issueTestBill(handle.db, { accountId: fx.accounts.A1, period: '2024-11', totalFen: 1_000_000, dueOn: '2024-12-25', issuedOn: '2024-12-05' });
});

afterAll(async () => {
  await t?.app.close();
  await handle?.close();
});

describe('penalties and allocation (RULES §6)', () => {
  it('L1: the statement shows 420.00 of penalty on 10,000.00 due 2024-12-25 on 2025-01-10', async () => {
    const res = await t.as('cashierA', { method: 'GET', url: `${api}/accounts/${fx.accounts.A1}/statement` });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ asOf: '2025-01-10', arrearsFen: 1_000_000, penaltyFen: 42_000, toPayFen: 1_042_000, prepaidFen: 0 });
    expect(res.json().openBills).toEqual([{ billId: l1Bill, period: '2024-11', dueOn: '2024-12-25', principalDueFen: 1_000_000, principalOpenFen: 1_000_000, penaltyFen: 42_000, overdueDays: 16 }]);
  });

  it('L1: paying 10,420.00 at the counter pays the penalty first, then the principal; the ledger balances', async () => {
    const res = await pay('cashierA', 'l1-payment', { accountId: fx.accounts.A1, amountFen: 1_042_000 });
    expect(res.statusCode, res.body).toBe(201);
    const p = res.json();
    expect(p).toMatchObject({ accountId: fx.accounts.A1, channel: 'counter', amountFen: 1_042_000, penaltyFen: 42_000, principalFen: 1_000_000, prepaidFen: 0, businessDate: '2025-01-10' });
    expect(p.receiptNo).toMatch(/^SK20250110\d{8}$/);
    expect(p.allocations).toEqual([{ lineNo: 1, billId: l1Bill, period: '2024-11', penaltyFen: 42_000, principalFen: 1_000_000, prepaidFen: 0 }]);
    // the answer is the receipt as GET /payments/:id reads it back
    expect((await t.as('cashierA', { method: 'GET', url: `${api}/payments/${p.id}` })).json()).toEqual(p);
    expect(await balances(fx.accounts.A1)).toMatchObject({ receivable: 0, penalty: 0, 'revenue.penalty': -42_000, 'clearing.counter': 1_042_000 });
    const st = (await t.as('cashierA', { method: 'GET', url: `${api}/accounts/${fx.accounts.A1}/statement` })).json();
    expect(st).toMatchObject({ arrearsFen: 0, penaltyFen: 0, openBills: [] });
    expect(st.settlements).toEqual([{ billId: l1Bill, principalPaidFen: 1_000_000, penaltyChargedFen: 42_000, penaltyPaidFen: 42_000, penaltyWaivedFen: 0, settledOn: '2025-01-10' }]);
    expect((await checkLedger(handle.db)).violations).toEqual([]);
  });

  it('L2: a residential 200.00 bill paid 3 days late carries the 1.00 minimum; money beyond the bills becomes prepaid', async () => {
    const older = await issueTestBill(handle.db, { accountId: fx.accounts.A2, period: '2024-11', totalFen: 20_000, dueOn: '2025-01-07' });
    const newer = await issueTestBill(handle.db, { accountId: fx.accounts.A2, period: '2024-12', totalFen: 5_000, dueOn: '2025-01-25' });
    const res = await pay('cashierA', 'l2-payment', { accountId: fx.accounts.A2, amountFen: 30_000 });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().allocations).toEqual([
      { lineNo: 1, billId: older, period: '2024-11', penaltyFen: 100, principalFen: 20_000, prepaidFen: 0 },
      { lineNo: 2, billId: newer, period: '2024-12', penaltyFen: 0, principalFen: 5_000, prepaidFen: 0 },
      { lineNo: 3, billId: null, period: null, penaltyFen: 0, principalFen: 0, prepaidFen: 4_900 },
    ]);
    expect(await balances(fx.accounts.A2)).toMatchObject({ receivable: 0, penalty: 0, prepaid: -4_900, 'revenue.penalty': -100, 'clearing.counter': 30_000 });
    expect((await t.as('cashierA', { method: 'GET', url: `${api}/accounts/${fx.accounts.A2}/statement` })).json()).toMatchObject({ arrearsFen: 0, prepaidFen: 4_900 });
  });
});

describe('Idempotency-Key on counter payments', () => {
  it('replays the first answer for the same key and body, and refuses the key with another body', async () => {
    const body = { accountId: fx.accounts.A2, amountFen: 1_234 };
    const first = await pay('cashierA', 'idem-1', body);
    expect(first.statusCode, first.body).toBe(201);
    const again = await pay('cashierA', 'idem-1', { amountFen: 1_234, accountId: fx.accounts.A2 });
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toEqual(first.json());
    const other = await pay('cashierA', 'idem-1', { ...body, amountFen: 1_235 });
    expect(other.statusCode).toBe(422);
    expect(other.json().errors[0].field).toBe('Idempotency-Key');
    const count = await handle.db.selectFrom('payment').select((eb) => eb.fn.countAll<number>().as('n')).where('channel_txn_id', 'like', '%idem-1').executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(1);
  });

  it('applies concurrent requests with one key once: the others are replayed or told it is in flight (409)', async () => {
    const body = { accountId: fx.accounts.A2, amountFen: 777 };
    const results = await Promise.all(Array.from({ length: 8 }, () => pay('cashierA', 'idem-race', body)));
    const codes = results.map((r) => r.statusCode).sort();
    expect(codes.every((c) => c === 201 || c === 409), codes.join()).toBe(true);
    const ids = new Set(results.filter((r) => r.statusCode === 201).map((r) => r.json().id));
    expect(ids.size).toBe(1);
    const n = await handle.db.selectFrom('payment').select((eb) => eb.fn.countAll<number>().as('n')).where('channel_txn_id', 'like', '%idem-race').executeTakeFirstOrThrow();
    expect(Number(n.n)).toBe(1);
  });

  it('keys belong to their user: another cashier may use the same key for their own payment', async () => {
    const res = await pay('admin', 'idem-1', { accountId: fx.accounts.B1, amountFen: 500 });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.headers['idempotent-replayed']).toBeUndefined();
  });

  it('refuses bad payments with 422 and writes nothing', async () => {
    const before = await fingerprintTables(handle.db);
    const bad: [string | undefined, unknown, string][] = [
      [undefined, { accountId: fx.accounts.A1, amountFen: 100 }, 'Idempotency-Key'],
      ['k-bad-1', { accountId: fx.accounts.A1, amountFen: 0 }, 'amountFen'],
      ['k-bad-2', { accountId: fx.accounts.A1, amountFen: 1.5 }, 'amountFen'],
      ['k-bad-3', { accountId: fx.accounts.A1, amountFen: '100' }, 'amountFen'],
      ['k-bad-4', { accountId: fx.accounts.A1 }, 'amountFen'],
      ['k bad', { accountId: fx.accounts.A1, amountFen: 100 }, 'Idempotency-Key'],
    ];
    for (const [key, payload, field] of bad) {
      const res = await t.as('cashierA', { method: 'POST', url: `${api}/payments`, payload, headers: key ? { 'idempotency-key': key } : {} });
      expect(res.statusCode, `${key} ${JSON.stringify(payload)} ${res.body}`).toBe(422);
      expect(JSON.stringify(res.json())).toContain(field);
    }
    expect(await fingerprintTables(handle.db)).toEqual(before);
  });

  it('is scoped: another station gets 404, an area manager may not take money', async () => {
    expect((await pay('cashierB', 'scope-1', { accountId: fx.accounts.A1, amountFen: 100 })).statusCode).toBe(404);
    expect((await pay('amA1', 'scope-2', { accountId: fx.accounts.A1, amountFen: 100 })).statusCode).toBe(403);
  });
});

describe('reversal, refund and waiver, approved one level up', () => {
  it('reverses a payment after a station head approves a cashier request; the bill is open again', async () => {
    const bill = await issueTestBill(handle.db, { accountId: fx.accounts.A1, period: '2024-12', totalFen: 50_000, dueOn: '2025-01-20' });
    const p = (await pay('cashierA', 'to-reverse', { accountId: fx.accounts.A1, amountFen: 50_000 })).json();
    const req = await t.as('cashierA', { method: 'POST', url: `${api}/approvals`, payload: { kind: 'payment.reversal', paymentId: p.id, reason: '收错户号' } });
    expect(req.statusCode, req.body).toBe(201);
    const id = req.json().id;
    expect((await t.as('cashierA', { method: 'POST', url: `${api}/approvals/${id}/decision`, payload: { approve: true } })).statusCode).toBe(403);
    expect((await t.as('headB', { method: 'POST', url: `${api}/approvals/${id}/decision`, payload: { approve: true } })).statusCode).toBe(404);
    expect((await t.as('amA1', { method: 'POST', url: `${api}/approvals/${id}/decision`, payload: { approve: true } })).statusCode).toBe(403);
    const list = (await t.as('headA', { method: 'GET', url: `${api}/approvals?status=pending` })).json();
    expect(list.items.find((i: { id: number }) => i.id === id)).toMatchObject({ mayDecide: true, kind: 'payment.reversal', amountFen: 50_000 });
    const ok = await t.as('headA', { method: 'POST', url: `${api}/approvals/${id}/decision`, payload: { approve: true, note: '核实' } });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ status: 'approved', decisionNote: '核实' });
    expect((await t.as('cashierA', { method: 'GET', url: `${api}/payments/${p.id}` })).json()).toMatchObject({ reversed: true });
    const st = (await t.as('cashierA', { method: 'GET', url: `${api}/accounts/${fx.accounts.A1}/statement` })).json();
    expect(st.openBills.map((b: { billId: number }) => b.billId)).toEqual([bill]);
    expect((await t.as('headA', { method: 'POST', url: `${api}/approvals/${id}/decision`, payload: { approve: true } })).statusCode).toBe(409);
    expect((await t.as('cashierA', { method: 'POST', url: `${api}/approvals`, payload: { kind: 'payment.reversal', paymentId: p.id, reason: 'again' } })).statusCode).toBe(422);
    expect((await checkLedger(handle.db)).violations).toEqual([]);
  });

  it('refunds prepaid balance only up to the balance, and a station head request goes to the company', async () => {
    const tooMuch = await t.as('cashierA', { method: 'POST', url: `${api}/approvals`, payload: { kind: 'prepaid.refund', accountId: fx.accounts.A2, amountFen: 10_000_000, reason: '销户退费' } });
    expect(tooMuch.statusCode).toBe(422);
    const req = await t.as('headA', { method: 'POST', url: `${api}/approvals`, payload: { kind: 'prepaid.refund', accountId: fx.accounts.A2, amountFen: 4_900, reason: '销户退费' } });
    expect(req.statusCode, req.body).toBe(201);
    expect((await t.as('headA', { method: 'POST', url: `${api}/approvals/${req.json().id}/decision`, payload: { approve: true } })).statusCode).toBe(403);
    const before = (await balances(fx.accounts.A2)).prepaid!;
    const ok = await t.as('marketing', { method: 'POST', url: `${api}/approvals/${req.json().id}/decision`, payload: { approve: true } });
    expect(ok.statusCode, ok.body).toBe(200);
    expect((await balances(fx.accounts.A2)).prepaid).toBe(before + 4_900);
  });

  it('waives part of a penalty; rejection moves nothing; both are audited', async () => {
    // the 2024-12 bill of A1 (500.00, due 2025-01-20) is open again; 30 days later, all in the year after its
    // period, it owes 3‰ × 30 days = 45.00
    clock.set(new Date('2025-02-19T10:00:00+08:00'));
    const st = (await t.as('amA1', { method: 'GET', url: `${api}/accounts/${fx.accounts.A1}/statement` })).json();
    const open = st.openBills[0];
    expect(open.penaltyFen).toBe((50_000 * 3 * 30) / 1000);
    const reject = await t.as('amA1', { method: 'POST', url: `${api}/approvals`, payload: { kind: 'penalty.waiver', accountId: fx.accounts.A1, billId: open.billId, amountFen: 1_000, reason: '停电影响' } });
    expect(reject.statusCode, reject.body).toBe(201);
    expect((await t.as('headA', { method: 'POST', url: `${api}/approvals/${reject.json().id}/decision`, payload: { approve: false, note: '不符合' } })).json()).toMatchObject({ status: 'rejected' });
    const req = await t.as('amA1', { method: 'POST', url: `${api}/approvals`, payload: { kind: 'penalty.waiver', accountId: fx.accounts.A1, billId: open.billId, amountFen: 2_000, reason: '停电影响' } });
    const ok = await t.as('headA', { method: 'POST', url: `${api}/approvals/${req.json().id}/decision`, payload: { approve: true } });
    expect(ok.statusCode, ok.body).toBe(200);
    const after = (await t.as('amA1', { method: 'GET', url: `${api}/accounts/${fx.accounts.A1}/statement` })).json();
    expect(after.openBills[0].penaltyFen).toBe(4_500 - 2_000);
    expect(await balances(fx.accounts.A1)).toMatchObject({ penalty: 2_500 });
    const audit = await handle.db.selectFrom('audit_log').select('action').where('action', 'like', 'approval.%').execute();
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['approval.request.penalty.waiver', 'approval.reject.penalty.waiver', 'approval.approve.penalty.waiver', 'approval.approve.payment.reversal']));
    // paying now: the 25.00 penalty left, then the principal
    const p = await pay('cashierA', 'after-waiver', { accountId: fx.accounts.A1, amountFen: 52_500 });
    expect(p.json()).toMatchObject({ penaltyFen: 2_500, principalFen: 50_000, prepaidFen: 0 });
    expect(await balances(fx.accounts.A1)).toMatchObject({ penalty: 0, receivable: 0 });
    expect((await checkLedger(handle.db)).violations).toEqual([]);
  });
});

describe('group commit of counter payments', () => {
  it('answers each request of a concurrent burst on its own, while the payments share transactions', async () => {
    const A2 = fx.accounts.A2;
    const B1 = fx.accounts.B1;
    type Req = { user: 'cashierA' | 'cashierB' | 'amA1' | 'admin'; key: string; body: { accountId: number; amountFen: number }; status: number };
    const requests: Req[] = [
      ...Array.from({ length: 30 }, (_, i): Req => ({ user: 'cashierA', key: `burst-a-${i}`, body: { accountId: A2, amountFen: 100 + i }, status: 201 })),
      ...Array.from({ length: 10 }, (_, i): Req => ({ user: 'cashierB', key: `burst-b-${i}`, body: { accountId: B1, amountFen: 200 + i }, status: 201 })),
      { user: 'cashierB', key: 'burst-x-1', body: { accountId: A2, amountFen: 100 }, status: 404 }, // another station's account
      { user: 'amA1', key: 'burst-x-2', body: { accountId: A2, amountFen: 100 }, status: 403 }, // may not take money
      { user: 'cashierA', key: 'idem-1', body: { accountId: A2, amountFen: 999 }, status: 422 }, // key used for another body
      { user: 'admin', key: 'idem-1', body: { accountId: B1, amountFen: 500 }, status: 201 }, // replayed (admin's own key)
    ];
    const before = await fingerprintTables(handle.db);
    const results = await Promise.all(requests.map((r) => pay(r.user, r.key, r.body)));
    results.forEach((res, i) => expect(res.statusCode, `${requests[i]!.key}: ${res.body}`).toBe(requests[i]!.status));
    expect(results.at(-1)!.headers['idempotent-replayed']).toBe('true');
    for (const [i, res] of results.slice(0, 40).entries()) expect(res.json()).toMatchObject({ accountId: requests[i]!.body.accountId, amountFen: requests[i]!.body.amountFen, channel: 'counter' });

    const rows = await sql<{ n: number; transactions: number; fen: number }>`
      select count(*)::int as n, count(distinct xmin::text)::int as transactions, sum(amount_fen)::int as fen from payment where channel_txn_id like '%-burst-%'`.execute(handle.db);
    const expectedFen = requests.slice(0, 40).reduce((s, r) => s + r.body.amountFen, 0);
    expect(rows.rows[0]).toMatchObject({ n: 40, fen: expectedFen });
    // rows written by one transaction share its xmin: requests that arrived together were committed together
    expect(rows.rows[0]!.transactions).toBeLessThan(40);
    const keys = await handle.db.selectFrom('idempotency_key').select('key').where('key', 'like', 'burst-%').execute();
    expect(keys.map((k) => k.key).sort()).toEqual(requests.slice(0, 40).map((r) => r.key).sort());
    // the refused ones wrote nothing: one payment, one audit entry and one key row for each of the 40
    const after = await fingerprintTables(handle.db);
    for (const table of ['payment', 'audit_log', 'idempotency_key', 'ledger_transfer']) expect(after[table]!.rows - before[table]!.rows, table).toBe(40);
    expect((await checkLedger(handle.db)).violations).toEqual([]);
  });
});
