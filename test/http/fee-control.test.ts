import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/connect.js';
import { consumeEvents } from '../../src/modules/ledger/index.js';
import { feeControlConsumer, handleAck } from '../../src/modules/feecontrol/index.js';
import { applyPayment } from '../../src/modules/payments/index.js';
import { seedTariffDefaults } from '../../src/modules/tariffs/index.js';
import { FixedClock } from '../../src/shared/clock.js';
import { feeControlDeps } from '../../src/workflows/fee-control.js';
import { seedCounty, TEST_PASSWORD, usernameOf, type Fixture, type FixtureUser } from '../fixtures/county.js';
import { buildTestApp, type TestApp } from '../support/app.js';
import { issueTestBill } from '../support/bills.js';
import { createTestDatabase } from '../support/db.js';

/**
 * The fee-control API (issue 18 items 4, 6, 9): "run today now", the monitor's summary per org unit, positions,
 * the dry run of the guards (grace, blackout day, night, heating season, approvals), the command queue with
 * retry and cancel, the blackout calendar, disconnection approvals (company level, bulk with a second person),
 * a customer's warning amount and one account's history — each scoped to the caller and refused to roles without
 * the permission. A1 tops up 100 元 and uses 20 kWh a day from 2026-11-02 (as in test/integration/fee-control).
 */
let handle: DatabaseHandle;
let fx: Fixture;
let t: TestApp;
const clock = new FixedClock(new Date('2026-11-02T10:00:00+08:00'));
const api = '/api/v1/fee-control';

beforeAll(async () => {
  handle = await createTestDatabase();
  fx = await seedCounty(handle.db);
  await seedTariffDefaults(handle.db);
  await handle.db.updateTable('account').set({ opened_on: '2024-01-01' }).execute();
  // B1: a district-heating company on purchase-before-use (protected in the heating season)
  await handle.db.updateTable('account').set({ category: 'heating', payment_mode: 'purchase_before_use', is_heating_company: true }).where('id', '=', fx.accounts.B1).execute();
  const days = Array.from({ length: 20 }, (_, i) => ({ day: `2026-11-${String(i + 2).padStart(2, '0')}`, total: (1300.5 + 20 * (i + 1)).toFixed(2) }));
  for (const d of days) await handle.db.insertInto('daily_read').values({ account_id: fx.accounts.A1, meter_id: fx.meters.A1, read_on: d.day, total: d.total }).execute();
  await pay(10_000, 'FC-TOPUP-1', '2026-11-01T09:00:00+08:00');
  t = await buildTestApp(handle, { clock });
}, 120_000);

afterAll(async () => {
  await t?.app.close();
  await handle?.close();
});

async function pay(amountFen: number, txn: string, at: string) {
  await handle.db.transaction().execute((trx) => applyPayment(trx, { accountId: fx.accounts.A1, channel: 'counter', channelTxnId: txn, amountFen, paidAt: new Date(at) }));
}

/** Sessions expire as the fixed clock moves on by days: each user signs in again after the clock is set. */
const sessions = new Map<FixtureUser, string>();
function setClock(at: string) {
  clock.set(new Date(at));
  sessions.clear();
}
async function call(user: FixtureUser, o: { method: string; url: string; payload?: unknown }) {
  let token = sessions.get(user);
  if (!token) {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: usernameOf(user), password: TEST_PASSWORD } });
    token = res.json().token as string;
    sessions.set(user, token);
  }
  return t.app.inject({ method: o.method as 'GET', url: o.url, payload: o.payload as object, headers: { authorization: `Bearer ${token}` } });
}

const get = async (user: FixtureUser, url: string) => {
  const res = await call(user, { method: 'GET', url });
  expect(res.statusCode, `${user} ${url}: ${res.body}`).toBe(200);
  return res.json();
};

async function runOn(day: string) {
  setClock(`${day}T10:00:00+08:00`);
  const res = await call('marketing', { method: 'POST', url: `${api}/runs` });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as { accounts: number; byState: Record<string, number>; disconnects: number; held: number };
}

const position = async (user: FixtureUser, accountId: number) => (await get(user, `/api/v1/accounts/${accountId}/fee-control`)).position;
const audits = async (action: string) => (await sql<{ n: number }>`select count(*)::int as n from audit_log where action = ${action}`.execute(handle.db)).rows[0]!.n;

describe('run today now', () => {
  it('is for feecontrol.manage only, and records the run', async () => {
    for (const user of ['cashierA', 'headA', 'manager', 'amA1', 'auditor'] as const) {
      const res = await call(user, { method: 'POST', url: `${api}/runs` });
      expect(res.statusCode, `${user}: ${res.body}`).toBe(403);
    }
    const summary = await runOn('2026-11-02');
    expect(summary.accounts).toBe(3);
    expect(summary.byState.normal).toBe(1);
    expect((await position('admin', fx.accounts.A1)).state).toBe('normal');
    const s = await get('admin', `${api}/summary`);
    expect(s.lastRun).toMatchObject({ businessDate: '2026-11-02', status: 'done', accounts: 3 });
    expect(await audits('feecontrol.run')).toBe(1);
  });
});

describe('the summary per org unit, as the scope allows', () => {
  it('counts per state for the company, its stations and areas', async () => {
    const s = await get('admin', `${api}/summary`);
    expect(s.asOf).toBe('2026-11-02');
    const company = s.units.find((u: { kind: string }) => u.kind === 'company');
    expect(company).toMatchObject({ id: fx.companyId, parentId: null, total: 3 });
    expect(s.units.find((u: { kind: string; id: number }) => u.kind === 'station' && u.id === fx.stations.A)).toMatchObject({ parentId: fx.companyId, total: 2 });
    expect(s.units.find((u: { kind: string; id: number }) => u.kind === 'area' && u.id === fx.areas.B1)).toMatchObject({ parentId: fx.stations.B, total: 1 });
    expect(s.byState.normal + s.byState.warned).toBe(3);
    // A2 (no money) and B1 (no money) turned warned today
    expect(s.warningsToday).toBe(2);
    expect(s.commands).toEqual({ staged: 0, sent: 0, done: 0, failed: 0, escalated: 0, cancelled: 0 });
    expect(s.latencyMs).toEqual({ count: 0, p50: null, p95: null, p99: null });
  });

  it('a station head sees its station and areas only, an area manager its own areas', async () => {
    const head = await get('headB', `${api}/summary`);
    expect(head.units.map((u: { kind: string; id: number }) => `${u.kind}:${u.id}`).sort()).toEqual([`area:${fx.areas.B1}`, `station:${fx.stations.B}`].sort());
    expect(head.warningsToday).toBe(1);
    const am = await get('amA1', `${api}/summary`);
    expect(am.units.map((u: { kind: string; id: number }) => `${u.kind}:${u.id}`).sort()).toEqual([`area:${fx.areas.A1}`, `station:${fx.stations.A}`].sort());
    expect(am.byState).toEqual({ normal: 1, warned: 0, pending: 0, disconnected: 0, reconnecting: 0 });
  });
});

describe('positions', () => {
  it('goes warned and then pending with the grace period held', async () => {
    await runOn('2026-11-06');
    await runOn('2026-11-11');
    const page = await get('admin', `${api}/accounts?state=pending`);
    expect(page.items).toHaveLength(1);
    expect(page.items[0]).toMatchObject({
      accountId: fx.accounts.A1,
      accountNo: '8800000001',
      state: 'pending',
      availableFen: -400,
      estimateFen: 10_400,
      belowZeroOn: '2026-11-11',
      heldReason: 'grace period until 2026-11-14',
      protections: [],
      openCommand: null,
      phone: '138****0001',
    });
    expect(page.items[0].daysLeft).toBe(0);
  });

  it('filters by station, area, mode and large customers, and pages by cursor', async () => {
    const ids = async (user: FixtureUser, q: string) => ((await get(user, `${api}/accounts${q}`)).items as { accountId: number }[]).map((i) => i.accountId);
    expect(await ids('admin', `?stationId=${fx.stations.A}`)).toEqual([fx.accounts.A1, fx.accounts.A2]);
    expect(await ids('admin', `?areaId=${fx.areas.A2}`)).toEqual([fx.accounts.A2]);
    expect(await ids('admin', '?mode=purchase_before_use')).toEqual([fx.accounts.B1]);
    expect(await ids('admin', '?large=true')).toEqual([fx.accounts.B1]);
    expect(await ids('headA', `?stationId=${fx.stations.B}`)).toEqual([]);
    expect(await ids('amA1', '')).toEqual([fx.accounts.A1]);
    const first = await get('admin', `${api}/accounts?limit=2`);
    expect(first.items).toHaveLength(2);
    const second = await get('admin', `${api}/accounts?limit=2&cursor=${first.nextCursor}`);
    expect(second.items.map((i: { accountId: number }) => i.accountId)).toEqual([fx.accounts.B1]);
    expect(second.nextCursor).toBeNull();
    const b1 = (await get('admin', `${api}/accounts?mode=purchase_before_use`)).items[0];
    expect(b1.protections).toEqual(['heating_company', 'heating_season']);
  });
});

describe('the dry run: who would be disconnected, and exactly why not', () => {
  const item = (run: { items: { accountId: number }[] }, id: number) => run.items.find((i) => i.accountId === id) as Record<string, unknown> | undefined;

  it('holds A1 for its grace period tomorrow, disconnects it on the 14th in the day, not at night', async () => {
    const tomorrow = await get('admin', `${api}/dry-run`);
    expect(tomorrow).toMatchObject({ date: '2026-11-12', blackout: null, bulkAbove: 100 });
    expect(item(tomorrow, fx.accounts.A1)).toMatchObject({ verdict: 'held', reason: 'grace period until 2026-11-14', belowZeroOn: '2026-11-11' });
    const day = await get('admin', `${api}/dry-run?date=2026-11-14&hour=10`);
    expect(item(day, fx.accounts.A1)).toMatchObject({ verdict: 'disconnect', reason: null, projectedFen: -400 - 3 * (day.items[0].dailyFen as number) });
    expect(day.disconnect).toBe(1);
    const night = await get('admin', `${api}/dry-run?date=2026-11-14&hour=22`);
    expect(item(night, fx.accounts.A1)).toMatchObject({ verdict: 'held', reason: 'night hours (20:00–8:00)' });
  });

  it('projects accounts that will go below zero, and follows the blackout calendar', async () => {
    const added = await call('marketing', { method: 'POST', url: `${api}/blackout-days`, payload: { day: '2026-11-16', kind: 'holiday', note: '测试假日' } });
    expect(added.statusCode, added.body).toBe(201);
    expect(added.json()).toMatchObject({ day: '2026-11-16', kind: 'holiday', note: '测试假日' });
    const run = await get('admin', `${api}/dry-run?date=2026-11-16&hour=10`);
    expect(run.blackout).toEqual({ kind: 'holiday', note: '测试假日' });
    expect(item(run, fx.accounts.A1)).toMatchObject({ verdict: 'held', reason: 'blackout day (holiday: 测试假日)' });
    // a station head's dry run lists only its station
    expect((await get('headB', `${api}/dry-run?date=2026-11-16`)).items.map((i: { accountId: number }) => i.accountId)).not.toContain(fx.accounts.A1);
  });

  it('holds a heating company in season until company level approves', async () => {
    // B1 below zero since the 1st (as if it had used its money up)
    await handle.db.updateTable('fee_control').set({ state: 'pending', available_fen: -1000, daily_fen: 500, below_zero_on: '2026-11-01' }).where('account_id', '=', fx.accounts.B1).execute();
    const before = await get('admin', `${api}/dry-run?hour=10`);
    expect(item(before, fx.accounts.B1)).toMatchObject({ verdict: 'held', reason: 'heating season: needs company approval', protections: ['heating_company', 'heating_season'], approved: false });

    const requested = await call('marketing', { method: 'POST', url: `${api}/approvals`, payload: { accountIds: [fx.accounts.B1], reason: '采暖季欠费，申请停电' } });
    expect(requested.statusCode, requested.body).toBe(201);
    const approval = requested.json().items[0];
    expect(approval).toMatchObject({ accountId: fx.accounts.B1, status: 'pending', bulk: false, companyLevel: true });
    expect((await call('marketing', { method: 'POST', url: `${api}/approvals`, payload: { accountIds: [fx.accounts.B1], reason: '再次申请' } })).statusCode).toBe(409);

    const decide = (user: FixtureUser, approve = true) => call(user, { method: 'POST', url: `${api}/approvals/${approval.id}/decide`, payload: { approve, note: '同意' } });
    expect((await decide('cashierB')).statusCode).toBe(403); // no feecontrol.approve
    const head = await decide('headB');
    expect(head.statusCode, head.body).toBe(403); // a protected customer: company level
    expect((await get('headB', `${api}/approvals`)).items[0]).toMatchObject({ id: approval.id, mayDecide: false });
    expect((await get('manager', `${api}/approvals`)).items[0]).toMatchObject({ id: approval.id, mayDecide: true });
    const ok = await decide('manager');
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ status: 'approved', firstBy: '用户manager', secondBy: null, mayDecide: false });
    expect((await decide('admin')).statusCode).toBe(409);

    const after = await get('admin', `${api}/dry-run?hour=10`);
    expect(item(after, fx.accounts.B1)).toMatchObject({ verdict: 'disconnect', approved: true, reason: null });
    expect(await audits('feecontrol.approval.approve')).toBe(1);
  });

  it('a bulk disconnection needs a second approver who is another person', async () => {
    const plain = await call('marketing', { method: 'POST', url: `${api}/approvals`, payload: { accountIds: [fx.accounts.A2], reason: '普通用户' } });
    expect(plain.statusCode, plain.body).toBe(422);
    expect(plain.json().errors[0].field).toBe('accountIds');
    expect((await call('headA', { method: 'POST', url: `${api}/approvals`, payload: { accountIds: [fx.accounts.A2], reason: '批量', bulk: true } })).statusCode).toBe(403);
    const res = await call('marketing', { method: 'POST', url: `${api}/approvals`, payload: { accountIds: [fx.accounts.A2], reason: '批量停电', bulk: true } });
    expect(res.statusCode, res.body).toBe(201);
    const id = res.json().items[0].id;
    const first = await call('headA', { method: 'POST', url: `${api}/approvals/${id}/decide`, payload: { approve: true } });
    expect(first.json()).toMatchObject({ status: 'pending', bulk: true, firstBy: '用户headA', mayDecide: false });
    const again = await call('headA', { method: 'POST', url: `${api}/approvals/${id}/decide`, payload: { approve: true } });
    expect(again.statusCode, again.body).toBe(403);
    expect((await call('headB', { method: 'POST', url: `${api}/approvals/${id}/decide`, payload: { approve: true } })).statusCode).toBe(404); // another station's
    const second = await call('admin', { method: 'POST', url: `${api}/approvals/${id}/decide`, payload: { approve: true } });
    expect(second.statusCode, second.body).toBe(200);
    expect(second.json()).toMatchObject({ status: 'approved', firstBy: '用户headA', secondBy: '用户admin' });
    expect((await get('admin', `${api}/approvals?status=approved`)).items).toHaveLength(2);
    expect((await get('amA1', `${api}/approvals`)).items).toEqual([]); // A2 is not amA1's
  });
});

describe('commands: the queue, latency, retry and cancel', () => {
  const settings = { ackSeconds: 60, attempts: 5 };
  const fcDeps = () => feeControlDeps(t.config, clock, () => {});
  let disconnectId: number;

  it('stages the disconnection on the 14th and lists it in scope', async () => {
    await handle.db.deleteFrom('blackout_day').execute();
    const s = await runOn('2026-11-14');
    expect(s.disconnects).toBeGreaterThanOrEqual(1);
    const page = await get('headA', `${api}/commands`);
    expect(page.items).toHaveLength(1);
    expect(page.items[0]).toMatchObject({ accountId: fx.accounts.A1, action: 'disconnect', state: 'staged', meterNo: 'MT-A1', attempts: 0, latencyMs: null });
    disconnectId = page.items[0].id;
    expect((await get('amA2', `${api}/commands`)).items).toEqual([]);
    expect((await get('headA', `${api}/commands?state=done`)).items).toEqual([]);
    expect((await position('headA', fx.accounts.A1)).openCommand).toEqual({ id: disconnectId, action: 'disconnect', state: 'staged' });
    expect((await get('admin', `${api}/dry-run?date=2026-11-14&hour=10`)).items.find((i: { accountId: number }) => i.accountId === fx.accounts.A1)).toMatchObject({ verdict: 'in_progress' });
  });

  it('retries an escalated command (feecontrol.manage), then the acknowledgement gives its latency', async () => {
    await handle.db.updateTable('meter_command').set({ state: 'escalated', attempts: 5, last_error: 'no answer after 5 attempts' }).where('id', '=', disconnectId).execute();
    expect((await get('admin', `${api}/summary`)).commands.escalated).toBe(1);
    expect((await call('headA', { method: 'POST', url: `${api}/commands/${disconnectId}/retry` })).statusCode).toBe(403);
    const retried = await call('marketing', { method: 'POST', url: `${api}/commands/${disconnectId}/retry` });
    expect(retried.statusCode, retried.body).toBe(200);
    expect(retried.json()).toMatchObject({ state: 'staged', attempts: 0 });
    expect((await call('marketing', { method: 'POST', url: `${api}/commands/${disconnectId}/retry` })).statusCode).toBe(409);
    expect(await audits('feecontrol.command.retry')).toBe(1);

    const { command_id } = await handle.db.selectFrom('meter_command').select('command_id').where('id', '=', disconnectId).executeTakeFirstOrThrow();
    await handle.db.updateTable('meter_command').set({ state: 'sent', attempts: 1 }).where('id', '=', disconnectId).execute();
    clock.set(new Date('2026-11-14T10:00:01.500+08:00'));
    const ack = await handleAck(handle.db, fcDeps(), { commandId: command_id, status: 'done' }, settings, clock.now());
    expect(ack.outcome).toBe('applied');
    expect((await position('admin', fx.accounts.A1)).state).toBe('disconnected');
    const s = await get('admin', `${api}/summary`);
    expect(s.commands.done).toBe(1);
    expect(s.latencyMs).toEqual({ count: 1, p50: 1500, p95: 1500, p99: 1500 });
  });

  it('refuses to retry a disconnection that is no longer due', async () => {
    const [row] = await sql<{ id: number }>`
      insert into meter_command (command_id, account_id, meter_no, action, cause, state, attempts, last_error)
      values ('fc-test-a2', ${fx.accounts.A2}, 'MT-A2', 'disconnect', 'test', 'escalated', 5, 'no answer') returning id`.execute(handle.db).then((r) => r.rows);
    const res = await call('admin', { method: 'POST', url: `${api}/commands/${row!.id}/retry` });
    expect(res.statusCode, res.body).toBe(409);
    expect(res.json().detail).toContain('no longer due');
    const cancelled = await call('admin', { method: 'POST', url: `${api}/commands/${row!.id}/cancel` });
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    expect(cancelled.json()).toMatchObject({ state: 'cancelled', lastError: 'cancelled by admin' });
    expect((await call('admin', { method: 'POST', url: `${api}/commands/${row!.id}/cancel` })).statusCode).toBe(409);
  });

  it('cancelling an escalated reconnection puts the account back to disconnected', async () => {
    setClock('2026-11-14T15:00:00+08:00');
    await pay(10_000, 'FC-TOPUP-2', '2026-11-14T15:00:00+08:00');
    await consumeEvents(handle.db, feeControlConsumer(fcDeps()));
    expect((await position('admin', fx.accounts.A1)).state).toBe('reconnecting');
    const reconnect = (await get('admin', `${api}/commands?state=staged`)).items[0];
    expect(reconnect).toMatchObject({ action: 'reconnect', accountId: fx.accounts.A1 });
    expect((await call('marketing', { method: 'POST', url: `${api}/commands/${reconnect.id}/cancel` })).statusCode).toBe(409); // not escalated
    await handle.db.updateTable('meter_command').set({ state: 'escalated' }).where('id', '=', reconnect.id).execute();
    const res = await call('marketing', { method: 'POST', url: `${api}/commands/${reconnect.id}/cancel` });
    expect(res.statusCode, res.body).toBe(200);
    expect((await position('admin', fx.accounts.A1)).state).toBe('disconnected');
    const history = await get('headA', `/api/v1/accounts/${fx.accounts.A1}/fee-control`);
    expect(history.changes[0]).toMatchObject({ from: 'reconnecting', to: 'disconnected', reason: 'reconnect cancelled by marketing' });
    expect(await audits('feecontrol.command.cancel')).toBe(2);
  });
});

describe('the blackout calendar', () => {
  it('is read by everyone, edited by feecontrol.manage, never in the past', async () => {
    setClock('2026-11-15T10:00:00+08:00');
    expect((await call('headA', { method: 'POST', url: `${api}/blackout-days`, payload: { day: '2026-12-01', kind: 'weather' } })).statusCode).toBe(403);
    const past = await call('marketing', { method: 'POST', url: `${api}/blackout-days`, payload: { day: '2026-11-01', kind: 'weather' } });
    expect(past.statusCode).toBe(422);
    expect(past.json().errors[0].field).toBe('day');
    expect((await call('admin', { method: 'POST', url: `${api}/blackout-days`, payload: { day: '2026-12-01', kind: 'weather', note: '暴雪' } })).statusCode).toBe(201);
    expect((await call('admin', { method: 'POST', url: `${api}/blackout-days`, payload: { day: '2026-12-01', kind: 'other', note: '改' } })).statusCode).toBe(201);
    expect((await get('amB1', `${api}/blackout-days`)).items).toEqual([{ day: '2026-12-01', kind: 'other', note: '改', createdBy: '用户admin', createdAt: expect.any(String) }]);
    expect((await get('amB1', `${api}/blackout-days?from=2027-01-01`)).items).toEqual([]);
    expect((await call('headA', { method: 'DELETE', url: `${api}/blackout-days/2026-12-01` })).statusCode).toBe(403);
    expect((await call('admin', { method: 'DELETE', url: `${api}/blackout-days/2026-12-01` })).statusCode).toBe(204);
    expect((await call('admin', { method: 'DELETE', url: `${api}/blackout-days/2026-12-01` })).statusCode).toBe(404);
    expect(await audits('feecontrol.blackout.remove')).toBe(1);
  });
});

describe('one account', () => {
  it('sets the warning amount within 10–200 元 (customers.write)', async () => {
    expect((await call('cashierA', { method: 'PUT', url: `/api/v1/accounts/${fx.accounts.A1}/fee-control/warning`, payload: { warnFen: 2000 } })).statusCode).toBe(403);
    expect((await call('headA', { method: 'PUT', url: `/api/v1/accounts/${fx.accounts.A1}/fee-control/warning`, payload: { warnFen: 999 } })).statusCode).toBe(422);
    expect((await call('headA', { method: 'PUT', url: `/api/v1/accounts/${fx.accounts.B1}/fee-control/warning`, payload: { warnFen: 2000 } })).statusCode).toBe(404);
    const res = await call('headA', { method: 'PUT', url: `/api/v1/accounts/${fx.accounts.A1}/fee-control/warning`, payload: { warnFen: 2000 } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ accountId: fx.accounts.A1, warnFen: 2000 });
    expect(await audits('feecontrol.warning')).toBe(1);
  });

  it('shows the balance timeline, estimates vs the bill, and the switching history', async () => {
    await issueTestBill(handle.db, { accountId: fx.accounts.A1, period: '2026-11', totalFen: 10_000, dueOn: '2026-12-20', issuedOn: '2026-11-15' });
    const h = await get('amA1', `/api/v1/accounts/${fx.accounts.A1}/fee-control?days=20`);
    expect(h.prepaid).toBe(true);
    expect(h.timeline).toHaveLength(20);
    const on = (day: string) => h.timeline.find((p: { day: string }) => p.day === day);
    expect(h.timeline.at(-1).day).toBe('2026-11-15');
    expect(on('2026-11-01')).toMatchObject({ prepaidFen: 10_000, estimateFen: 0, availableFen: 10_000, dayFen: null });
    expect(on('2026-11-02')).toMatchObject({ prepaidFen: 10_000, estimateFen: 1020, availableFen: 8980, dayFen: 1020 });
    expect(on('2026-11-11')).toMatchObject({ estimateFen: 10_400, availableFen: -400 });
    expect(on('2026-11-14').prepaidFen).toBe(20_000);
    // the bill issued on the 15th ends the period's estimates
    expect(on('2026-11-15').estimateFen).toBe(0);
    expect(h.moves.map((m: { prepaidDeltaFen: number }) => m.prepaidDeltaFen)).toEqual([10_000, 10_000]);
    expect(h.periods).toEqual([
      expect.objectContaining({ period: '2026-11', billFen: 10_000, issuedOn: '2026-11-15', estimatedThrough: '2026-11-14', differenceFen: 10_000 - h.periods[0].estimateFen }),
    ]);
    expect(h.commands.map((c: { action: string; state: string }) => `${c.action}:${c.state}`)).toEqual(['reconnect:cancelled', 'disconnect:done']);
    expect(h.changes.map((c: { to: string }) => c.to)).toEqual(['disconnected', 'reconnecting', 'disconnected', 'pending', 'warned']);
  });

  it('is not found outside the scope; a postpaid account has no fee control', async () => {
    expect((await call('amA1', { method: 'GET', url: `/api/v1/accounts/${fx.accounts.A2}/fee-control` })).statusCode).toBe(404);
    await handle.db.updateTable('account').set({ payment_mode: 'postpaid' }).where('id', '=', fx.accounts.A2).execute();
    expect(await get('amA2', `/api/v1/accounts/${fx.accounts.A2}/fee-control`)).toMatchObject({ prepaid: false, position: null, timeline: [] });
  });
});
