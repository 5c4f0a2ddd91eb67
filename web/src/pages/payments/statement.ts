import type { OpenBill, Statement } from './api';

/**
 * Pure reading of an account statement (GET /accounts/:id/statement) for the screens: where a payment
 * would go, and whether a bill is paid. The server decides; these only show it before and after.
 */

export interface PreviewLine {
  billId: number | null;
  period: string | null;
  penaltyFen: number;
  principalFen: number;
  prepaidFen: number;
}

/**
 * Where an amount would go today, by the allocation policy (RULES §6): oldest bill first, within a bill
 * penalty then principal, the rest to the prepaid balance. A preview for the confirmation dialog.
 */
export function previewAllocation(openBills: readonly OpenBill[], amountFen: number): PreviewLine[] {
  const lines: PreviewLine[] = [];
  let left = amountFen;
  const oldestFirst = [...openBills].sort((a, b) => (a.dueOn === b.dueOn ? (a.period === b.period ? a.billId - b.billId : a.period < b.period ? -1 : 1) : a.dueOn < b.dueOn ? -1 : 1));
  for (const b of oldestFirst) {
    if (left <= 0) break;
    const penaltyFen = Math.min(left, Math.max(0, b.penaltyFen));
    left -= penaltyFen;
    const principalFen = Math.min(left, Math.max(0, b.principalOpenFen));
    left -= principalFen;
    if (penaltyFen > 0 || principalFen > 0) lines.push({ billId: b.billId, period: b.period, penaltyFen, principalFen, prepaidFen: 0 });
  }
  if (left > 0) lines.push({ billId: null, period: null, penaltyFen: 0, principalFen: 0, prepaidFen: left });
  return lines;
}

/** 已缴清 / 部分缴费 / 未缴 — and 'none' for a bill that asks for nothing (a zero or credit bill, a draft). */
export type BillPayState = 'paid' | 'partial' | 'unpaid' | 'none';

export interface BillLike {
  id: number;
  status: string;
  kind: string;
  totalFen: number;
  /** an adjustment bill (退补) is settled together with the bill it adjusts */
  adjustsBillId: number | null;
}

/**
 * A bill's payment state from the statement: open bills (principal or penalty still owed) are unpaid or
 * partly paid; an issued bill that is not open is paid when a settlement shows money reached it, and
 * otherwise asked for nothing ('none': a zero or credit bill) — never "paid" on a guess.
 */
export function billPayState(bill: BillLike, statement: Pick<Statement, 'openBills' | 'settlements'>): BillPayState {
  if (bill.status !== 'issued') return 'none';
  const id = bill.adjustsBillId ?? bill.id;
  const open = statement.openBills.find((b) => b.billId === id);
  if (open) {
    const settlement = statement.settlements.find((s) => s.billId === id);
    const somethingPaid = open.principalOpenFen < open.principalDueFen || (settlement !== undefined && (settlement.principalPaidFen > 0 || settlement.penaltyPaidFen > 0));
    return somethingPaid ? 'partial' : 'unpaid';
  }
  // not open: paid when money reached it; otherwise it never asked for any (or it is not due yet)
  return statement.settlements.some((s) => s.billId === id) ? 'paid' : 'none';
}
