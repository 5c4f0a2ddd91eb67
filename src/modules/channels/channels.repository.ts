import { sql, type Selectable } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { Executor } from '../../db/tx.js';

/**
 * The only SQL of the channels module: payment orders, seen nonces and the security log; plus the reads
 * of other modules' rows it presents (the account behind the payment page, a payment for its receipt).
 */
export type OrderRow = Selectable<DB['payment_order']>;

export async function insertOrder(
  db: Executor,
  v: { outTradeNo: string; accountId: number; channel: string; amountFen: number; createdBy: number | null; createdAt: Date; expiresAt: Date },
): Promise<OrderRow> {
  return db
    .insertInto('payment_order')
    .values({ out_trade_no: v.outTradeNo, account_id: v.accountId, channel: v.channel, amount_fen: v.amountFen, created_by: v.createdBy, created_at: v.createdAt, expires_at: v.expiresAt })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * The account's orders opened by the payment page (no staff creator) and still open at `now`, counted
 * while holding a transaction lock on the account's orders (two requests cannot take the last place).
 */
export async function countOpenPageOrders(db: Executor, accountId: number, now: Date): Promise<number> {
  await sql`select pg_advisory_xact_lock(hashtext('granary.payment_order'), hashtext(${String(accountId)}))`.execute(db);
  const row = await db
    .selectFrom('payment_order')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('account_id', '=', accountId)
    .where('created_by', 'is', null)
    .where('status', '=', 'open')
    .where('expires_at', '>', now)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function findOrder(db: Executor, outTradeNo: string): Promise<OrderRow | undefined> {
  return db.selectFrom('payment_order').selectAll().where('out_trade_no', '=', outTradeNo).executeTakeFirst();
}

/** The order, locked until the transaction ends: deliveries for one order are applied one at a time. */
export async function lockOrder(trx: Executor, outTradeNo: string): Promise<OrderRow | undefined> {
  return trx.selectFrom('payment_order').selectAll().where('out_trade_no', '=', outTradeNo).forUpdate().executeTakeFirst();
}

export async function markOrderPaid(trx: Executor, id: number, v: { paidAt: Date; paymentId: number; channelTxnId: string }): Promise<void> {
  await trx.updateTable('payment_order').set({ status: 'paid', paid_at: v.paidAt, payment_id: v.paymentId, channel_txn_id: v.channelTxnId }).where('id', '=', id).execute();
}

/** Records a nonce; false when this channel has seen it before (a replay). Waits for a concurrent insert of it to commit. */
export async function rememberNonce(trx: Executor, channel: string, nonce: string, seenAt: Date): Promise<boolean> {
  const row = await trx.insertInto('channel_nonce').values({ channel, nonce, seen_at: seenAt }).onConflict((oc) => oc.columns(['channel', 'nonce']).doNothing()).returning('nonce').executeTakeFirst();
  return row !== undefined;
}

/**
 * The common case of a storm of redeliveries, in one statement outside any transaction: when the order is
 * already paid by exactly this channel transaction and amount, record the delivery's nonce. 'not_paid' when
 * the order is not paid that way (the caller takes the full path); else whether the nonce was fresh.
 * A paid order never changes again, so reading it unlocked is safe.
 */
export async function acknowledgeRepeat(
  db: Executor,
  v: { channel: string; outTradeNo: string; channelTxnId: string; amountFen: number; nonce: string | null; seenAt: Date },
): Promise<{ outcome: 'not_paid' } | { outcome: 'fresh' | 'replayed'; orderId: number; paymentId: number }> {
  const { rows } = await sql<{ id: number; payment_id: number; fresh: boolean }>`
    with o as (
      select id, payment_id from payment_order
      where out_trade_no = ${v.outTradeNo} and channel = ${v.channel} and status = 'paid' and channel_txn_id = ${v.channelTxnId} and amount_fen = ${v.amountFen}
    ), n as (
      insert into channel_nonce (channel, nonce, seen_at)
      select ${v.channel}, ${v.nonce}, ${v.seenAt} from o where ${v.nonce}::text is not null
      on conflict do nothing
      returning 1
    )
    select o.id, o.payment_id, (${v.nonce}::text is null or exists (select 1 from n)) as fresh from o`.execute(db);
  const row = rows[0];
  if (!row) return { outcome: 'not_paid' };
  return { outcome: row.fresh ? 'fresh' : 'replayed', orderId: Number(row.id), paymentId: Number(row.payment_id) };
}

/** Nonces older than the timestamp window can no longer be replayed (the timestamp check refuses them first). */
export async function forgetNoncesBefore(db: Executor, before: Date): Promise<number> {
  const r = await db.deleteFrom('channel_nonce').where('seen_at', '<', before).executeTakeFirst();
  return Number(r.numDeletedRows);
}

export async function insertSecurityEvent(db: Executor, v: { at: Date; channel: string; kind: string; reason: string; remoteAddr: string | null; detail: Record<string, unknown> }): Promise<void> {
  await db.insertInto('security_event').values({ at: v.at, channel: v.channel, kind: v.kind, reason: v.reason, remote_addr: v.remoteAddr, detail: JSON.stringify(v.detail) }).execute();
}

/** Security events after an id, oldest first, optionally of one kind or channel. */
export async function listSecurityEvents(db: Executor, f: { afterId: number; limit: number; kind?: string | undefined; channel?: string | undefined }) {
  let q = db.selectFrom('security_event').selectAll().where('id', '>', f.afterId);
  if (f.kind) q = q.where('kind', '=', f.kind);
  if (f.channel) q = q.where('channel', '=', f.channel);
  return q.orderBy('id').limit(f.limit + 1).execute();
}

/** The payment that applied a channel transaction, if any (I3: at most one). */
export async function findPaymentByTxn(db: Executor, channel: string, channelTxnId: string) {
  return db.selectFrom('payment').select(['id', 'account_id', 'amount_fen']).where('channel', '=', channel).where('channel_txn_id', '=', channelTxnId).executeTakeFirst();
}

/** What a receipt shows of a payment. */
export async function findPaymentForReceipt(db: Executor, accountId: number, paymentId: number) {
  return db
    .selectFrom('payment')
    .select(['id', 'channel', 'channel_txn_id', 'amount_fen', 'principal_fen', 'penalty_fen', 'prepaid_fen', 'paid_at', 'business_date', 'reversed'])
    .where('account_id', '=', accountId)
    .where('id', '=', paymentId)
    .executeTakeFirst();
}

/** The account the public payment page looks up by number, with its customer's registered name. */
export async function findAccountByNo(db: Executor, accountNo: string) {
  return db
    .selectFrom('account as a')
    .innerJoin('customer as cu', 'cu.id', 'a.customer_id')
    .select(['a.id', 'a.account_no', 'a.status', 'cu.name as customer_name', 'cu.kind as customer_kind'])
    .where('a.account_no', '=', accountNo)
    .executeTakeFirst();
}

export async function findAccountById(db: Executor, id: number) {
  return db
    .selectFrom('account as a')
    .innerJoin('customer as cu', 'cu.id', 'a.customer_id')
    .select(['a.id', 'a.account_no', 'a.status', 'cu.name as customer_name', 'cu.kind as customer_kind'])
    .where('a.id', '=', id)
    .executeTakeFirst();
}
