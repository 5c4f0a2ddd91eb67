import type { Executor } from '../../../db/tx.js';
import { assertBalanced, type TransferDraft } from '../domain/transfer.js';
import { appendEvents, insertTransfer } from '../ledger.repository.js';

/**
 * Posts one transfer after checking it balances (I1, I5), and its account event. Call it in the
 * transaction of the change that moves the money, after that change's other writes (appendEvents).
 */
export async function postTransfer(db: Executor, t: TransferDraft): Promise<number> {
  assertBalanced(t);
  const id = await insertTransfer(db, t);
  await appendEvents(db, [{ accountId: t.accountId, refType: t.refType, refId: t.refId, transferKinds: [t.kind] }]);
  return id;
}
