import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { presentBillLines, recomputedFen } from './bill-lines.js';
import { compileAgentPrices, compileCatalogue } from './compile.js';
import { GANSU_AGENT_PRICE_TABLES, GANSU_CODES, GANSU_TARIFF_VERSIONS } from './gansu-defaults.js';
import { rate, type RatingResult } from './rate.js';

/** Issue 17: a bill line explains itself — quantity × unit price × factor rounds to its amount; Σ lines = total. */

const catalogue = compileCatalogue(GANSU_TARIFF_VERSIONS);
const prices = compileAgentPrices(GANSU_AGENT_PRICE_TABLES);
const cents = (max: number) => fc.integer({ min: 0, max: max * 100 }).map((c) => (c / 100).toFixed(2));

function explains(r: RatingResult): void {
  const view = presentBillLines(r.lines);
  expect(view.lines.reduce((s, l) => s + l.amountFen, 0)).toBe(r.totalFen);
  expect(view.subtotals.reduce((s, l) => s + l.amountFen, 0)).toBe(r.totalFen);
  for (const l of view.lines) {
    expect(l.unit).toMatch(/^(kWh|kVA|kW|元)$/);
    expect(recomputedFen(l), `${l.code}: ${l.quantity} × ${l.unitPrice} × ${l.factor?.text ?? 1}`).toBe(l.amountFen);
  }
}

describe('bill lines reproduce their amounts', () => {
  it('tiered, any usage and cycle', () => {
    fc.assert(
      fc.property(cents(5000), fc.integer({ min: 1, max: 3 }), (kwh, cycleMonths) => {
        explains(rate({ tariff: catalogue.history(GANSU_CODES.residentialTiered)!, period: '2026-10', account: { category: 'residential', voltageLevel: '0.22kV' }, usage: { kwh, cycleMonths } }));
      }),
    );
  });
  it('two-part with TOU, α, demand or capacity basis, part months and the power factor', () => {
    fc.assert(
      fc.property(
        fc.record({ peak: cents(200_000), flat: cents(200_000), valley: cents(200_000) }),
        cents(300_000),
        fc.integer({ min: 101, max: 5000 }),
        fc.integer({ min: 0, max: 150 }),
        fc.integer({ min: 0, max: 200 }),
        fc.option(fc.integer({ min: 1, max: 31 }), { nil: null }),
        fc.constantFrom('capacity', 'demand'),
        fc.constantFrom('1', '1.5'),
        fc.constantFrom(null, '0.90', '0.85', '0.80'),
        (regs, kvarh, kva, declaredShare, demandShare, days, basis, alpha, pfStandard) => {
          const r = rate({
            tariff: catalogue.history(GANSU_CODES.ciTwoPart)!,
            agentPrices: prices,
            period: '2026-10',
            account: { category: 'large_industry', voltageLevel: '10kV', capacityKva: String(kva), contractDemandKw: String((kva * declaredShare) / 100), basicChargeBasis: basis, agentMultiplier: alpha, pfStandard },
            usage: { kwhByPeriod: regs, kvarh, maxDemandKw: String((kva * demandShare) / 100), days: days === null ? null : String(days) },
          });
          explains(r);
        },
      ),
    );
  });
});

describe('subtotals and average price', () => {
  it('R1: 300 kWh → 175.00 元, 0.5833 元/kWh; P1 subtotals per kind', () => {
    const r1 = presentBillLines(rate({ tariff: catalogue.history(GANSU_CODES.residentialTiered)!, period: '2026-10', account: { category: 'residential', voltageLevel: '0.22kV' }, usage: { kwh: '300' } }).lines);
    expect(r1).toMatchObject({ kwh: '300.00', averagePrice: '0.5833', subtotals: [{ kind: 'energy', amountFen: 17500 }] });
  });
  it('a prorated capacity line shows its factor: 630 kVA × 23.3 × 10/30', () => {
    const r = rate({
      tariff: catalogue.history(GANSU_CODES.ciTwoPart)!,
      agentPrices: prices,
      period: '2026-10',
      account: { category: 'large_industry', voltageLevel: '10kV', capacityKva: '630', basicChargeBasis: 'capacity' },
      usage: { kwhByPeriod: { peak: '100', flat: '100', valley: '100' }, days: '10' },
    });
    const capacity = presentBillLines(r.lines).lines.find((l) => l.code === 'basic.capacity')!;
    expect(capacity).toMatchObject({ quantity: '630.00', unit: 'kVA', unitPrice: '23.3000', priceUnit: '元/kVA·月', factor: { num: 10, den: 30, text: '10/30' }, amountFen: 489300 });
  });
  it('the power-factor line: base in 元 × signed % (P1: 66,800.00 元 × 2.00 % = 1,336.00 元)', () => {
    const pf = presentBillLines([{ code: 'pf.adjustment', quantity: '66800.00', unitPrice: '0.0200', amountFen: 133600, detail: {} }]).lines[0]!;
    expect(pf).toMatchObject({ unit: '元', unitPrice: '2.00', priceUnit: '%', factor: null });
    expect(recomputedFen(pf)).toBe(133600);
    expect(presentBillLines([{ code: 'pf.adjustment', quantity: '66800.00', unitPrice: '-0.0075', amountFen: -50100 }]).lines[0]!.unitPrice).toBe('-0.75');
  });
});
