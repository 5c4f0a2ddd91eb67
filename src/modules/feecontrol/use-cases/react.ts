import type { Trx } from '../../../db/tx.js';
import type { AccountEvent, EventConsumer } from '../../ledger/index.js';
import { decide } from '../domain/decide.js';
import { DEFAULT_POLICY } from '../domain/policy.js';
import { cancelStagedDisconnects, guardRows, lockPositions, openCommands, stageCommands, writePositions } from '../feecontrol.repository.js';
import { accountOf } from './commands.js';
import { noticeOf, positionOf, recordChanges } from './daily-run.js';
import type { FeeControlDeps } from './deps.js';

export const FEE_CONTROL_CONSUMER = 'fee-control';

/**
 * The events that move an account's available balance between runs. Not a bill's issue (its settlement from
 * prepaid included) nor a penalty charged: the estimate still holds that period's charge until the next run.
 */
const MOVES_AVAILABLE = new Set<string>(['payment.applied', 'payment.reversed', 'prepaid.refunded', 'prepaid.credited', 'bill.adjusted', 'penalty.waived']);

/**
 * Fee control's reaction to money moving (an account-event consumer): a payment, refund or reversal on a
 * prepaid account moves its available balance at once — a disconnected meter whose available balance is
 * now above zero gets its reconnect staged in the same transaction, a disconnection not yet sent is
 * cancelled. Only the daily run disconnects.
 */
export function feeControlConsumer(deps: FeeControlDeps): EventConsumer {
  return {
    name: FEE_CONTROL_CONSUMER,
    async handle(trx: Trx, events: readonly AccountEvent[]) {
      const latest = new Map<number, AccountEvent>();
      for (const e of events) if (MOVES_AVAILABLE.has(e.kind)) latest.set(e.accountId, e);
      if (latest.size === 0) return;
      const ids = [...latest.keys()].sort((a, b) => a - b);
      const positions = await lockPositions(trx, ids);
      if (positions.length === 0) return;
      const [facts, open] = await Promise.all([guardRows(trx, positions.map((p) => p.account_id)), openCommands(trx, positions.map((p) => p.account_id))]);
      const factsOf = new Map(facts.map((f) => [f.id, f]));
      const now = deps.now();
      const writes = [];
      const changes = [];
      const notices = [];
      const reconnect: number[] = [];
      const cancel: number[] = [];
      for (const pos of positions) {
        const f = factsOf.get(pos.account_id);
        const ev = latest.get(pos.account_id)!;
        if (!f) continue;
        const account = { ...accountOf(pos, f), prepaidFen: ev.prepaidFen, owedFen: ev.receivableFen + ev.penaltyFen, openCommand: open.get(pos.account_id)?.action ?? null };
        const d = decide(account, { today: ev.businessDate, hour: 12, blackout: null }, 'payment');
        // a disconnection already sent cannot be called back: stay pending, its answer decides
        const inFlight = d.command === 'cancel_disconnect' && open.get(pos.account_id)?.state === 'sent';
        const next = inFlight ? { ...d, state: 'pending' as const, notice: null } : d;
        writes.push(positionOf(account, next));
        if (next.state !== account.state) changes.push({ accountId: pos.account_id, from: account.state, to: next.state, reason: `${ev.kind}: ${next.reason}` });
        if (next.notice) notices.push(noticeOf(pos.account_id, next, ev.businessDate, DEFAULT_POLICY, f.category));
        if (next.command === 'reconnect') reconnect.push(pos.account_id);
        if (next.command === 'cancel_disconnect' && !inFlight) cancel.push(pos.account_id);
      }
      await writePositions(trx, null, now, writes);
      await cancelStagedDisconnects(trx, cancel, 'paid before it was sent');
      await stageCommands(trx, reconnect.map((accountId) => ({ accountId, action: 'reconnect' as const, cause: 'payment' })), now);
      await deps.notify(trx, notices, now);
      await recordChanges(trx, changes, events[events.length - 1]!.businessDate);
      if (reconnect.length > 0) deps.wake();
    },
  };
}
