import { accrue, chargeableFen, penaltyClassOf } from './penalty.js';

/**
 * Allocation of a payment (销账, RULES §6, policy): oldest bill first; within a bill the penalty first, then
 * the principal; whatever is left becomes prepaid balance (预收). Before a bill takes money its penalty is
 * brought up to the payment day on the principal still unpaid, so a partial payment stops the penalty on
 * the part it pays from the next day on. Pure: the caller reads the open bills and writes the result.
 */

/** One issued bill that still has something open (principal or penalty), as stored. */
export interface OpenBill {
  billId: number;
  period: string;
  dueOn: string;
  category: string;
  /** the bill's total plus its issued adjustments */
  principalDueFen: number;
  principalPaidFen: number;
  penaltyAccruedMfen: number;
  penaltyThrough: string | null;
  penaltyChargedFen: number;
  penaltyPaidFen: number;
  penaltyWaivedFen: number;
}

export interface AllocationLine {
  billId: number | null;
  penaltyFen: number;
  principalFen: number;
  prepaidFen: number;
}

export interface Allocation {
  lines: AllocationLine[];
  principalFen: number;
  penaltyFen: number;
  prepaidFen: number;
  /** penalty newly charged (to post before the payment: penalty debit, revenue.penalty credit) */
  penaltyChargedFen: number;
  /** the new state of every bill the payment touched */
  bills: OpenBill[];
}

/** Bills in the order money reaches them: period, then bill id. */
export function oldestFirst(bills: readonly OpenBill[]): OpenBill[] {
  return [...bills].sort((a, b) => (a.period < b.period ? -1 : a.period > b.period ? 1 : a.billId - b.billId));
}

/** Brings a bill's penalty up to `day` (inclusive) and charges what has become due. */
export function withPenaltyThrough(bill: OpenBill, day: string, minimumFen: number): OpenBill {
  const unpaid = bill.principalDueFen - bill.principalPaidFen;
  const { mfen } = accrue(unpaid, penaltyClassOf(bill.category), bill.period, bill.dueOn, bill.penaltyThrough, day);
  const accrued = bill.penaltyAccruedMfen + mfen;
  const through = day > bill.dueOn && (bill.penaltyThrough === null || day > bill.penaltyThrough) ? day : bill.penaltyThrough;
  const charged = Math.max(bill.penaltyChargedFen, chargeableFen(accrued, minimumFen));
  return { ...bill, penaltyAccruedMfen: accrued, penaltyThrough: through, penaltyChargedFen: charged };
}

export function principalOpenFen(b: OpenBill): number {
  return Math.max(0, b.principalDueFen - b.principalPaidFen);
}

export function penaltyOpenFen(b: OpenBill): number {
  return b.penaltyChargedFen - b.penaltyPaidFen - b.penaltyWaivedFen;
}

export function allocate(openBills: readonly OpenBill[], amountFen: number, payDay: string, minimumFen: number): Allocation {
  if (!Number.isSafeInteger(amountFen) || amountFen <= 0) throw new RangeError(`payment amount ${amountFen} is not a positive number of fen`);
  let left = amountFen;
  const lines: AllocationLine[] = [];
  const touched: OpenBill[] = [];
  let principal = 0;
  let penalty = 0;
  for (const original of oldestFirst(openBills)) {
    if (left === 0) break;
    const bill = withPenaltyThrough(original, payDay, minimumFen);
    const toPenalty = Math.min(left, Math.max(0, penaltyOpenFen(bill)));
    left -= toPenalty;
    const toPrincipal = Math.min(left, principalOpenFen(bill));
    left -= toPrincipal;
    // a bill brought up to date but given nothing keeps its old state: its penalty is charged when money reaches it
    if (toPenalty + toPrincipal === 0) continue;
    penalty += toPenalty;
    principal += toPrincipal;
    lines.push({ billId: bill.billId, penaltyFen: toPenalty, principalFen: toPrincipal, prepaidFen: 0 });
    touched.push({ ...bill, penaltyPaidFen: bill.penaltyPaidFen + toPenalty, principalPaidFen: bill.principalPaidFen + toPrincipal });
  }
  const before = new Map(openBills.map((b) => [b.billId, b.penaltyChargedFen]));
  const charged = touched.reduce((s, b) => s + b.penaltyChargedFen - (before.get(b.billId) ?? 0), 0);
  if (left > 0) lines.push({ billId: null, penaltyFen: 0, principalFen: 0, prepaidFen: left });
  return { lines, principalFen: principal, penaltyFen: penalty, prepaidFen: left, penaltyChargedFen: charged, bills: touched };
}

/** Is a bill fully settled (nothing open)? */
export function isSettled(b: OpenBill): boolean {
  return principalOpenFen(b) === 0 && penaltyOpenFen(b) === 0;
}
