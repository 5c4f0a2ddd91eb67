import { describe, expect, it } from 'vitest';
import { prepaidSettlements, settleEntries } from './posting.js';

describe('prepaid settlement at issue (RULES §8.4)', () => {
  it('pays each new bill from what is left of its account prepaid balance, up to the bill', () => {
    const prepaid = new Map([
      [1, 5_000],
      [2, 300],
    ]);
    const bills = [
      { accountId: 1, billId: 11, totalFen: 3_000 },
      { accountId: 1, billId: 12, totalFen: 3_000 },
      { accountId: 2, billId: 21, totalFen: 1_000 },
      { accountId: 3, billId: 31, totalFen: 500 },
      { accountId: 2, billId: 22, totalFen: 0 },
    ];
    expect(prepaidSettlements(bills, prepaid)).toEqual([
      { accountId: 1, billId: 11, totalFen: 3_000, settledFen: 3_000 },
      { accountId: 1, billId: 12, totalFen: 3_000, settledFen: 2_000 },
      { accountId: 2, billId: 21, totalFen: 1_000, settledFen: 300 },
    ]);
    expect(prepaid.get(1)).toBe(5_000); // the caller's map is left as it was
  });

  it('debits the prepaid credit and credits receivable, balanced', () => {
    const entries = settleEntries(300);
    expect(entries.reduce((s, e) => s + e.amountFen, 0)).toBe(0);
    expect(entries).toEqual([
      { kind: 'prepaid.settle', book: 'prepaid', amountFen: 300 },
      { kind: 'prepaid.settle', book: 'receivable', amountFen: -300 },
    ]);
  });
});
