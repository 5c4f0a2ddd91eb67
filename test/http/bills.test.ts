import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/connect.js';
import { checkLedger } from '../../src/modules/ledger/index.js';
import { seedTariffDefaults } from '../../src/modules/tariffs/index.js';
import { FixedClock } from '../../src/shared/clock.js';
import { seedCounty, type Fixture } from '../fixtures/county.js';
import { buildTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase } from '../support/db.js';
import { fingerprintTables } from '../support/tables.js';

/**
 * The billing API end to end on the fixture county (three households, reads for Aug–Oct 2026): start a
 * run (it rates in the background), watch its progress, review, approve, issue, read bills within scope,
 * and correct an issued bill with an adjustment that leaves the original untouched.
 */
const api = '/api/v1';
let handle: DatabaseHandle;
let t: TestApp;
let fx: Fixture;
let runId: number;

async function waitFor(runUrl: string, status: string) {
  for (let i = 0; i < 500; i++) {
    const res = await t.as('marketing', { method: 'GET', url: runUrl });
    if (res.json().status === status) return res.json();
    if (res.json().status === 'failed') throw new Error(`run failed: ${res.body}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`run never reached ${status}`);
}

beforeAll(async () => {
  handle = await createTestDatabase();
  fx = await seedCounty(handle.db);
  await handle.db.updateTable('account').set({ opened_on: '2024-01-01' }).execute();
  await seedTariffDefaults(handle.db);
  t = await buildTestApp(handle, { clock: new FixedClock(new Date('2026-11-20T10:00:00+08:00')) });
});

afterAll(async () => {
  await t?.app.close();
  await handle?.close();
});

describe('a bill run through the API', () => {
  it('refuses bad periods with 422 naming the field', async () => {
    for (const period of ['2026-13', '26-10', '2026-11']) {
      const res = await t.as('marketing', { method: 'POST', url: `${api}/bill-runs`, payload: { period } });
      expect(res.statusCode, res.body).toBe(422);
      expect(res.json().errors?.[0]?.field ?? res.json().detail).toMatch(/period/);
    }
  });

  it('is not for station roles', async () => {
    for (const u of ['headA', 'cashierA', 'amA1'] as const) {
      expect((await t.as(u, { method: 'POST', url: `${api}/bill-runs`, payload: { period: '2026-10' } })).statusCode).toBe(403);
      expect((await t.as(u, { method: 'GET', url: `${api}/bill-runs` })).statusCode).toBe(403);
    }
  });

  it('starts in the background and shows progress until review', async () => {
    const res = await t.as('marketing', { method: 'POST', url: `${api}/bill-runs`, payload: { period: '2026-10' } });
    expect(res.statusCode, res.body).toBe(202);
    runId = res.json().id;
    expect(res.json()).toMatchObject({ period: '2026-10', progress: { total: 3 }, counts: { accountsTotal: 3 } });
    const run = await waitFor(`${api}/bill-runs/${runId}`, 'review');
    expect(run).toMatchObject({ counts: { bills: 3, accountsDone: 3, blockingExceptions: 0 }, progress: { phase: null, percent: 100 } });
    // 150.25 kWh each: 160 × 0 … tier 1 only → 150.25 × 0.51 = 76.63 元
    expect(run.totalFen).toBe(3 * 7663);
    expect(run.timings.ratingSeconds).toBeGreaterThanOrEqual(0);
    const again = await t.as('marketing', { method: 'POST', url: `${api}/bill-runs`, payload: { period: '2026-10' } });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ id: runId, status: 'review' });
  });

  it('lists runs and the review list for company-level roles', async () => {
    for (const u of ['admin', 'manager', 'marketing', 'auditor'] as const) {
      const list = await t.as(u, { method: 'GET', url: `${api}/bill-runs` });
      expect(list.statusCode, list.body).toBe(200);
      expect(list.json().items.map((r: { id: number }) => r.id)).toEqual([runId]);
    }
    const exceptions = await t.as('auditor', { method: 'GET', url: `${api}/bill-runs/${runId}/exceptions?blocking=true` });
    expect(exceptions.statusCode, exceptions.body).toBe(200);
    expect(exceptions.json()).toEqual({ items: [], nextCursor: null });
  });

  it('shows draft bills in scope before issue, and cannot correct a draft', async () => {
    const bills = await t.as('amA1', { method: 'GET', url: `${api}/accounts/${fx.accounts.A1}/bills` });
    expect(bills.statusCode, bills.body).toBe(200);
    const [bill] = bills.json().items;
    expect(bill).toMatchObject({ status: 'draft', kind: 'regular', totalFen: 7663, usage: { kwh: '150.25' }, dueOn: null });
    const draft = await t.as('marketing', { method: 'POST', url: `${api}/bills/${bill.id}/adjustments`, payload: { reason: '表计错误', usage: { kwh: '100.00' } } });
    expect(draft.statusCode, draft.body).toBe(409);
  });

  it('is approved once, by marketing or admin, and audited', async () => {
    expect((await t.as('auditor', { method: 'POST', url: `${api}/bill-runs/${runId}/approve`, payload: {} })).statusCode).toBe(403);
    const ok = await t.as('marketing', { method: 'POST', url: `${api}/bill-runs/${runId}/approve`, payload: { note: '抄表数据已复核' } });
    const noBody = await t.app.inject({ method: 'POST', url: `${api}/bill-runs/${runId}/approve`, headers: { authorization: `Bearer ${await t.tokenFor('admin')}` } });
    expect(noBody.statusCode, noBody.body).toBe(409); // a body is optional: this one is refused as approved already, not as bad input
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ status: 'approved', approvalNote: '抄表数据已复核', approvedBy: fx.users.marketing });
    expect((await t.as('admin', { method: 'POST', url: `${api}/bill-runs/${runId}/approve`, payload: {} })).statusCode).toBe(409);
    const audit = await t.as('admin', { method: 'GET', url: `${api}/audit?action=bill_run.approve` });
    expect(audit.json().items).toHaveLength(1);
  });

  it('issues in the background and posts receivables', async () => {
    const res = await t.as('admin', { method: 'POST', url: `${api}/bill-runs/${runId}/issue` });
    expect(res.statusCode, res.body).toBe(202);
    const run = await waitFor(`${api}/bill-runs/${runId}`, 'issued');
    expect(run).toMatchObject({ issueDate: '2026-11-20', issuedFen: 3 * 7663, counts: { issuedBills: 3 } });
    const report = await checkLedger(handle.db);
    expect(report).toMatchObject({ ok: true, receivableFen: 3 * 7663, transfers: 3 });
  });
});

describe('bills and corrections', () => {
  let billId: number;
  beforeAll(async () => {
    billId = (await t.as('admin', { method: 'GET', url: `${api}/accounts/${fx.accounts.B1}/bills` })).json().items[0].id;
  });

  it('shows a bill with its lines and due date to its own subtree only', async () => {
    const res = await t.as('headB', { method: 'GET', url: `${api}/bills/${billId}` });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      id: billId,
      accountId: fx.accounts.B1,
      status: 'issued',
      dueOn: '2026-12-05', // residential: 15 days after issue
      lines: [{ lineNo: 1, code: 'energy.tier1', quantity: '150.25', unitPrice: '0.5100', amountFen: 7663 }],
      adjustmentIds: [],
    });
    for (const u of ['headA', 'amA1', 'cashierA'] as const) expect((await t.as(u, { method: 'GET', url: `${api}/bills/${billId}` })).statusCode).toBe(404);
    expect((await t.as('amB1', { method: 'GET', url: `${api}/bills/${billId}` })).statusCode).toBe(200);
  });

  it('corrects an issued bill by re-rating the usage: a negative adjustment, the original untouched', async () => {
    const before = (await t.as('admin', { method: 'GET', url: `${api}/bills/${billId}` })).body;
    const res = await t.as('headB', { method: 'POST', url: `${api}/bills/${billId}/adjustments`, payload: { reason: '抄表错误, 实为100度', usage: { kwh: '100.00' } } });
    expect(res.statusCode, res.body).toBe(201);
    const adj = res.json();
    expect(adj).toMatchObject({ kind: 'adjustment', status: 'issued', adjustsBillId: billId, period: '2026-10', totalFen: 5100 - 7663, reason: '抄表错误, 实为100度' });
    expect(adj.lines).toEqual([expect.objectContaining({ code: 'energy.tier1', quantity: '-50.25', unitPrice: '0.5100', amountFen: -2563 })]);
    const original = await t.as('admin', { method: 'GET', url: `${api}/bills/${billId}` });
    expect({ ...original.json(), adjustmentIds: [] }).toEqual({ ...JSON.parse(before), adjustmentIds: [] });
    expect(original.json().adjustmentIds).toEqual([adj.id]);
    const report = await checkLedger(handle.db);
    expect(report).toMatchObject({ ok: true, receivableFen: 2 * 7663 + 5100 });
  });

  it('composes a second correction with the first, and takes signed lines by hand', async () => {
    const rerated = await t.as('marketing', { method: 'POST', url: `${api}/bills/${billId}/adjustments`, payload: { reason: '再次复核: 120度', usage: { kwh: '120.00' } } });
    expect(rerated.statusCode, rerated.body).toBe(201);
    expect(rerated.json().totalFen).toBe(6120 - 5100);
    const manual = await t.as('marketing', { method: 'POST', url: `${api}/bills/${billId}/adjustments`, payload: { reason: '减免', lines: [{ code: 'energy.tier1', quantity: '-1.00', unitPrice: '0.5100' }] } });
    expect(manual.statusCode, manual.body).toBe(201);
    expect(manual.json().totalFen).toBe(-51);
    expect((await checkLedger(handle.db)).ok).toBe(true);
  });

  it('refuses corrections that are wrong or not allowed, writing nothing', async () => {
    const before = await fingerprintTables(handle.db);
    const cases: [string, unknown, number][] = [
      ['amB1', { reason: 'x', usage: { kwh: '1.00' } }, 403],
      ['headA', { reason: 'x', usage: { kwh: '1.00' } }, 404],
      ['marketing', { reason: 'x', lines: [{ code: 'discount', quantity: '1', unitPrice: '1' }] }, 422],
      ['marketing', { reason: 'x', usage: { kwh: '119.00' }, lines: [{ code: 'energy', quantity: '1', unitPrice: '1' }] }, 422],
      ['marketing', { reason: 'x', usage: { kwh: '119.00' } }, 422], // what is billed already: 120 − 1 = 119 kWh
      ['marketing', { reason: 'x', usage: { kwh: '1.234' } }, 422],
      ['marketing', { usage: { kwh: '1.00' } }, 422],
    ];
    for (const [user, payload, status] of cases) {
      const res = await t.as(user as 'marketing', { method: 'POST', url: `${api}/bills/${billId}/adjustments`, payload });
      expect(res.statusCode, `${user} ${JSON.stringify(payload)}: ${res.body}`).toBe(status);
    }
    const adjustment = (await t.as('admin', { method: 'GET', url: `${api}/bills/${billId}` })).json().adjustmentIds[0];
    expect((await t.as('marketing', { method: 'POST', url: `${api}/bills/${adjustment}/adjustments`, payload: { reason: 'x', usage: { kwh: '1.00' } } })).statusCode).toBe(409);
    expect(await fingerprintTables(handle.db)).toEqual(before);
  });

  it('lists an account’s bills newest first with a cursor', async () => {
    const first = await t.as('headB', { method: 'GET', url: `${api}/accounts/${fx.accounts.B1}/bills?limit=2` });
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json().items.map((b: { kind: string }) => b.kind)).toEqual(['adjustment', 'adjustment']);
    const rest = await t.as('headB', { method: 'GET', url: `${api}/accounts/${fx.accounts.B1}/bills?limit=2&cursor=${first.json().nextCursor}` });
    expect(rest.json().items.map((b: { kind: string }) => b.kind)).toEqual(['adjustment', 'regular']);
    expect(rest.json().nextCursor).toBeNull();
    expect((await t.as('headA', { method: 'GET', url: `${api}/accounts/${fx.accounts.B1}/bills` })).statusCode).toBe(404);
  });
});
