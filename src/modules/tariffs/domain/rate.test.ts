import { describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/errors.js';
import { compileAgentPrices, compileCatalogue, compileTariff } from './compile.js';
import { GANSU_AGENT_PRICE_TABLES, GANSU_CODES, GANSU_TARIFF_VERSIONS } from './gansu-defaults.js';
import { rate, type RateInput, type RatingAccount, type RatingUsage } from './rate.js';
import type { AgentPriceTable, TariffVersion, TwoPartTariff } from './tariff-format.js';

const catalogue = compileCatalogue(GANSU_TARIFF_VERSIONS);
const prices = compileAgentPrices(GANSU_AGENT_PRICE_TABLES);
const history = (code: string) => catalogue.history(code)!;
const versionOf = (code: string, from: string) => structuredClone(GANSU_TARIFF_VERSIONS.find((v) => v.code === code && v.effectiveFrom === from)!);

const household: RatingAccount = { category: 'residential', voltageLevel: '0.22kV' };
const shop: RatingAccount = { category: 'commercial', voltageLevel: '10kV' };
const factory: RatingAccount = { category: 'large_industry', voltageLevel: '10kV', capacityKva: '1000', contractDemandKw: '400', basicChargeBasis: 'demand' };

function bill(tariff: RateInput['tariff'], account: RatingAccount, usage: RatingUsage, period = '2026-10', agentPrices: RateInput['agentPrices'] = prices) {
  return rate({ tariff, agentPrices, period, account, usage });
}
const amounts = (r: ReturnType<typeof rate>) => Object.fromEntries(r.lines.map((l) => [l.code, l.amountFen]));

/** The field names of the AppError VALIDATION thrown by `fn`. */
function errorFields(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    expect((e as AppError).code).toBe('VALIDATION');
    return (e as AppError).details.errors!.map((x) => x.field);
  }
  throw new Error('expected a validation error');
}
function errorMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as AppError).message;
  }
  throw new Error('expected a validation error');
}

describe('RULES §1 residential tiered', () => {
  const tiered = history(GANSU_CODES.residentialTiered);
  it('R1: 300 kWh → 81.60 + 44.80 + 48.60 = 175.00 元', () => {
    const r = bill(tiered, household, { kwh: '300' });
    expect(r.lines.map((l) => [l.code, l.quantity, l.unitPrice, l.amountFen])).toEqual([
      ['energy.tier1', '160.00', '0.5100', 8160],
      ['energy.tier2', '80.00', '0.5600', 4480],
      ['energy.tier3', '60.00', '0.8100', 4860],
    ]);
    expect(r.totalFen).toBe(17500);
    expect(r.tariffCode).toBe('gansu.residential.tiered');
    expect(r.tariffEffectiveFrom).toBe('2012-07-01');
  });
  it('R2: 160 kWh → 81.60 元, one line', () => {
    const r = bill(tiered, household, { kwh: '160.00' });
    expect(r.lines).toHaveLength(1);
    expect(r.totalFen).toBe(8160);
  });
  it('R3: 241 kWh → 81.60 + 44.80 + 0.81 = 127.21 元', () => {
    const r = bill(tiered, household, { kwh: '241' });
    expect(amounts(r)).toEqual({ 'energy.tier1': 8160, 'energy.tier2': 4480, 'energy.tier3': 81 });
    expect(r.totalFen).toBe(12721);
  });
  it('0 kWh → a zero tier-1 line; 160.01 kWh reaches tier 2', () => {
    expect(bill(tiered, household, { kwh: '0' }).lines.map((l) => [l.code, l.quantity, l.amountFen])).toEqual([['energy.tier1', '0.00', 0]]);
    expect(amounts(bill(tiered, household, { kwh: '160.01' }))).toEqual({ 'energy.tier1': 8160, 'energy.tier2': 1 });
  });
  it('an n-month cycle multiplies the thresholds by n (policy)', () => {
    const r = bill(tiered, household, { kwh: '500', cycleMonths: 2 });
    // 320 × 0.51 + 160 × 0.56 + 20 × 0.81 = 163.20 + 89.60 + 16.20
    expect(r.lines.map((l) => [l.code, l.quantity, l.amountFen])).toEqual([
      ['energy.tier1', '320.00', 16320],
      ['energy.tier2', '160.00', 8960],
      ['energy.tier3', '20.00', 1620],
    ]);
    expect(r.lines[0]!.detail).toEqual({ tier: 1, fromKwh: '0', toKwh: '320', cycleMonths: 2 });
    expect(r.totalFen).toBe(26900);
  });
  it("'per-cycle' thresholds do not scale", () => {
    const v = { ...versionOf(GANSU_CODES.residentialTiered, '2012-07-01'), cycleThresholds: 'per-cycle' } as TariffVersion;
    expect(bill(v, household, { kwh: '500', cycleMonths: 2 }).totalFen).toBe(8160 + 4480 + 21060);
  });
  it('shared meter: tier-1 price + 0.015, no tiers', () => {
    const r = bill(history(GANSU_CODES.residentialSharedMeter), household, { kwh: '300' });
    expect(r.lines).toEqual([{ code: 'energy', quantity: '300.00', unitPrice: '0.5250', amountFen: 15750, detail: { tariff: 'gansu.residential.shared-meter', basePrice: '0.5100', markup: '0.0150' } }]);
  });
  it('1–10 kV residential: flat 0.50; the tiered tariff refuses a 10 kV account', () => {
    expect(bill(history(GANSU_CODES.residential10kv), { category: 'residential', voltageLevel: '10kV' }, { kwh: '300' }).totalFen).toBe(15000);
    expect(errorFields(() => bill(tiered, { category: 'residential', voltageLevel: '10kV' }, { kwh: '300' }))).toEqual(['account.voltageLevel']);
    expect(errorFields(() => bill(tiered, shop, { kwh: '300' }))).toEqual(['account.category', 'account.voltageLevel']);
  });
  it('a funds component on a catalogue tariff is its own line', () => {
    const v = { ...versionOf(GANSU_CODES.residential10kv, '2012-07-01'), price: '0.4771', funds: { perKwh: '0.0229' } } as TariffVersion;
    const r = bill(v, { category: 'residential', voltageLevel: '10kV' }, { kwh: '300' });
    expect(r.lines.map((l) => [l.code, l.unitPrice, l.amountFen])).toEqual([
      ['energy', '0.4771', 14313],
      ['funds', '0.0229', 687],
    ]);
    expect(r.totalFen).toBe(15000);
  });
});

describe('RULES §3 agent purchase', () => {
  const beforeTou = compileTariff(versionOf(GANSU_CODES.ciSinglePart, '2023-06-01'));
  it('A1: 0.3200 + 0.0120 + 0.1500 + 0.0300 + 0.0229 = 0.5349 元/kWh', () => {
    const r = bill(beforeTou, shop, { kwh: '1000' });
    expect(r.lines.map((l) => [l.code, l.unitPrice, l.amountFen])).toEqual([
      ['energy', '0.5120', 51200],
      ['funds', '0.0229', 2290],
    ]);
    expect(r.totalFen).toBe(53490); // 1000 kWh × 0.5349
    expect(r.lines[0]!.detail).toMatchObject({ month: '2026-10', voltage: '1-10kV', column: 'single-part', agent: '0.3200', agentMultiplier: '1', lineLoss: '0.0120', td: '0.1500', systemOps: '0.0300' });
  });
  it('A1 with α = 1.5 → 0.6949 元/kWh: only P_agent is multiplied', () => {
    const r = bill(beforeTou, { ...shop, agentMultiplier: '1.5' }, { kwh: '1000' });
    expect(r.lines.map((l) => l.unitPrice)).toEqual(['0.6720', '0.0229']);
    expect(r.totalFen).toBe(69490);
  });
  it('voltage picks the row; a missing row, a missing table or another month is a clear error', () => {
    expect(bill(beforeTou, { ...shop, voltageLevel: '0.4kV' }, { kwh: '1000' }).lines[0]!.unitPrice).toBe('0.5470');
    expect(errorFields(() => bill(beforeTou, { ...shop, voltageLevel: '110kV' }, { kwh: '1' }))).toEqual(['agentPrices.rows']);
    expect(errorFields(() => bill(beforeTou, shop, { kwh: '1' }, '2026-10', null))).toEqual(['agentPrices']);
    expect(errorFields(() => bill(beforeTou, shop, { kwh: '1' }, '2030-01'))).toEqual(['agentPrices']);
    const table = GANSU_AGENT_PRICE_TABLES.find((t) => t.month === '2026-09')!;
    expect(errorFields(() => bill(beforeTou, shop, { kwh: '1' }, '2026-10', compileAgentPrices(table).forMonth('2026-09')))).toEqual(['agentPrices.month']);
    expect(errorFields(() => bill(beforeTou, { ...shop, agentMultiplier: 'x' }, { kwh: '1' }))).toEqual(['account.agentMultiplier']);
  });
  it('a month whose system operation refund would make a price negative is refused', () => {
    const raw: AgentPriceTable = structuredClone(GANSU_AGENT_PRICE_TABLES.find((t) => t.month === '2026-10')!);
    // the 1–10 kV single-part row still adds up to ≥ 0 (0.1049); its valley price would not (0.166 − 0.25)
    raw.rows = raw.rows.map((r) => (r.voltage === '1-10kV' && r.column === 'single-part' ? { ...r, systemOps: '-0.4000' } : r));
    expect(errorFields(() => bill(history(GANSU_CODES.ciSinglePart), shop, { kwhByPeriod: { peak: '1', flat: '1', valley: '1' } }, '2026-10', raw))).toEqual(['agentPrices.rows']);
  });
  it('takes a raw table (or list of tables) as well as compiled prices', () => {
    const raw: AgentPriceTable = structuredClone(GANSU_AGENT_PRICE_TABLES.find((t) => t.month === '2026-10')!);
    expect(bill(beforeTou, shop, { kwh: '1000' }, '2026-10', raw).totalFen).toBe(53490);
    expect(bill(beforeTou, shop, { kwh: '1000' }, '2026-10', [raw]).totalFen).toBe(53490);
    expect(errorFields(() => bill(beforeTou, shop, { kwh: '1' }, '2026-10', { ...raw, month: '2026-1' }))).toEqual(['agentPrices.month']);
  });
});

describe('RULES §2 time of use', () => {
  const tou = history(GANSU_CODES.ciSinglePart);
  const usage = { kwhByPeriod: { peak: '100', flat: '200', valley: '300' } };
  it('price(period) = floating × k + fixed, floating = α·P_agent + L', () => {
    const r = bill(tou, shop, usage);
    // floating 0.332, fixed 0.18: peak 0.678, flat 0.512, valley 0.346
    expect(r.lines.map((l) => [l.code, l.quantity, l.unitPrice, l.amountFen])).toEqual([
      ['energy.peak', '100.00', '0.6780', 6780],
      ['energy.flat', '200.00', '0.5120', 10240],
      ['energy.valley', '300.00', '0.3460', 10380],
      ['funds', '600.00', '0.0229', 1374],
    ]);
    expect(r.lines[0]!.detail).toMatchObject({ period: 'peak', k: '1.5', floating: '0.3320', fixed: '0.1800' });
  });
  it('A1 in the flat period: 0.5120 + 0.0229 = 0.5349; with α = 1.5 peak moves by 1.5 × 0.16', () => {
    const r = bill(tou, { ...shop, agentMultiplier: '1.5' }, usage);
    expect(r.lines.map((l) => l.unitPrice)).toEqual(['0.9180', '0.6720', '0.4260', '0.0229']);
  });
  it('critical peak: k = 1.8 on the critical register, in a critical-peak month', () => {
    const v = versionOf(GANSU_CODES.ciSinglePart, '2024-08-01') as Extract<TariffVersion, { kind: 'single-part' }>;
    v.tou!.critical!.months = [10];
    const r = bill(v, shop, { kwhByPeriod: { ...usage.kwhByPeriod, critical: '10' } });
    expect(r.lines.find((l) => l.code === 'energy.critical')).toMatchObject({ quantity: '10.00', unitPrice: '0.7776', amountFen: 778 });
    expect(r.lines.find((l) => l.code === 'funds')!.quantity).toBe('610.00');
  });
  it('never splits a total by guess: a TOU tariff without registers is refused', () => {
    expect(errorFields(() => bill(tou, shop, { kwh: '600' }))).toEqual(['usage.kwhByPeriod']);
    expect(errorMessage(() => bill(tou, shop, { kwh: '600' }))).toMatch(/never split by guess/);
    // … while the version before 2024-08-01 takes a total
    expect(bill(tou, shop, { kwh: '600' }, '2024-07').lines[0]!.code).toBe('energy');
  });
  it('kwh, when given with registers, must equal their sum', () => {
    expect(bill(tou, shop, { ...usage, kwh: '600.00' }).totalFen).toBe(bill(tou, shop, usage).totalFen);
    expect(errorFields(() => bill(tou, shop, { ...usage, kwh: '601' }))).toEqual(['usage.kwh']);
  });
  it('critical kWh on a tariff without a critical price is refused', () => {
    const v = versionOf(GANSU_CODES.ciSinglePart, '2024-08-01') as Extract<TariffVersion, { kind: 'single-part' }>;
    delete v.tou!.critical;
    delete v.tou!.factors.critical;
    expect(errorFields(() => bill(v, shop, { kwhByPeriod: { ...usage.kwhByPeriod, critical: '1' } }))).toEqual(['usage.kwhByPeriod.critical']);
  });
  it('registers on a non-TOU tariff are summed', () => {
    const r = bill(history(GANSU_CODES.residentialTiered), household, usage);
    expect(r.lines.map((l) => l.quantity)).toEqual(['160.00', '80.00', '360.00']);
  });
});

describe('RULES §4 two-part basic charge', () => {
  const twoPart = history(GANSU_CODES.ciTwoPart);
  const usage = (maxDemandKw: string, kwh = '100000'): RatingUsage => ({ kwhByPeriod: { peak: '0', flat: kwh, valley: '0' }, maxDemandKw });
  const basic = (r: ReturnType<typeof rate>) => r.lines.filter((l) => l.code.startsWith('basic'));
  const basicFen = (r: ReturnType<typeof rate>) => basic(r).reduce((s, l) => s + l.amountFen, 0);

  it('T1: C = 400, D = 450, p = 35 → 420·35 + 30·70 = 16,800.00 元', () => {
    const r = bill(twoPart, factory, usage('450'));
    expect(basic(r).map((l) => [l.code, l.quantity, l.unitPrice, l.amountFen])).toEqual([
      ['basic.demand', '420.00', '35.0000', 1470000],
      ['basic.demand.excess', '30.00', '70.0000', 210000],
    ]);
    expect(basicFen(r)).toBe(1680000);
  });
  it('T2: C = 400, D = 410 → 14,000.00 元', () => {
    const r = bill(twoPart, factory, usage('410'));
    expect(basic(r).map((l) => [l.code, l.quantity, l.amountFen])).toEqual([['basic.demand', '400.00', 1400000]]);
  });
  it('exactly 1.05·C is still within tolerance', () => {
    expect(basic(bill(twoPart, factory, usage('420'))).map((l) => l.code)).toEqual(['basic.demand']);
    expect(basic(bill(twoPart, factory, usage('420.01'))).map((l) => l.code)).toEqual(['basic.demand', 'basic.demand.excess']);
  });
  it('declared C below 40% of capacity is raised to 40%', () => {
    const low = { ...factory, contractDemandKw: '300' };
    const r = bill(twoPart, low, usage('380'));
    expect(basic(r).map((l) => [l.code, l.quantity, l.amountFen])).toEqual([['basic.demand', '400.00', 1400000]]);
    expect(r.lines.find((l) => l.code === 'basic.demand')!.detail).toMatchObject({ contractDemandKw: '300.00', floorKw: '400.00', chargedDemandKw: '400.00' });
    // the 105% rule uses the raised C: 420 + 10 × 2p
    expect(basicFen(bill(twoPart, low, usage('430')))).toBe(1470000 + 70000);
  });
  it('fractional contract demand: each line rounded once, quantities exact', () => {
    const r = bill(twoPart, { ...factory, contractDemandKw: '333.33', capacityKva: '800' }, usage('400'));
    // 1.05 × 333.33 = 349.9965 kW; 349.9965 × 35 = 12,249.8775 → 12,249.88; 50.0035 × 70 = 3,500.245 → 3,500.25
    expect(basic(r).map((l) => [l.code, l.quantity, l.amountFen])).toEqual([
      ['basic.demand', '349.9965', 1224988],
      ['basic.demand.excess', '50.0035', 350025],
    ]);
  });
  it('kWh ÷ capacity ≥ 260 → the demand price at 90% (excess price too)', () => {
    const acct = { ...factory, capacityKva: '500' };
    const at = bill(twoPart, acct, usage('450', '130000')); // 130,000 = 260 × 500
    expect(basic(at).map((l) => [l.code, l.unitPrice, l.amountFen])).toEqual([
      ['basic.demand', '31.5000', 1323000],
      ['basic.demand.excess', '63.0000', 189000],
    ]);
    expect(at.lines[0]!.code).toBe('energy.peak');
    expect(basic(at)[0]!.detail).toMatchObject({ listPrice: '35.0000', discount: { kwh: '130000.00', capacityKva: '500.00', kwhPerKva: '260', factor: '0.9' } });
    const below = bill(twoPart, acct, usage('450', '129999.99'));
    expect(basicFen(below)).toBe(1680000);
    // A known property of the rule: one more kWh can lower the bill (the discount outweighs it).
    expect(at.totalFen).toBeLessThan(below.totalFen);
  });
  it('capacity basis: kVA × 元/kVA·month; the Gansu discount applies to demand only', () => {
    const acct = { ...factory, basicChargeBasis: 'capacity', capacityKva: '630', contractDemandKw: null };
    const r = bill(twoPart, acct, { kwhByPeriod: { peak: '0', flat: '200000', valley: '0' } });
    expect(basic(r).map((l) => [l.code, l.quantity, l.unitPrice, l.amountFen])).toEqual([['basic.capacity', '630.00', '23.3000', 1467900]]);
  });
  it('part months: 1/30 per day, a part day counts whole, a full month is not prorated', () => {
    const acct = { ...factory, basicChargeBasis: 'capacity', capacityKva: '400' };
    const u = { kwhByPeriod: { peak: '0', flat: '1000', valley: '0' } };
    // 400 × 23.3 = 9,320.00 × 10/30 = 3,106.666… → 3,106.67
    const ten = bill(twoPart, acct, { ...u, days: '10' });
    expect(basicFen(ten)).toBe(310667);
    expect(basic(ten)[0]!.detail).toMatchObject({ proration: { days: 10, of: 30 } });
    expect(basicFen(bill(twoPart, acct, { ...u, days: '9.25' }))).toBe(310667);
    expect(basicFen(bill(twoPart, acct, { ...u, days: 9.5 }))).toBe(310667);
    expect(basicFen(bill(twoPart, acct, { ...u, days: '1' }))).toBe(31067); // 310.666… → 310.67
    expect(basicFen(bill(twoPart, acct, { ...u, days: '30' }))).toBe(932000);
    expect(basicFen(bill(twoPart, acct, { ...u, days: '31' }))).toBe(932000);
    expect(basicFen(bill(twoPart, acct, u))).toBe(932000);
    expect(errorFields(() => bill(twoPart, acct, { ...u, days: '0' }))).toEqual(['usage.days']);
  });
  it('part months on the demand basis: T1 × 10/30', () => {
    const r = bill(twoPart, factory, { ...usage('450'), days: '10' });
    expect(basic(r).map((l) => l.amountFen)).toEqual([490000, 70000]);
  });
  it('missing account attributes are named, all at once', () => {
    expect(errorFields(() => bill(twoPart, { category: 'large_industry', voltageLevel: '10kV' }, { kwhByPeriod: { peak: '1', flat: '1', valley: '1' } }))).toEqual([
      'account.basicChargeBasis',
      'account.capacityKva',
    ]);
    expect(errorFields(() => bill(twoPart, { ...factory, contractDemandKw: null }, { kwhByPeriod: { peak: '1', flat: '1', valley: '1' } }))).toEqual([
      'account.contractDemandKw',
      'usage.maxDemandKw',
    ]);
    expect(errorFields(() => bill(twoPart, factory, { ...usage('1'), cycleMonths: 2 }))).toEqual(['usage.cycleMonths']);
  });
});

describe('RULES §5 power-factor adjustment', () => {
  /** A two-part tariff whose energy price (excluding funds) is exactly 0.50 元/kWh, to reproduce P1. */
  const p1Tariff: TwoPartTariff = {
    ...(versionOf(GANSU_CODES.ciTwoPart, '2023-06-01') as TwoPartTariff),
    code: 'test.p1',
  };
  const p1Prices: AgentPriceTable = {
    month: '2026-10',
    rows: [{ voltage: '1-10kV', column: 'two-part', agent: '0.3000', lineLoss: '0.0100', td: '0.1300', systemOps: '0.0600', funds: '0.0229' }],
  };
  const p1Account = { ...factory, pfStandard: '0.90' };

  it('P1: PF 0.8575 → 0.86 → +2.0% vs 0.90; basic 16,800 + energy 50,000 → +1,336.00 元', () => {
    const r = bill(p1Tariff, p1Account, { kwh: '100000', kvarh: '60000', maxDemandKw: '450' }, '2026-10', p1Prices);
    expect(amounts(r)).toEqual({ energy: 5000000, 'basic.demand': 1470000, 'basic.demand.excess': 210000, 'pf.adjustment': 133600, funds: 229000 });
    const pf = r.lines.find((l) => l.code === 'pf.adjustment')!;
    expect(pf).toEqual({
      code: 'pf.adjustment',
      quantity: '66800.00',
      unitPrice: '0.0200',
      amountFen: 133600,
      detail: {
        kwh: '100000.00',
        kvarh: '60000.00',
        powerFactor: '0.857492',
        powerFactorRounded: '0.86',
        standard: '0.90',
        standardFrom: 'account',
        percent: '2.00',
        baseFen: 6680000,
        base: 'basic + energy charge, government funds excluded',
      },
    });
    expect(r.totalFen).toBe(5000000 + 1680000 + 133600 + 229000);
  });
  it('a reduction: PF 0.96 against 0.90 → −0.75%, rounded half-up away from zero', () => {
    // Q = 29,000: PF = 0.9604 → 0.96; base 66,800.00 × −0.75% = −501.00
    const r = bill(p1Tariff, p1Account, { kwh: '100000', kvarh: '29000', maxDemandKw: '450' }, '2026-10', p1Prices);
    expect(r.lines.find((l) => l.code === 'pf.adjustment')).toMatchObject({ unitPrice: '-0.0075', amountFen: -50100 });
  });
  it('a credit of exactly half a fen rounds away from zero', () => {
    // 1 kWh × 1 元 = 1.00 元; PF 0.8499 → 0.85 against 0.80 → −0.50% → −0.5 fen → −1 fen
    const v = { ...versionOf(GANSU_CODES.agriculture, '2023-06-01'), price: '1' } as TariffVersion;
    const r = bill(v, { category: 'agriculture', voltageLevel: '10kV', pfStandard: '0.80', capacityKva: '100' }, { kwh: '1', kvarh: '0.62' });
    expect(r.lines.find((l) => l.code === 'pf.adjustment')).toMatchObject({ quantity: '1.00', unitPrice: '-0.0050', amountFen: -1 });
    expect(r.totalFen).toBe(99);
  });
  it('standards 0.85 and 0.80 from the same tables', () => {
    const at = (std: string, kvarh: string) => bill(p1Tariff, { ...p1Account, pfStandard: std }, { kwh: '100000', kvarh, maxDemandKw: '450' }, '2026-10', p1Prices).lines.find((l) => l.code === 'pf.adjustment')!;
    expect(at('0.85', '60000').detail).toMatchObject({ powerFactorRounded: '0.86', percent: '-0.10' });
    expect(at('0.85', '60000').amountFen).toBe(-6680); // 66,800 × −0.1% = −66.80
    expect(at('0.80', '60000').detail).toMatchObject({ percent: '-0.60' });
    expect(at('0.80', '300000').detail).toMatchObject({ powerFactorRounded: '0.32', percent: '61.00' }); // 15 + 23 × 2
  });
  it('agriculture (flat tariff) adjusts its energy charge against 0.80', () => {
    const r = bill(history(GANSU_CODES.agriculture), { category: 'agriculture', voltageLevel: '10kV', pfStandard: '0.80', capacityKva: '160' }, { kwh: '10000', kvarh: '10000' });
    // PF 0.7071 → 0.71 → +4.5% of 4,683.00 = 210.735 → 210.74
    expect(amounts(r)).toEqual({ energy: 468300, 'pf.adjustment': 21074 });
  });
  it('PF is rounded exactly, not by float: 1,267,818.94 kWh / 934,366.51 kvarh is 0.80 (a float says 0.81 → −0.10%)', () => {
    const r = bill(history(GANSU_CODES.agriculture), { category: 'agriculture', voltageLevel: '10kV', pfStandard: '0.80', capacityKva: '2000' }, { kwh: '1267818.94', kvarh: '934366.51' });
    expect(r.lines.find((l) => l.code === 'pf.adjustment')).toMatchObject({ amountFen: 0, detail: { powerFactor: '0.804999', powerFactorRounded: '0.80', percent: '0.00' } });
  });
  it('users below 100 kVA are exempt; no energy at all means no adjustment line', () => {
    const small = { category: 'commercial', voltageLevel: '0.4kV', pfStandard: '0.85', capacityKva: '80' };
    expect(bill(history(GANSU_CODES.ciSinglePart), small, { kwhByPeriod: { peak: '10', flat: '10', valley: '10' } }).lines.map((l) => l.code)).toEqual(['energy.peak', 'energy.flat', 'energy.valley', 'funds']);
    expect(bill(p1Tariff, p1Account, { kwh: '0', kvarh: '0', maxDemandKw: '0' }, '2026-10', p1Prices).lines.map((l) => l.code)).toEqual(['energy', 'basic.demand', 'funds']);
  });
  it('errors: missing kvarh, unknown standard, PF on a tariff without it', () => {
    expect(errorFields(() => bill(p1Tariff, p1Account, { kwh: '1', maxDemandKw: '1' }, '2026-10', p1Prices))).toEqual(['usage.kvarh']);
    expect(errorFields(() => bill(p1Tariff, { ...p1Account, pfStandard: '0.95' }, { kwh: '1', kvarh: '1', maxDemandKw: '1' }, '2026-10', p1Prices))).toEqual(['account.pfStandard']);
    expect(errorFields(() => bill(history(GANSU_CODES.residentialTiered), { ...household, pfStandard: '0.90' }, { kwh: '1' }))).toEqual(['account.pfStandard']);
  });
});

describe('versions, inputs and errors', () => {
  it('picks the version in effect on the period’s first day', () => {
    const h = history(GANSU_CODES.ciTwoPart);
    expect(h.at('2024-07')!.effectiveFrom).toBe('2023-06-01');
    expect(h.at('2024-08')!.effectiveFrom).toBe('2024-08-01');
    expect(errorFields(() => bill(history(GANSU_CODES.residentialTiered), household, { kwh: '1' }, '2012-06'))).toEqual(['tariff']);
    const v = compileTariff(versionOf(GANSU_CODES.ciSinglePart, '2024-08-01'));
    expect(errorFields(() => bill(v, shop, { kwhByPeriod: { peak: '1', flat: '1', valley: '1' } }, '2024-07'))).toEqual(['tariff']);
  });
  it('rates raw versions (an inline quote tariff) exactly like compiled ones', () => {
    const raw = GANSU_TARIFF_VERSIONS.filter((v) => v.code === GANSU_CODES.ciSinglePart);
    const u = { kwhByPeriod: { peak: '12.34', flat: '56.78', valley: '90.12' } };
    expect(bill(raw, shop, u, '2026-10', GANSU_AGENT_PRICE_TABLES)).toEqual(bill(history(GANSU_CODES.ciSinglePart), shop, u));
    expect(bill(raw[0]!, shop, { kwh: '5' }, '2024-07', GANSU_AGENT_PRICE_TABLES).totalFen).toBe(bill(history(GANSU_CODES.ciSinglePart), shop, { kwh: '5' }, '2024-07').totalFen);
  });
  it('an invalid inline tariff is refused with its field paths', () => {
    const bad = { ...versionOf(GANSU_CODES.residentialTiered, '2012-07-01'), tiers: [{ price: '0.51' }, { upToKwh: '1', price: '0.56' }] };
    expect(errorFields(() => bill(bad as TariffVersion, household, { kwh: '1' }))).toEqual(['tariff.tiers[0].upToKwh', 'tariff.tiers[1].upToKwh']);
  });
  it('bad usage is named field by field', () => {
    const tiered = history(GANSU_CODES.residentialTiered);
    expect(errorFields(() => bill(tiered, household, {}))).toEqual(['usage.kwh']);
    expect(errorFields(() => bill(tiered, household, { kwh: '-1' }))).toEqual(['usage.kwh']);
    expect(errorFields(() => bill(tiered, household, { kwh: '1.234' }))).toEqual(['usage.kwh']);
    expect(errorMessage(() => bill(tiered, household, { kwh: '1.234' }))).toBe('usage.kwh: "1.234" has more than 2 decimal places');
    expect(errorFields(() => bill(tiered, household, { kwh: 'lots' }))).toEqual(['usage.kwh']);
    expect(errorFields(() => bill(tiered, household, { kwh: '1', cycleMonths: 0 }))).toEqual(['usage.cycleMonths']);
    expect(errorFields(() => bill(tiered, household, { kwhByPeriod: { peak: '1', flat: 'x' } as never }))).toEqual(['usage.kwhByPeriod.flat', 'usage.kwhByPeriod.valley']);
    expect(errorFields(() => bill(tiered, household, { kwh: '1' }, '2026-13'))).toEqual(['period']);
  });
  it('quantities given as numbers are read through their decimal form', () => {
    const tiered = history(GANSU_CODES.residentialTiered);
    expect(bill(tiered, household, { kwh: 241 }).totalFen).toBe(12721);
    expect(errorFields(() => bill(tiered, household, { kwh: 0.1 + 0.2 }))).toEqual(['usage.kwh']); // 0.30000000000000004
  });
  it('no float drift: 2.5 kWh × 0.51 = 1.275 → 1.28 元 and 8.6 kWh × 0.525 = 4.515 → 4.52 元 (floats give 1.27, 4.51)', () => {
    expect(Math.round(2.5 * 0.51 * 100)).toBe(127); // the float way, wrong
    expect(Math.round(8.6 * 0.525 * 100)).toBe(451);
    expect(bill(history(GANSU_CODES.residentialTiered), household, { kwh: '2.5' }).totalFen).toBe(128);
    expect(bill(history(GANSU_CODES.residentialSharedMeter), household, { kwh: '8.6' }).totalFen).toBe(452);
  });
  it('lines and details are plain JSON', () => {
    const r = bill(history(GANSU_CODES.ciTwoPart), { ...factory, pfStandard: '0.90' }, { kwhByPeriod: { peak: '1', flat: '2', valley: '3' }, kvarh: '1', maxDemandKw: '500' });
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });
});
