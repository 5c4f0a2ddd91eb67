import { describe, expect, it } from 'vitest';
import { accrue, chargeableFen, dailyRatePermille, minimumOn } from './penalty.js';

describe('penalty (RULES §6)', () => {
  it('L1: non-residential 10,000.00 due 2024-12-25 paid 2025-01-10 → 6 days × 2‰ + 10 days × 3‰ = 420.00', () => {
    const a = accrue(1_000_000, 'other', '2024-11', '2024-12-25', null, '2025-01-10');
    expect(a.days).toBe(16);
    expect(a.mfen).toBe(42_000_000);
    expect(chargeableFen(a.mfen, 100)).toBe(42_000);
  });

  it('L2: residential 200.00 paid 3 days late → 0.60, charged as the 1.00 minimum', () => {
    const a = accrue(20_000, 'residential', '2025-03', '2025-04-20', null, '2025-04-23');
    expect(a).toEqual({ mfen: 60_000, days: 3 });
    expect(chargeableFen(a.mfen, 100)).toBe(100);
    expect(chargeableFen(a.mfen, 0)).toBe(60);
  });

  it('counts nothing up to and on the due date, and continues after an earlier accrual', () => {
    expect(accrue(50_000, 'other', '2025-01', '2025-02-15', null, '2025-02-15')).toEqual({ mfen: 0, days: 0 });
    const first = accrue(50_000, 'other', '2025-01', '2025-02-15', null, '2025-02-20');
    const rest = accrue(50_000, 'other', '2025-01', '2025-02-15', '2025-02-20', '2025-03-01');
    const whole = accrue(50_000, 'other', '2025-01', '2025-02-15', null, '2025-03-01');
    expect(first.mfen + rest.mfen).toBe(whole.mfen);
    expect(first.days + rest.days).toBe(whole.days);
  });

  it('uses 3‰ only for days in a later year than the bill period, residential always 1‰', () => {
    expect(dailyRatePermille('other', '2024-12', '2024-12-31')).toBe(2);
    expect(dailyRatePermille('other', '2024-12', '2025-01-01')).toBe(3);
    expect(dailyRatePermille('residential', '2023-12', '2025-06-01')).toBe(1);
    // across two year ends: 2023-12-30..2025-01-02
    const a = accrue(1_000, 'other', '2023-11', '2023-12-29', null, '2025-01-02');
    expect(a.days).toBe(2 + 366 + 2);
    expect(a.mfen).toBe(1_000 * (2 * 2 + 366 * 3 + 2 * 3));
  });

  it('rounds half-up to the fen, and no penalty is no charge', () => {
    expect(chargeableFen(0, 100)).toBe(0);
    expect(chargeableFen(12_499, 0)).toBe(12);
    expect(chargeableFen(12_500, 0)).toBe(13);
  });

  it('finds the minimum in force on a day', () => {
    const s = [
      { effectiveFrom: '1996-09-01', minimumFen: 100 },
      { effectiveFrom: '2024-06-01', minimumFen: 0 },
    ];
    expect(minimumOn(s, '2024-05-31')).toBe(100);
    expect(minimumOn(s, '2024-06-01')).toBe(0);
    expect(minimumOn(s, '1990-01-01')).toBe(0);
  });
});
