import type { Executor } from '../../../db/tx.js';
import { eventRefsOf } from '../domain/events.js';
import { assertBalanced, type TransferDraft } from '../domain/transfer.js';
import { appendEvents, insertTransfer } from '../ledger.repository.js';

/**
 * Posts one transfer after checking it balances (I1, I5), and its account event. Call it in the
 * transaction of the change that moves the money, after that change's other writes (appendEvents).
 */
export async function postTransfer(db: Executor, t: TransferDraft): Promise<number> {
  assertBalanced(t);
  const id = await insertTransfer(db, t);
  await appendEvents(db, eventRefsOf(t.refType, t.entries.map((e) => ({ ...e, accountId: t.accountId, refId: t.refId, kind: t.kind, businessDate: t.businessDate }))));
  return id;
}
