import { sql, type Selectable } from 'kysely';
import type pg from 'pg';
import { copyInto, copyLine } from '../../db/copy.js';
import type { ReconItemTable } from '../../db/schema.js';
import type { Executor } from '../../db/tx.js';
import type { Scope } from '../org/index.js';
import type { ItemStatus, Resolution } from './domain/matching.js';
import type { ReconChannel, StatementRow } from './domain/statements.js';

/** The only place with SQL for reconciliation (对账): recon_import, recon_item, recon_day and the staging table. */

export type ReconItemRow = Selectable<ReconItemTable>;

/** One import per channel at a time (a transaction-scoped advisory lock): overlapping files take turns. */
export async function lockChannel(db: Executor, channel: ReconChannel): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext(${`granary.reconciliation.${channel}`}))`.execute(db);
}

export async function findImport(db: Executor, channel: ReconChannel, sha256: string) {
  return db.selectFrom('recon_import').selectAll().where('channel', '=', channel).where('file_sha256', '=', sha256).executeTakeFirst();
}

export async function insertImport(db: Executor, i: { channel: ReconChannel; fileName: string; sha256: string; rows: number; createdBy: number | null }): Promise<number | null> {
  const row = await db
    .insertInto('recon_import')
    .values({ channel: i.channel, file_name: i.fileName, file_sha256: i.sha256, rows: i.rows, created_by: i.createdBy })
    .onConflict((oc) => oc.columns(['channel', 'file_sha256']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id ?? null;
}

export async function saveImportResult(db: Executor, id: number, result: Record<string, unknown>): Promise<void> {
  await db.updateTable('recon_import').set({ result: JSON.stringify(result) }).where('id', '=', id).execute();
}

// ---- staging -------------------------------------------------------------------------------------

const STAGE_COLUMNS = ['line', 'channel_txn_id', 'out_trade_no', 'account_no', 'amount_fen', 'paid_at', 'business_date'] as const;

/** The statement's successful trades into a temporary table dropped at commit, by COPY in chunks. */
export async function stageStatement(client: pg.PoolClient, rows: readonly StatementRow[]): Promise<void> {
  await client.query(`create temp table recon_stage (
      line int not null, channel_txn_id text not null, out_trade_no text, account_no text,
      amount_fen bigint not null, paid_at timestamptz not null, business_date date not null) on commit drop`);
  function* chunks() {
    for (let i = 0; i < rows.length; i += 5000)
      yield rows
        .slice(i, i + 5000)
        .map((r) => copyLine([r.line, r.channelTxnId, r.outTradeNo, r.accountNo, r.amountFen, r.paidAt.toISOString(), r.businessDate]))
        .join('');
  }
  await copyInto(client, 'recon_stage', STAGE_COLUMNS, chunks());
  await client.query('create index on recon_stage (channel_txn_id)');
  await client.query('analyze recon_stage');
}

/**
 * Statement rows whose transaction id is in the ledger, set-based in one statement:
 * - not yet itemised → a matched or amount_mismatch item (the ledger side is the payment's amount, 0 once reversed);
 * - itemised as ledger_only by an earlier statement that lacked them → completed with the statement side
 *   (matched or amount_mismatch), once;
 * - itemised otherwise → left as they are (already reconciled).
 */
export async function itemiseKnown(db: Executor, channel: ReconChannel, importId: number) {
  const { rows } = await sql<{ matched: number; mismatched: number; completed_matched: number; completed_mismatched: number; already: number }>`
    with s as (
      select s.*, p.id as payment_id, p.account_id, case when p.reversed then 0 else p.amount_fen end as ledger_fen, i.id as item_id,
             i.status as item_status, i.statement_fen as item_statement_fen
        from recon_stage s
        left join payment p on p.channel = ${channel} and p.channel_txn_id = s.channel_txn_id
        left join recon_item i on i.channel = ${channel} and i.channel_txn_id = s.channel_txn_id),
    ins as (
      insert into recon_item (channel, business_date, channel_txn_id, out_trade_no, statement_fen, ledger_fen, payment_id, account_id, import_id, status, statement_line)
      select ${channel}, business_date, channel_txn_id, out_trade_no, amount_fen, ledger_fen, payment_id, account_id, ${importId},
             case when ledger_fen = amount_fen then 'matched' else 'amount_mismatch' end, line
        from s where item_id is null and payment_id is not null
      returning status),
    upd as (
      update recon_item i
         set statement_fen = s.amount_fen, ledger_fen = s.ledger_fen, out_trade_no = coalesce(i.out_trade_no, s.out_trade_no), import_id = ${importId},
             statement_line = s.line, status = case when s.ledger_fen = s.amount_fen then 'matched' else 'amount_mismatch' end
        from s
       where s.item_id = i.id and i.status = 'ledger_only' and i.statement_fen is null and s.payment_id is not null
      returning i.status)
    select (select count(*) from ins where status = 'matched')::int as matched,
           (select count(*) from ins where status = 'amount_mismatch')::int as mismatched,
           (select count(*) from upd where status = 'matched')::int as completed_matched,
           (select count(*) from upd where status = 'amount_mismatch')::int as completed_mismatched,
           ((select count(*) from s where item_id is not null) - (select count(*) from upd))::int as already`.execute(db);
  return rows[0]!;
}

export interface UnknownRow {
  line: number;
  channel_txn_id: string;
  out_trade_no: string | null;
  account_no: string | null;
  amount_fen: number;
  paid_at: Date;
  business_date: string;
  order_id: number | null;
  order_account_id: number | null;
  order_channel: string | null;
  order_amount_fen: number | null;
  order_status: string | null;
  account_id_by_no: number | null;
}

/** Statement rows neither in the ledger nor itemised yet, with the order (out_trade_no) or account (户号) they name. */
export async function unknownRows(db: Executor, channel: ReconChannel): Promise<UnknownRow[]> {
  const { rows } = await sql<UnknownRow>`
    select s.line, s.channel_txn_id, s.out_trade_no, s.account_no, s.amount_fen, s.paid_at, s.business_date::text as business_date,
           o.id as order_id, o.account_id as order_account_id, o.channel as order_channel, o.amount_fen as order_amount_fen, o.status as order_status,
           a.id as account_id_by_no
      from recon_stage s
      left join payment_order o on o.out_trade_no = s.out_trade_no
      left join account a on a.account_no = s.account_no
     where not exists (select 1 from payment p where p.channel = ${channel} and p.channel_txn_id = s.channel_txn_id)
       and not exists (select 1 from recon_item i where i.channel = ${channel} and i.channel_txn_id = s.channel_txn_id)
     order by s.line`.execute(db);
  return rows;
}

export interface NewItem {
  businessDate: string;
  channelTxnId: string;
  outTradeNo: string | null;
  statementFen: number | null;
  ledgerFen: number | null;
  paymentId: number | null;
  accountId: number | null;
  status: ItemStatus;
  reason: string | null;
  statementLine: number | null;
  /** when the channel took the money (statement rows) */
  paidAt?: Date | null;
  /** credited more than the review limit: applied only when accepted at review */
  held?: boolean;
}

export async function insertItems(db: Executor, channel: ReconChannel, importId: number, items: readonly NewItem[]): Promise<void> {
  for (let i = 0; i < items.length; i += 1000) {
    await db
      .insertInto('recon_item')
      .values(
        items.slice(i, i + 1000).map((it) => ({
          channel,
          business_date: it.businessDate,
          channel_txn_id: it.channelTxnId,
          out_trade_no: it.outTradeNo,
          statement_fen: it.statementFen,
          ledger_fen: it.ledgerFen,
          payment_id: it.paymentId,
          account_id: it.accountId,
          import_id: importId,
          status: it.status,
          reason: it.reason,
          statement_line: it.statementLine,
          paid_at: it.paidAt ?? null,
          held: it.held ?? false,
        })),
      )
      .execute();
  }
}

/** Orders paid by a payment applied from a statement: marked paid like a callback would (the first payment keeps the order). */
export async function markOrdersPaid(db: Executor, paid: readonly { orderId: number; paymentId: number; paidAt: Date; channelTxnId: string }[]): Promise<void> {
  for (const p of paid)
    await db
      .updateTable('payment_order')
      .set({ status: 'paid', paid_at: p.paidAt, payment_id: p.paymentId, channel_txn_id: p.channelTxnId })
      .where('id', '=', p.orderId)
      .where('status', '<>', 'paid')
      .execute();
}

/** Ledger payments of the statement's channel-days that no statement showed: flagged ledger_only. */
export async function flagLedgerOnly(db: Executor, channel: ReconChannel, importId: number): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    with ins as (
      insert into recon_item (channel, business_date, channel_txn_id, ledger_fen, payment_id, account_id, import_id, status, reason)
      select p.channel, p.business_date, p.channel_txn_id, p.amount_fen, p.id, p.account_id, ${importId}, 'ledger_only', 'not on the statement of its day'
        from payment p
       where p.channel = ${channel} and p.business_date in (select distinct business_date from recon_stage) and not p.reversed
         and not exists (select 1 from recon_item i where i.channel = p.channel and i.channel_txn_id = p.channel_txn_id)
      on conflict (channel, channel_txn_id) do nothing
      returning 1)
    select count(*)::int as n from ins`.execute(db);
  return rows[0]!.n;
}

/**
 * recon_day for each channel-day the statement covers: the statement side of the day's items (all the
 * statements seen for that day together), and the import that last covered it.
 */
export async function upsertDays(db: Executor, channel: ReconChannel, importId: number): Promise<string[]> {
  const { rows } = await sql<{ business_date: string }>`
    insert into recon_day (channel, business_date, import_id, statement_count, statement_fen)
    select ${channel}, d.business_date, ${importId}, count(i.statement_fen)::int, coalesce(sum(i.statement_fen), 0)
      from (select distinct business_date from recon_stage) d
      left join recon_item i on i.channel = ${channel} and i.business_date = d.business_date
     group by d.business_date
    on conflict (channel, business_date) do update
       set import_id = excluded.import_id, statement_count = excluded.statement_count, statement_fen = excluded.statement_fen
    returning business_date::text as business_date`.execute(db);
  return rows.map((r) => r.business_date).sort();
}

// ---- reads ---------------------------------------------------------------------------------------

/** An exception: a flagged item, or a channel-only row that could not be applied (SQL twin of isException). */
const EXCEPTION = sql.raw(`(i.status in ('ledger_only', 'amount_mismatch') or (i.status = 'channel_only' and i.payment_id is null))`);

export interface DayRow {
  channel: string;
  business_date: string;
  statement_count: number;
  statement_fen: number;
  ledger_count: number;
  ledger_fen: number;
  matched: number;
  channel_only: number;
  ledger_only: number;
  amount_mismatch: number;
  unresolved: number;
}

/** The reconciled channel-days in a range, with the ledger's figures and the items by status. */
export async function listDays(db: Executor, f: { channel?: string | undefined; from: string; to: string }): Promise<DayRow[]> {
  const { rows } = await sql<DayRow>`
    select d.channel, d.business_date::text as business_date, d.statement_count, d.statement_fen,
           l.n as ledger_count, l.fen as ledger_fen, c.matched, c.channel_only, c.ledger_only, c.amount_mismatch, c.unresolved
      from recon_day d
      cross join lateral (
        select count(*)::int as n, coalesce(sum(p.amount_fen), 0)::bigint as fen from payment p
         where p.channel = d.channel and p.business_date = d.business_date and not p.reversed) l
      cross join lateral (
        select count(*) filter (where i.status = 'matched')::int as matched,
               count(*) filter (where i.status = 'channel_only')::int as channel_only,
               count(*) filter (where i.status = 'ledger_only')::int as ledger_only,
               count(*) filter (where i.status = 'amount_mismatch')::int as amount_mismatch,
               count(*) filter (where ${EXCEPTION} and not i.resolved)::int as unresolved
          from recon_item i where i.channel = d.channel and i.business_date = d.business_date) c
     where d.business_date between ${f.from}::date and ${f.to}::date
       ${f.channel ? sql`and d.channel = ${f.channel}` : sql``}
     order by d.business_date, d.channel`.execute(db);
  return rows;
}

export async function dayExists(db: Executor, channel: string, date: string): Promise<boolean> {
  return !!(await db.selectFrom('recon_day').select('import_id').where('channel', '=', channel).where('business_date', '=', date).executeTakeFirst());
}

export interface ItemView extends ReconItemRow {
  account_no: string | null;
  account_name: string | null;
}

/**
 * Items the scope may see: those of accounts in the scope; items that name no account (a statement row
 * that could not be applied) only at company level (the merchant is the company's).
 */
function itemsInScope(db: Executor, scope: Scope) {
  let q = db
    .selectFrom('recon_item as i')
    .leftJoin('account as a', 'a.id', 'i.account_id')
    .selectAll('i')
    .select(['a.account_no', 'a.name as account_name']);
  if (scope.level === 'company') q = q.where((eb) => eb.or([eb('i.account_id', 'is', null), eb('a.company_id', '=', scope.companyId)]));
  else if (scope.level === 'station') q = q.where('a.station_id', '=', scope.stationId);
  else q = q.where(sql<boolean>`false`);
  return q;
}

export async function listDayItems(db: Executor, scope: Scope, f: { channel: string; date: string; status?: ItemStatus | undefined; unresolved?: boolean | undefined; afterId: number; limit: number }): Promise<ItemView[]> {
  let q = itemsInScope(db, scope).where('i.channel', '=', f.channel).where('i.business_date', '=', f.date).where('i.id', '>', f.afterId);
  if (f.status) q = q.where('i.status', '=', f.status);
  if (f.unresolved) q = q.where('i.resolved', '=', false).where(sql<boolean>`${EXCEPTION}`);
  return (await q.orderBy('i.id').limit(f.limit + 1).execute()) as ItemView[];
}

export async function findItemInScope(db: Executor, scope: Scope, id: number, opts: { forUpdate?: boolean } = {}): Promise<ItemView | undefined> {
  let q = itemsInScope(db, scope).where('i.id', '=', id);
  if (opts.forUpdate) q = q.forUpdate('i');
  return (await q.executeTakeFirst()) as ItemView | undefined;
}

/** Whether the item's payment was reversed since (its ledger side is then 0). */
export async function paymentReversed(db: Executor, paymentId: number): Promise<boolean> {
  const row = await db.selectFrom('payment').select('reversed').where('id', '=', paymentId).executeTakeFirst();
  return row?.reversed ?? false;
}

export async function markResolved(db: Executor, id: number, r: { resolution: Resolution; note: string; by: number | null; at: Date }): Promise<void> {
  await db
    .updateTable('recon_item')
    .set({ resolved: true, resolution: r.resolution, resolution_note: r.note, resolved_by: r.by, resolved_at: r.at })
    .where('id', '=', id)
    .where('resolved', '=', false)
    .execute();
}

/** The payment order a statement row names (its channel, account and amount are checked again at review). */
export async function findOrderByOutTradeNo(db: Executor, outTradeNo: string) {
  return db.selectFrom('payment_order').select(['id', 'account_id', 'channel', 'amount_fen', 'status']).where('out_trade_no', '=', outTradeNo).executeTakeFirst();
}

/** A held item applied at review: its payment and the ledger's side. */
export async function attachPayment(db: Executor, id: number, paymentId: number, ledgerFen: number): Promise<void> {
  await db.updateTable('recon_item').set({ payment_id: paymentId, ledger_fen: ledgerFen }).where('id', '=', id).where('payment_id', 'is', null).execute();
}

export async function importById(db: Executor, id: number) {
  return db.selectFrom('recon_import').selectAll().where('id', '=', id).executeTakeFirst();
}
