import type { Executor } from '../../../db/tx.js';
import { businessDate } from '../../../shared/business-time.js';
import { insertAudit } from '../../audit/index.js';
import { accountInScope } from '../../customers/index.js';
import { auditBy, type Ctx } from '../../org/index.js';
import { idempotent, inFlight } from '../../idempotency/index.js';
import { requirePayments } from './operator.js';
import { applyPayment } from './apply-payments.js';
import { receiptNo, type PaymentView } from './queries.js';

export interface CounterPayment {
  accountId: number;
  amountFen: number;
}

/**
 * A payment taken at the counter (坐收) by a cashier: applied once per Idempotency-Key (the key also names
 * the payment's channel transaction, so even a lost key row could not apply it twice), audited, and
 * answered with the receipt: the payment and where its money went, built from what was just written
 * (the same as GET /payments/:id gives).
 */
export async function collectAtCounter(trx: Executor, ctx: Ctx, key: string, input: CounterPayment): Promise<{ statusCode: number; body: PaymentView; replayed: boolean }> {
  requirePayments(ctx, 'payments.collect', 'take payments at the counter');
  const channelTxnId = `CTR-${ctx.actor.userId}-${key}`;
  return idempotent(trx, { scope: `user:${ctx.actor.userId}`, key, method: 'POST', route: '/payments', body: input }, async () => {
    const account = await accountInScope(trx, ctx, input.accountId);
    const outcome = await applyPayment(trx, {
      accountId: input.accountId,
      channel: 'counter',
      channelTxnId,
      amountFen: input.amountFen,
      paidAt: ctx.now,
      operatorId: ctx.actor.userId,
    });
    // Applied under this key by a request that committed while this one took the key's lock: the key row
    // is there now, and the retry the client makes on 409 replays it.
    if (outcome.status !== 'applied') throw inFlight();
    const day = businessDate(ctx.now);
    await insertAudit(trx, { ...auditBy(ctx), action: 'payment.counter', entity: 'payment', entityId: outcome.paymentId, detail: { accountId: input.accountId, amountFen: input.amountFen, businessDate: day } });
    const body: PaymentView = {
      id: outcome.paymentId,
      accountId: account.id,
      accountNo: account.account_no,
      accountName: account.name,
      channel: 'counter',
      channelTxnId,
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
    return { statusCode: 201, body };
  });
}
