import { describe, expect, it } from 'vitest';
import { balanceTimeline, comparePeriods, cronHour, needsCompanyApproval, protectionsOf } from './queries.js';

const facts = { payment_mode: 'smart_prepaid', voltage_level: '0.22kV', is_important: false, is_medical: false, is_heating_company: false, is_vulnerable: false };

describe('the balance timeline', () => {
  it('carries prepaid from the events and drops a period’s estimates once its bill is issued', () => {
    const points = balanceTimeline({
      from: '2026-11-01',
      to: '2026-11-04',
      events: [
        { seq: 1, businessDate: '2026-10-20', prepaidFen: 5000, receivableFen: 0, penaltyFen: 0 },
        { seq: 3, businessDate: '2026-11-02', prepaidFen: 5000, receivableFen: 700, penaltyFen: 10 },
        { seq: 5, businessDate: '2026-11-03', prepaidFen: 15_000, receivableFen: 0, penaltyFen: 0 },
      ],
      estimates: [
        { readOn: '2026-10-31', period: '2026-10', ctdFen: 3000, dayFen: 100 },
        { readOn: '2026-11-02', period: '2026-11', ctdFen: 200, dayFen: 200 },
      ],
      issuedOn: new Map([['2026-10', '2026-11-04']]),
    });
    expect(points).toEqual([
      { day: '2026-11-01', prepaidFen: 5000, owedFen: 0, estimateFen: 3000, availableFen: 2000, dayFen: null },
      { day: '2026-11-02', prepaidFen: 5000, owedFen: 710, estimateFen: 3200, availableFen: 1090, dayFen: 200 },
      { day: '2026-11-03', prepaidFen: 15_000, owedFen: 0, estimateFen: 3200, availableFen: 11_800, dayFen: null },
      { day: '2026-11-04', prepaidFen: 15_000, owedFen: 0, estimateFen: 200, availableFen: 14_800, dayFen: null },
    ]);
  });
});

describe('estimates vs bills', () => {
  it('pairs them per period from the first estimated one, newest first', () => {
    const rows = comparePeriods(
      [{ period: '2026-11', ctdFen: 9000, kwh: '180.00', through: '2026-11-30', days: 29 }],
      [
        { billId: 7, period: '2026-11', totalFen: 9300, kwh: '186.00', issuedOn: '2026-12-05' },
        { billId: 3, period: '2026-10', totalFen: 8000, kwh: '160.00', issuedOn: '2026-11-05' },
      ],
    );
    expect(rows).toEqual([
      { period: '2026-11', estimateFen: 9000, estimateKwh: '180.00', estimatedThrough: '2026-11-30', estimateDays: 29, billId: 7, billFen: 9300, billKwh: '186.00', issuedOn: '2026-12-05', differenceFen: 300 },
    ]);
    expect(comparePeriods([], [{ billId: 1, period: '2026-10', totalFen: 1, kwh: null, issuedOn: '2026-11-05' }])).toEqual([]);
  });
});

describe('guards as the monitor shows them', () => {
  it('names protections, the heating season only in season, and who must approve', () => {
    expect(protectionsOf({ ...facts, is_heating_company: true }, '2026-12-01')).toEqual(['heating_company', 'heating_season']);
    expect(protectionsOf({ ...facts, is_heating_company: true }, '2026-06-01')).toEqual(['heating_company']);
    expect(protectionsOf({ ...facts, payment_mode: 'purchase_before_use' }, '2026-01-10')).toEqual(['heating_season']);
    expect(needsCompanyApproval(facts, '2026-06-01')).toBe(false);
    expect(needsCompanyApproval({ ...facts, voltage_level: '10kV' }, '2026-06-01')).toBe(true);
    expect(needsCompanyApproval({ ...facts, is_medical: true }, '2026-06-01')).toBe(true);
  });

  it('reads the daily job’s hour off its cron line', () => {
    expect(cronHour('30 1 * * *')).toBe(1);
    expect(cronHour('0 10 * * *')).toBe(10);
    expect(cronHour('*/5 * * * *')).toBeNull();
    expect(cronHour('0 8-10 * * *')).toBeNull();
  });
});
