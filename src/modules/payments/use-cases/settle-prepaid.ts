import type { Executor } from '../../../db/tx.js';
import { balancesOfBook, eventRefsOf, type EventRef } from '../../ledger/index.js';
import { prepaidSettlements, settleEntries } from '../domain/posting.js';
import { writePayments, type NewEntry, type SettlementState } from '../payments.repository.js';

export { lockPrepaidAccountsToIssue } from '../payments.repository.js';

/**
 * Prepaid settlement at issue (预收冲抵, RULES §8.4): each bill just issued for an account that pays in
 * advance is paid from its prepaid balance as far as it goes — the bill's state (principal paid, settled
 * when whole) and a `prepaid.settle` transfer (prepaid debited, receivable credited) — in the issue's
 * transaction. The accounts must be locked (lockPrepaidAccountsToIssue) before the issue posted anything.
 * Returns the refs of the account events to append (`prepaid.debited`).
 */
export async function settleFromPrepaid(db: Executor, bills: readonly { accountId: number; billId: number; totalFen: number }[], businessDate: string): Promise<EventRef[]> {
  if (bills.length === 0) return [];
  const balances = await balancesOfBook(db, [...new Set(bills.map((b) => b.accountId))], 'prepaid');
  const prepaid = new Map([...balances].map(([id, balance]) => [id, -balance]));
  const settled = prepaidSettlements(bills, prepaid);
  if (settled.length === 0) return [];
  const settlements: SettlementState[] = settled.map((s) => ({
    accountId: s.accountId,
    billId: s.billId,
    principalPaidFen: s.settledFen,
    penaltyAccruedMfen: 0,
    penaltyThrough: null,
    penaltyChargedFen: 0,
    penaltyPaidFen: 0,
    penaltyWaivedFen: 0,
    settledOn: s.settledFen === s.totalFen ? businessDate : null,
  }));
  const entries: NewEntry[] = settled.flatMap((s) => settleEntries(s.settledFen).map((e) => ({ ...e, accountId: s.accountId, refId: s.billId, businessDate })));
  await writePayments(db, { payments: [], allocations: [], settlements, entries, refType: 'bill' });
  return eventRefsOf('bill', entries);
}
