import type { Executor } from '../../../db/tx.js';
import { businessDate } from '../../../shared/business-time.js';
import { insertAudit } from '../../audit/index.js';
import { accountInScope } from '../../customers/index.js';
import { auditBy, type Ctx } from '../../org/index.js';
import { idempotent } from '../../idempotency/index.js';
import { requirePayments } from './operator.js';
import { applyPayment } from './apply-payments.js';
import { getPayment, type PaymentView } from './queries.js';

export interface CounterPayment {
  accountId: number;
  amountFen: number;
}

/**
 * A payment taken at the counter (坐收) by a cashier: applied once per Idempotency-Key (the key also names
 * the payment's channel transaction, so even a lost key row could not apply it twice), audited, and
 * answered with the receipt: the payment and where its money went.
 */
export async function collectAtCounter(trx: Executor, ctx: Ctx, key: string, input: CounterPayment): Promise<{ statusCode: number; body: PaymentView; replayed: boolean }> {
  requirePayments(ctx, 'payments.collect', 'take payments at the counter');
  return idempotent(trx, { scope: `user:${ctx.actor.userId}`, key, method: 'POST', route: '/payments', body: input }, async () => {
    await accountInScope(trx, ctx, input.accountId);
    const outcome = await applyPayment(trx, {
      accountId: input.accountId,
      channel: 'counter',
      channelTxnId: `CTR-${ctx.actor.userId}-${key}`,
      amountFen: input.amountFen,
      paidAt: ctx.now,
      operatorId: ctx.actor.userId,
    });
    // the key row is new, so the channel transaction derived from it is too
    if (outcome.status !== 'applied') throw new Error(`counter payment ${key} was already applied without its key`);
    await insertAudit(trx, { ...auditBy(ctx), action: 'payment.counter', entity: 'payment', entityId: outcome.paymentId, detail: { accountId: input.accountId, amountFen: input.amountFen, businessDate: businessDate(ctx.now) } });
    return { statusCode: 201, body: await getPayment(trx, ctx, outcome.paymentId) };
  });
}
