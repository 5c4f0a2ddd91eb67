import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/errors.js';
import { compileAgentPrices, compileCatalogue, compileTariff } from './compile.js';
import { GANSU_AGENT_PRICE_TABLES, GANSU_CODES, GANSU_TARIFF_VERSIONS } from './gansu-defaults.js';
import { PF_TABLES_1983 } from './pf-tables.js';
import type { TariffVersion } from './tariff-format.js';
import { agentPriceTableSchema, ratingAccountSchema, ratingUsageSchema, tariffVersionSchema } from './tariff-schema.js';
import { validateAgentPriceTable, validateTariffVersion } from './validate.js';

const clone = <T>(v: T): T => structuredClone(v);
const version = (code: string, from?: string) => clone(GANSU_TARIFF_VERSIONS.find((v) => v.code === code && (!from || v.effectiveFrom === from))!);
const problems = (v: unknown) => validateTariffVersion(v);
const fields = (v: unknown) => problems(v).map((p) => p.field);

describe('Gansu defaults are valid data', () => {
  it('every tariff version passes semantic validation', () => {
    for (const v of GANSU_TARIFF_VERSIONS) expect(problems(v), `${v.code} ${v.effectiveFrom}`).toEqual([]);
  });
  it('every agent-purchase table passes validation and months are unique', () => {
    for (const t of GANSU_AGENT_PRICE_TABLES) expect(validateAgentPriceTable(t), t.month).toEqual([]);
    expect(() => compileAgentPrices(GANSU_AGENT_PRICE_TABLES)).not.toThrow();
  });
  it('has the stable codes, with effective dates from RULES', () => {
    const cat = compileCatalogue(GANSU_TARIFF_VERSIONS);
    for (const code of ['gansu.residential.tiered', 'gansu.residential.shared-meter', 'gansu.ci.single-part', 'gansu.ci.two-part', 'gansu.agriculture']) expect(cat.history(code), code).toBeDefined();
    expect(cat.at(GANSU_CODES.residentialTiered, '2012-06')).toBeUndefined();
    expect(cat.at(GANSU_CODES.residentialTiered, '2012-07')?.effectiveFrom).toBe('2012-07-01');
    expect(cat.at(GANSU_CODES.ciSinglePart, '2024-07')?.tou).toBeNull();
    expect(cat.at(GANSU_CODES.ciSinglePart, '2024-08')?.tou).not.toBeNull();
    expect(cat.at(GANSU_CODES.ciTwoPart, '2026-10')?.effectiveFrom).toBe('2024-08-01');
  });
  it('example A1 month: 1–10 kV single-part components add up to 0.5349', () => {
    const t = GANSU_AGENT_PRICE_TABLES.find((x) => x.month === '2026-10')!;
    const row = t.rows.find((r) => r.voltage === '1-10kV' && r.column === 'single-part')!;
    expect([row.agent, row.lineLoss, row.td, row.systemOps, row.funds]).toEqual(['0.3200', '0.0120', '0.1500', '0.0300', '0.0229']);
  });
});

describe('validateTariffVersion reports every problem with its field path', () => {
  it('refuses non-objects and unknown kinds', () => {
    expect(fields(null)).toEqual(['(root)']);
    expect(fields({ ...version(GANSU_CODES.residentialTiered), kind: 'magic' })).toContain('kind');
  });
  it('base fields: code, name, date, appliesTo', () => {
    const v = { ...version(GANSU_CODES.residentialTiered), code: 'Bad Code', name: ' ', effectiveFrom: '2024-02-30', appliesTo: { categories: ['residential', 'martian', 'residential'], voltageLevels: ['9kV'] }, colour: 'red' };
    expect(fields(v).sort()).toEqual(['appliesTo.categories[1]', 'appliesTo.categories[2]', 'appliesTo.voltageLevels[0]', 'code', 'colour', 'effectiveFrom', 'name'].sort());
  });
  it('tiers must ascend, bound all but the last, and price ≥ 0 with ≤ 6 decimals', () => {
    const v = version(GANSU_CODES.residentialTiered) as Extract<TariffVersion, { kind: 'tiered' }>;
    v.tiers = [{ upToKwh: '240', price: '0.51' }, { upToKwh: '160', price: '-0.56' }, { upToKwh: '500', price: '0.8100001' }];
    const p = problems(v);
    expect(p.map((x) => x.field)).toEqual(['tiers[1].price', 'tiers[1].upToKwh', 'tiers[2].price', 'tiers[2].upToKwh']);
    expect(p[0]!.message).toMatch(/negative/);
    expect(p[1]!.message).toMatch(/ascend/);
    expect(p[2]!.message).toMatch(/more than 6 decimal places/);
    expect(p[3]!.message).toMatch(/last tier has no upper bound/);
    v.tiers = [{ price: '0.51' }, { price: '0.56' }];
    expect(fields(v)).toEqual(['tiers[0].upToKwh']);
    v.tiers = [];
    expect(fields(v)).toEqual(['tiers']);
  });
  it('prices are strings, never floats', () => {
    const v = { ...version(GANSU_CODES.residential10kv), price: 0.5 };
    expect(problems(v)).toMatchObject([{ field: 'price', message: 'must be a decimal string like "0.51", not number' }]);
  });
  it('fields of another kind are refused', () => {
    expect(fields({ ...version(GANSU_CODES.residential10kv), tiers: [] })).toEqual(['tiers']);
    expect(fields({ ...version(GANSU_CODES.ciSinglePart), funds: { perKwh: '0.0229' } })).toEqual(['funds']);
  });
  it('TOU hours must cover 0–24 once; factors present; critical inside peak', () => {
    const v = version(GANSU_CODES.ciSinglePart, '2024-08-01') as Extract<TariffVersion, { kind: 'single-part' }>;
    const tou = v.tou!;
    tou.hours = [
      { period: 'flat', from: '00:00', to: '06:00' },
      { period: 'peak', from: '06:00', to: '08:30' },
      { period: 'flat', from: '08:00', to: '10:00' },
      { period: 'valley', from: '10:00', to: '16:00' },
      { period: 'peak', from: '18:00', to: '23:00' },
      { period: 'flat', from: '23:00', to: '23:59' },
    ];
    const p = problems(v);
    expect(p).toMatchObject([
      { field: 'tou.hours[2]', message: 'overlaps another range at 08:00–08:30' },
      { field: 'tou.hours', message: 'hours leave 16:00–18:00 uncovered' },
      { field: 'tou.hours', message: 'hours leave 23:59–24:00 uncovered' },
    ]);
    tou.hours = [{ period: 'flat', from: '23:00', to: '06:00' }];
    expect(problems(v)[0]).toMatchObject({ field: 'tou.hours[0]', message: 'from 23:00 must be before to 06:00 (split a range that crosses midnight in two)' });
  });
  it('TOU factors: peak/flat/valley required and positive; critical needed with critical hours', () => {
    const v = version(GANSU_CODES.ciSinglePart, '2024-08-01') as Extract<TariffVersion, { kind: 'single-part' }>;
    v.tou!.factors = { peak: '1.5', flat: '0', valley: '0.5' } as never;
    v.tou!.critical = { months: [7, 13, 7], hours: [{ from: '10:00', to: '11:00' }] };
    expect(fields(v)).toEqual(['tou.factors.flat', 'tou.factors.critical', 'tou.critical.months[1]', 'tou.critical.months[2]', 'tou.critical.hours[0]']);
    delete (v.tou as { factors?: unknown }).factors;
    expect(fields(v)).toContain('tou.factors');
  });
  it('basic charge sanity', () => {
    const v = version(GANSU_CODES.ciTwoPart, '2024-08-01') as Extract<TariffVersion, { kind: 'two-part' }>;
    v.basic = { ...v.basic, demandTolerance: '0.95', demandFloorOfCapacity: '1.5', daysPerMonth: 0, highLoadDiscount: { kwhPerKva: '0', factor: '1.2', appliesTo: ['energy' as never] } };
    expect(fields(v)).toEqual(['basic.demandTolerance', 'basic.demandFloorOfCapacity', 'basic.daysPerMonth', 'basic.highLoadDiscount.kwhPerKva', 'basic.highLoadDiscount.factor', 'basic.highLoadDiscount.appliesTo[0]']);
    delete (v as { basic?: unknown }).basic;
    expect(fields(v)).toEqual(['basic']);
  });
  it('PF tables must be contiguous, monotone and zero at the standard', () => {
    const v = version(GANSU_CODES.agriculture);
    const t = clone(PF_TABLES_1983[0]!);
    t.points.splice(3, 1); // a gap
    t.points[10] = { pf: t.points[10]!.pf, percent: '99' }; // grows
    v.powerFactor = { tables: [t, clone(PF_TABLES_1983[0]!)] };
    const f = fields(v);
    expect(f).toContain('powerFactor.tables[0].points[3].pf');
    expect(f).toContain('powerFactor.tables[0].points[10].percent');
    expect(f).toContain('powerFactor.tables[1].standard'); // duplicate standard
    const z = clone(PF_TABLES_1983[1]!);
    z.points = z.points.map((p) => (p.pf === '0.85' ? { pf: p.pf, percent: '0.10' } : p)).filter((p) => p.pf <= '0.85');
    v.powerFactor = { tables: [z] };
    expect(fields(v)).toContain('powerFactor.tables[0].points[25].percent');
    v.powerFactor = { tables: 'standard-1999' as never };
    expect(fields(v)).toEqual(['powerFactor.tables']);
  });
  it('prefixes paths (for an inline tariff inside a request)', () => {
    expect(validateTariffVersion({ ...version(GANSU_CODES.residential10kv), price: 'x' }, 'tariff')).toMatchObject([{ field: 'tariff.price', message: '"x" is not a decimal number' }]);
  });
  it('compileTariff throws one AppError VALIDATION with every problem', () => {
    try {
      compileTariff({ ...version(GANSU_CODES.residential10kv), price: '-1', code: '' }, 'tariff');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(AppError);
      const err = e as AppError;
      expect(err.code).toBe('VALIDATION');
      expect(err.details.errors?.map((x) => x.field)).toEqual(['tariff.code', 'tariff.price']);
    }
  });
});

describe('validateAgentPriceTable', () => {
  const good = () => clone(GANSU_AGENT_PRICE_TABLES[0]!);
  it('month, rows, duplicates, signs', () => {
    const t = good();
    t.month = '2024-13';
    t.rows[1] = { ...t.rows[0]! };
    t.rows[2] = { ...t.rows[2]!, agent: '-0.1', systemOps: '-0.01' };
    t.rows[3] = { ...t.rows[3]!, voltage: '500kV' as never, td: '0.1234567' };
    expect(validateAgentPriceTable(t).map((p) => p.field)).toEqual(['month', 'rows[1]', 'rows[2].agent', 'rows[3].voltage', 'rows[3].td']);
  });
  it('a negative system operation charge is allowed, a negative total is not', () => {
    const t = good();
    t.rows[0] = { ...t.rows[0]!, systemOps: '-0.0100' };
    expect(validateAgentPriceTable(t)).toEqual([]);
    t.rows[0] = { ...t.rows[0]!, agent: '0', lineLoss: '0', td: '0', funds: '0' };
    expect(validateAgentPriceTable(t)).toMatchObject([{ field: 'rows[0]', message: 'the components add up to a negative price' }]);
  });
});

describe('JSON Schema', () => {
  // Fastify's body validator options (src/http/plugins/validation.ts), plus strict mode to catch schema mistakes.
  const ajv = new Ajv.default({ allErrors: true, removeAdditional: false, useDefaults: true, coerceTypes: false, strict: true, strictTypes: false });
  const tariff = ajv.compile(tariffVersionSchema);
  const table = ajv.compile(agentPriceTableSchema);
  const account = ajv.compile(ratingAccountSchema);
  const usage = ajv.compile(ratingUsageSchema);

  it('accepts every Gansu default', () => {
    for (const v of GANSU_TARIFF_VERSIONS) expect(tariff(clone(v)), JSON.stringify(tariff.errors)).toBe(true);
    for (const t of GANSU_AGENT_PRICE_TABLES) expect(table(clone(t)), JSON.stringify(table.errors)).toBe(true);
    expect(tariff({ ...clone(GANSU_TARIFF_VERSIONS[3]!), powerFactor: { tables: clone(PF_TABLES_1983) } })).toBe(true);
  });
  it('refuses float prices, missing kind fields and fields of another kind, naming them', () => {
    expect(tariff({ ...version(GANSU_CODES.residential10kv), price: 0.5 })).toBe(false);
    expect(tariff.errors?.[0]?.instancePath).toBe('/price');
    const { tiers: _omit, ...noTiers } = version(GANSU_CODES.residentialTiered) as Extract<TariffVersion, { kind: 'tiered' }>;
    expect(tariff(noTiers)).toBe(false);
    expect(tariff.errors?.some((e) => e.keyword === 'required' && e.params.missingProperty === 'tiers')).toBe(true);
    expect(tariff({ ...version(GANSU_CODES.residential10kv), basic: {} })).toBe(false);
    expect(tariff.errors?.some((e) => e.instancePath === '/basic')).toBe(true);
    expect(tariff({ ...version(GANSU_CODES.residential10kv), price: '0.1234567' })).toBe(false);
  });
  it('account and usage shapes', () => {
    expect(account({ category: 'large_industry', voltageLevel: '10kV', agentMultiplier: '1.5', pfStandard: '0.90', capacityKva: '1000', contractDemandKw: '400', basicChargeBasis: 'demand' })).toBe(true);
    expect(account({ category: 'residential', voltageLevel: '0.22kV', pfStandard: null })).toBe(true);
    expect(account({ category: 'residential', voltageLevel: '0.22kV', capacityKva: 5 })).toBe(false);
    expect(usage({ kwh: '300.00' })).toBe(true);
    expect(usage({ kwhByPeriod: { peak: '1', flat: '2', valley: '3' }, kvarh: '1', maxDemandKw: '450', days: '10', cycleMonths: 2 })).toBe(true);
    expect(usage({})).toBe(false);
    expect(usage({ kwh: '1.234' })).toBe(false);
    expect(usage({ kwh: 300 })).toBe(false);
  });
});
