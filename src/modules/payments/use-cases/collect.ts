import type pg from 'pg';
import { GroupCommit, type ItemResult } from '../../../db/group-commit.js';
import { commitSent, PipelinedTransactor } from '../../../db/pipeline.js';
import type { Executor } from '../../../db/tx.js';
import { businessDate } from '../../../shared/business-time.js';
import { AppError, notFound } from '../../../shared/errors.js';
import { insertAudits } from '../../audit/index.js';
import { findAccountsInScope } from '../../customers/index.js';
import { auditBy, type Ctx } from '../../org/index.js';
import { claimKeys, inFlight, storeKeys, type IdempotentRequest, type IdempotentResult } from '../../idempotency/index.js';
import { requirePayments } from './operator.js';
import { allocatePayments, readForPayments, writePlan, type ApplyOutcome, type PaymentIntake } from './apply-payments.js';
import type { CounterPayment, Payment } from '../payments.types.js';
import { receiptNo } from './queries.js';
import { counterTxnId } from '../domain/counter-txn.js';

/** One cashier's request: who, under which Idempotency-Key, what. */
export interface CounterRequest {
  ctx: Ctx;
  key: string;
  input: CounterPayment;
}

export type CounterAnswer = IdempotentResult<Payment>;

/**
 * Counter payments taken at the same moment share one transaction (group commit): under load a batch is
 * what arrived while the last one was written, at most maxBatch, on a pipelined connection (pipeline.ts).
 * A lone payment is written at once. One batch at a time: with two flights per batch, more in flight
 * only split the batches (measured with 1, 2, 3 and 5 on 2 cores: 1,900–2,000 payments/s with one,
 * 1,400–1,600 with two, 1,100–1,300 with three; a second batch started once the first had sent its
 * COMMIT halved the batches too: 1,312/s against 2,067/s). Instead the next batch starts when the last
 * one's COMMIT is answered, and the last one's requests are answered once the next has sent its second
 * flight (`sent`; group-commit.ts). The cost: a batch waiting for an account another
 * transaction holds (a bank-file step, about a second) holds up the counter's next batch as long.
 */
export const COUNTER_BATCHING = { maxBatch: 64, maxInFlight: 1 };

/** The counter's group commit, on connections of its own made like `pool`'s; close it with the app. */
export function counterDesk(pool: pg.Pool, opts = COUNTER_BATCHING): GroupCommit<CounterRequest, CounterAnswer> {
  return new GroupCommit(new PipelinedTransactor(pool, opts.maxInFlight), collectAtCounter, opts);
}

/**
 * Payments taken at the counter (坐收) by cashiers, in the caller's transaction, with a constant number of
 * queries for the whole batch: each applied once per Idempotency-Key (the key also names the payment's
 * channel transaction, so even a lost key row could not apply it twice), audited, and answered with its
 * receipt — the payment and where its money went, built from what was just written (the same as GET
 * /payments/:id gives). A refused request (role, key in flight or reused, account not in scope) writes
 * nothing and does not stop the others.
 *
 * The statements go in two flights, each sent whole before its answers are awaited (one round trip each on
 * a pipelined transaction): BEGIN, the key claims, the scope checks and the payments core's lock and read
 * for every request; then, for those still standing, the payments write, the audit, the keys and COMMIT.
 * Locking or reading an account for a request that is then refused changes nothing.
 */
export async function collectAtCounter(trx: Executor, requests: readonly CounterRequest[], sent: () => void): Promise<ItemResult<CounterAnswer>[]> {
  const out: ItemResult<CounterAnswer>[] = [];
  const answer = (p: Pending, result: ItemResult<CounterAnswer>) => ((out[p.index] = result), false);
  const refuse = (p: Pending, error: unknown) => answer(p, { ok: false, error });

  let open: Pending[] = requests.map((request, index) => ({ index, request, key: keyRequest(request), intake: intakeOf(request), requestHash: '', account: null }));
  open = open.filter((p) => {
    const error = roleRefusal(p.request.ctx);
    return error === null || refuse(p, error);
  });
  if (open.length === 0) return out;

  const [claims, , read] = await Promise.all([
    claimKeys<Payment>(trx, open.map((p) => p.key)),
    findAccounts(trx, open),
    readForPayments(trx, open.map((p) => p.intake)),
  ]);
  open = open.filter((p, n) => {
    const claim = claims[n]!;
    if (claim instanceof AppError) return refuse(p, claim);
    if (claim.kind === 'replay') return answer(p, { ok: true, value: { statusCode: claim.statusCode, body: claim.body, replayed: true } });
    p.requestHash = claim.requestHash;
    return true;
  });
  open = open.filter((p) => p.account !== null || refuse(p, notFound('account')));

  const plan = allocatePayments(read, open.map((p) => p.intake));
  const applied: { p: Pending; receipt: Payment }[] = [];
  open.forEach((p, n) => {
    const outcome = plan.outcomes[n]!;
    // Applied under this key by a request that committed while this one took the key's lock: the key
    // row is there now, and the retry the client makes on 409 replays it.
    if (outcome.status !== 'applied') refuse(p, inFlight());
    else applied.push({ p, receipt: receiptOf(p, outcome) });
  });

  const written = Promise.all([
    writePlan(trx, plan, { strict: true }),
    insertAudits(
      trx,
      applied.map(({ p, receipt }) => ({
        ...auditBy(p.request.ctx),
        action: 'payment.counter',
        entity: 'payment',
        entityId: receipt.id,
        detail: { accountId: receipt.accountId, amountFen: receipt.amountFen, businessDate: receipt.businessDate },
      })),
    ),
    storeKeys(trx, applied.map(({ p, receipt }) => ({ request: p.key, requestHash: p.requestHash, statusCode: 201, body: receipt }))),
  ]);
  // Everything is decided and sent: the COMMIT goes with it (the strict write fails the transaction
  // rather than leave a payment out), and the group commit may write the last batch's answers.
  commitSent(trx);
  sent();
  await written;
  for (const { p, receipt } of applied) answer(p, { ok: true, value: { statusCode: 201, body: receipt, replayed: false } });
  return out;
}

interface Pending {
  index: number;
  request: CounterRequest;
  key: IdempotentRequest;
  intake: PaymentIntake;
  requestHash: string;
  account: { account_no: string; name: string } | null;
}

function roleRefusal(ctx: Ctx): unknown {
  try {
    requirePayments(ctx, 'payments.collect', 'take payments at the counter');
    return null;
  } catch (error) {
    return error;
  }
}

function keyRequest({ ctx, key, input }: CounterRequest): IdempotentRequest {
  return { scope: `user:${ctx.actor.userId}`, key, method: 'POST', route: '/payments', body: input };
}

/** Each request's account when its cashier may see it: one query per distinct scope in the batch, sent together. */
async function findAccounts(trx: Executor, open: Pending[]): Promise<void> {
  const byScope = new Map<string, Pending[]>();
  for (const p of open) {
    const id = JSON.stringify(p.request.ctx.actor.scope);
    const group = byScope.get(id);
    if (group) group.push(p);
    else byScope.set(id, [p]);
  }
  const groups = [...byScope.values()];
  const found = await Promise.all(groups.map((g) => findAccountsInScope(trx, g[0]!.request.ctx.actor.scope, [...new Set(g.map((p) => p.request.input.accountId))])));
  groups.forEach((group, n) => {
    const byId = new Map(found[n]!.map((r) => [r.id, r]));
    for (const p of group) p.account = byId.get(p.request.input.accountId) ?? null;
  });
}

function intakeOf({ ctx, key, input }: CounterRequest): PaymentIntake {
  return {
    accountId: input.accountId,
    channel: 'counter',
    channelTxnId: counterTxnId(ctx.actor.userId, key),
    amountFen: input.amountFen,
    paidAt: ctx.now,
    operatorId: ctx.actor.userId,
  };
}

function receiptOf(p: Pending, outcome: Extract<ApplyOutcome, { status: 'applied' }>): Payment {
  const { ctx, input } = p.request;
  const account = p.account!;
  const day = businessDate(ctx.now);
  return {
    id: outcome.paymentId,
    accountId: input.accountId,
    accountNo: account.account_no,
    accountName: account.name,
    channel: 'counter',
    channelTxnId: p.intake.channelTxnId,
    amountFen: outcome.amountFen,
    principalFen: outcome.principalFen,
    penaltyFen: outcome.penaltyFen,
    prepaidFen: outcome.prepaidFen,
    paidAt: ctx.now.toISOString(),
    businessDate: day,
    operatorName: ctx.actor.displayName,
    reversed: false,
    receiptNo: receiptNo(outcome.paymentId, day),
    allocations: outcome.lines,
  };
}
