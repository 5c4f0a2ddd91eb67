import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/connect.js';
import { GANSU_TARIFF_VERSIONS, seedTariffDefaults } from '../../src/modules/tariffs/index.js';
import { FixedClock } from '../../src/shared/clock.js';
import { seedCounty } from '../fixtures/county.js';
import { buildTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase } from '../support/db.js';
import { fingerprintTables } from '../support/tables.js';

/**
 * POST /api/v1/quotes (试算): the RULES §1–5 examples to the fen through HTTP, bad input as 422 naming
 * the field, and nothing stored.
 */

let handle: DatabaseHandle;
let t: TestApp;

beforeAll(async () => {
  handle = await createTestDatabase();
  await seedCounty(handle.db);
  await seedTariffDefaults(handle.db);
  t = await buildTestApp(handle, { clock: new FixedClock(new Date('2026-11-20T02:00:00Z')) });
  await t.tokenFor('cashierA');
  await t.tokenFor('marketing');
});
afterAll(async () => {
  await t?.app.close();
  await handle?.close();
});

const post = (payload: unknown, user: 'cashierA' | 'marketing' = 'cashierA') => t.as(user, { method: 'POST', url: '/api/v1/quotes', payload });
const amounts = (body: { lines: { code: string; amountFen: number }[] }) => Object.fromEntries(body.lines.map((l) => [l.code, l.amountFen]));

const household = { category: 'residential', voltageLevel: '0.22kV' };
const shop = { category: 'commercial', voltageLevel: '10kV' };
const factory = { category: 'large_industry', voltageLevel: '10kV', capacityKva: '1000', contractDemandKw: '400', basicChargeBasis: 'demand' };
const flatOnly = (kwh: string) => ({ peak: '0', flat: kwh, valley: '0' });

describe('RULES examples through POST /api/v1/quotes', () => {
  const tiered = (kwh: string) => post({ tariffCode: 'gansu.residential.tiered', period: '2026-10', account: household, usage: { kwh } });

  it('R1: 300 kWh → 81.60 + 44.80 + 48.60 = 175.00 元', async () => {
    const res = await tiered('300');
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.lines.map((l: { code: string; quantity: string; unitPrice: string; amountFen: number }) => [l.code, l.quantity, l.unitPrice, l.amountFen])).toEqual([
      ['energy.tier1', '160.00', '0.5100', 8160],
      ['energy.tier2', '80.00', '0.5600', 4480],
      ['energy.tier3', '60.00', '0.8100', 4860],
    ]);
    expect(body.totalFen).toBe(17500);
    expect(body).toMatchObject({ tariffCode: 'gansu.residential.tiered', tariffEffectiveFrom: '2012-07-01', period: '2026-10', agentPrices: null });
  });

  it('R2: 160 kWh → 81.60 元; R3: 241 kWh → 127.21 元', async () => {
    expect((await tiered('160')).json().totalFen).toBe(8160);
    const r3 = (await tiered('241')).json();
    expect(amounts(r3)).toEqual({ 'energy.tier1': 8160, 'energy.tier2': 4480, 'energy.tier3': 81 });
    expect(r3.totalFen).toBe(12721);
  });

  it('A1: 0.3200 + 0.0120 + 0.1500 + 0.0300 + 0.0229 = 0.5349 元/kWh; with α = 1.5: 0.6949', async () => {
    // the catalogue code in 2026-10 is time of use: the flat register is priced at floating × 1.0 + fixed
    const res = await post({ tariffCode: 'gansu.ci.single-part', period: '2026-10', account: shop, usage: { kwhByPeriod: flatOnly('1000') } });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    const flat = body.lines.find((l: { code: string }) => l.code === 'energy.flat');
    const funds = body.lines.find((l: { code: string }) => l.code === 'funds');
    expect([flat.unitPrice, funds.unitPrice]).toEqual(['0.5120', '0.0229']);
    expect(body.totalFen).toBe(53490); // 1000 kWh × 0.5349
    expect(body.agentPrices).toEqual({ month: '2026-10', source: 'published' });
    expect(flat.detail).toMatchObject({ agent: '0.3200', lineLoss: '0.0120', td: '0.1500', systemOps: '0.0300', agentMultiplier: '1' });

    const alpha = (await post({ tariffCode: 'gansu.ci.single-part', period: '2026-10', account: { ...shop, agentMultiplier: '1.5' }, usage: { kwhByPeriod: flatOnly('1000') } })).json();
    expect(alpha.totalFen).toBe(69490); // 1000 kWh × 0.6949
  });

  it('A1 with an inline single-part tariff (no time of use): one energy line at 0.5120 and funds at 0.0229', async () => {
    const inline = GANSU_TARIFF_VERSIONS.find((v) => v.code === 'gansu.ci.single-part' && v.effectiveFrom === '2023-06-01')!;
    const res = await post({ tariff: { ...inline, code: 'what-if.single-part' }, period: '2026-10', account: shop, usage: { kwh: '1000' } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().lines.map((l: { code: string; unitPrice: string; amountFen: number }) => [l.code, l.unitPrice, l.amountFen])).toEqual([
      ['energy', '0.5120', 51200],
      ['funds', '0.0229', 2290],
    ]);
    expect(res.json().tariffCode).toBe('what-if.single-part');
  });

  it('T1: C = 400 kW, D = 450 kW, p = 35 → 420·35 + 30·70 = 16,800.00 元; T2: D = 410 → 14,000.00 元', async () => {
    const basic = async (maxDemandKw: string) => {
      const res = await post({ tariffCode: 'gansu.ci.two-part', period: '2026-10', account: factory, usage: { kwhByPeriod: flatOnly('100000'), maxDemandKw } });
      expect(res.statusCode, res.body).toBe(200);
      return res.json().lines.filter((l: { code: string }) => l.code.startsWith('basic')).map((l: { code: string; quantity: string; amountFen: number }) => [l.code, l.quantity, l.amountFen]);
    };
    expect(await basic('450')).toEqual([
      ['basic.demand', '420.00', 1470000],
      ['basic.demand.excess', '30.00', 210000],
    ]);
    expect(await basic('410')).toEqual([['basic.demand', '400.00', 1400000]]);
  });

  /** A month whose two-part energy price (funds excluded) at 1–10 kV is exactly 0.50 元/kWh, as P1 assumes. */
  const p1Table = (month: string) => ({ month, rows: [{ voltage: '1-10kV', column: 'two-part', agent: '0.3000', lineLoss: '0.0100', td: '0.1300', systemOps: '0.0600', funds: '0.0229' }] });
  const p1Usage = { kwhByPeriod: flatOnly('100000'), kvarh: '60000', maxDemandKw: '450' };
  const p1Account = { ...factory, pfStandard: '0.90' };

  it('P1: PF 0.8575 → 0.86 → +2.0% vs 0.90; basic 16,800 + energy 50,000 → +1,336.00 元 (what-if table inline)', async () => {
    const res = await post({ tariffCode: 'gansu.ci.two-part', period: '2026-10', agentPrices: p1Table('2026-10'), account: p1Account, usage: p1Usage });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(amounts(body)).toEqual({ 'energy.peak': 0, 'energy.flat': 5000000, 'energy.valley': 0, 'basic.demand': 1470000, 'basic.demand.excess': 210000, 'pf.adjustment': 133600, funds: 229000 });
    expect(body.lines.find((l: { code: string }) => l.code === 'pf.adjustment')).toMatchObject({ quantity: '66800.00', unit: '元', unitPrice: '2.00', priceUnit: '%', factor: null, detail: { powerFactorRounded: '0.86', standard: '0.90', percent: '2.00' } });
    expect(body.subtotals).toEqual([
      { kind: 'energy', amountFen: 5000000 },
      { kind: 'basic', amountFen: 1680000 },
      { kind: 'pf', amountFen: 133600 },
      { kind: 'funds', amountFen: 229000 },
    ]);
    expect(body).toMatchObject({ kwh: '100000.00', averagePrice: '0.7043' }); // 70,426.00 元 / 100,000 kWh
    expect(body.agentPrices).toEqual({ month: '2026-10', source: 'inline' });
  });

  it('P1 again with that table published for 2027-01 through the API, quoted by catalogue code', async () => {
    const draft = await t.as('marketing', { method: 'POST', url: '/api/v1/agent-prices', payload: p1Table('2027-01') });
    expect(draft.statusCode, draft.body).toBe(201);
    const published = await t.as('marketing', { method: 'POST', url: `/api/v1/agent-prices/${draft.json().id}/publish` });
    expect(published.statusCode, published.body).toBe(200);
    const res = await post({ tariffCode: 'gansu.ci.two-part', period: '2027-01', account: p1Account, usage: p1Usage });
    expect(res.statusCode, res.body).toBe(200);
    expect(amounts(res.json())['pf.adjustment']).toBe(133600);
    expect(res.json().agentPrices).toEqual({ month: '2027-01', source: 'published' });
  });
});

describe('bad quotes → 422 naming the field and the reason', () => {
  const base = { tariffCode: 'gansu.residential.tiered', period: '2026-10', account: household, usage: { kwh: '300' } };
  const cases: [string, unknown, string, RegExp?][] = [
    ['neither tariffCode nor tariff', { period: '2026-10', account: household, usage: { kwh: '1' } }, 'tariffCode', /required/],
    ['both tariffCode and tariff', { ...base, tariff: GANSU_TARIFF_VERSIONS[0] }, 'tariff', /not both/],
    ['an unknown code', { ...base, tariffCode: 'gansu.nothing' }, 'tariffCode', /no published tariff/],
    ['a month that does not exist', { ...base, period: '2026-13' }, 'period'],
    ['a period before the first version', { ...base, period: '2012-06' }, 'period', /first starts 2012-07-01/],
    ['no usage at all', { ...base, usage: {} }, 'usage.kwh', /required/],
    ['three decimals', { ...base, usage: { kwh: '1.234' } }, 'usage.kwh', /more than 2 decimal places/],
    ['a negative quantity', { ...base, usage: { kwh: '-5' } }, 'usage.kwh', /negative/],
    ['a number instead of a decimal string', { ...base, usage: { kwh: 300 } }, 'usage.kwh'],
    ['an unknown usage field', { ...base, usage: { kwh: '1', watts: '3' } }, 'usage.watts', /unknown field/],
    ['an unknown category', { ...base, account: { ...household, category: 'alien' } }, 'account.category'],
    ['a category the tariff does not apply to', { ...base, account: shop }, 'account.category', /applies to residential/],
    ['a TOU tariff given only a total', { ...base, tariffCode: 'gansu.ci.single-part', account: shop, usage: { kwh: '600' } }, 'usage.kwhByPeriod', /never split by guess/],
    ['a month without a published agent table', { ...base, tariffCode: 'gansu.ci.single-part', period: '2030-01', account: shop, usage: { kwhByPeriod: flatOnly('1') } }, 'period', /no agent-purchase table/],
    ['two-part without its attributes', { ...base, tariffCode: 'gansu.ci.two-part', account: { category: 'large_industry', voltageLevel: '10kV' }, usage: { kwhByPeriod: flatOnly('1') } }, 'account.basicChargeBasis'],
    ['an inline tariff with unordered tiers', { ...base, tariffCode: undefined, tariff: { ...GANSU_TARIFF_VERSIONS[0], tiers: [{ price: '0.51' }, { upToKwh: '1', price: '0.56' }] } }, 'tariff.tiers[0].upToKwh'],
    ['an inline agent table with a bad price', { ...base, tariffCode: 'gansu.ci.single-part', account: shop, usage: { kwhByPeriod: flatOnly('1') }, agentPrices: { month: '2026-10', rows: [{ voltage: '1-10kV', column: 'single-part', agent: 'x', lineLoss: '0', td: '0', systemOps: '0', funds: '0' }] } }, 'agentPrices.rows[0].agent', /not a decimal/],
  ];

  it.each(cases)('%s', async (_name, payload, field, message) => {
    const res = await post(payload);
    expect(res.statusCode, res.body).toBe(422);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const errors = res.json().errors as { field: string; message: string }[];
    const hit = errors.find((e) => e.field === field);
    expect(hit, `${field} in ${res.body}`).toBeDefined();
    if (message) expect(hit!.message).toMatch(message);
    expect(res.json().detail).toContain(field);
  });

  it('issue 17: each rule is refused with its stable code', async () => {
    const tou = { ...base, tariffCode: 'gansu.ci.single-part', account: shop };
    const twoPart = { ...base, tariffCode: 'gansu.ci.two-part', account: { ...factory, capacityKva: '800' }, usage: { kwhByPeriod: flatOnly('100'), maxDemandKw: '300' } };
    const cases: [unknown, string, string][] = [
      [{ ...base, usage: { kwh: '1000000000000000' } }, 'usage.kwh', 'too_large'],
      [{ ...tou, usage: { kwhByPeriod: { ...flatOnly('100'), critical: '10' } } }, 'usage.kwhByPeriod.critical', 'critical_out_of_season'],
      [{ ...tou, account: { ...shop, pfStandard: '0.85' }, usage: { kwhByPeriod: flatOnly('100'), kvarh: '50' } }, 'account.capacityKva', 'capacity_required_for_pf'],
      [{ ...twoPart, account: { ...factory, capacityKva: '50' } }, 'account.capacityKva', 'two_part_capacity'],
      [{ ...tou, account: { ...shop, agentMultiplier: '7' }, usage: { kwhByPeriod: flatOnly('100') } }, 'account.agentMultiplier', 'alpha_not_allowed'],
      [{ ...twoPart, period: '2026-11', usage: { ...twoPart.usage, days: '31' } }, 'usage.days', 'days_beyond_month'],
      [{ ...twoPart, usage: { ...twoPart.usage, days: '45' } }, 'usage.days', 'days_beyond_month'],
    ];
    for (const [payload, field, code] of cases) {
      const res = await post(payload);
      expect(res.statusCode, res.body).toBe(422);
      expect(res.json().errors, res.body).toContainEqual(expect.objectContaining({ field, code }));
    }
  });

  it('issue 17: kvarh without pfStandard — an 800 kVA two-part account is held to 0.90 (RULES §5)', async () => {
    const res = await post({ tariffCode: 'gansu.ci.two-part', period: '2026-10', account: { ...factory, capacityKva: '800' }, usage: { kwhByPeriod: flatOnly('100000'), kvarh: '60000', maxDemandKw: '300' } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().lines.find((l: { code: string }) => l.code === 'pf.adjustment')).toMatchObject({ detail: { standard: '0.90', standardFrom: 'RULES §5' } });
  });

  it('issue 17: every bad field at once — shape, inline tariff, usage and account — each with a code', async () => {
    const res = await post({
      tariff: { ...GANSU_TARIFF_VERSIONS[0], tiers: [{ price: '0.51' }, { upToKwh: '1', price: '0.56' }] },
      period: '2026-10',
      account: { category: 'alien', voltageLevel: '0.22kV', agentMultiplier: '7' },
      usage: { kwh: '1', kvarh: '-5', maxDemandKw: 'x', days: '45', watts: '3' },
      extra: true,
    });
    expect(res.statusCode, res.body).toBe(422);
    const errors = res.json().errors as { field: string; code: string; message: string }[];
    expect(errors.map((e) => `${e.field} ${e.code}`)).toEqual(
      expect.arrayContaining([
        'extra unknown_field',
        'usage.watts unknown_field',
        'tariff.tiers[0].upToKwh required',
        'account.category not_one_of',
        'account.agentMultiplier alpha_not_allowed',
        'usage.kvarh negative',
        'usage.maxDemandKw not_decimal',
        'usage.days days_beyond_month',
      ]),
    );
    for (const e of errors) expect(e.code, JSON.stringify(e)).toMatch(/^[a-z_]+$/);
  });

  it('a quote stores nothing', async () => {
    const before = await fingerprintTables(handle.db);
    expect((await post(base)).statusCode).toBe(200);
    expect((await post({ ...base, usage: {} })).statusCode).toBe(422);
    expect(await fingerprintTables(handle.db)).toEqual(before);
  });

  it('OpenAPI documents the inline tariff format, agentPrices and the 422 answers of the validating routes', async () => {
    const spec = (await t.app.inject({ url: '/openapi.json' })).json();
    const body = spec.paths['/api/v1/quotes'].post.requestBody.content['application/json'].schema;
    expect(Object.keys(body.properties.tariff.properties)).toEqual(expect.arrayContaining(['code', 'kind', 'tiers', 'tou', 'basic', 'powerFactor']));
    expect(Object.keys(body.properties.agentPrices.properties.rows.items.properties)).toEqual(['voltage', 'column', 'agent', 'lineLoss', 'td', 'systemOps', 'funds']);
    for (const [path, method] of [['/api/v1/quotes', 'post'], ['/api/v1/tariff-versions', 'post'], ['/api/v1/agent-prices', 'post'], ['/api/v1/agent-prices/import', 'post'], ['/api/v1/tariff-versions/{id}/publish', 'post']] as const) {
      const refusal = spec.paths[path][method].responses['422'];
      expect(refusal, `${method} ${path}`).toBeDefined();
      expect(JSON.stringify(refusal)).toContain('"code"');
    }
  });

  it('needs a session', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/quotes', payload: base });
    expect(res.statusCode).toBe(401);
  });
});
