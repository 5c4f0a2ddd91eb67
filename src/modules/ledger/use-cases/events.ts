import type { Db } from '../../../db/connect.js';
import { inTransaction, type Executor, type Trx } from '../../../db/tx.js';
import type { Scope } from '../../org/index.js';
import type { AccountEvent, EventPage } from '../ledger.types.js';
import { eventsAfter, lockCursor, storeCursor } from '../ledger.repository.js';

/** Events of the scope's accounts after a cursor, oldest first: `{items, nextCursor}` (the last seq, or the same cursor). */
export async function readEvents(db: Executor, scope: Scope, f: { after: number; limit: number; accountId?: number | undefined }): Promise<EventPage> {
  const items = await eventsAfter(db, { ...f, scope });
  return { items, nextCursor: String(items.length > 0 ? items[items.length - 1]!.seq : f.after) };
}

/**
 * An in-process consumer of account events (fee control, dunning …): `handle` gets each batch in the
 * transaction that then stores the consumer's cursor, so what it does with the events and the cursor commit
 * together — a consumer that stops anywhere resumes after the last batch it committed, and sees no event
 * twice and misses none. One runner per consumer name at a time (its cursor row is locked per pass).
 */
export interface EventConsumer {
  name: string;
  handle(trx: Trx, events: readonly AccountEvent[]): Promise<void>;
  /** events per transaction (default 500) */
  batch?: number;
}

/** One pass: every event after the consumer's cursor, in batches, each in its own transaction. Returns how many. */
export async function consumeEvents(db: Db, consumer: EventConsumer): Promise<number> {
  const size = consumer.batch ?? 500;
  let total = 0;
  for (;;) {
    const n = await inTransaction(db, async (trx) => {
      const after = await lockCursor(trx, consumer.name);
      const events = await eventsAfter(trx, { after, limit: size, scope: null });
      if (events.length === 0) return 0;
      await consumer.handle(trx, events);
      await storeCursor(trx, consumer.name, events[events.length - 1]!.seq);
      return events.length;
    });
    total += n;
    if (n < size) return total;
  }
}

export interface Subscription {
  /** run a pass now rather than at the next poll */
  wake(): void;
  /** stops after the pass in progress, if any */
  stop(): Promise<void>;
}

/**
 * Subscribes a consumer: a pass now, then one every `pollMs` (default 250) or on `wake()`. A pass that fails
 * is reported to `onError` and retried at the next poll, from the stored cursor.
 */
export function subscribeEvents(db: Db, consumer: EventConsumer, opts: { pollMs?: number; onError?: (err: unknown) => void } = {}): Subscription {
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> = Promise.resolve();
  const pass = () => {
    if (stopped) return;
    if (timer) clearTimeout(timer);
    timer = null;
    running = running
      .then(() => consumeEvents(db, consumer))
      .then(
        () => undefined,
        (err: unknown) => opts.onError?.(err),
      )
      .then(() => {
        if (!stopped) timer = setTimeout(pass, opts.pollMs ?? 250);
      });
  };
  pass();
  return {
    wake: pass,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
