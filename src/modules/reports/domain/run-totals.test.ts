import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RunTotals, type BillForTotals } from './run-totals.js';

const bill = (over: Partial<BillForTotals>): BillForTotals => ({
  category: 'residential',
  stationId: 2,
  stationName: '红湾寺供电所',
  tariffCode: 'gansu.residential.tiered',
  kwh: '100.00',
  totalFen: 5100,
  status: 'draft',
  estimated: false,
  outlier: false,
  rollover: false,
  ...over,
});

describe('RunTotals', () => {
  it('adds bills up by category, station and tariff, exactly', () => {
    const t = new RunTotals();
    t.add(bill({}));
    t.add(bill({ kwh: '0.10', totalFen: 5, estimated: true }));
    t.add(bill({ category: 'commercial', stationId: 3, stationName: '皇城供电所', tariffCode: 'gansu.ci.single-part', kwh: '1234.56', totalFen: 66_038, status: 'issued', outlier: true }));
    t.add(bill({ stationId: 3, stationName: '皇城供电所', kwh: null, totalFen: 0, rollover: true }));
    expect(t.bills).toBe(4);
    expect(t.totalFen).toBe(5100 + 5 + 66_038);
    expect(t.totalKwh).toBe('1334.66');
    expect(t.issuedBills).toBe(1);
    expect(t.issuedFenTotal).toBe(66_038);
    expect([t.estimated, t.outliers, t.rollovers]).toEqual([1, 1, 1]);
    expect(t.categories()).toEqual([
      { key: 'commercial', label: 'commercial', bills: 1, kwh: '1234.56', totalFen: 66_038 },
      { key: 'residential', label: 'residential', bills: 3, kwh: '100.10', totalFen: 5105 },
    ]);
    expect(t.stations()).toEqual([
      { key: '2', label: '红湾寺供电所', bills: 2, kwh: '100.10', totalFen: 5105 },
      { key: '3', label: '皇城供电所', bills: 2, kwh: '1234.56', totalFen: 66_038 },
    ]);
    expect(t.tariffs().map((b) => [b.key, b.bills])).toEqual([
      ['gansu.ci.single-part', 1],
      ['gansu.residential.tiered', 3],
    ]);
  });

  it('every grouping adds up to the total (property)', () => {
    const arb = fc.record({
      category: fc.constantFrom('residential', 'commercial', 'agriculture'),
      stationId: fc.integer({ min: 1, max: 5 }),
      tariffCode: fc.constantFrom('a', 'b', 'c'),
      cents: fc.integer({ min: 0, max: 1e9 }),
      totalFen: fc.integer({ min: -1e7, max: 1e9 }),
    });
    fc.assert(
      fc.property(fc.array(arb, { maxLength: 60 }), (rows) => {
        const t = new RunTotals();
        for (const r of rows) t.add(bill({ ...r, stationName: `s${r.stationId}`, kwh: `${Math.floor(r.cents / 100)}.${String(r.cents % 100).padStart(2, '0')}` }));
        const expected = rows.reduce((s, r) => s + r.totalFen, 0);
        for (const groups of [t.categories(), t.stations(), t.tariffs()]) {
          expect(groups.reduce((s, g) => s + g.totalFen, 0)).toBe(expected);
          expect(groups.reduce((s, g) => s + g.bills, 0)).toBe(rows.length);
        }
        expect(t.totalFen).toBe(expected);
      }),
    );
  });
});
