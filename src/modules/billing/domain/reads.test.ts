import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  accountUsage,
  applyMultiplier,
  centsOf,
  centsText,
  estimateRead,
  meterUsage,
  outlierFinding,
  registerAdvance,
  registerCapacity,
  type MeterReads,
  type Read,
  type RegisterSet,
} from './reads.js';

const regs = (total: number, tou?: [number, number, number], reactive: number | null = null): RegisterSet => ({
  total: total * 100,
  peak: tou ? tou[0] * 100 : null,
  flat: tou ? tou[1] * 100 : null,
  valley: tou ? tou[2] * 100 : null,
  reactive: reactive === null ? null : reactive * 100,
});
const read = (total: number, extra: Partial<Read> & { tou?: [number, number, number]; reactive?: number } = {}): Read => ({
  ...regs(total, extra.tou, extra.reactive ?? null),
  maxDemand: extra.maxDemand ?? null,
  estimated: extra.estimated ?? false,
});
const household = (history: number | null, previous: number | null, current: number | null, o: Partial<MeterReads> = {}): MeterReads => ({
  meterId: 1,
  registers: ['total'],
  multiplier: 100,
  history: history === null ? null : regs(history),
  previous: previous === null ? null : read(previous),
  current: current === null ? null : read(current),
  ...o,
});

describe('decimal helpers', () => {
  it('parse and print hundredths exactly', () => {
    expect(centsOf('1234.50')).toBe(123450);
    expect(centsOf('1234.5')).toBe(123450);
    expect(centsOf('7')).toBe(700);
    expect(centsOf('-0.05')).toBe(-5);
    expect(() => centsOf('1.234')).toThrow();
    expect(centsText(123450)).toBe('1234.50');
    expect(centsText(5)).toBe('0.05');
    expect(centsText(-105)).toBe('-1.05');
    fc.assert(
      fc.property(fc.integer({ min: -1e14, max: 1e14 }), (v) => {
        expect(centsOf(centsText(v))).toBe(v + 0);
      }),
    );
  });

  it('apply the multiplier exactly, HALF_UP to 0.01 only for a fractional multiplier', () => {
    expect(applyMultiplier(12345, 100)).toBe(12345); // 123.45 × 1
    expect(applyMultiplier(12345, 5000)).toBe(617250); // × 50
    expect(applyMultiplier(1, 150)).toBe(2); // 0.01 × 1.5 = 0.015 → 0.02
    expect(applyMultiplier(1, 125)).toBe(1); // 0.0125 → 0.01
    expect(applyMultiplier(9_000_000_000_000, 40_000)).toBe(3_600_000_000_000_000);
  });
});

describe('registerAdvance: backwards registers and rollover', () => {
  it('is the difference when the register moved forward', () => {
    expect(registerAdvance(100_00, 250_50)).toEqual({ advance: 150_50, rolledOver: false });
  });
  it('detects a rollover past 99,999.99 and 999,999.99', () => {
    expect(registerCapacity(99_950_00)).toBe(100_000_00);
    expect(registerAdvance(99_950_00, 30_00)).toEqual({ advance: 80_00, rolledOver: true });
    expect(registerAdvance(999_990_00, 5_00)).toEqual({ advance: 15_00, rolledOver: true });
  });
  it('refuses a register that went backwards far from its maximum', () => {
    expect(registerAdvance(50_000_00, 49_000_00)).toBeNull();
    expect(registerAdvance(99_950_00, 60_000_00)).toBeNull(); // not near zero after the wrap
  });
});

describe('meterUsage', () => {
  it('is the register difference × multiplier', () => {
    const r = meterUsage(household(1000, 1300, 1600, { multiplier: 5000 }));
    expect(r).toMatchObject({ ok: true, estimated: 'no', usage: { total: 300 * 50 * 100 } });
  });

  it('gives TOU registers, reactive energy and max demand × multiplier', () => {
    const m: MeterReads = {
      meterId: 9,
      registers: ['total', 'peak', 'flat', 'valley', 'reactive', 'max_demand'],
      multiplier: 10000,
      history: regs(0, [0, 0, 0], 0),
      previous: read(100, { tou: [30, 40, 30], reactive: 50 }),
      current: read(160, { tou: [50, 60, 50], reactive: 80, maxDemand: 4_25 }),
    };
    const r = meterUsage(m);
    expect(r).toMatchObject({ ok: true, usage: { total: 6000_00, peak: 2000_00, flat: 2000_00, valley: 2000_00, reactive: 3000_00, maxDemand: 425_00 } });
  });

  it('refuses a register going backwards (total or a TOU register)', () => {
    expect(meterUsage(household(1000, 1300, 1200))).toMatchObject({ ok: false, finding: { kind: 'register_backwards', blocking: true, detail: { register: 'total', previous: '1300.00', current: '1200.00' } } });
    const m = { ...household(0, 100, 160), registers: ['total', 'peak', 'flat', 'valley'], previous: read(100, { tou: [30, 40, 30] }), current: read(160, { tou: [20, 70, 70] }) };
    expect(meterUsage(m)).toMatchObject({ ok: false, finding: { kind: 'register_backwards', detail: { register: 'peak' } } });
  });

  it('bills a rollover and says so', () => {
    const r = meterUsage(household(99_700, 99_950, 30));
    expect(r).toMatchObject({ ok: true, usage: { total: 80_00 }, rolledOver: ['total'] });
  });

  it('estimates a missing read from the average of the last 3 months and returns the read to store', () => {
    const r = meterUsage(household(1000, 1300, null));
    expect(r).toMatchObject({ ok: true, estimated: 'history', usage: { total: 100_00 }, estimatedRead: { meterId: 1, total: 1400_00 } });
  });

  it('estimates TOU registers each, keeping total = peak + flat + valley', () => {
    const m: MeterReads = {
      meterId: 2,
      registers: ['total', 'peak', 'flat', 'valley'],
      multiplier: 100,
      history: regs(100, [30, 40, 30]),
      previous: read(200, { tou: [61, 70, 69] }),
      current: null,
    };
    const est = estimateRead(m);
    expect(est.ok && est.read).toMatchObject({ peak: 71_33, flat: 80_00, valley: 82_00, total: 233_33 });
    expect(est.ok && est.read.total).toBe(est.ok && est.read.peak! + est.read.flat! + est.read.valley!);
  });

  it('refuses to estimate without history, and needs a previous read', () => {
    expect(meterUsage(household(null, 1300, null))).toMatchObject({ ok: false, finding: { kind: 'missing_read', blocking: true } });
    expect(meterUsage(household(1000, null, 1400))).toMatchObject({ ok: false, finding: { kind: 'no_previous_read', blocking: true } });
  });

  it('marks a read its source estimated', () => {
    const m = household(1000, 1300, 1400);
    m.current!.estimated = true;
    expect(meterUsage(m)).toMatchObject({ ok: true, estimated: 'source' });
  });
});

describe('accountUsage', () => {
  it('sums meters and reports nothing for a normal month', () => {
    const a = accountUsage([household(1000, 1300, 1400), { ...household(0, 300, 420), meterId: 2 }], false);
    expect(a).toMatchObject({ usage: { total: 220_00, peak: null, reactive: null }, findings: [], estimated: false, outlier: false });
  });

  it('needs TOU registers on every meter for a TOU tariff', () => {
    const a = accountUsage([household(1000, 1300, 1400)], true);
    expect(a.usage).toBeNull();
    expect(a.findings).toEqual([expect.objectContaining({ kind: 'tou_registers_missing', blocking: true })]);
  });

  it('has no bill without a meter', () => {
    expect(accountUsage([], false).findings).toEqual([expect.objectContaining({ kind: 'no_meter', blocking: true })]);
  });

  it('flags usage far above, far below, or zero after use', () => {
    expect(accountUsage([household(1000, 1300, 1800)], false)).toMatchObject({ outlier: true, findings: [{ kind: 'usage_high', blocking: false }] });
    expect(accountUsage([household(1000, 1300, 1310)], false)).toMatchObject({ outlier: true, findings: [{ kind: 'usage_low' }] });
    expect(accountUsage([household(1000, 1300, 1300)], false)).toMatchObject({ outlier: true, findings: [{ kind: 'usage_zero' }] });
    expect(accountUsage([household(1000, 1300, 1550)], false)).toMatchObject({ outlier: false, findings: [] }); // 250 vs 100: < 3×
  });

  it('does not flag small users for small swings', () => {
    expect(outlierFinding(10_00, 3_00)).toBeNull(); // 10 kWh vs 3: 3.3× but only 7 kWh apart
    expect(outlierFinding(0, 0)).toBeNull();
  });

  it('reports an estimate, and does not judge an estimate as an outlier', () => {
    const a = accountUsage([household(1000, 1300, null)], false);
    expect(a).toMatchObject({ estimated: true, outlier: false, usage: { total: 100_00 } });
    expect(a.findings.map((f) => f.kind)).toEqual(['estimated_usage']);
    expect(a.estimatedReads).toHaveLength(1);
  });

  it('reports a rollover for review', () => {
    const a = accountUsage([household(99_700, 99_950, 30)], false);
    expect(a).toMatchObject({ rollover: true, usage: { total: 80_00 } });
    expect(a.findings.map((f) => f.kind)).toEqual(['rollover']);
  });

  it('lists each blocking kind once', () => {
    const a = accountUsage([household(0, 300, 200), { ...household(0, 300, 100), meterId: 2 }], false);
    expect(a.findings.map((f) => f.kind)).toEqual(['register_backwards']);
  });
});
