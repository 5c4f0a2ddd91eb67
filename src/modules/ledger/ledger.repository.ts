import { sql, type RawBuilder, type Selectable } from 'kysely';
import type { AccountEventTable } from '../../db/schema.js';
import type pg from 'pg';
import { kyselyOnClient, PREPARED } from '../../db/connect.js';
import { copyInto } from '../../db/copy.js';
import { CopyTextBuffer, intArrayLiteral, textArrayLiteral } from '../../db/copy-text.js';
import { send, type Executor } from '../../db/tx.js';
import type { Scope } from '../org/index.js';
import { accountsInScope } from '../customers/index.js';
import type { EventKind, EventRef } from './domain/events.js';
import type { AccountEvent } from './ledger.types.js';
import type { TransferDraft } from './domain/transfer.js';

/**
 * The only place with SQL for the ledger: transfers, entries, balances and account events. Postings come
 * in as rows (entries: account, ref, transfer kind, book, amount, date) through one of three sinks — a
 * statement (CTEs the caller embeds, or a query's rows), or COPY for bulk — and each caller ends its
 * transaction with `appendEvents` for what it posted.
 */

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

// ---- posting sinks -----------------------------------------------------------------------------

/** One entry of a posting, before its transfer exists: transfers are one per (account, ref, kind). */
export interface PostingEntry {
  accountId: number;
  refId: number;
  kind: string;
  book: string;
  amountFen: number;
  businessDate: string;
}

/**
 * Statement sink: CTEs that post the rows of a CTE named `src` (account_id, ref_id, kind, book, amount_fen,
 * business_date; at most one per account, ref, kind and book; none zero) — `t` one transfer per (account,
 * ref, kind), `e` its entries, `bal` the balances — for the caller to put after its own, so a business
 * change and its posting are one statement (callers select their results from `t` and `e`). The balance
 * trigger fails the statement if a transfer does not balance.
 */
export function postingCtes(refType: string): RawBuilder<unknown> {
  return sql`
    t as (
      insert into ledger_transfer (account_id, kind, ref_type, ref_id, business_date)
      select distinct account_id, kind, ${refType}, ref_id, business_date from src
      returning account_id, id, ref_id, kind),
    e as (
      insert into ledger_entry (account_id, transfer_id, book, amount_fen)
      select src.account_id, t.id, src.book, src.amount_fen from src join t on t.account_id = src.account_id and t.ref_id = src.ref_id and t.kind = src.kind
      returning account_id, book, amount_fen),
    bal as (
      insert into ledger_balance (account_id, book, balance_fen)
      select account_id, book, sum(amount_fen) from e group by account_id, book
      on conflict (account_id, book) do update set balance_fen = ledger_balance.balance_fen + excluded.balance_fen
      returning 1)`;
}

/** postingCtes over entries given in Node: the `src` CTE unnests them. */
export function entriesPostingCtes(entries: readonly PostingEntry[], refType: string): RawBuilder<unknown> {
  const e = entries;
  return sql`
    src as materialized (
      select * from unnest(${intArrayLiteral(e, (x) => x.accountId)}::bigint[], ${intArrayLiteral(e, (x) => x.refId)}::bigint[], ${textArrayLiteral(e, (x) => x.kind)}::text[],
                           ${textArrayLiteral(e, (x) => x.book)}::text[], ${intArrayLiteral(e, (x) => x.amountFen)}::bigint[], ${textArrayLiteral(e, (x) => x.businessDate)}::date[])
             x(account_id, ref_id, kind, book, amount_fen, business_date)),
    ${postingCtes(refType)}`;
}

/** `nextval` of the transfer ids, for a read that draws ids for a COPY posting (`copyPostings`) up front. */
export const NEXT_TRANSFER_ID = sql.raw(`nextval('ledger_transfer_id_seq'::regclass)`);

export async function nextTransferIds(db: Executor, n: number): Promise<number[]> {
  const { rows } = await sql<{ id: number }>`select ${NEXT_TRANSFER_ID} as id from generate_series(1, ${n}::int)`.execute(db);
  return rows.map((r) => r.id);
}

/** A transfer of a COPY posting: its entries are the next `entries` of the posting's entry list. */
export interface PostingTransfer {
  accountId: number;
  kind: string;
  refId: number;
  businessDate: string;
  entries: number;
}

/**
 * COPY sink, for thousands of postings on the caller's client in its open transaction: transfers (ids
 * drawn up front) and entries by COPY, then the balances in one statement — updated where they exist and
 * inserted where not (no upserts: a speculative insertion or a row lock per row costs about twice the WAL
 * and buffer visits). A balance row another transaction inserted meanwhile fails the insert on the primary
 * key rather than being added to twice; no other writer inserts the books of an account its caller locked.
 */
export async function copyPostings(client: pg.PoolClient, p: { transfers: readonly PostingTransfer[]; transferIds: readonly number[]; entries: readonly PostingEntry[]; refType: string }): Promise<void> {
  if (p.transfers.length !== p.transferIds.length) throw new Error(`${p.transfers.length} transfers, ${p.transferIds.length} ids`);
  await copyInto(client, 'ledger_transfer', TRANSFER_COLUMNS, [transfersCopy(p.transfers, p.transferIds, p.refType)]);
  await copyInto(client, 'ledger_entry', ENTRY_COLUMNS, [entriesCopy(p.entries, p.transfers, p.transferIds)]);
  const b = balanceSums(p.entries);
  // the account ids again, as a condition on the table itself: joined to the unnested rows alone, the
  // planner hashed the whole table (a sequential scan of every balance per batch)
  const accounts = intArrayLiteral([...new Set(b.map((x) => x.accountId))], (id) => id);
  await sql`${sql.raw(PREPARED)}
    with d as materialized (
      select * from unnest(${intArrayLiteral(b, (x) => x.accountId)}::bigint[], ${textArrayLiteral(b, (x) => x.book)}::text[], ${intArrayLiteral(b, (x) => x.amountFen)}::bigint[]) d(account_id, book, amount_fen)),
    bu as (
      update ledger_balance l set balance_fen = l.balance_fen + d.amount_fen
        from d where l.account_id = d.account_id and l.book = d.book and l.account_id = any(${accounts}::bigint[])
      returning l.account_id, l.book)
    insert into ledger_balance (account_id, book, balance_fen)
    select d.account_id, d.book, d.amount_fen from d
     where not exists (select 1 from bu where bu.account_id = d.account_id and bu.book = d.book)`.execute(kyselyOnClient(client));
}

const TRANSFER_COLUMNS = ['account_id', 'id', 'kind', 'ref_type', 'ref_id', 'business_date'];
const ENTRY_COLUMNS = ['account_id', 'transfer_id', 'book', 'amount_fen'];
const bytesFor = (rows: number, perRow: number) => Math.max(1 << 12, rows * perRow);

function transfersCopy(transfers: readonly PostingTransfer[], ids: readonly number[], refType: string): Buffer {
  const w = new CopyTextBuffer(bytesFor(transfers.length, 64));
  for (let i = 0; i < transfers.length; i++) {
    const t = transfers[i]!;
    w.int(t.accountId).int(ids[i]!).text(t.kind).text(refType).int(t.refId).text(t.businessDate).endRow();
  }
  return w.bytes();
}

function entriesCopy(entries: readonly PostingEntry[], transfers: readonly PostingTransfer[], ids: readonly number[]): Buffer {
  const w = new CopyTextBuffer(bytesFor(entries.length, 48));
  let e = 0;
  for (let i = 0; i < transfers.length; i++) {
    for (const end = e + transfers[i]!.entries; e < end; e++) {
      const x = entries[e]!;
      w.int(x.accountId).int(ids[i]!).text(x.book).int(x.amountFen).endRow();
    }
  }
  if (e !== entries.length) throw new Error(`transfers cover ${e} of ${entries.length} entries`);
  return w.bytes();
}

interface BalanceDelta {
  accountId: number;
  book: string;
  amountFen: number;
  /** the account's next book in this batch */
  next: BalanceDelta | null;
}

/** What the entries add to each (account, book) balance, in first-touch order; one map entry per account (its books chained). */
function balanceSums(entries: readonly PostingEntry[]): BalanceDelta[] {
  const out: BalanceDelta[] = [];
  const byAccount = new Map<number, BalanceDelta>();
  for (const e of entries) {
    let sum = byAccount.get(e.accountId);
    if (!sum) {
      byAccount.set(e.accountId, (sum = { accountId: e.accountId, book: e.book, amountFen: 0, next: null }));
      out.push(sum);
    }
    while (sum.book !== e.book && sum.next) sum = sum.next;
    if (sum.book !== e.book) {
      sum = sum.next = { accountId: e.accountId, book: e.book, amountFen: 0, next: null };
      out.push(sum);
    }
    sum.amountFen += e.amountFen;
  }
  return out;
}

// ---- account events ----------------------------------------------------------------------------

/** The advisory lock under which events draw their seq (and so commit in seq order). */
export const EVENT_LOCK = 0x6772616e_65766e74n; // "granevnt"

/**
 * Appends the events, in the order given, with the balances after each: the account's stored balances less
 * what its later events in this call changed. Two statements: the events lock, then the insert — its
 * snapshot taken once the lock is held, so an event's balances include every earlier event's. The lock is
 * held to COMMIT: call this last in the transaction, after every other write (a lock taken before row writes
 * could deadlock with a transaction waiting for it).
 */
export async function appendEvents(db: Executor, refs: readonly EventRef[]): Promise<void> {
  if (refs.length === 0) return;
  const r = refs;
  const oncePerAccount = new Set(r.map((x) => x.accountId)).size === r.length;
  const lock = send(db, sql`${sql.raw(PREPARED)} select pg_advisory_xact_lock(${EVENT_LOCK.toString()}::bigint)`.compile(db));
  const insert = send(
    db,
    sql`${sql.raw(PREPARED)}
    with g as (
      select * from unnest(${intArrayLiteral(r, (x) => x.accountId)}::bigint[], ${textArrayLiteral(r, (x) => x.refType)}::text[], ${intArrayLiteral(r, (x) => x.refId)}::bigint[],
                           ${textArrayLiteral(r, (x) => x.kind)}::text[], ${textArrayLiteral(r, (x) => x.businessDate)}::date[], ${intArrayLiteral(r, (x) => x.receivableDeltaFen)}::bigint[],
                           ${intArrayLiteral(r, (x) => x.prepaidDeltaFen)}::bigint[], ${intArrayLiteral(r, (x) => x.penaltyDeltaFen)}::bigint[]) with ordinality
             g(account_id, ref_type, ref_id, kind, business_date, d_receivable, d_prepaid, d_penalty, ord)),
    b as (
      select l.account_id,
             coalesce(sum(l.balance_fen) filter (where l.book = 'receivable'), 0) as receivable,
             -coalesce(sum(l.balance_fen) filter (where l.book = 'prepaid'), 0) as prepaid,
             coalesce(sum(l.balance_fen) filter (where l.book = 'penalty'), 0) as penalty
        from ledger_balance l
       where l.account_id = any(${intArrayLiteral(r, (x) => x.accountId)}::bigint[]) and l.book in ('receivable', 'prepaid', 'penalty')
       group by l.account_id),
    x as (${
      oncePerAccount
        ? // one event per account (a bill issue's batch): the balances after it are the stored ones
          sql`select g.*, coalesce(b.receivable, 0) as receivable, coalesce(b.prepaid, 0) as prepaid, coalesce(b.penalty, 0) as penalty from g left join b on b.account_id = g.account_id`
        : sql`select g.*,
             coalesce(b.receivable, 0) - coalesce(sum(g.d_receivable) over later, 0) as receivable,
             coalesce(b.prepaid, 0) - coalesce(sum(g.d_prepaid) over later, 0) as prepaid,
             coalesce(b.penalty, 0) - coalesce(sum(g.d_penalty) over later, 0) as penalty
        from g left join b on b.account_id = g.account_id
      window later as (partition by g.account_id order by g.ord desc rows between unbounded preceding and 1 preceding)`
    })
    insert into account_event (account_id, kind, ref_type, ref_id, business_date, receivable_delta_fen, prepaid_delta_fen, penalty_delta_fen, receivable_fen, prepaid_fen, penalty_fen)
    select account_id, kind, ref_type, ref_id, business_date, d_receivable, d_prepaid, d_penalty, receivable, prepaid, penalty from x order by ord`.compile(db),
  );
  await Promise.all([lock, insert]);
}

type EventRow = Selectable<AccountEventTable>;

const eventOf = (r: EventRow): AccountEvent => ({
  seq: r.seq,
  accountId: r.account_id,
  kind: r.kind as EventKind,
  refType: r.ref_type,
  refId: r.ref_id,
  businessDate: r.business_date,
  at: r.at.toISOString(),
  receivableDeltaFen: r.receivable_delta_fen,
  prepaidDeltaFen: r.prepaid_delta_fen,
  penaltyDeltaFen: r.penalty_delta_fen,
  receivableFen: r.receivable_fen,
  prepaidFen: r.prepaid_fen,
  penaltyFen: r.penalty_fen,
});

/** Events after `after` in seq order, of the accounts the scope sees (null: every account — in-process consumers). */
export async function eventsAfter(db: Executor, f: { after: number; limit: number; scope: Scope | null; accountId?: number | undefined }): Promise<AccountEvent[]> {
  let q = db.selectFrom('account_event as ev').selectAll('ev').where('ev.seq', '>', f.after);
  if (f.accountId !== undefined) q = q.where('ev.account_id', '=', f.accountId);
  if (f.scope) {
    const scope = f.scope;
    q = q.where((eb) => eb.exists(accountsInScope(db, scope).select(sql`1`.as('one')).where('a.id', '=', sql.ref<number>('ev.account_id'))));
  }
  const rows = await q.orderBy('ev.seq').limit(f.limit).execute();
  return rows.map((r) => eventOf(r as EventRow));
}

/** The newest seq (0 when there is none): where a stream that starts "from now" begins. */
export async function latestEventSeq(db: Executor): Promise<number> {
  const row = await db.selectFrom('account_event').select((eb) => eb.fn.max('seq').as('seq')).executeTakeFirst();
  return Number(row?.seq ?? 0);
}

/** A consumer's stored cursor, locked for the caller's transaction (one runner of a consumer at a time). */
export async function lockCursor(db: Executor, consumer: string): Promise<number> {
  await db.insertInto('event_cursor').values({ consumer, seq: 0 }).onConflict((oc) => oc.column('consumer').doNothing()).execute();
  const row = await db.selectFrom('event_cursor').select('seq').where('consumer', '=', consumer).forUpdate().executeTakeFirstOrThrow();
  return row.seq;
}

export async function storeCursor(db: Executor, consumer: string, seq: number): Promise<void> {
  await db.updateTable('event_cursor').set({ seq, updated_at: sql`now()` }).where('consumer', '=', consumer).execute();
}

export async function balancesOf(db: Executor, accountId: number) {
  return db.selectFrom('ledger_balance').select(['book', 'balance_fen']).where('account_id', '=', accountId).orderBy('book').execute();
}

/** The accounts of (from, to] whose balance on `book` is a credit (prepaid held for the customer). */
export async function accountsInCredit(db: Executor, r: { from: number; to: number }, book: string): Promise<number[]> {
  const { rows } = await sql<{ account_id: number }>`
    select account_id from ledger_balance where account_id > ${r.from} and account_id <= ${r.to} and book = ${book} and balance_fen < 0 order by account_id`.execute(db);
  return rows.map((x) => x.account_id);
}

/** The accounts of (from, to] that owe something: a receivable or penalty balance. */
export async function accountsOwing(db: Executor, r: { from: number; to: number }): Promise<number[]> {
  const { rows } = await sql<{ account_id: number }>`
    select distinct account_id from ledger_balance
     where account_id > ${r.from} and account_id <= ${r.to} and book in ('receivable', 'penalty') and balance_fen <> 0 order by account_id`.execute(db);
  return rows.map((x) => Number(x.account_id));
}

/** The prepaid held for each account of (from, to] that has some (the prepaid book's credit, as a positive amount). */
export async function prepaidBalances(db: Executor, r: { from: number; to: number }): Promise<Map<number, number>> {
  const { rows } = await sql<{ account_id: number; balance_fen: number }>`
    select account_id, balance_fen from ledger_balance where account_id > ${r.from} and account_id <= ${r.to} and book = 'prepaid' and balance_fen <> 0`.execute(db);
  return new Map(rows.map((x) => [Number(x.account_id), -Number(x.balance_fen)]));
}

/** One book's balance of each account that has one. */
export async function balancesOfBook(db: Executor, accountIds: readonly number[], book: string): Promise<Map<number, number>> {
  const { rows } = await sql<{ account_id: number; balance_fen: number }>`
    select account_id, balance_fen from ledger_balance where account_id = any(${intArrayLiteral(accountIds, (id) => id)}::bigint[]) and book = ${book}`.execute(db);
  return new Map(rows.map((r) => [r.account_id, r.balance_fen]));
}

/** One book's balance of an account (0 when it has none). */
export async function balanceOf(db: Executor, accountId: number, book: string): Promise<number> {
  const row = await db.selectFrom('ledger_balance').select('balance_fen').where('account_id', '=', accountId).where('book', '=', book).executeTakeFirst();
  return row?.balance_fen ?? 0;
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
