import { describe, expect, it, vi } from 'vitest';
import { walkAccounts, TOTAL_ONLY, TOU_REACTIVE, TOU_REACTIVE_DEMAND, type AccountProfile } from './accounts.js';
import { CYCLE_READS, DAILY_DAYS, MONTHS, demoCalendar } from './calendar.js';
import { planCounty } from './county.js';
import { dailyShares, dailyValue, hasDailyReads, monthlySeries, newReadSeries, readRand, type ReadSeries } from './reads.js';

// these walk a whole county's accounts: seconds on a loaded machine, more than the unit default of 5 s
vi.setConfig({ testTimeout: 30_000 });

const cal = demoCalendar(new Date('2026-05-20T04:00:00Z'));
const accounts = [...walkAccounts(planCounty(4000, 1), cal)];
const seriesOf = (a: AccountProfile, seed = 1): ReadSeries => monthlySeries(a, cal, readRand(seed, a.id), newReadSeries());
const kwh = (a: AccountProfile, s: ReadSeries, k: number) => ((s.total[k]! - s.total[k - 1]!) * a.multiplier) / 100;

describe('demoCalendar', () => {
  it('covers M-25 … M-1 with cycle reads on the first of the next month, and the 60 days up to asOf', () => {
    expect(cal.periods[0]).toBe('2024-04');
    expect(cal.periods[CYCLE_READS - 1]).toBe('2026-04');
    expect(cal.readOn[CYCLE_READS - 1]).toBe('2026-05-01');
    expect(cal.dailyDates).toHaveLength(DAILY_DAYS);
    expect(cal.dailyDates[DAILY_DAYS - 1]).toBe('2026-05-20');
    expect(cal.dailyDates[0]).toBe('2026-03-22');
  });

  it('uses the Shanghai date of asOf', () => {
    // 2026-05-31 17:00 UTC is already 1 June in Shanghai.
    const june = demoCalendar(new Date('2026-05-31T17:00:00Z'));
    expect(june.month).toBe('2026-06');
    expect(june.asOfDate).toBe('2026-06-01');
    expect(june.readOn[CYCLE_READS - 1]).toBe('2026-06-01');
  });
});

describe('monthlySeries', () => {
  it('is the same for the same seed and different for another', () => {
    const a = accounts[10]!;
    expect(seriesOf(a)).toEqual(seriesOf(a));
    expect(seriesOf(a, 2).total).not.toEqual(seriesOf(a).total);
  });

  it('never runs a register backwards and keeps total = peak + flat + valley on TOU meters', () => {
    // Collected, then asserted once: a million expect() calls would take longer than the check.
    const problems: string[] = [];
    const registers = ['total', 'peak', 'flat', 'valley', 'reactive'] as const;
    for (const a of accounts) {
      const s = seriesOf(a);
      for (let k = 0; k < MONTHS; k++) {
        for (const r of registers) {
          const v = s[r][k]!;
          if (!Number.isInteger(v) || v < 0) problems.push(`${a.id} ${r}[${k}] = ${v}`);
          if (k > 0 && v < s[r][k - 1]!) problems.push(`${a.id} ${r} runs backwards at ${k}`);
        }
        if (a.registerSet !== TOTAL_ONLY && s.peak[k]! + s.flat[k]! + s.valley[k]! !== s.total[k]) problems.push(`${a.id} TOU sum at ${k}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('gives realistic monthly usage by category', () => {
    const median = (xs: number[]) => xs.sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
    const usage = (cat: string) => accounts.filter((a) => a.category === cat).flatMap((a) => {
      const s = seriesOf(a);
      return Array.from({ length: CYCLE_READS - 1 }, (_, i) => kwh(a, s, i + 1));
    });
    const homes = median(usage('residential'));
    expect(homes).toBeGreaterThan(100);
    expect(homes).toBeLessThan(300);
    const shops = median(usage('commercial'));
    expect(shops).toBeGreaterThan(1000);
    expect(shops).toBeLessThan(20_000);
    const industry = median(usage('large_industry'));
    expect(industry).toBeGreaterThan(50_000);
    expect(industry).toBeLessThan(2_000_000);
  });

  it('follows the seasons: heating up in winter, irrigation up in summer', () => {
    const byMonth = (cat: string, months: number[]) => {
      let sum = 0;
      for (const a of accounts.filter((x) => x.category === cat)) {
        const s = seriesOf(a);
        for (let k = 1; k < CYCLE_READS; k++) if (months.includes(cal.monthOfYear[k]!)) sum += kwh(a, s, k);
      }
      return sum;
    };
    expect(byMonth('heating', [12, 1, 2])).toBeGreaterThan(10 * byMonth('heating', [6, 7, 8]));
    expect(byMonth('agriculture', [5, 6, 7, 8])).toBeGreaterThan(5 * byMonth('agriculture', [12, 1, 2, 3]));
  });

  it('keeps reactive energy consistent with a power factor of about 0.75–0.99', () => {
    for (const a of accounts.filter((x) => x.registerSet >= TOU_REACTIVE)) {
      const s = seriesOf(a);
      const p = s.total[CYCLE_READS - 1]! - s.total[0]!;
      const q = s.reactive[CYCLE_READS - 1]! - s.reactive[0]!;
      const pf = p / Math.sqrt(p * p + q * q);
      expect(pf).toBeGreaterThan(0.74);
      expect(pf).toBeLessThan(0.995);
    }
  });

  it('records max demand for two-part meters in line with usage, sometimes above 105% of the contract demand', () => {
    let months = 0;
    let over = 0;
    for (const a of accounts.filter((x) => x.registerSet === TOU_REACTIVE_DEMAND)) {
      const s = seriesOf(a);
      for (let k = 1; k < CYCLE_READS; k++) {
        const demandKw = (s.maxDemand[k]! * a.multiplier) / 100;
        const averageKw = kwh(a, s, k) / (cal.daysInMonth[k]! * 24);
        expect(demandKw).toBeGreaterThan(averageKw);
        expect(demandKw).toBeLessThan(averageKw / 0.25);
        if (a.contractDemandKw !== null) {
          months++;
          if (demandKw > 1.05 * a.contractDemandKw) over++;
        }
      }
    }
    expect(months).toBeGreaterThan(0);
    expect(over).toBeGreaterThan(0);
    expect(over / months).toBeLessThan(0.5);
  });

  it('marks about 0.5% of months as estimated', () => {
    let estimated = 0;
    for (const a of accounts) estimated += seriesOf(a).estimated.reduce((n, e) => n + e, 0);
    const share = estimated / (accounts.length * CYCLE_READS);
    expect(share).toBeGreaterThan(0.002);
    expect(share).toBeLessThan(0.01);
  });
});

describe('daily reads', () => {
  it('continue from the cycle reads: equal on read days, monotonic, TOU sums, only for prepaid meters', () => {
    const prepaid = accounts.filter(hasDailyReads);
    expect(prepaid.length).toBeGreaterThan(accounts.length * 0.6);
    expect(prepaid.every((a) => a.paymentMode !== 'postpaid')).toBe(true);
    for (const a of prepaid) {
      const rng = readRand(1, a.id);
      const s = monthlySeries(a, cal, rng, newReadSeries());
      const shares = dailyShares(cal, rng, []);
      let previous = -1;
      for (let i = 0; i < DAILY_DAYS; i++) {
        const total = a.registerSet === TOTAL_ONLY ? dailyValue(s.total, shares, cal, i) : dailyValue(s.peak, shares, cal, i) + dailyValue(s.flat, shares, cal, i) + dailyValue(s.valley, shares, cal, i);
        expect(total).toBeGreaterThanOrEqual(previous);
        previous = total;
        const k = cal.readOn.indexOf(cal.dailyDates[i]!);
        if (k >= 0) {
          expect(total).toBe(s.total[k]);
          if (a.registerSet !== TOTAL_ONLY) expect(dailyValue(s.peak, shares, cal, i)).toBe(s.peak[k]);
        }
      }
      // The last daily read lies between the last cycle read and the end of the current month.
      expect(previous).toBeGreaterThanOrEqual(s.total[CYCLE_READS - 1]!);
      expect(previous).toBeLessThanOrEqual(s.total[CYCLE_READS]!);
    }
  });
});
