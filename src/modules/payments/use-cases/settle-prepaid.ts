import type { Executor } from '../../../db/tx.js';
import { accountsInCredit, balancesOfBook, eventRefsOf, type EventRef } from '../../ledger/index.js';
import { prepaidSettlements, settleEntries } from '../domain/posting.js';
import { writePayments, type NewEntry, type SettlementState } from '../payments.repository.js';

import { lockAdvanceAccountsToIssue } from '../payments.repository.js';

/**
 * Locks, before the issue writes anything, the accounts of (from, to] whose bills the issue will settle from
 * prepaid: those that pay in advance, hold prepaid credit and have a bill of the run to issue. Only those:
 * a lock marks every row it takes, and most accounts hold no credit at issue.
 */
export async function lockPrepaidAccountsToIssue(db: Executor, r: { from: number; to: number; period: string; runId: number }): Promise<number[]> {
  return lockAdvanceAccountsToIssue(db, await accountsInCredit(db, r, 'prepaid'), r);
}

/**
 * Prepaid settlement at issue (预收冲抵, RULES §8.4): each bill just issued for an account that pays in
 * advance is paid from its prepaid balance as far as it goes — the bill's state (principal paid, settled
 * when whole) and a `prepaid.settle` transfer (prepaid debited, receivable credited) — in the issue's
 * transaction. Only the accounts lockPrepaidAccountsToIssue locked before the issue posted anything.
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
