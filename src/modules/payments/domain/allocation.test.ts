import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocate, penaltyOpenFen, principalOpenFen, type OpenBill } from './allocation.js';

const bill = (over: Partial<OpenBill>): OpenBill => ({
  billId: 1,
  period: '2025-01',
  dueOn: '2025-02-20',
  category: 'residential',
  principalDueFen: 10_000,
  principalPaidFen: 0,
  penaltyAccruedMfen: 0,
  penaltyThrough: null,
  penaltyChargedFen: 0,
  penaltyPaidFen: 0,
  penaltyWaivedFen: 0,
  ...over,
});

describe('allocation (销账)', () => {
  it('pays the oldest bill first, its penalty before its principal, and keeps the rest as prepaid', () => {
    const bills = [
      bill({ billId: 7, period: '2025-02', dueOn: '2025-03-20', principalDueFen: 30_000 }),
      bill({ billId: 3, period: '2025-01', dueOn: '2025-02-20', principalDueFen: 20_000 }),
    ];
    // paid 2025-02-23: bill 3 is 3 days late (0.60 → 1.00 minimum), bill 7 not yet due
    const a = allocate(bills, 60_000, '2025-02-23', 100);
    expect(a.lines).toEqual([
      { billId: 3, penaltyFen: 100, principalFen: 20_000, prepaidFen: 0 },
      { billId: 7, penaltyFen: 0, principalFen: 30_000, prepaidFen: 0 },
      { billId: null, penaltyFen: 0, principalFen: 0, prepaidFen: 9_900 },
    ]);
    expect(a.penaltyChargedFen).toBe(100);
    expect(a.bills.map((b) => [b.billId, principalOpenFen(b), penaltyOpenFen(b)])).toEqual([
      [3, 0, 0],
      [7, 0, 0],
    ]);
  });

  it('a partial payment stops the penalty on the part it pays from the next day', () => {
    const first = allocate([bill({ category: 'commercial', principalDueFen: 100_000 })], 50_200, '2025-02-21', 0);
    // one day at 2‰ on 1,000.00 = 2.00, then 500.00 principal
    expect(first.lines[0]).toEqual({ billId: 1, penaltyFen: 200, principalFen: 50_000, prepaidFen: 0 });
    const second = allocate(first.bills, 50_000 + 300, '2025-02-24', 0);
    // three more days on the 500.00 left = 3.00
    expect(second.lines[0]).toEqual({ billId: 1, penaltyFen: 300, principalFen: 50_000, prepaidFen: 0 });
  });

  it('refuses a payment that is not a positive whole number of fen', () => {
    expect(() => allocate([], 0, '2025-01-01', 100)).toThrow(RangeError);
    expect(() => allocate([], 1.5, '2025-01-01', 100)).toThrow(RangeError);
  });

  const arbBill = fc.record({
    billId: fc.integer({ min: 1, max: 1_000_000 }),
    period: fc.constantFrom('2024-11', '2024-12', '2025-01', '2025-02'),
    dueOn: fc.constantFrom('2024-12-20', '2025-01-20', '2025-02-20', '2025-03-20'),
    category: fc.constantFrom('residential', 'commercial', 'large_industry'),
    principalDueFen: fc.integer({ min: 1, max: 5_000_000 }),
    paidShare: fc.double({ min: 0, max: 0.99, noNaN: true }),
  });

  it('conserves money and never leaves a negative open amount (property)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(arbBill, { selector: (b) => b.billId, maxLength: 6 }), fc.integer({ min: 1, max: 30_000_000 }), fc.constantFrom('2025-01-05', '2025-02-25', '2026-01-10'), fc.constantFrom(0, 100), (raw, amount, day, min) => {
        const bills = raw.map((r) => bill({ ...r, principalPaidFen: Math.floor(r.principalDueFen * r.paidShare) }));
        const a = allocate(bills, amount, day, min);
        const sum = a.lines.reduce((s, l) => s + l.penaltyFen + l.principalFen + l.prepaidFen, 0);
        expect(sum).toBe(amount);
        expect(a.principalFen + a.penaltyFen + a.prepaidFen).toBe(amount);
        for (const l of a.lines) for (const v of [l.penaltyFen, l.principalFen, l.prepaidFen]) expect(v).toBeGreaterThanOrEqual(0);
        for (const b of a.bills) {
          expect(principalOpenFen(b)).toBeGreaterThanOrEqual(0);
          expect(penaltyOpenFen(b)).toBeGreaterThanOrEqual(0);
          expect(b.principalPaidFen).toBeLessThanOrEqual(b.principalDueFen);
        }
        // money goes to prepaid only when every bill is settled
        if (a.prepaidFen > 0) expect(a.bills.length).toBe(bills.filter((b) => b.principalDueFen > b.principalPaidFen).length);
        expect(a.penaltyChargedFen).toBeGreaterThanOrEqual(0);
      }),
    );
  });
});
