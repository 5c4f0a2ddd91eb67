import type { Executor } from '../../../db/tx.js';
import { assertBalanced, type TransferDraft } from '../domain/transfer.js';
import { insertTransfer } from '../ledger.repository.js';

/** Posts one transfer after checking it balances (I1, I5). Call it in the transaction of the change that moves the money. */
export async function postTransfer(db: Executor, t: TransferDraft): Promise<number> {
  assertBalanced(t);
  return insertTransfer(db, t);
}
