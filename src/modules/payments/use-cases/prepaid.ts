import type { Executor } from '../../../db/tx.js';
import { balanceOf } from '../../ledger/index.js';

/** The account's prepaid balance (预收) as the customer sees it: the prepaid book's credit, positive. */
export async function prepaidOf(db: Executor, accountId: number): Promise<number> {
  return 0 - (await balanceOf(db, accountId, 'prepaid'));
}
