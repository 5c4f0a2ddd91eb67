import { sql } from 'kysely';
import type pg from 'pg';
import type { Db } from '../../db/connect.js';
import { copyInto } from '../../db/copy.js';
import { intArrayLiteral, textArrayLiteral } from '../../db/copy-text.js';
import { businessDate as businessDateOf } from '../../shared/business-time.js';
import type { Executor } from '../../db/tx.js';
import { accountsOwing, prepaidBalances } from '../ledger/index.js';

/** The only place with SQL for the simulator: bulk loading the demo county and reading back its logins. */

/** "Empty" means no organisation yet: every demo table hangs off org_unit, so none of them has rows either. */
export async function databaseIsEmpty(db: Db): Promise<boolean> {
  const row = await db.selectFrom('org_unit').select(sql<boolean>`true`.as('present')).limit(1).executeTakeFirst();
  return row === undefined;
}

const ROLE_ORDER = sql`case u.role when 'admin' then 0 when 'company_manager' then 1 when 'marketing' then 2 when 'auditor' then 3
  when 'station_head' then 4 when 'cashier' then 5 else 6 end`;

/** Users in the order a demo visitor wants them: company roles first, then station by station. */
export async function listLogins(db: Db): Promise<{ username: string; role: string; orgUnit: string }[]> {
  return db
    .selectFrom('app_user as u')
    .innerJoin('org_unit as ou', 'ou.id', 'u.org_unit_id')
    .select(['u.username', 'u.role', 'ou.name as orgUnit'])
    .where('u.status', '=', 'active')
    .orderBy(sql`ou.parent_id nulls first`)
    .orderBy('ou.id')
    .orderBy(ROLE_ORDER)
    .orderBy('u.id')
    .execute();
}

/** Drops every table, type and function of the application, for `granary demo --reset`; migrations run again after. */
export async function dropApplicationSchema(pool: pg.Pool): Promise<void> {
  await pool.query('drop schema public cascade');
  await pool.query('create schema public');
}


export class DatabaseNotEmpty extends Error {}

/**
 * First in the load's transaction. The exclusive lock on org_unit makes a second, concurrent load wait
 * here and then find the database no longer empty.
 */
export async function lockForLoad(client: pg.PoolClient): Promise<void> {
  await client.query('lock table org_unit in exclusive mode');
  const present = await client.query('select 1 from org_unit limit 1');
  if (present.rowCount) throw new DatabaseNotEmpty('the database already has an organisation');
  // Sorting for the index builds at the end is faster with room in memory (local to this transaction).
  await client.query(`set local maintenance_work_mem = '512MB'`);
}

export async function copyRows(client: pg.PoolClient, table: string, columns: readonly string[], chunks: Iterable<string> | AsyncIterable<string>): Promise<void> {
  await copyInto(client, table, columns, chunks);
}

/** A constraint or index taken off for the load, with the statement that puts it back. */
export interface DeferredDefinition {
  table: string;
  name: string;
  restore: string;
}

export interface DeferredConstraints {
  indexes: DeferredDefinition[];
  foreignKeys: DeferredDefinition[];
}

/**
 * Takes foreign keys and indexes off the tables about to be filled (PostgreSQL's advice for populating a
 * database): per-row foreign-key checks cost ~4× the COPY itself, and one sorted index build beats
 * millions of index inserts. Indexes another table's foreign key depends on stay. Everything is restored,
 * under the same names and definitions, by restoreConstraints in the same transaction.
 */
export async function deferConstraints(client: pg.PoolClient, tables: readonly string[]): Promise<DeferredConstraints> {
  const foreignKeys = (
    await client.query<DeferredDefinition>(
      `select conrelid::regclass::text as table, conname as name,
              format('alter table %s add constraint %I %s', conrelid::regclass, conname, pg_get_constraintdef(oid)) as restore
         from pg_constraint
        where contype = 'f' and conrelid = any($1::regclass[])
        order by conrelid::regclass::text, conname`,
      [tables],
    )
  ).rows;
  for (const fk of foreignKeys) await client.query(`alter table ${fk.table} drop constraint ${client.escapeIdentifier(fk.name)}`);

  const indexes = (
    await client.query<DeferredDefinition & { constraint: string | null }>(
      `select i.indrelid::regclass::text as table, ic.relname as name, con.conname as constraint,
              case when con.oid is null then pg_get_indexdef(i.indexrelid)
                   else format('alter table %s add constraint %I %s', i.indrelid::regclass, con.conname, pg_get_constraintdef(con.oid)) end as restore
         from pg_index i
         join pg_class ic on ic.oid = i.indexrelid
         left join pg_constraint con on con.conindid = i.indexrelid and con.conrelid = i.indrelid and con.contype in ('p', 'u', 'x')
        where i.indrelid = any($1::regclass[])
          and not exists (select 1 from pg_constraint f where f.contype = 'f' and f.conindid = i.indexrelid)
        order by i.indrelid::regclass::text, ic.relname`,
      [tables],
    )
  ).rows;
  for (const ix of indexes) {
    if (ix.constraint) await client.query(`alter table ${ix.table} drop constraint ${client.escapeIdentifier(ix.constraint)}`);
    else await client.query(`drop index ${client.escapeIdentifier(ix.name)}`);
  }
  return { indexes: indexes.map(({ table, name, restore }) => ({ table, name, restore })), foreignKeys };
}

/** Indexes (with primary keys and unique constraints) first, since the foreign keys need them; each call restores one. */
export async function restoreDefinition(client: pg.PoolClient, definition: DeferredDefinition): Promise<void> {
  await client.query(definition.restore);
}

/** Moves each table's identity sequence past the ids the load assigned explicitly. */
export async function moveIdSequences(client: pg.PoolClient, tables: readonly string[]): Promise<void> {
  for (const table of tables) {
    await client.query(`select setval(pg_get_serial_sequence($1, 'id'), coalesce(max(id), 1), max(id) is not null) from ${table}`, [table]);
  }
}

/** Planner statistics, so the first queries on a fresh county do not guess. */
export async function analyzeTables(client: pg.PoolClient, tables: readonly string[]): Promise<void> {
  await client.query(`analyze ${tables.join(', ')}`);
}

// ---- history replay (workflows/replay-demo-history.ts) -------------------------------------------

/** The seed the demo county was created with (its `demo.create` audit entry), or null. */
export async function demoSeedOf(db: Executor): Promise<number | null> {
  const { rows } = await sql<{ seed: string | null }>`
    select detail->>'seed' as seed from audit_log where action = 'demo.create' order by id limit 1`.execute(db);
  const seed = rows[0]?.seed;
  return seed == null || !Number.isSafeInteger(Number(seed)) ? null : Number(seed);
}

export async function accountIdBounds(db: Executor): Promise<{ min: number; max: number } | null> {
  const { rows } = await sql<{ min: number | null; max: number | null }>`select min(id) as min, max(id) as max from account`.execute(db);
  const r = rows[0];
  return r?.min == null || r.max == null ? null : { min: Number(r.min), max: Number(r.max) };
}

export interface HistoryAccountRow {
  id: number;
  stationId: number;
  category: string;
  paymentMode: 'postpaid' | 'smart_prepaid' | 'purchase_before_use';
  behaviour: 'prompt' | 'late_but_pays' | 'chronic_late' | 'defaulting' | 'disputing' | null;
}

/** Accounts with ids in (from, to]. */
export async function historyAccounts(db: Executor, from: number, to: number): Promise<HistoryAccountRow[]> {
  const { rows } = await sql<HistoryAccountRow>`
    select id, station_id as "stationId", category, payment_mode as "paymentMode", behaviour_profile as behaviour
      from account where id > ${from} and id <= ${to} order by id`.execute(db);
  return rows.map((r) => ({ ...r, id: Number(r.id), stationId: Number(r.stationId) }));
}

export interface HistoryBillRow {
  accountId: number;
  billId: number;
  period: string;
  issuedAt: Date;
  dueOn: string;
  totalFen: number;
}

/**
 * The issued bills of accounts in (from, to] — of the given periods only, when given — as the payments core
 * sees them (a regular bill with its issued adjustments is one bill: total = the sum, period and due date the
 * regular bill's).
 */
export async function historyBills(db: Executor, from: number, to: number, periods?: readonly string[]): Promise<HistoryBillRow[]> {
  const only = periods ? sql`and b.period = any(${textArrayLiteral(periods, (p) => p)}::text[])` : sql``;
  const { rows } = await sql<HistoryBillRow>`
    select b.account_id as "accountId", b.id as "billId", b.period, b.issued_at as "issuedAt", b.due_on::text as "dueOn",
           b.total_fen + coalesce(a.total_fen, 0) as "totalFen"
      from bill b
      left join (${adjustmentsSql(from, to)}) a on a.account_id = b.account_id and a.adjusts_bill_id = b.id
     where b.account_id > ${from} and b.account_id <= ${to} and b.kind = 'regular' and b.status = 'issued' and b.due_on is not null ${only}
     order by 1, 3, 2`.execute(db);
  return rows.map((r) => ({ ...r, accountId: Number(r.accountId), billId: Number(r.billId), totalFen: Number(r.totalFen) }));
}

/** The issued adjustments of accounts in (from, to], summed per bill they adjust (the partial index on adjusts_bill_id: nothing to read when there are none). */
function adjustmentsSql(from: number, to: number) {
  return sql`select x.account_id, x.adjusts_bill_id, sum(x.total_fen) as total_fen from bill x
              where x.adjusts_bill_id is not null and x.status = 'issued' and x.account_id > ${from} and x.account_id <= ${to}
              group by 1, 2`;
}

export interface HistoryOpenBillRow {
  accountId: number;
  billId: number;
  period: string;
  dueOn: string;
  principalDueFen: number;
  principalPaidFen: number;
  penaltyAccruedMfen: number;
  penaltyThrough: string | null;
  penaltyChargedFen: number;
  penaltyPaidFen: number;
  penaltyWaivedFen: number;
}

/**
 * Accounts in (from, to] as the payments core holds them now: their issued bills with something open (stated
 * as the core reads them under its lock) and their prepaid balances (the prepaid book's credit). Only the
 * accounts that owe something on the ledger (receivable or penalty) are looked up bill by bill: a bill's rows
 * lie a page apart per month, and most accounts owe nothing between a month's issue and its payments.
 */
export async function historyStates(db: Executor, from: number, to: number): Promise<{ open: HistoryOpenBillRow[]; prepaid: Map<number, number> }> {
  const [owingIds, prepaid] = await Promise.all([accountsOwing(db, { from, to }), prepaidBalances(db, { from, to })]);
  if (owingIds.length === 0) return { open: [], prepaid };
  // the accounts as an array: their bills and states looked up by index, where a join hashed the whole tables
  const ids = intArrayLiteral(owingIds, (id) => id);
  const open = await sql<HistoryOpenBillRow>`
      select b.account_id as "accountId", b.id as "billId", b.period, b.due_on::text as "dueOn", b.total_fen + coalesce(a.total_fen, 0) as "principalDueFen",
             coalesce(s.principal_paid_fen, 0) as "principalPaidFen", coalesce(s.penalty_accrued_mfen, 0) as "penaltyAccruedMfen",
             s.penalty_through::text as "penaltyThrough", coalesce(s.penalty_charged_fen, 0) as "penaltyChargedFen",
             coalesce(s.penalty_paid_fen, 0) as "penaltyPaidFen", coalesce(s.penalty_waived_fen, 0) as "penaltyWaivedFen"
        from bill b
        left join (${adjustmentsSql(from, to)}) a on a.account_id = b.account_id and a.adjusts_bill_id = b.id
        left join bill_settlement s on s.account_id = b.account_id and s.bill_id = b.id and s.account_id = any(${ids}::bigint[])
       where b.account_id = any(${ids}::bigint[]) and b.kind = 'regular' and b.status = 'issued' and b.due_on is not null
         and (b.total_fen + coalesce(a.total_fen, 0) > coalesce(s.principal_paid_fen, 0)
              or coalesce(s.penalty_charged_fen, 0) > coalesce(s.penalty_paid_fen, 0) + coalesce(s.penalty_waived_fen, 0))
       order by 1, 3, 2`.execute(db);
  const n = Number;
  return {
    open: open.rows.map((r) => ({
      ...r,
      accountId: n(r.accountId),
      billId: n(r.billId),
      principalDueFen: n(r.principalDueFen),
      principalPaidFen: n(r.principalPaidFen),
      penaltyAccruedMfen: n(r.penaltyAccruedMfen),
      penaltyChargedFen: n(r.penaltyChargedFen),
      penaltyPaidFen: n(r.penaltyPaidFen),
      penaltyWaivedFen: n(r.penaltyWaivedFen),
    })),
    prepaid,
  };
}

/** Accounts in (from, to] with a payment of the history paid in [start, until): a window's payments are applied per account at once. */
export async function accountsPaidBetween(db: Executor, from: number, to: number, start: Date, until: Date | null): Promise<Set<number>> {
  const end = until ?? new Date(8.64e15);
  const { rows } = await sql<{ id: number }>`
    select distinct account_id as id from payment
     where business_date >= ${businessDateOf(start)}::date and business_date <= ${businessDateOf(end)}::date
       and paid_at >= ${start} and paid_at < ${end} and account_id > ${from} and account_id <= ${to} and channel_txn_id like 'HIST-%'`.execute(db);
  return new Set(rows.map((r) => Number(r.id)));
}

/** The penalty minimum settings (payments' effective-dated table), for the planner's mirror of allocation. */
export async function penaltyMinimumSettings(db: Executor): Promise<{ effectiveFrom: string; minimumFen: number }[]> {
  const { rows } = await sql<{ effectiveFrom: string; minimumFen: number }>`
    select effective_from::text as "effectiveFrom", minimum_fen as "minimumFen" from penalty_minimum order by effective_from`.execute(db);
  return rows.map((r) => ({ effectiveFrom: r.effectiveFrom, minimumFen: Number(r.minimumFen) }));
}

/** Each station's first active cashier: the operator of its counter payments. */
export async function stationCashiers(db: Executor): Promise<Map<number, number>> {
  const { rows } = await sql<{ stationId: number; userId: number }>`
    select distinct on (org_unit_id) org_unit_id as "stationId", id as "userId"
      from app_user where role = 'cashier' and status = 'active' order by org_unit_id, id`.execute(db);
  return new Map(rows.map((r) => [Number(r.stationId), Number(r.userId)]));
}

/** Which of these bill periods have their bill run issued. */
export async function issuedHistoryPeriods(db: Executor, periods: readonly string[]): Promise<string[]> {
  if (periods.length === 0) return [];
  const { rows } = await sql<{ period: string }>`
    select period from bill_run where status = 'issued' and period = any(${textArrayLiteral(periods, (p) => p)}::text[]) order by period`.execute(db);
  return rows.map((r) => r.period);
}

/** Whether any payment of the replayed history (HIST- transaction ids) exists. */
export async function historyPaymentsExist(db: Executor): Promise<boolean> {
  const { rows } = await sql<{ found: boolean }>`select exists (select 1 from payment where channel_txn_id like 'HIST-%') as found`.execute(db);
  return rows[0]?.found === true;
}

/** app_setting key of the history replay's progress marker. */
export const PAYMENT_HISTORY_KEY = 'demo.payment_history';

export async function readPaymentHistoryMarker<T>(db: Executor): Promise<T | null> {
  const { rows } = await sql<{ value: T }>`select value from app_setting where key = ${PAYMENT_HISTORY_KEY}`.execute(db);
  return rows[0]?.value ?? null;
}

export async function writePaymentHistoryMarker(db: Executor, value: unknown): Promise<void> {
  await sql`insert into app_setting (key, value) values (${PAYMENT_HISTORY_KEY}, ${JSON.stringify(value)}::jsonb)
            on conflict (key) do update set value = excluded.value, updated_at = now()`.execute(db);
}

/** n fresh payment_order ids, so payments can carry their order id before the orders are written. */
export async function reserveOrderIds(db: Executor, n: number): Promise<number[]> {
  if (n === 0) return [];
  const { rows } = await sql<{ id: number }>`
    select nextval(pg_get_serial_sequence('payment_order', 'id')) as id from generate_series(1, ${n}::int)`.execute(db);
  return rows.map((r) => Number(r.id));
}

export interface PaidOrder {
  id: number;
  outTradeNo: string;
  accountId: number;
  channel: string;
  amountFen: number;
  createdAt: Date;
  expiresAt: Date;
  paidAt: Date;
  paymentId: number;
  channelTxnId: string;
}

/** Payment orders as the online channels leave them once paid (status paid, payment and channel txn set). */
export async function insertPaidOrders(db: Executor, orders: readonly PaidOrder[]): Promise<number> {
  if (orders.length === 0) return 0;
  const c = <K extends keyof PaidOrder>(k: K) => orders.map((o) => o[k]);
  const iso = (k: 'createdAt' | 'expiresAt' | 'paidAt') => orders.map((o) => o[k].toISOString());
  const result = await sql`
    insert into payment_order (id, out_trade_no, account_id, channel, amount_fen, status, created_at, expires_at, paid_at, payment_id, channel_txn_id)
    select id, out_trade_no, account_id, channel, amount_fen, 'paid', created_at, expires_at, paid_at, payment_id, channel_txn_id
      from unnest(${c('id')}::bigint[], ${c('outTradeNo')}::text[], ${c('accountId')}::bigint[], ${c('channel')}::text[], ${c('amountFen')}::bigint[],
                  ${iso('createdAt')}::timestamptz[], ${iso('expiresAt')}::timestamptz[], ${iso('paidAt')}::timestamptz[],
                  ${c('paymentId')}::bigint[], ${c('channelTxnId')}::text[])
           as o(id, out_trade_no, account_id, channel, amount_fen, created_at, expires_at, paid_at, payment_id, channel_txn_id)
    on conflict (out_trade_no) do nothing`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

/**
 * A replay batch sorts and hashes thousands of payments, allocations and ledger entries: room in memory for
 * it; the payments core's prepared statements planned for what each batch gives them (a generic plan is
 * costed for a handful of rows, as bankfiles found). And its commit need not wait for the WAL flush: a crash
 * loses at most the last batches, with the marker that records them, so the replay redoes them.
 */
export async function tuneBatchTransaction(trx: Executor): Promise<void> {
  await sql`set local work_mem = '64MB'`.execute(trx);
  await sql`set local plan_cache_mode = force_custom_plan`.execute(trx);
  await sql`set local synchronous_commit = off`.execute(trx);
}

/** Appends a finished chunk to the replay marker, atomically (chunks finish side by side). */
export async function markPaymentHistoryChunk(trx: Executor, chunk: number): Promise<void> {
  await sql`update app_setting set value = jsonb_set(value, '{doneChunks}', coalesce(value->'doneChunks', '[]'::jsonb) || to_jsonb(${chunk}::int)), updated_at = now()
             where key = ${PAYMENT_HISTORY_KEY}`.execute(trx);
}
