import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bookOfLine, lineBookSql } from './books.js';
import { assertBalanced, billTransfer, type TransferDraft } from './transfer.js';

const bill = (lines: { code: string; amountFen: number }[], totalFen = lines.reduce((s, l) => s + l.amountFen, 0)) => ({
  accountId: 7,
  billId: 42,
  kind: 'regular' as const,
  totalFen,
  lines,
});

describe('billTransfer', () => {
  it('debits receivable with the total and credits each book with its lines (RULES R1: 175.00 元)', () => {
    const t = billTransfer(bill([{ code: 'energy.tier1', amountFen: 8160 }, { code: 'energy.tier2', amountFen: 4480 }, { code: 'energy.tier3', amountFen: 4860 }]), '2026-11-03');
    expect(t).toEqual({
      accountId: 7,
      kind: 'bill.issue',
      refType: 'bill',
      refId: 42,
      businessDate: '2026-11-03',
      memo: null,
      entries: [
        { book: 'receivable', amountFen: 17500 },
        { book: 'revenue.energy', amountFen: -17500 },
      ],
    });
  });

  it('puts basic charge, power factor and government funds on their own books', () => {
    const t = billTransfer(
      bill([
        { code: 'energy.peak', amountFen: 300000 },
        { code: 'energy.flat', amountFen: 200000 },
        { code: 'basic.demand', amountFen: 1470000 },
        { code: 'basic.demand.excess', amountFen: 210000 },
        { code: 'pf.adjustment', amountFen: -12000 },
        { code: 'funds', amountFen: 22900 },
      ]),
      '2026-11-03',
    )!;
    expect(Object.fromEntries(t.entries.map((e) => [e.book, e.amountFen]))).toEqual({
      receivable: 2190900,
      'revenue.energy': -500000,
      'revenue.basic': -1680000,
      'revenue.pf': 12000, // a reduction is a debit to revenue
      'payable.funds': -22900,
    });
  });

  it('credits receivable for a negative adjustment', () => {
    const t = billTransfer({ ...bill([{ code: 'energy.tier1', amountFen: -2550 }]), kind: 'adjustment' }, '2026-11-20')!;
    expect(t.kind).toBe('bill.adjustment');
    expect(t.entries).toEqual([
      { book: 'receivable', amountFen: -2550 },
      { book: 'revenue.energy', amountFen: 2550 },
    ]);
  });

  it('posts nothing for a zero bill, and leaves out books that net to zero', () => {
    expect(billTransfer(bill([{ code: 'energy.tier1', amountFen: 0 }]), '2026-11-03')).toBeNull();
    const t = billTransfer(bill([{ code: 'energy', amountFen: 100 }, { code: 'pf.adjustment', amountFen: 0 }]), '2026-11-03')!;
    expect(t.entries.map((e) => e.book)).toEqual(['receivable', 'revenue.energy']);
  });

  it('refuses a bill whose total is not the sum of its lines', () => {
    expect(() => billTransfer(bill([{ code: 'energy', amountFen: 100 }], 101), '2026-11-03')).toThrow(/not the sum of its lines/);
  });

  it('refuses fractional fen and line codes without a book', () => {
    expect(() => billTransfer(bill([{ code: 'energy', amountFen: 10.5 }]), '2026-11-03')).toThrow(/whole number of fen/);
    expect(() => billTransfer(bill([{ code: 'discount', amountFen: 10 }]), '2026-11-03')).toThrow(/no ledger book/);
  });

  it('always balances (property)', () => {
    const code = fc.constantFrom('energy', 'energy.tier2', 'energy.valley', 'basic.capacity', 'basic.demand.excess', 'pf.adjustment', 'funds');
    fc.assert(
      fc.property(fc.array(fc.record({ code, amountFen: fc.integer({ min: -10_000_000, max: 10_000_000 }) }), { maxLength: 12 }), (lines) => {
        const t = billTransfer(bill(lines), '2026-11-03');
        const perBook = new Map<string, number>();
        for (const l of lines) perBook.set(bookOfLine(l.code), (perBook.get(bookOfLine(l.code)) ?? 0) + l.amountFen);
        const nothingMoves = [...perBook.values()].every((v) => v === 0);
        expect(t === null).toBe(nothingMoves);
        if (t === null) return;
        expect(t.entries.reduce((s, e) => s + e.amountFen, 0)).toBe(0);
        expect(new Set(t.entries.map((e) => e.book)).size).toBe(t.entries.length);
      }),
    );
  });
});

describe('assertBalanced', () => {
  const t = (entries: TransferDraft['entries']): TransferDraft => ({ accountId: 1, kind: 'bill.issue', refType: 'bill', refId: 1, businessDate: '2026-11-03', memo: null, entries });
  it('refuses an unbalanced transfer, a duplicate book, a single entry and an unknown book', () => {
    expect(() => assertBalanced(t([{ book: 'receivable', amountFen: 100 }, { book: 'revenue.energy', amountFen: -99 }]))).toThrow(/does not balance/);
    expect(() => assertBalanced(t([{ book: 'receivable', amountFen: 100 }, { book: 'receivable', amountFen: -100 }]))).toThrow(/two entries/);
    expect(() => assertBalanced(t([]))).toThrow(/at least two/);
    expect(() => assertBalanced(t([{ book: 'receivable', amountFen: 100 }, { book: 'misc', amountFen: -100 }]))).toThrow(/not a book/);
  });
});

describe('lineBookSql', () => {
  it('maps the same codes as bookOfLine', () => {
    const sql = lineBookSql('l.code');
    expect(sql).toContain("when split_part(l.code, '.', 1) = 'energy' then 'revenue.energy'");
    expect(sql).toContain("'payable.funds'");
    expect(() => lineBookSql('x; drop table bill')).toThrow();
  });
});
