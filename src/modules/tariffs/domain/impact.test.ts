import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ImpactTally, ratingAccountOf, usageOfMeters, type MeterCycle } from './impact.js';

const meter = (m: Partial<MeterCycle>): MeterCycle => ({ period: '2026-10', kwh: null, peak: null, flat: null, valley: null, kvarh: null, max_demand_kw: null, ...m });

describe('usageOfMeters', () => {
  it('one total-only meter → kWh of the last cycle', () => {
    expect(usageOfMeters([meter({ kwh: '150.25' })])).toEqual({ period: '2026-10', usage: { kwh: '150.25' } });
  });
  it('no meter with two reads → null', () => {
    expect(usageOfMeters([])).toBeNull();
    expect(usageOfMeters([meter({ kwh: null })])).toBeNull();
    expect(usageOfMeters([meter({ period: null })])).toBeNull();
  });
  it('TOU registers, reactive and demand are summed over the meters of the latest period', () => {
    const u = usageOfMeters([
      meter({ kwh: '100.00', peak: '30.00', flat: '50.00', valley: '20.00', kvarh: '40.00', max_demand_kw: '12.50' }),
      meter({ kwh: '10.50', peak: '3.00', flat: '5.00', valley: '2.50', kvarh: '1.00', max_demand_kw: '2.00' }),
      meter({ period: '2026-07', kwh: '999.00' }), // a meter removed earlier
    ]);
    expect(u).toEqual({ period: '2026-10', usage: { kwh: '110.50', kwhByPeriod: { peak: '33.00', flat: '55.00', valley: '22.50' }, kvarh: '41.00', maxDemandKw: '14.50' } });
  });
  it('registers only when every meter has them', () => {
    const u = usageOfMeters([meter({ kwh: '1', peak: '1', flat: '0', valley: '0', kvarh: '1' }), meter({ kwh: '2' })]);
    expect(u).toEqual({ period: '2026-10', usage: { kwh: '3.00' } });
  });
});

describe('ratingAccountOf', () => {
  it('maps columns and prints α without trailing zeros', () => {
    expect(ratingAccountOf({ category: 'large_industry', voltage_level: '10kV', agent_multiplier: '1.50', pf_standard: '0.90', capacity_kva: '1000.00', contract_demand_kw: '400.00', basic_charge_basis: 'demand' })).toEqual({
      category: 'large_industry',
      voltageLevel: '10kV',
      agentMultiplier: '1.5',
      pfStandard: '0.90',
      capacityKva: '1000.00',
      contractDemandKw: '400.00',
      basicChargeBasis: 'demand',
    });
    expect(ratingAccountOf({ category: 'residential', voltage_level: '0.22kV', agent_multiplier: '1.00', pf_standard: null, capacity_kva: null, contract_demand_kw: null, basic_charge_basis: null }).agentMultiplier).toBe('1');
  });
});

describe('ImpactTally', () => {
  it('totals, counts, the zero bucket and percentages', () => {
    const t = new ImpactTally(10);
    t.add(1, '2026-10', 7663, 7813); // +1.50 元, +1.96%
    t.add(2, '2026-10', 17500, 17800); // +3.00 元, +1.71%
    t.add(3, '2026-09', 1000, 1000);
    t.add(4, '2026-10', 250000, 120000); // −1,300.00 元, −52%
    t.add(5, '2026-10', 0, 50); // no base
    const s = t.summary();
    expect(s).toMatchObject({ rated: 5, increased: 3, decreased: 1, unchanged: 1, beforeFen: 276163, afterFen: 146663, changeFen: -129500, changePercent: '-46.89', noBase: 1 });
    const fen = Object.fromEntries(s.histogramFen.filter((b) => b.count).map((b) => [`${b.from}..${b.to}`, b.count]));
    expect(fen).toEqual({ '-1000000..-100000': 1, '0..0': 1, '0..100': 1, '100..1000': 2 });
    const bp = Object.fromEntries(s.histogramPercent.filter((b) => b.count).map((b) => [`${b.from}..${b.to}`, b.count]));
    expect(bp).toEqual({ 'null..-2000': 1, '0..0': 1, '50..200': 2 });
    expect(s.periods).toEqual([
      { period: '2026-09', accounts: 1 },
      { period: '2026-10', accounts: 4 },
    ]);
    expect(s.top.map((a) => [a.accountId, a.changeFen, a.changePercent])).toEqual([
      [4, -130000, '-52.00'],
      [2, 300, '1.71'],
      [1, 150, '1.96'],
      [5, 50, null],
      [3, 0, '0.00'],
    ]);
  });

  it('the top list keeps the N largest absolute changes, ties by account id, whatever the order seen', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -100000, max: 100000 }), { minLength: 0, maxLength: 200 }), fc.integer({ min: 0, max: 20 }), (changes, n) => {
        const t = new ImpactTally(n);
        changes.forEach((c, i) => t.add(i + 1, '2026-10', 10000, 10000 + c));
        const want = changes
          .map((c, i) => ({ id: i + 1, c }))
          .sort((a, b) => Math.abs(b.c) - Math.abs(a.c) || a.id - b.id)
          .slice(0, n)
          .map((x) => x.id);
        const s = t.summary();
        expect(s.top.map((a) => a.accountId)).toEqual(want);
        expect(s.histogramFen.reduce((x, b) => x + b.count, 0)).toBe(changes.length);
        expect(s.changeFen).toBe(changes.reduce((x, c) => x + c, 0));
      }),
    );
  });
});
