import type { Executor } from '../../../db/tx.js';
import { encodeCursor } from '../../../shared/pagination.js';
import { businessDate } from '../../../shared/business-time.js';
import { AppError, forbidden, invalid, notFound } from '../../../shared/errors.js';
import { insertAudit } from '../../audit/index.js';
import { accountInScope, findAccountInScope } from '../../customers/index.js';
import { auditBy, isRole, type Ctx, type Scope } from '../../org/index.js';
import { isSettled, penaltyOpenFen, principalOpenFen, withPenaltyThrough, type OpenBill } from '../domain/allocation.js';
import { isChannel } from '../domain/channels.js';
import { minimumOn } from '../domain/penalty.js';
import { mayApprove } from '../domain/permissions.js';
import { assessEntries, refundEntries, reversalEntries, settleEntries, waiverEntries, type PaymentEntry } from '../domain/posting.js';
import {
  allocationsOf,
  decideApproval,
  findApproval,
  findPayment,
  insertApproval,
  listApprovals,
  lockAccounts,
  markReversed,
  maxAllocationLine,
  openBillsOf,
  penaltyMinimums,
  settlementsOf,
  writePayments,
  type SettlementState,
} from '../payments.repository.js';
import { prepaidOf } from './prepaid.js';
import { appendEvents, balanceOf, eventRefsOf } from '../../ledger/index.js';
import { requirePayments } from './operator.js';
import { paymentInScope } from './queries.js';
import type { Approval, ApprovalInput, ApprovalKind, ApprovalStatus } from '../payments.types.js';

/**
 * Reversal (冲正), refund of prepaid balance (退费) and penalty waiver (违约金减免): each is requested, then
 * approved one level up (or rejected) by someone else who can see the account. Approval moves the money in
 * the same transaction, as balanced ledger transfers; everything is audited.
 */


export async function requestApproval(trx: Executor, ctx: Ctx, input: ApprovalInput) {
  requirePayments(ctx, 'payments.request', 'request reversals, refunds or waivers');
  const target = await resolveTarget(trx, ctx, input);
  try {
    const id = await insertApproval(trx, { ...target, kind: input.kind, reason: input.reason, requestedBy: ctx.actor.userId });
    await insertAudit(trx, { ...auditBy(ctx), action: `approval.request.${input.kind}`, entity: 'approval_request', entityId: id, detail: { ...target, reason: input.reason } });
    return getApproval(trx, ctx, id);
  } catch (e) {
    if ((e as { code?: string }).code === '23505') throw new AppError('CONFLICT', 'an open request of this kind already exists for it');
    throw e;
  }
}

/** What a request is about, checked now (and again at approval, when it may have changed). */
async function resolveTarget(trx: Executor, ctx: Ctx, input: ApprovalInput) {
  const today = businessDate(ctx.now);
  if (input.kind === 'payment.reversal') {
    if (input.paymentId === undefined) throw invalid('paymentId', 'required for a reversal');
    const p = await paymentInScope(trx, ctx, input.paymentId);
    if (p.reversed) throw invalid('paymentId', 'this payment is already reversed');
    return { accountId: p.account_id, paymentId: p.id, billId: null, amountFen: p.amount_fen };
  }
  if (input.accountId === undefined) throw invalid('accountId', 'required');
  await accountInScope(trx, ctx, input.accountId);
  const amountFen = input.amountFen;
  if (amountFen === undefined || !Number.isSafeInteger(amountFen) || amountFen <= 0) throw invalid('amountFen', 'a positive whole number of fen');
  if (input.kind === 'prepaid.refund') {
    const prepaid = await prepaidOf(trx, input.accountId);
    if (amountFen > prepaid) throw invalid('amountFen', `more than the prepaid balance (${prepaid} fen)`);
    return { accountId: input.accountId, paymentId: null, billId: null, amountFen };
  }
  if (input.billId === undefined) throw invalid('billId', 'required for a penalty waiver');
  const bill = await penaltyNow(trx, input.accountId, input.billId, today);
  if (amountFen > penaltyOpenFen(bill)) throw invalid('amountFen', `more than the bill's open penalty (${penaltyOpenFen(bill)} fen)`);
  return { accountId: input.accountId, paymentId: null, billId: input.billId, amountFen };
}

/** A bill's state with its penalty brought up to `day` (not yet posted). */
async function penaltyNow(trx: Executor, accountId: number, billId: number, day: string): Promise<OpenBill> {
  const bill = (await openBillsOf(trx, accountId)).find((b) => b.billId === billId);
  if (!bill) throw invalid('billId', 'no open bill with this id on the account');
  return withPenaltyThrough({ ...bill, principalDueFen: Number(bill.principalDueFen) }, day, minimumOn(await penaltyMinimums(trx), day));
}

export async function decide(trx: Executor, ctx: Ctx, id: number, decision: { approve: boolean; note?: string | undefined }) {
  const r = await approvalInScope(trx, ctx, id, true);
  if (r.status !== 'pending') throw new AppError('CONFLICT', `this request is already ${r.status}`);
  if (r.requested_by === ctx.actor.userId) throw forbidden('nobody decides their own request');
  if (!isRole(r.requested_by_role) || !mayApprove(ctx.actor.role, r.requested_by_role))
    throw forbidden(`a request by a ${r.requested_by_role} is decided one level up; your role (${ctx.actor.role}) may not`);
  if (decision.approve) await carryOut(trx, ctx, r);
  await decideApproval(trx, id, { status: decision.approve ? 'approved' : 'rejected', decidedBy: ctx.actor.userId, note: decision.note ?? null });
  await insertAudit(trx, { ...auditBy(ctx), action: `approval.${decision.approve ? 'approve' : 'reject'}.${r.kind}`, entity: 'approval_request', entityId: id, detail: { accountId: r.account_id, amountFen: r.amount_fen, note: decision.note ?? null } });
  return getApproval(trx, ctx, id);
}

type Request = NonNullable<Awaited<ReturnType<typeof findApproval>>>;

async function carryOut(trx: Executor, ctx: Ctx, r: Request): Promise<void> {
  await lockAccounts(trx, [r.account_id]);
  const today = businessDate(ctx.now);
  if (r.kind === 'payment.reversal') return reverse(trx, r, today);
  if (r.kind === 'prepaid.refund') {
    const prepaid = await prepaidOf(trx, r.account_id);
    if (r.amount_fen > prepaid) throw invalid('amountFen', `the prepaid balance is now ${prepaid} fen, less than the refund`);
    return post(trx, r.account_id, r.id, today, refundEntries(r.amount_fen), []);
  }
  const bill = await penaltyNow(trx, r.account_id, r.bill_id!, today);
  if (r.amount_fen > penaltyOpenFen(bill)) throw invalid('amountFen', `the bill's open penalty is now ${penaltyOpenFen(bill)} fen, less than the waiver`);
  const before = (await settlementsOf(trx, r.account_id, [bill.billId]))[0];
  const newlyCharged = bill.penaltyChargedFen - (before?.penalty_charged_fen ?? 0);
  const waived = { ...bill, penaltyWaivedFen: bill.penaltyWaivedFen + r.amount_fen };
  await post(trx, r.account_id, r.id, today, [...assessEntries(newlyCharged), ...waiverEntries(r.amount_fen)], [stateOf(r.account_id, waived, today)]);
}

/** Undoes a payment: its allocation lines negated, the bills' paid amounts restored, its transfer turned. */
async function reverse(trx: Executor, r: Request, today: string): Promise<void> {
  const p = await findPayment(trx, r.payment_id!);
  if (!p || !isChannel(p.channel)) throw notFound('payment');
  if (p.prepaid_fen > 0) {
    const prepaid = await prepaidOf(trx, p.account_id);
    if (prepaid < p.prepaid_fen) throw invalid('paymentId', `its prepaid part (${p.prepaid_fen} fen) is no longer all there (balance ${prepaid} fen)`);
  }
  if (!(await markReversed(trx, p.account_id, p.id))) throw new AppError('CONFLICT', 'this payment is already reversed');
  const lines = await allocationsOf(trx, p.account_id, p.id);
  const billIds = lines.flatMap((l) => (l.bill_id === null ? [] : [l.bill_id]));
  const states = new Map((await settlementsOf(trx, p.account_id, billIds)).map((s) => [s.bill_id, s]));
  const settlements: SettlementState[] = lines.flatMap((l) => {
    const s = l.bill_id === null ? undefined : states.get(l.bill_id);
    if (!s) return [];
    return [{ accountId: p.account_id, billId: s.bill_id, principalPaidFen: s.principal_paid_fen - l.principal_fen, penaltyAccruedMfen: s.penalty_accrued_mfen, penaltyThrough: s.penalty_through, penaltyChargedFen: s.penalty_charged_fen, penaltyPaidFen: s.penalty_paid_fen - l.penalty_fen, penaltyWaivedFen: s.penalty_waived_fen, settledOn: null }];
  });
  const first = (await maxAllocationLine(trx, p.account_id, p.id)) + 1;
  const allocations = lines.map((l, i) => ({ accountId: p.account_id, paymentId: p.id, lineNo: first + i, billId: l.bill_id, penaltyFen: -l.penalty_fen, principalFen: -l.principal_fen, prepaidFen: -l.prepaid_fen }));
  const entries = reversalEntries(p.channel, { amountFen: p.amount_fen, principalFen: p.principal_fen, penaltyFen: p.penalty_fen, prepaidFen: p.prepaid_fen });
  const posted = entries.map((e) => ({ ...e, accountId: p.account_id, refId: p.id, businessDate: today }));
  await writePayments(trx, { payments: [], allocations, settlements, entries: posted, refType: 'payment' });
  // money of this payment that a negative adjustment since moved to prepaid comes back out of prepaid
  const moved = await movedToPrepaid(trx, p.account_id);
  if (moved > 0) {
    const back = settleEntries(moved).map((e) => ({ ...e, accountId: p.account_id, refId: p.id, businessDate: today }));
    await writePayments(trx, { payments: [], allocations: [], settlements: [], entries: back, refType: 'payment' });
    posted.push(...back);
  }
  await appendEvents(trx, eventRefsOf('payment', posted));
}

/**
 * What receivable holds beyond the open principal of the account's bills, up to its prepaid balance: after a
 * reversal, the part of the payment that had been moved on to prepaid (an overpayment a negative adjustment
 * uncovered), which must leave prepaid again.
 */
async function movedToPrepaid(trx: Executor, accountId: number): Promise<number> {
  // one after the other: they share the transaction's one connection
  const receivable = await balanceOf(trx, accountId, 'receivable');
  const open = await openBillsOf(trx, accountId);
  const prepaid = await prepaidOf(trx, accountId);
  const openPrincipal = open.reduce((s, b) => s + principalOpenFen({ ...b, principalDueFen: Number(b.principalDueFen) }), 0);
  return Math.min(Math.max(receivable - openPrincipal, 0), prepaid);
}

async function post(trx: Executor, accountId: number, approvalId: number, day: string, entries: PaymentEntry[], settlements: SettlementState[]): Promise<void> {
  const posted = entries.map((e) => ({ ...e, accountId, refId: approvalId, businessDate: day }));
  await writePayments(trx, { payments: [], allocations: [], settlements, entries: posted, refType: 'approval' });
  await appendEvents(trx, eventRefsOf('approval', posted));
}

function stateOf(accountId: number, b: OpenBill, day: string): SettlementState {
  return {
    accountId,
    billId: b.billId,
    principalPaidFen: b.principalPaidFen,
    penaltyAccruedMfen: b.penaltyAccruedMfen,
    penaltyThrough: b.penaltyThrough,
    penaltyChargedFen: b.penaltyChargedFen,
    penaltyPaidFen: b.penaltyPaidFen,
    penaltyWaivedFen: b.penaltyWaivedFen,
    settledOn: isSettled(b) ? day : null,
  };
}

export async function getApproval(db: Executor, ctx: Ctx, id: number) {
  return approvalView(await approvalInScope(db, ctx, id));
}

export async function listApprovalRequests(db: Executor, ctx: Ctx, f: { status?: string | undefined; cursor: number | null; limit: number }) {
  const rows = await listApprovals(db, { scope: ctx.actor.scope as Scope, status: f.status, beforeId: f.cursor, limit: f.limit + 1 });
  const items = rows.slice(0, f.limit).map((r) => ({ ...approvalView(r), mayDecide: r.status === 'pending' && r.requested_by !== ctx.actor.userId && isRole(r.requested_by_role) && mayApprove(ctx.actor.role, r.requested_by_role) }));
  return { items, nextCursor: rows.length > f.limit ? encodeCursor(items[items.length - 1]!.id) : null };
}

function approvalView(r: Request): Approval {
  return {
    id: r.id,
    kind: r.kind as ApprovalKind,
    accountId: r.account_id,
    accountNo: r.account_no,
    accountName: r.account_name,
    paymentId: r.payment_id,
    billId: r.bill_id,
    amountFen: r.amount_fen,
    reason: r.reason,
    status: r.status as ApprovalStatus,
    requestedBy: r.requested_by_name,
    requestedByRole: r.requested_by_role,
    requestedAt: new Date(r.requested_at).toISOString(),
    decidedBy: r.decided_by_name,
    decidedAt: r.decided_at ? new Date(r.decided_at).toISOString() : null,
    decisionNote: r.decision_note,
  };
}

/** A request on an account the caller may see; another subtree's request is "not found" like a missing one. */
async function approvalInScope(db: Executor, ctx: Ctx, id: number, forUpdate = false) {
  const r = await findApproval(db, id, forUpdate);
  if (!r || !(await findAccountInScope(db, ctx.actor.scope, r.account_id))) throw notFound('approval request');
  return r;
}
