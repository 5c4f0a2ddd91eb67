import type { Executor } from '../../../db/tx.js';
import { businessDate } from '../../../shared/business-time.js';
import { AppError, forbidden, invalid, notFound } from '../../../shared/errors.js';
import { insertAudit, insertAudits } from '../../audit/index.js';
import { accountInScope } from '../../customers/index.js';
import { balancesOfBook } from '../../ledger/index.js';
import { auditBy, ROLE_LEVEL, type Ctx } from '../../org/index.js';
import { DEFAULT_POLICY, disconnectionHeld, type FeePolicy } from '../domain/policy.js';
import {
  approvalInScope,
  approvalsByIds,
  approvalTargets,
  approvedDisconnections,
  blackoutOf,
  cancelCommand as cancelEscalated,
  commandInScope,
  deleteBlackoutDay,
  finishRun,
  guardRows,
  insertApprovals,
  insertRun,
  lockPositions,
  positionsInScope,
  restageCommand,
  setFeeState,
  shareLockAccounts,
  upsertBlackoutDay,
  upsertWarnFen,
  writeApprovalDecision,
} from '../feecontrol.repository.js';
import type { ApprovalDecisionInput, ApprovalRequestInput, BlackoutDay, BlackoutInput, DisconnectApproval, FeePosition, MeterCommand } from '../feecontrol.types.js';
import type { RunSummary } from './daily-run.js';
import { recordChanges } from './daily-run.js';
import { needsCompanyApproval, presentApproval, presentCommand, presentPosition, requireFeeControl } from './queries.js';

/**
 * What people do to fee control (RULES §7–8): retry or cancel an escalated command, keep the blackout calendar,
 * request and decide disconnection approvals, set a customer's warning amount. Each is audited in the
 * transaction of its change; the caller owns the transaction.
 */

/** The hour in the business time zone (UTC+8). */
const localHour = (now: Date) => (now.getUTCHours() + 8) % 24;

// ——— commands ———

/**
 * Sends an escalated (or failed) command again from its first attempt. A disconnection is sent again only while
 * it is still due: the account pending, its available balance below zero when this commits (read after locking
 * the account against a payment in flight), and no guard holding it now (night, blackout day, protection).
 */
export async function retryCommand(trx: Executor, ctx: Ctx, id: number, policy: FeePolicy = DEFAULT_POLICY): Promise<MeterCommand> {
  requireFeeControl(ctx, 'feecontrol.manage', 'retry meter commands');
  const cmd = await commandInScope(trx, ctx.actor.scope, id, true);
  if (!cmd) throw notFound('meter command');
  if (cmd.state !== 'escalated' && cmd.state !== 'failed') throw new AppError('CONFLICT', `this command is ${cmd.state}: only an escalated or failed one is retried`);
  if (cmd.action === 'disconnect') {
    await shareLockAccounts(trx, [cmd.account_id]);
    const [pos] = await lockPositions(trx, [cmd.account_id]);
    const [facts] = await guardRows(trx, [cmd.account_id]);
    if (!pos || !facts || pos.state !== 'pending') throw new AppError('CONFLICT', `the account is ${pos?.state ?? 'not under fee control'}: its disconnection is no longer due`);
    const prepaid = -((await balancesOfBook(trx, [cmd.account_id], 'prepaid')).get(cmd.account_id) ?? 0);
    if (prepaid - pos.estimate_fen >= 0) throw new AppError('CONFLICT', 'the available balance is no longer below zero: the disconnection is no longer due');
    const today = businessDate(ctx.now);
    const approved = (await approvedDisconnections(trx, [cmd.account_id])).has(cmd.account_id);
    const held = disconnectionHeld(
      {
        category: facts.category,
        paymentMode: facts.payment_mode,
        isImportant: facts.is_important,
        isMedical: facts.is_medical,
        isHeatingCompany: facts.is_heating_company,
        isVulnerable: facts.is_vulnerable,
        belowZeroOn: pos.below_zero_on ?? today,
        approved,
      },
      { today, hour: localHour(ctx.now), blackout: await blackoutOf(trx, today) },
      policy,
    );
    if (held) throw new AppError('CONFLICT', `the disconnection is held now: ${held}`);
  }
  if (!(await restageCommand(trx, cmd.id, ctx.now))) throw new AppError('CONFLICT', 'another command of this account is in flight');
  await insertAudit(trx, { ...auditBy(ctx), action: 'feecontrol.command.retry', entity: 'meter_command', entityId: cmd.id, detail: { accountId: cmd.account_id, action: cmd.action, attempts: cmd.attempts, lastError: cmd.last_error } });
  return presentCommand((await commandInScope(trx, ctx.actor.scope, id))!);
}

/**
 * A person gives up an escalated command: it is never sent again. A cancelled reconnection puts the account back
 * to disconnected (the meter is not known to be on), so the next payment or run stages a fresh one; a cancelled
 * disconnection leaves it pending for the next run's guards.
 */
export async function cancelCommand(trx: Executor, ctx: Ctx, id: number): Promise<MeterCommand> {
  requireFeeControl(ctx, 'feecontrol.manage', 'cancel meter commands');
  const cmd = await commandInScope(trx, ctx.actor.scope, id, true);
  if (!cmd) throw notFound('meter command');
  if (!(await cancelEscalated(trx, cmd.id, `cancelled by ${ctx.actor.username}`))) throw new AppError('CONFLICT', `this command is ${cmd.state}: only an escalated one is cancelled`);
  await insertAudit(trx, { ...auditBy(ctx), action: 'feecontrol.command.cancel', entity: 'meter_command', entityId: cmd.id, detail: { accountId: cmd.account_id, action: cmd.action, lastError: cmd.last_error } });
  if (cmd.action === 'reconnect') {
    const [pos] = await lockPositions(trx, [cmd.account_id]);
    if (pos?.state === 'reconnecting') {
      await setFeeState(trx, cmd.account_id, 'disconnected', ctx.now);
      await recordChanges(trx, [{ accountId: cmd.account_id, from: 'reconnecting', to: 'disconnected', reason: `reconnect cancelled by ${ctx.actor.username}` }], businessDate(ctx.now));
    }
  }
  return presentCommand((await commandInScope(trx, ctx.actor.scope, id))!);
}

// ——— blackout calendar ———

export async function addBlackoutDay(trx: Executor, ctx: Ctx, input: BlackoutInput): Promise<BlackoutDay> {
  requireFeeControl(ctx, 'feecontrol.manage', 'edit the blackout calendar');
  const today = businessDate(ctx.now);
  if (input.day < today) throw invalid('day', `a day from today (${today}) on`);
  const note = input.note?.trim() ?? '';
  await upsertBlackoutDay(trx, { day: input.day, kind: input.kind, note, createdBy: ctx.actor.userId });
  await insertAudit(trx, { ...auditBy(ctx), action: 'feecontrol.blackout.add', entity: 'blackout_day', entityId: input.day, detail: { kind: input.kind, note } });
  return { day: input.day, kind: input.kind, note, createdBy: ctx.actor.displayName, createdAt: ctx.now.toISOString() };
}

export async function removeBlackoutDay(trx: Executor, ctx: Ctx, day: string): Promise<void> {
  requireFeeControl(ctx, 'feecontrol.manage', 'edit the blackout calendar');
  const removed = await deleteBlackoutDay(trx, day);
  if (!removed) throw notFound('blackout day');
  await insertAudit(trx, { ...auditBy(ctx), action: 'feecontrol.blackout.remove', entity: 'blackout_day', entityId: day, detail: { kind: removed.kind, note: removed.note } });
}

// ——— approvals ———

/**
 * Asks for approval of disconnecting accounts the guards hold for approval: protected or high-voltage customers
 * (company level), or a bulk disconnection (two approvers; always so above the bulk threshold). Accounts outside
 * the scope are not found; one that needs no approval, or already has one open, refuses the whole request.
 */
export async function requestApprovals(trx: Executor, ctx: Ctx, input: ApprovalRequestInput, policy: FeePolicy = DEFAULT_POLICY): Promise<{ items: DisconnectApproval[] }> {
  requireFeeControl(ctx, 'feecontrol.manage', 'request disconnection approvals');
  const today = businessDate(ctx.now);
  const ids = [...new Set(input.accountIds)];
  const targets = await approvalTargets(trx, ctx.actor.scope, ids);
  if (targets.length !== ids.length) throw notFound('account');
  const bulk = input.bulk === true || ids.length > policy.bulkAbove;
  for (const a of targets) {
    if (a.payment_mode !== 'smart_prepaid' && a.payment_mode !== 'purchase_before_use') throw invalid('accountIds', `account ${a.account_no} is not on prepaid fee control`);
    if (a.open_approval !== null) throw new AppError('CONFLICT', `account ${a.account_no} already has an open approval (${a.open_approval})`, { errors: [{ field: 'accountIds', message: 'an open approval exists' }] });
    if (!bulk && !needsCompanyApproval(a, today, policy)) throw invalid('accountIds', `account ${a.account_no} is not protected: its disconnection needs no approval unless it is part of a bulk one`);
  }
  const reason = input.reason.trim();
  let created: number[];
  try {
    created = await insertApprovals(trx, targets.map((a) => ({ accountId: a.id, reason, bulk })), ctx.now);
  } catch (e) {
    if ((e as { code?: string }).code === '23505') throw new AppError('CONFLICT', 'an open approval already exists for one of these accounts');
    throw e;
  }
  await insertAudits(
    trx,
    created.map((id, i) => ({ ...auditBy(ctx), action: 'feecontrol.approval.request', entity: 'disconnect_approval', entityId: id, detail: { accountId: targets[i]!.id, bulk, reason } })),
  );
  const rows = await approvalsByIds(trx, ctx.actor.scope, created);
  return { items: rows.map((r) => presentApproval(ctx, r, today)) };
}

/**
 * Approves or rejects a disconnection. A protected or high-voltage customer's is decided at company level; a
 * station head decides those of its station (its scope) otherwise. A bulk one needs a second approver who is
 * another person; a rejection by either ends it.
 */
export async function decideApproval(trx: Executor, ctx: Ctx, id: number, input: ApprovalDecisionInput): Promise<DisconnectApproval> {
  requireFeeControl(ctx, 'feecontrol.approve', 'decide disconnection approvals');
  const today = businessDate(ctx.now);
  const r = await approvalInScope(trx, ctx.actor.scope, id, true);
  if (!r) throw notFound('disconnection approval');
  if (r.status !== 'pending') throw new AppError('CONFLICT', `this approval is already ${r.status}`);
  if (needsCompanyApproval(r, today) && ROLE_LEVEL[ctx.actor.role] !== 'company')
    throw forbidden('a protected or high-voltage customer’s disconnection is approved at company level');
  if (r.first_by === ctx.actor.userId) throw forbidden('the second approver of a bulk disconnection must be another person');
  const slot = r.first_by === null ? 'first' : 'second';
  const status = !input.approve ? 'rejected' : r.bulk && slot === 'first' ? 'pending' : 'approved';
  await writeApprovalDecision(trx, id, { status, slot, by: ctx.actor.userId, at: ctx.now });
  await insertAudit(trx, {
    ...auditBy(ctx),
    action: `feecontrol.approval.${input.approve ? 'approve' : 'reject'}`,
    entity: 'disconnect_approval',
    entityId: id,
    detail: { accountId: r.account_id, bulk: r.bulk, slot, status, note: input.note ?? null },
  });
  return presentApproval(ctx, (await approvalInScope(trx, ctx.actor.scope, id))!, today);
}

// ——— one account ———

/** The customer's warning amount (RULES §8.3: 10–200 元); the next run and payment warn by it. */
export async function setWarningAmount(trx: Executor, ctx: Ctx, accountId: number, warnFen: number): Promise<FeePosition> {
  requireFeeControl(ctx, 'customers.write', "change a customer's warning amount");
  const account = await accountInScope(trx, ctx, accountId);
  if (account.payment_mode !== 'smart_prepaid' && account.payment_mode !== 'purchase_before_use') throw invalid('warnFen', 'the account is not on prepaid fee control');
  const [before] = await lockPositions(trx, [accountId]);
  await upsertWarnFen(trx, accountId, warnFen, ctx.now);
  await insertAudit(trx, { ...auditBy(ctx), action: 'feecontrol.warning', entity: 'account', entityId: accountId, detail: { warnFen, before: before?.warn_fen ?? null } });
  const [row] = await positionsInScope(trx, ctx.actor.scope, { accountIds: [accountId], afterId: 0, limit: 1 });
  return presentPosition(row!, businessDate(ctx.now));
}

// ——— the day's run ———

/**
 * Runs the day's fee control with a row in fee_control_run (running → done with its summary, or failed with the
 * error), so the monitor shows the latest run. The workflows' daily job and "run today now" wrap the run in it.
 */
export async function recordFeeControlRun(db: Executor, businessDay: string, now: () => Date, run: () => Promise<RunSummary>): Promise<RunSummary> {
  const id = await insertRun(db, businessDay, now());
  try {
    const summary = await run();
    await finishRun(db, id, { status: 'done', now: now(), accounts: summary.accounts, summary, error: null });
    return summary;
  } catch (err) {
    await finishRun(db, id, { status: 'failed', now: now(), accounts: 0, summary: {}, error: String(err).slice(0, 1000) });
    throw err;
  }
}
