import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db, DatabaseHandle } from '../../src/db/connect.js';
import { GANSU_AGENT_PRICE_TABLES, GANSU_TARIFF_VERSIONS, rate, seedTariffDefaults, type RatingAccount, type RatingUsage } from '../../src/modules/tariffs/index.js';
import { FixedClock } from '../../src/shared/clock.js';
import { seedCounty, type Fixture } from '../fixtures/county.js';
import { buildTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase } from '../support/db.js';
import { fingerprintTables } from '../support/tables.js';

/**
 * Price-change impact on a small county whose last cycles are known: the three fixture households
 * (1300.50 − 1150.25 = 150.25 kWh each), a 300 kWh household in B1, a household with one read only, a
 * TOU shop in A1 and a two-part factory in B1 behind a ×100 meter. Every figure is computed by hand or
 * by the pure engine from the hand-derived usage, independently of the SQL that streams the reads.
 */

let handle: DatabaseHandle;
let t: TestApp;
let fx: Fixture;
const ids = {} as { big: number; lonely: number; shop: number; factory: number };
const api = '/api/v1';

async function addAccount(
  db: Db,
  o: { no: string; area: number; station: number; category: string; voltage: string; tariff: string; registers: string[]; multiplier?: string; extra?: Record<string, unknown>; reads: Record<string, Record<string, string>> },
): Promise<number> {
  const customer = await db.insertInto('customer').values({ customer_no: `C-${o.no}`, kind: 'organisation', name: `客户${o.no}`, station_id: o.station }).returning('id').executeTakeFirstOrThrow();
  const a = await db
    .insertInto('account')
    .values({ account_no: o.no, customer_id: customer.id, company_id: fx.companyId, station_id: o.station, area_id: o.area, name: `用户${o.no}`, category: o.category, voltage_level: o.voltage, payment_mode: 'postpaid', tariff_code: o.tariff, ...o.extra })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db.insertInto('account_contact').values({ account_id: a.id, name: '联系人', phone: `1390000${o.no.slice(-4)}`, role: 'owner', is_primary: true }).execute();
  const m = await db.insertInto('meter').values({ account_id: a.id, meter_no: `MT-${o.no}`, registers: o.registers, multiplier: o.multiplier ?? '1' }).returning('id').executeTakeFirstOrThrow();
  for (const [period, r] of Object.entries(o.reads)) {
    const next = period === '2026-09' ? '2026-10-01' : '2026-11-01';
    await db.insertInto('cycle_read').values({ account_id: a.id, meter_id: m.id, period, read_on: next, total: r.total!, peak: r.peak ?? null, flat: r.flat ?? null, valley: r.valley ?? null, reactive: r.reactive ?? null, max_demand: r.max_demand ?? null }).execute();
  }
  return a.id;
}

beforeAll(async () => {
  handle = await createTestDatabase();
  fx = await seedCounty(handle.db);
  await seedTariffDefaults(handle.db);
  const db = handle.db;
  ids.big = await addAccount(db, { no: '8800000004', area: fx.areas.B1, station: fx.stations.B, category: 'residential', voltage: '0.22kV', tariff: 'gansu.residential.tiered', registers: ['total'], reads: { '2026-09': { total: '500.00' }, '2026-10': { total: '800.00' } } });
  ids.lonely = await addAccount(db, { no: '8800000005', area: fx.areas.A2, station: fx.stations.A, category: 'residential', voltage: '0.22kV', tariff: 'gansu.residential.tiered', registers: ['total'], reads: { '2026-10': { total: '42.00' } } });
  ids.shop = await addAccount(db, {
    no: '8800000006',
    area: fx.areas.A1,
    station: fx.stations.A,
    category: 'commercial',
    voltage: '0.4kV',
    tariff: 'gansu.ci.single-part',
    registers: ['total', 'peak', 'flat', 'valley'],
    reads: { '2026-09': { total: '5000.00', peak: '1000.00', flat: '2500.00', valley: '1500.00' }, '2026-10': { total: '6000.00', peak: '1300.00', flat: '3000.00', valley: '1700.00' } },
  });
  ids.factory = await addAccount(db, {
    no: '8800000007',
    area: fx.areas.B1,
    station: fx.stations.B,
    category: 'large_industry',
    voltage: '10kV',
    tariff: 'gansu.ci.two-part',
    registers: ['total', 'peak', 'flat', 'valley', 'reactive', 'max_demand'],
    multiplier: '100',
    extra: { capacity_kva: '1000', contract_demand_kw: '400', basic_charge_basis: 'demand', pf_standard: '0.90' },
    reads: {
      '2026-09': { total: '1000.00', peak: '200.00', flat: '500.00', valley: '300.00', reactive: '400.00' },
      '2026-10': { total: '2000.00', peak: '400.00', flat: '1000.00', valley: '600.00', reactive: '1000.00', max_demand: '4.50' },
    },
  });
  t = await buildTestApp(handle, { clock: new FixedClock(new Date('2026-11-20T02:00:00Z')) });
  for (const u of ['marketing', 'admin', 'amA1', 'headB', 'cashierA'] as const) await t.tokenFor(u);
});
afterAll(async () => {
  await t?.app.close();
  await handle?.close();
});

const tiered2027 = {
  ...structuredClone(GANSU_TARIFF_VERSIONS.find((v) => v.code === 'gansu.residential.tiered')!),
  effectiveFrom: '2027-01-01',
  tiers: [{ upToKwh: '160', price: '0.52' }, { upToKwh: '240', price: '0.57' }, { price: '0.82' }],
};
const oct = GANSU_AGENT_PRICE_TABLES.find((x) => x.month === '2026-10')!;
const dearerJanuary = { month: '2027-01', rows: oct.rows.map((r) => ({ ...r, agent: '0.3500' })) };

let versionDraft: number;
let tableDraft: number;

describe('impact of a drafted tariff version', () => {
  it('marketing drafts the 2027 tiered prices', async () => {
    const res = await t.as('marketing', { method: 'POST', url: `${api}/tariff-versions`, payload: tiered2027 });
    expect(res.statusCode, res.body).toBe(201);
    versionDraft = res.json().id;
  });

  it('company scope: the households on the tariff, to the fen', async () => {
    const before = await fingerprintTables(handle.db);
    const res = await t.as('marketing', { method: 'GET', url: `${api}/tariff-versions/${versionDraft}/impact?top=10` });
    expect(res.statusCode, res.body).toBe(200);
    const r = res.json();
    // 150.25 kWh: 150.25 × 0.51 = 76.6275 → 76.63; × 0.52 = 78.13. 300 kWh: 175.00 → 83.20 + 45.60 + 49.20 = 178.00.
    expect(r.accounts).toEqual({ considered: 5, rated: 4, increased: 4, decreased: 0, unchanged: 0, noUsage: 1, notAffected: 0, notRated: 0 });
    expect(r.totals).toEqual({ beforeFen: 3 * 7663 + 17500, afterFen: 3 * 7813 + 17800, changeFen: 750, changePercent: '1.85' }); // 750 / 40489
    const fen = r.histogramFen.filter((b: { count: number }) => b.count);
    expect(fen).toEqual([{ from: 100, to: 1000, count: 4 }]);
    const bp = r.histogramPercent.filter((b: { count: number }) => b.count);
    expect(bp).toEqual([{ from: 50, to: 200, count: 4 }]); // +1.96% ×3, +1.71%
    expect(r.periods).toEqual([{ period: '2026-10', accounts: 4 }]);
    expect(r.top.map((a: { accountId: number; beforeFen: number; afterFen: number; changeFen: number; changePercent: string }) => [a.accountId, a.beforeFen, a.afterFen, a.changeFen, a.changePercent])).toEqual([
      [ids.big, 17500, 17800, 300, '1.71'],
      [fx.accounts.A1, 7663, 7813, 150, '1.96'],
      [fx.accounts.A2, 7663, 7813, 150, '1.96'],
      [fx.accounts.B1, 7663, 7813, 150, '1.96'],
    ]);
    expect(r.top[0]).toMatchObject({ accountNo: '8800000004', name: '用户8800000004', stationName: '乙供电所', areaName: 'B1台区', managerName: '用户amB1', phone: '139****0004', period: '2026-10' });
    expect(r.draft).toEqual({ kind: 'tariffVersion', id: versionDraft, code: 'gansu.residential.tiered', effectiveFrom: '2027-01-01', month: null });
    expect(await fingerprintTables(handle.db)).toEqual(before); // a dry run
  });

  it('within the caller’s scope: an area manager sees their area, a station head their station', async () => {
    const am = (await t.as('amA1', { method: 'GET', url: `${api}/tariff-versions/${versionDraft}/impact` })).json();
    expect(am.scope).toBe('area');
    expect(am.accounts).toMatchObject({ considered: 1, rated: 1 });
    expect(am.top.map((a: { accountId: number }) => a.accountId)).toEqual([fx.accounts.A1]);
    const head = (await t.as('headB', { method: 'GET', url: `${api}/tariff-versions/${versionDraft}/impact` })).json();
    expect(head.accounts).toMatchObject({ considered: 2, rated: 2 });
    expect(head.totals).toEqual({ beforeFen: 7663 + 17500, afterFen: 7813 + 17800, changeFen: 450, changePercent: '1.79' }); // 450 / 25163
    expect(JSON.stringify(head)).not.toContain('客户A1');
  });

  it('the visit list downloads as xlsx: most affected first, phones masked', async () => {
    const res = await t.as('cashierA', { method: 'GET', url: `${api}/tariff-versions/${versionDraft}/impact?format=xlsx&top=5` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(res.headers['content-disposition']).toBe('attachment; filename="impact-visit-list-gansu.residential.tiered-2027-01-01.xlsx"');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const ws = wb.worksheets[0]!;
    const rows: unknown[][] = [];
    ws.eachRow((row) => rows.push((row.values as unknown[]).slice(1)));
    const head = rows.findIndex((r) => r[0] === '序号');
    expect(rows[head]).toEqual(['序号', '户号', '户名', '用电类别', '电价代码', '供电所', '台区', '台区经理', '联系电话', '抄表周期', '调整前(元)', '调整后(元)', '变化(元)', '变化(%)']);
    // station A's cashier: the two households of station A, A1 then A2
    expect(rows.slice(head + 1).map((r) => [r[1], r[8], r[10], r[11], r[12], r[13]])).toEqual([
      ['8800000001', '138****0001', 76.63, 78.13, 1.5, '1.96%'],
      ['8800000002', '138****0002', 76.63, 78.13, 1.5, '1.96%'],
    ]);
  });
});

describe('impact of a drafted agent-purchase table', () => {
  const shopAccount: RatingAccount = { category: 'commercial', voltageLevel: '0.4kV', agentMultiplier: '1' };
  const shopUsage: RatingUsage = { kwh: '1000.00', kwhByPeriod: { peak: '300.00', flat: '500.00', valley: '200.00' } };
  const factoryAccount: RatingAccount = { category: 'large_industry', voltageLevel: '10kV', agentMultiplier: '1', pfStandard: '0.90', capacityKva: '1000.00', contractDemandKw: '400.00', basicChargeBasis: 'demand' };
  // ×100: 1000 kWh of register → 100,000 kWh; 600 kvarh → 60,000; 4.50 kW → 450 kW
  const factoryUsage: RatingUsage = { kwh: '100000.00', kwhByPeriod: { peak: '20000.00', flat: '50000.00', valley: '30000.00' }, kvarh: '60000.00', maxDemandKw: '450.00' };
  const tiers = GANSU_TARIFF_VERSIONS.filter((v) => v.code === 'gansu.ci.single-part');
  const twoPart = GANSU_TARIFF_VERSIONS.filter((v) => v.code === 'gansu.ci.two-part');
  const bill = (tariff: typeof tiers, account: RatingAccount, usage: RatingUsage, table: typeof oct) => rate({ tariff, agentPrices: table, period: '2026-10', account, usage }).totalFen;

  it('a month drafted at a dearer agent price moves the agent-priced accounts only, to the fen', async () => {
    const draft = await t.as('marketing', { method: 'POST', url: `${api}/agent-prices`, payload: dearerJanuary });
    expect(draft.statusCode, draft.body).toBe(201);
    tableDraft = draft.json().id;
    const res = await t.as('admin', { method: 'GET', url: `${api}/agent-prices/${tableDraft}/impact` });
    expect(res.statusCode, res.body).toBe(200);
    const r = res.json();

    // The shop by hand: floating 0.332 (0.3200 + 0.0120), fixed 0.215 (0.1850 + 0.0300) at < 1 kV:
    // 300 × 0.713 + 500 × 0.547 + 200 × 0.381 + 1000 × 0.0229 = 213.90 + 273.50 + 76.20 + 22.90 = 586.50;
    // at 0.35 floating is 0.362: 300 × 0.758 + 500 × 0.577 + 200 × 0.396 + 22.90 = 227.40 + 288.50 + 79.20 + 22.90 = 618.00.
    expect(bill(tiers, shopAccount, shopUsage, oct)).toBe(58650);
    const relabelled = { ...dearerJanuary, month: '2026-10' };
    expect(bill(tiers, shopAccount, shopUsage, relabelled)).toBe(61800);
    const factoryBefore = bill(twoPart, factoryAccount, factoryUsage, oct);
    const factoryAfter = bill(twoPart, factoryAccount, factoryUsage, relabelled);
    // The factory's energy moves by 0.03 × k: 20,000 × 0.045 + 50,000 × 0.03 + 30,000 × 0.015 = 2,850.00 元; its PF
    // (100,000 kWh, 60,000 kvarh → 0.86, +2% against 0.90) adds 2% of that: 57.00 元. The basic charge does not move.
    expect(factoryAfter - factoryBefore).toBe(285000 + 5700);

    expect(r.accounts).toEqual({ considered: 2, rated: 2, increased: 2, decreased: 0, unchanged: 0, noUsage: 0, notAffected: 0, notRated: 0 });
    expect(r.totals).toMatchObject({ beforeFen: 58650 + factoryBefore, afterFen: 61800 + factoryAfter, changeFen: 3150 + factoryAfter - factoryBefore });
    expect(r.top.map((a: { accountId: number; beforeFen: number; afterFen: number }) => [a.accountId, a.beforeFen, a.afterFen])).toEqual([
      [ids.factory, factoryBefore, factoryAfter],
      [ids.shop, 58650, 61800],
    ]);
    expect(r.draft).toMatchObject({ kind: 'agentPriceTable', month: '2027-01' });
  });

  it('station A sees only the shop; an area manager of A2 sees nothing to rate', async () => {
    const head = (await t.as('cashierA', { method: 'GET', url: `${api}/agent-prices/${tableDraft}/impact` })).json();
    expect(head.totals).toEqual({ beforeFen: 58650, afterFen: 61800, changeFen: 3150, changePercent: '5.37' });
    expect(head.histogramFen.filter((b: { count: number }) => b.count)).toEqual([{ from: 1000, to: 10000, count: 1 }]);
    expect(head.histogramPercent.filter((b: { count: number }) => b.count)).toEqual([{ from: 500, to: 1000, count: 1 }]);
    const am = (await t.as('amA2', { method: 'GET', url: `${api}/agent-prices/${tableDraft}/impact` })).json();
    expect(am.accounts).toMatchObject({ considered: 0, rated: 0 });
    expect(am.totals).toEqual({ beforeFen: 0, afterFen: 0, changeFen: 0, changePercent: null });
    expect(am.top).toEqual([]);
  });

  it('accounts the engine refuses are counted with the reason, not dropped silently', async () => {
    // a TOU shop whose meter has lost its registers cannot be rated: a total is never split by guess
    await handle.db.updateTable('cycle_read').set({ peak: null, flat: null, valley: null }).where('account_id', '=', ids.shop).where('period', '=', '2026-10').execute();
    try {
      const r = (await t.as('marketing', { method: 'GET', url: `${api}/agent-prices/${tableDraft}/impact` })).json();
      expect(r.accounts).toMatchObject({ considered: 2, rated: 1, notRated: 1 });
      expect(r.problems).toEqual([expect.objectContaining({ field: 'usage.kwhByPeriod', count: 1, accountNo: '8800000006' })]);
    } finally {
      await handle.db.updateTable('cycle_read').set({ peak: '1300.00', flat: '3000.00', valley: '1700.00' }).where('account_id', '=', ids.shop).where('period', '=', '2026-10').execute();
    }
  });

  it('only drafts have an impact: a published table is 409, an unknown one 404', async () => {
    const published = (await t.as('marketing', { method: 'GET', url: `${api}/agent-prices?from=2026-10&to=2026-10` })).json().items[0];
    expect((await t.as('marketing', { method: 'GET', url: `${api}/agent-prices/${published.id}/impact` })).statusCode).toBe(409);
    expect((await t.as('marketing', { method: 'GET', url: `${api}/agent-prices/99999/impact` })).statusCode).toBe(404);
    expect((await t.as('marketing', { method: 'GET', url: `${api}/tariff-versions/99999/impact` })).statusCode).toBe(404);
  });
});
