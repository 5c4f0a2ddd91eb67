import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { OpenBill, Settlement } from './api';
import { billPayState, previewAllocation } from './statement';

const open = (billId: number, period: string, dueOn: string, principalDueFen: number, principalOpenFen: number, penaltyFen: number): OpenBill => ({ billId, period, dueOn, principalDueFen, principalOpenFen, penaltyFen, overdueDays: 0 });
const settled = (billId: number, principalPaidFen: number, penaltyPaidFen = 0): Settlement => ({ billId, principalPaidFen, penaltyChargedFen: penaltyPaidFen, penaltyPaidFen, penaltyWaivedFen: 0, settledOn: null });

describe('previewAllocation', () => {
  const bills = [open(2, '2025-02', '2025-03-20', 5000, 5000, 0), open(1, '2025-01', '2025-02-20', 10000, 8000, 300)];

  it('pays the oldest bill first, its penalty before its principal, the rest to prepaid', () => {
    expect(previewAllocation(bills, 20000)).toEqual([
      { billId: 1, period: '2025-01', penaltyFen: 300, principalFen: 8000, prepaidFen: 0 },
      { billId: 2, period: '2025-02', penaltyFen: 0, principalFen: 5000, prepaidFen: 0 },
      { billId: null, period: null, penaltyFen: 0, principalFen: 0, prepaidFen: 6700 },
    ]);
  });

  it('stops where the money ends', () => {
    expect(previewAllocation(bills, 200)).toEqual([{ billId: 1, period: '2025-01', penaltyFen: 200, principalFen: 0, prepaidFen: 0 }]);
    expect(previewAllocation(bills, 8300)).toEqual([{ billId: 1, period: '2025-01', penaltyFen: 300, principalFen: 8000, prepaidFen: 0 }]);
    expect(previewAllocation([], 500)).toEqual([{ billId: null, period: null, penaltyFen: 0, principalFen: 0, prepaidFen: 500 }]);
  });

  it('spreads exactly the amount, never a negative part (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ principal: fc.integer({ min: 0, max: 1e7 }), penalty: fc.integer({ min: 0, max: 1e5 }), day: fc.integer({ min: 1, max: 28 }) }), { maxLength: 6 }),
        fc.integer({ min: 1, max: 1e8 }),
        (rows, amount) => {
          const lines = previewAllocation(
            rows.map((r, i) => open(i + 1, '2025-01', `2025-01-${String(r.day).padStart(2, '0')}`, r.principal, r.principal, r.penalty)),
            amount,
          );
          expect(lines.reduce((s, l) => s + l.penaltyFen + l.principalFen + l.prepaidFen, 0)).toBe(amount);
          for (const l of lines) for (const v of [l.penaltyFen, l.principalFen, l.prepaidFen]) expect(v).toBeGreaterThanOrEqual(0);
        },
      ),
    );
  });
});

describe('billPayState', () => {
  const bill = (id: number, over: Partial<{ status: string; kind: string; totalFen: number; adjustsBillId: number | null }> = {}) => ({ id, status: 'issued', kind: 'regular', totalFen: 5000, adjustsBillId: null, ...over });

  it('an open bill nothing reached is 未缴; one that received money is 部分缴费', () => {
    const statement = { openBills: [open(1, '2025-01', '2025-02-20', 5000, 5000, 0), open(2, '2025-02', '2025-03-20', 5000, 3000, 0), open(3, '2025-03', '2025-04-20', 5000, 0, 100)], settlements: [settled(2, 2000), settled(3, 5000)] };
    expect(billPayState(bill(1), statement)).toBe('unpaid');
    expect(billPayState(bill(2), statement)).toBe('partial');
    // principal paid, penalty still owed: not yet 已缴清
    expect(billPayState(bill(3), statement)).toBe('partial');
  });

  it('a bill money reached and that is no longer open is 已缴清; its adjustment bills follow it', () => {
    const statement = { openBills: [], settlements: [settled(1, 5000, 100)] };
    expect(billPayState(bill(1), statement)).toBe('paid');
    expect(billPayState(bill(9, { kind: 'adjustment', adjustsBillId: 1, totalFen: -500 }), statement)).toBe('paid');
  });

  it('drafts and bills that asked for nothing have no state', () => {
    expect(billPayState(bill(1, { status: 'draft' }), { openBills: [], settlements: [] })).toBe('none');
    expect(billPayState(bill(1, { totalFen: 0 }), { openBills: [], settlements: [] })).toBe('none');
  });
});
