import { sql, type RawBuilder } from 'kysely';
import type { Executor } from '../../db/tx.js';
import type { TransferDraft } from './domain/transfer.js';

/** The only place with SQL for the ledger. */

/**
 * Posts one balanced transfer: the transfer row, all its entries in one statement (the balance trigger
 * checks per statement), and the balances in one upsert. The caller checked it with assertBalanced.
 */
export async function insertTransfer(db: Executor, t: TransferDraft): Promise<number> {
  const { id } = await db
    .insertInto('ledger_transfer')
    .values({ account_id: t.accountId, kind: t.kind, ref_type: t.refType, ref_id: t.refId, business_date: t.businessDate, memo: t.memo })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('ledger_entry')
    .values(t.entries.map((e) => ({ account_id: t.accountId, transfer_id: id, book: e.book, amount_fen: e.amountFen })))
    .execute();
  await db
    .insertInto('ledger_balance')
    .values(t.entries.map((e) => ({ account_id: t.accountId, book: e.book, balance_fen: e.amountFen })))
    .onConflict((oc) => oc.columns(['account_id', 'book']).doUpdateSet({ balance_fen: sql`ledger_balance.balance_fen + excluded.balance_fen` }))
    .execute();
  return id;
}

export interface SetPosting {
  kind: string;
  refType: string;
  businessDate: string;
}

export interface SetPostingResult {
  transfers: number;
  entries: number;
  debitFen: number;
}

/**
 * The ledger's part of a set-based posting, as common table expressions to put after the caller's own:
 * from a CTE named `src` with rows (account_id bigint, ref_id bigint, book text, amount_fen bigint) — at
 * most one per (account_id, ref_id, book), none zero — `t` makes one transfer per (account_id, ref_id),
 * `e` its entries and `bal` the balance changes. If any transfer does not balance, the balance trigger
 * fails the whole statement. Callers select their results from `t` and `e`.
 */
export function postingCtes(p: SetPosting): RawBuilder<unknown> {
  return sql`
    t as (
      insert into ledger_transfer (account_id, kind, ref_type, ref_id, business_date)
      select distinct account_id, ${p.kind}, ${p.refType}, ref_id, ${p.businessDate}::date from src
      returning account_id, id, ref_id),
    e as (
      insert into ledger_entry (account_id, transfer_id, book, amount_fen)
      select src.account_id, t.id, src.book, src.amount_fen from src join t on t.account_id = src.account_id and t.ref_id = src.ref_id
      returning account_id, book, amount_fen),
    bal as (
      insert into ledger_balance (account_id, book, balance_fen)
      select account_id, book, sum(amount_fen) from e group by account_id, book
      on conflict (account_id, book) do update set balance_fen = ledger_balance.balance_fen + excluded.balance_fen
      returning 1)`;
}

/** Set-based posting of the entries a query gives (see postingCtes), in one statement. */
export async function insertTransfersFrom(db: Executor, p: SetPosting & { entries: RawBuilder<unknown> }): Promise<SetPostingResult> {
  const { rows } = await sql<{ transfers: number; entries: number; debit_fen: string }>`
    with src as materialized (${p.entries}), ${postingCtes(p)}
    select (select count(*) from t)::int as transfers, (select count(*) from e)::int as entries,
           (select coalesce(sum(amount_fen), 0) from e where amount_fen > 0)::text as debit_fen`.execute(db);
  const r = rows[0]!;
  return { transfers: r.transfers, entries: r.entries, debitFen: Number(r.debit_fen) };
}

export async function balancesOf(db: Executor, accountId: number) {
  return db.selectFrom('ledger_balance').select(['book', 'balance_fen']).where('account_id', '=', accountId).orderBy('book').execute();
}

export async function transfersFor(db: Executor, accountId: number, refType: string, refId: number) {
  const transfers = await db.selectFrom('ledger_transfer').selectAll().where('account_id', '=', accountId).where('ref_type', '=', refType).where('ref_id', '=', refId).orderBy('id').execute();
  if (transfers.length === 0) return [];
  const entries = await db
    .selectFrom('ledger_entry')
    .selectAll()
    .where('account_id', '=', accountId)
    .where(
      'transfer_id',
      'in',
      transfers.map((t) => t.id),
    )
    .orderBy('transfer_id')
    .orderBy('book')
    .execute();
  return transfers.map((t) => ({ ...t, entries: entries.filter((e) => e.transfer_id === t.id) }));
}

// ---- invariants (granary ledger check) ---------------------------------------------------------

const SAMPLE = 20;

/** I1: transfers whose entries do not sum to zero. */
export async function unbalancedTransfers(db: Executor) {
  const { rows } = await sql<{ account_id: number; transfer_id: number; sum: string }>`
    select account_id, transfer_id, sum(amount_fen)::text as sum from ledger_entry
    group by account_id, transfer_id having sum(amount_fen) <> 0
    order by account_id, transfer_id limit ${SAMPLE}`.execute(db);
  return rows;
}

/** I1 (structure): transfers with fewer than two entries, entries whose transfer does not exist. */
export async function malformedTransfers(db: Executor) {
  const { rows } = await sql<{ problem: string; account_id: number; transfer_id: number }>`
    (select 'transfer with fewer than two entries' as problem, t.account_id, t.id as transfer_id
       from ledger_transfer t left join ledger_entry e on e.account_id = t.account_id and e.transfer_id = t.id
      group by t.account_id, t.id having count(e.transfer_id) < 2 limit ${SAMPLE})
    union all
    (select 'entry without its transfer', e.account_id, e.transfer_id
       from ledger_entry e where not exists (select 1 from ledger_transfer t where t.account_id = e.account_id and t.id = e.transfer_id)
      limit ${SAMPLE})`.execute(db);
  return rows;
}

/** I2: stored balances that differ from the sum of their entries (or entries with no stored balance). */
export async function driftedBalances(db: Executor) {
  const { rows } = await sql<{ account_id: number; book: string; stored: string | null; entries: string | null }>`
    with s as (select account_id, book, sum(amount_fen) as total from ledger_entry group by account_id, book)
    select coalesce(b.account_id, s.account_id) as account_id, coalesce(b.book, s.book) as book,
           b.balance_fen::text as stored, s.total::text as entries
      from ledger_balance b full join s on s.account_id = b.account_id and s.book = b.book
     where coalesce(b.balance_fen, 0) <> coalesce(s.total, 0)
     order by 1, 2 limit ${SAMPLE}`.execute(db);
  return rows;
}

/** I4: the append-only triggers on transfers and entries, present and enabled. */
export async function appendOnlyGuards(db: Executor) {
  const { rows } = await sql<{ table: string; trigger: string; enabled: string; events: number }>`
    select c.relname as table, t.tgname as trigger, t.tgenabled as enabled, t.tgtype::int as events
      from pg_trigger t join pg_class c on c.oid = t.tgrelid
     where c.relname in ('ledger_transfer', 'ledger_entry') and c.relnamespace = 'public'::regnamespace
       and t.tgfoid = 'forbid_change'::regproc`.execute(db);
  return rows;
}

/** I5: money columns of the ledger (and the bills it posts) that are not integer columns. */
export async function nonIntegerMoneyColumns(db: Executor) {
  const { rows } = await sql<{ table: string; column: string; type: string }>`
    select table_name as table, column_name as column, data_type as type from information_schema.columns
     where table_schema = 'public' and (column_name like '%\\_fen' or (table_name like 'ledger\\_%' and column_name like '%amount%'))
       and data_type not in ('bigint')
     order by 1, 2`.execute(db);
  return rows;
}

/** I3: the unique index that applies a channel transaction at most once: present, unique, valid, on (channel, channel_txn_id), not partial. */
export async function paymentTxnIndex(db: Executor) {
  const { rows } = await sql<{ unique: boolean; valid: boolean; ready: boolean; partial: boolean; columns: string[] }>`
    select i.indisunique as unique, i.indisvalid as valid, i.indisready as ready, i.indpred is not null as partial,
           array(select a.attname::text from unnest(i.indkey::int2[]) with ordinality k(attnum, ord)
                  join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum order by k.ord) as columns
      from pg_index i join pg_class c on c.oid = i.indexrelid
     where c.relname = 'payment_channel_txn' and c.relnamespace = 'public'::regnamespace and i.indrelid = 'payment'::regclass`.execute(db);
  return rows[0];
}

/** I3: channel transactions applied more than once (only possible with the index gone). */
export async function duplicateChannelTxns(db: Executor) {
  const { rows } = await sql<{ channel: string; channel_txn_id: string; payments: number }>`
    select channel, channel_txn_id, count(*)::int as payments from payment
     group by channel, channel_txn_id having count(*) > 1 order by 1, 2 limit ${SAMPLE}`.execute(db);
  return rows;
}

/**
 * I3: payments without exactly one ledger transfer of kind 'payment' (ref_type 'payment', ref_id the
 * payment id, same account) debiting the payment's amount, and such transfers without their payment.
 */
export async function paymentsWithoutTheirTransfer(db: Executor) {
  const { rows } = await sql<{ problem: string; account_id: number; id: number; detail: string }>`
    (select 'payment' as problem, p.account_id, p.id,
            count(distinct t.id)::text || ' payment transfer(s), debiting ' || coalesce(sum(e.amount_fen) filter (where e.amount_fen > 0), 0)::text || ' fen of ' || p.amount_fen::text as detail
       from payment p
       left join ledger_transfer t on t.account_id = p.account_id and t.ref_type = 'payment' and t.ref_id = p.id and t.kind = 'payment'
       left join ledger_entry e on e.account_id = t.account_id and e.transfer_id = t.id
      group by p.account_id, p.id, p.amount_fen
     having count(distinct t.id) <> 1 or coalesce(sum(e.amount_fen) filter (where e.amount_fen > 0), 0) <> p.amount_fen
      order by p.account_id, p.id limit ${SAMPLE})
    union all
    (select 'transfer', t.account_id, t.id, 'payment transfer ' || t.id::text || ' names payment ' || t.ref_id::text || ', which the account does not have'
       from ledger_transfer t
      where t.kind = 'payment' and t.ref_type = 'payment'
        and not exists (select 1 from payment p where p.account_id = t.account_id and p.id = t.ref_id)
      order by t.account_id, t.id limit ${SAMPLE})`.execute(db);
  return rows;
}

/**
 * An exception of reconciliation (the SQL twin of reconciliation's isException): flagged ledger-only or
 * amount-mismatch, or a channel-only statement row that could not be applied.
 */
const RECON_EXCEPTION = sql.raw(`(i.status in ('ledger_only', 'amount_mismatch') or (i.status = 'channel_only' and i.payment_id is null))`);

/**
 * I6: reconciled channel-days (recon_day) where the ledger and the statement differ by more than their
 * itemised exceptions explain: Σ non-reversed payments − ledger side of the exceptions ≠ statement Σ −
 * statement side of the exceptions. Exceptions are the flagged items (resolved or not) and items whose
 * payment was reversed after it matched; an exception's ledger side is its payment's amount unless reversed.
 */
export async function unreconciledChannelDays(db: Executor) {
  const { rows } = await sql<{ channel: string; business_date: string; ledger_fen: string; statement_fen: string; exception_ledger_fen: string; exception_statement_fen: string }>`
    with l as (
      select d.channel, d.business_date, coalesce(sum(p.amount_fen) filter (where not p.reversed), 0) as fen
        from recon_day d left join payment p on p.channel = d.channel and p.business_date = d.business_date
       group by d.channel, d.business_date),
    x as (
      select i.channel, i.business_date,
             coalesce(sum(p.amount_fen) filter (where not p.reversed), 0) as ledger_fen, coalesce(sum(i.statement_fen), 0) as statement_fen
        from recon_item i
        join recon_day d on d.channel = i.channel and d.business_date = i.business_date
        left join payment p on p.account_id = i.account_id and p.id = i.payment_id
       where ${RECON_EXCEPTION} or p.reversed
       group by i.channel, i.business_date)
    select d.channel, d.business_date::text as business_date, l.fen::text as ledger_fen, d.statement_fen::text as statement_fen,
           coalesce(x.ledger_fen, 0)::text as exception_ledger_fen, coalesce(x.statement_fen, 0)::text as exception_statement_fen
      from recon_day d
      join l on l.channel = d.channel and l.business_date = d.business_date
      left join x on x.channel = d.channel and x.business_date = d.business_date
     where l.fen - coalesce(x.ledger_fen, 0) <> d.statement_fen - coalesce(x.statement_fen, 0)
     order by d.business_date, d.channel limit ${SAMPLE}`.execute(db);
  return rows;
}

/** I6 warnings: exceptions of reconciled days not yet reviewed (the first few, and how many in all). */
export async function unresolvedReconExceptions(db: Executor) {
  const { rows } = await sql<{ id: number; channel: string; business_date: string; status: string; channel_txn_id: string; statement_fen: number | null; ledger_fen: number | null; total: number }>`
    select i.id, i.channel, i.business_date::text as business_date, i.status, i.channel_txn_id, i.statement_fen, i.ledger_fen, count(*) over ()::int as total
      from recon_item i
     where ${RECON_EXCEPTION} and not i.resolved
     order by i.business_date, i.channel, i.id limit ${SAMPLE}`.execute(db);
  return rows;
}

export async function ledgerSize(db: Executor) {
  const { rows } = await sql<{ transfers: number; entries: number; balances: number; receivable_fen: string }>`
    select (select count(*) from ledger_transfer)::int as transfers, (select count(*) from ledger_entry)::int as entries,
           (select count(*) from ledger_balance)::int as balances,
           (select coalesce(sum(balance_fen), 0) from ledger_balance where book = 'receivable')::text as receivable_fen`.execute(db);
  return rows[0]!;
}
