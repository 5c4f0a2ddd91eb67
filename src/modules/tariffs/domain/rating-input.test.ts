import { describe, expect, it } from 'vitest';
import { AppError, type FieldError } from '../../../shared/errors.js';
import { compileAgentPrices, compileCatalogue } from './compile.js';
import { GANSU_AGENT_PRICE_TABLES, GANSU_CODES, GANSU_TARIFF_VERSIONS } from './gansu-defaults.js';
import { rate, type RateInput, type RatingAccount, type RatingUsage } from './rate.js';
import type { TariffVersion } from './tariff-format.js';

/** Issue 17: each rule of RULES §1–5 the engine did not enforce, one test each, and all problems at once. */

const catalogue = compileCatalogue(GANSU_TARIFF_VERSIONS);
const prices = compileAgentPrices(GANSU_AGENT_PRICE_TABLES);
const history = (code: string) => catalogue.history(code)!;
const bill = (tariff: RateInput['tariff'], account: RatingAccount, usage: RatingUsage, period = '2026-10') => rate({ tariff, agentPrices: prices, period, account, usage });

function problems(f: () => unknown): FieldError[] {
  try {
    f();
  } catch (err) {
    if (err instanceof AppError && err.code === 'VALIDATION') return err.details.errors ?? [];
    throw err;
  }
  throw new Error('expected a VALIDATION error');
}
const codes = (f: () => unknown) => problems(f).map((e) => `${e.field} ${e.code}`);

const household: RatingAccount = { category: 'residential', voltageLevel: '0.22kV' };
const shop: RatingAccount = { category: 'commercial', voltageLevel: '10kV' };
const factory: RatingAccount = { category: 'large_industry', voltageLevel: '10kV', capacityKva: '800', contractDemandKw: '400', basicChargeBasis: 'demand' };
const registers = { peak: '30000', flat: '40000', valley: '30000' };

describe('quantities are bounded: a bill too large to be exact is a 422, never a RangeError', () => {
  it('10^15 kWh names usage.kwh', () => {
    expect(codes(() => bill(history(GANSU_CODES.residentialTiered), household, { kwh: '1000000000000000' }))).toEqual(['usage.kwh too_large']);
  });
  it('in-bound quantity × an extreme price names the usage, with amount_too_large', () => {
    const v = { ...structuredClone(GANSU_TARIFF_VERSIONS.find((x) => x.code === GANSU_CODES.agriculture)!), price: '999999999999' } as TariffVersion;
    expect(codes(() => bill(v, { category: 'agriculture', voltageLevel: '10kV' }, { kwh: '1000000000' }))).toEqual(['usage.kwh amount_too_large']);
  });
});

describe('critical peak only in its months (RULES §2 data)', () => {
  it('critical kWh in October (months 1, 7, 8, 12) is refused', () => {
    expect(codes(() => bill(history(GANSU_CODES.ciSinglePart), shop, { kwhByPeriod: { ...registers, critical: '10' } }))).toEqual(['usage.kwhByPeriod.critical critical_out_of_season']);
  });
  it('in December it is billed at k = 1.8; zero critical kWh in October is no line', () => {
    expect(bill(history(GANSU_CODES.ciSinglePart), shop, { kwhByPeriod: { ...registers, critical: '10' } }, '2026-12').lines.some((l) => l.code === 'energy.critical')).toBe(true);
    expect(bill(history(GANSU_CODES.ciSinglePart), shop, { kwhByPeriod: { ...registers, critical: '0' } }).lines.some((l) => l.code === 'energy.critical')).toBe(false);
  });
});

describe('power-factor standard (RULES §5)', () => {
  it('kvarh without pfStandard: an 800 kVA 10 kV factory is held to 0.90', () => {
    const r = bill(history(GANSU_CODES.ciTwoPart), factory, { kwhByPeriod: registers, kvarh: '60000', maxDemandKw: '450' });
    const pf = r.lines.find((l) => l.code === 'pf.adjustment');
    expect(pf?.detail).toMatchObject({ standard: '0.90', standardFrom: 'RULES §5', powerFactorRounded: '0.86', percent: '2.00' });
  });
  it('a commercial account of 200 kVA is held to 0.85; below 100 kVA none', () => {
    const r = bill(history(GANSU_CODES.ciSinglePart), { ...shop, capacityKva: '200' }, { kwhByPeriod: registers, kvarh: '60000' });
    expect(r.lines.find((l) => l.code === 'pf.adjustment')?.detail).toMatchObject({ standard: '0.85' });
    expect(bill(history(GANSU_CODES.ciSinglePart), { ...shop, capacityKva: '80' }, { kwhByPeriod: registers, kvarh: '60000' }).lines.some((l) => l.code === 'pf.adjustment')).toBe(false);
  });
  it('without capacityKva the exemption cannot be judged: refused', () => {
    expect(codes(() => bill(history(GANSU_CODES.ciSinglePart), { ...shop, pfStandard: '0.85' }, { kwhByPeriod: registers, kvarh: '60000' }))).toEqual([
      'account.capacityKva capacity_required_for_pf',
    ]);
  });
});

describe('two-part pricing (RULES §4)', () => {
  it('a 50 kVA account is single-part only', () => {
    expect(codes(() => bill(history(GANSU_CODES.ciTwoPart), { ...factory, capacityKva: '50' }, { kwhByPeriod: registers, maxDemandKw: '40' }))).toEqual([
      'account.capacityKva two_part_capacity',
    ]);
  });
  it('usage.days beyond the month is refused (31 or 45 in November), not a silent whole month', () => {
    const u = (days: string) => ({ kwhByPeriod: registers, maxDemandKw: '450', days });
    expect(codes(() => bill(history(GANSU_CODES.ciTwoPart), factory, u('31'), '2026-11'))).toEqual(['usage.days days_beyond_month']);
    expect(codes(() => bill(history(GANSU_CODES.ciTwoPart), factory, u('45'), '2026-11'))).toEqual(['usage.days days_beyond_month']);
    expect(bill(history(GANSU_CODES.ciTwoPart), factory, u('30'), '2026-11').lines.find((l) => l.code === 'basic.demand')!.amountFen).toBe(1470000); // 420 kW × 35, whole month
  });
});

describe('α (RULES §3)', () => {
  it('is 1 or 1.5, nothing else', () => {
    expect(codes(() => bill(history(GANSU_CODES.ciSinglePart), { ...shop, agentMultiplier: '7' }, { kwhByPeriod: registers }))).toEqual(['account.agentMultiplier alpha_not_allowed']);
    expect(bill(history(GANSU_CODES.ciSinglePart), { ...shop, agentMultiplier: '1.50' }, { kwhByPeriod: registers }).totalFen).toBeGreaterThan(0);
  });
});

describe('every problem at once, each with a stable code', () => {
  it('a negative kvarh is reported beside a bad maxDemandKw and days', () => {
    const found = problems(() => bill(history(GANSU_CODES.ciTwoPart), factory, { kwhByPeriod: registers, kvarh: '-5', maxDemandKw: 'x', days: '0' }));
    expect(found.map((e) => `${e.field} ${e.code}`)).toEqual(['usage.kvarh negative', 'usage.maxDemandKw not_decimal', 'usage.days days_zero', 'usage.maxDemandKw required']);
    for (const e of found) expect(e.message).toBeTruthy();
  });
  it('account and usage problems together', () => {
    expect(codes(() => bill(history(GANSU_CODES.ciTwoPart), { ...factory, capacityKva: '50', agentMultiplier: '2', basicChargeBasis: null }, { kwhByPeriod: { ...registers, critical: '1' }, days: '45' }))).toEqual([
      'account.agentMultiplier alpha_not_allowed',
      'usage.days days_beyond_month',
      'usage.kwhByPeriod.critical critical_out_of_season',
      'account.basicChargeBasis basis_required',
      'account.capacityKva two_part_capacity',
    ]);
  });
});
