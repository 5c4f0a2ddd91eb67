import type { Db } from '../../../db/connect.js';
import { inTransaction, type Executor } from '../../../db/tx.js';
import { businessDate } from '../../../shared/business-time.js';
import { availableOf, decide, type FeeAccount } from '../domain/decide.js';
import { DEFAULT_POLICY, type FeeState } from '../domain/policy.js';
import { answerCommand, cancelCommands, claimDueCommands, escalate, guardRows, lockPositions, markSent, stageCommands, writePositions } from '../feecontrol.repository.js';
import { noticeOf, positionOf, recordChanges } from './daily-run.js';
import type { FeeControlDeps } from './deps.js';

/** A command as published on `<prefix>/ami/<meterNo>/cmd` (DESIGN §7). */
export interface CommandMessage {
  commandId: string;
  action: 'disconnect' | 'reconnect';
  issuedAt: string;
}

/** A head-end answer on `<prefix>/ami/<meterNo>/ack`; latency is measured to when Granary receives it, not to `at`. */
export interface AckMessage {
  commandId: string;
  status: 'done' | 'failed';
  at?: string;
  error?: string;
}

export interface CommandSettings {
  /** seconds to wait for an answer before sending again */
  ackSeconds: number;
  /** sends before a person takes over */
  attempts: number;
}

/** Back-off of the n-th retry: ackSeconds, then doubling, at most 15 minutes. */
export function retryDelayMs(s: CommandSettings, attempt: number): number {
  return Math.min(15 * 60_000, s.ackSeconds * 1000 * 2 ** Math.max(0, attempt - 1));
}

/**
 * Publishes every command due now: staged ones, and sent ones unanswered past their wait (sent again, same
 * commandId, so a head-end that did act answers the duplicate once more). Past the last attempt a command is
 * escalated to a person. Claimed `for update skip locked`, so dispatchers never send one command twice at once.
 */
export async function dispatchDue(db: Db, publish: (meterNo: string, message: CommandMessage) => Promise<void>, s: CommandSettings, now: () => Date): Promise<{ sent: number; escalated: number }> {
  let sent = 0;
  let escalated = 0;
  for (;;) {
    const n = await inTransaction(db, async (trx) => {
      const at = now();
      const due = await claimDueCommands(trx, at, 200);
      // a disconnection sent again (after a failure or no answer) is called off if the customer has paid since
      const paid = await callOffPaid(trx, due.filter((c) => c.action === 'disconnect'), at);
      const over = due.filter((c) => c.attempts >= s.attempts && !paid.has(c.id));
      const go = due.filter((c) => c.attempts < s.attempts && !paid.has(c.id));
      await escalate(trx, over.map((c) => c.id), `no answer after ${s.attempts} attempts`);
      await Promise.all(go.map((c) => publish(c.meter_no, { commandId: c.command_id, action: c.action, issuedAt: c.staged_at.toISOString() })));
      await markSent(trx, go.map((c) => c.id), at, go.map((c) => new Date(at.getTime() + retryDelayMs(s, c.attempts + 1))));
      sent += go.length;
      escalated += over.length;
      return due.length;
    });
    if (n < 200) return { sent, escalated };
  }
}

/**
 * Disconnections whose account's available balance is no longer below zero (a payment came while one was
 * out): cancelled, and the account back to normal or warned. The ids called off.
 */
async function callOffPaid(trx: Executor, cmds: readonly { id: number; account_id: number }[], now: Date): Promise<Set<number>> {
  if (cmds.length === 0) return new Set();
  const positions = (await lockPositions(trx, cmds.map((c) => c.account_id), false)).filter((p) => availableOf({ prepaidFen: p.prepaid_fen, owedFen: p.owed_fen, estimateFen: p.estimate_fen }) >= 0);
  if (positions.length === 0) return new Set();
  const facts = new Map((await guardRows(trx, positions.map((p) => p.account_id))).map((f) => [f.id, f]));
  const ids = cmds.filter((c) => positions.some((p) => p.account_id === c.account_id)).map((c) => c.id);
  await cancelCommands(trx, ids, 'paid while it was out');
  const today = businessDate(now);
  const writes = [];
  const changes: { accountId: number; from: FeeState; to: FeeState; reason: string }[] = [];
  for (const p of positions) {
    const f = facts.get(p.account_id);
    if (!f) continue;
    const account = accountOf(p, f);
    const d = decide(account, { today, hour: 12, blackout: null }, 'payment');
    writes.push(positionOf(account, d));
    if (d.state !== p.state) changes.push({ accountId: p.account_id, from: p.state, to: d.state, reason: `disconnection called off: ${d.reason}` });
  }
  await writePositions(trx, null, now, writes);
  await recordChanges(trx, changes, today);
  return new Set(ids);
}

/**
 * Applies a head-end answer: done → the account moves on (disconnected, or back to normal / warned, with a
 * notice); failed → sent again after the back-off, or escalated after the last attempt. A duplicate or an
 * answer to a command no longer waiting changes nothing. Returns what happened, for logs and metrics.
 */
export async function handleAck(db: Db, deps: FeeControlDeps, ack: AckMessage, s: CommandSettings, now: Date): Promise<{ outcome: 'applied' | 'ignored'; latencyMs?: number | null; action?: string }> {
  const result = await inTransaction(db, async (trx) => {
    const cmd = await answerCommand(trx, {
      commandId: ack.commandId,
      status: ack.status,
      at: now,
      error: ack.status === 'failed' ? (ack.error ?? 'failed').slice(0, 500) : null,
      retryAt: ack.status === 'failed' ? new Date(now.getTime() + retryDelayMs(s, 1)) : null,
      maxAttempts: s.attempts,
    });
    if (!cmd) return { outcome: 'ignored' as const };
    if (cmd.state === 'done') await afterDone(trx, deps, cmd.account_id, cmd.action, now);
    return { outcome: 'applied' as const, latencyMs: cmd.latency_ms, action: cmd.action };
  });
  deps.wake();
  return result;
}

/** A disconnection done: disconnected (and reconnected at once if money came meanwhile). A reconnection done: normal or warned. */
async function afterDone(trx: Executor, deps: FeeControlDeps, accountId: number, action: 'disconnect' | 'reconnect', now: Date): Promise<void> {
  const today = businessDate(now);
  const [pos] = await lockPositions(trx, [accountId]);
  if (!pos) return;
  const [facts] = await guardRows(trx, [accountId]);
  if (!facts) return;
  const state: FeeState = action === 'disconnect' ? 'disconnected' : 'normal';
  const account: FeeAccount = { ...accountOf(pos, facts), state, openCommand: null };
  const d = decide(account, { today, hour: 12, blackout: null }, 'payment');
  const changes: { accountId: number; from: FeeState; to: FeeState; reason: string }[] = [{ accountId, from: pos.state, to: state, reason: action === 'disconnect' ? 'disconnected by the head-end' : 'reconnected by the head-end' }];
  if (d.state !== state) changes.push({ accountId, from: state, to: d.state, reason: d.reason });
  await writePositions(trx, null, now, [positionOf(account, d)]);
  if (d.command === 'reconnect') await stageCommands(trx, [{ accountId, action: 'reconnect', cause: 'paid while disconnecting' }], now);
  const kind = action === 'disconnect' ? 'disconnected' : 'reconnected';
  await deps.notify(trx, [{ ...noticeOf(accountId, { ...d, notice: kind }, today, DEFAULT_POLICY, facts.category), dedupeKey: `${accountId}:${kind}:${now.toISOString()}` }], now);
  await recordChanges(trx, changes, today);
}

type Position = Awaited<ReturnType<typeof lockPositions>>[number];
type Facts = Awaited<ReturnType<typeof guardRows>>[number];

export function accountOf(pos: Position, facts: Facts): FeeAccount {
  return {
    accountId: pos.account_id,
    state: pos.state,
    warnFen: pos.warn_fen,
    belowZeroOn: pos.below_zero_on,
    prepaidFen: pos.prepaid_fen,
    owedFen: pos.owed_fen,
    estimateFen: pos.estimate_fen,
    dailyFen: pos.daily_fen,
    openCommand: null,
    category: facts.category,
    paymentMode: facts.payment_mode,
    isImportant: facts.is_important,
    isMedical: facts.is_medical,
    isHeatingCompany: facts.is_heating_company,
    isVulnerable: facts.is_vulnerable,
    approved: false,
  };
}
