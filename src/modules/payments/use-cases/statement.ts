import type { Executor } from '../../../db/tx.js';
import { oldestFirst, penaltyOpenFen, principalOpenFen, withPenaltyThrough } from '../domain/allocation.js';
import { minimumOn } from '../domain/penalty.js';
import { openBillsOf, penaltyMinimums } from '../payments.repository.js';
import type { AccountStatement } from '../payments.types.js';
import { prepaidOf } from './prepaid.js';

/**
 * Where an account stands on a day: each open bill's principal and its penalty brought up to that day
 * (computed, not posted — penalties are posted when money or a waiver reaches them), and the prepaid balance.
 */
export async function accountStatement(db: Executor, accountId: number, asOf: string): Promise<AccountStatement> {
  const [rows, minimums, prepaidFen] = await Promise.all([openBillsOf(db, accountId), penaltyMinimums(db), prepaidOf(db, accountId)]);
  const minimum = minimumOn(minimums, asOf);
  const openBills = oldestFirst(rows.map((r) => ({ ...r, principalDueFen: Number(r.principalDueFen) }))).map((b) => {
    const now = withPenaltyThrough(b, asOf, minimum);
    return {
      billId: b.billId,
      period: b.period,
      dueOn: b.dueOn,
      principalDueFen: b.principalDueFen,
      principalOpenFen: principalOpenFen(now),
      penaltyFen: penaltyOpenFen(now),
      overdueDays: asOf > b.dueOn ? Math.round((Date.parse(asOf) - Date.parse(b.dueOn)) / 86_400_000) : 0,
    };
  });
  const arrearsFen = openBills.reduce((s, b) => s + b.principalOpenFen, 0);
  const penaltyFen = openBills.reduce((s, b) => s + b.penaltyFen, 0);
  return { accountId, asOf, arrearsFen, penaltyFen, prepaidFen, toPayFen: arrearsFen + penaltyFen, openBills };
}
