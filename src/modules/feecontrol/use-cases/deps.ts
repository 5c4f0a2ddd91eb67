import type { Executor } from '../../../db/tx.js';
import type { NoticeKind } from '../../notify/index.js';

/** A notice for the customer, queued in the transaction of its cause (the notify module's outbox). */
export interface FeeNotice {
  accountId: number;
  kind: NoticeKind;
  params: Record<string, string | number>;
  dedupeKey: string;
}

/** What fee control needs from outside the module; the composition root (workflows) fills it in. */
export interface FeeControlDeps {
  /** queues notices in the caller's transaction */
  notify(trx: Executor, notices: readonly FeeNotice[], now: Date): Promise<void>;
  /** commands were staged: publish what is due soon (after the caller's commit) rather than at the next tick */
  wake(): void;
  /** the clock (fixed in tests) */
  now(): Date;
}
