import { sql, type Selectable, type Updateable } from 'kysely';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { BillRunTable } from '../../db/schema.js';
import type { Executor } from '../../db/tx.js';
import { appendEvents, lineBookSql, postingCtes, type EventRef } from '../ledger/index.js';
import type { AccountForBilling } from './domain/assemble.js';
import { BILL_COLUMNS, BILL_LINE_COLUMNS, ESTIMATED_READ_COLUMNS, EXCEPTION_COLUMNS } from './domain/copy-rows.js';
import { parsePackedMeter } from './packed-reads.js';

/** The only place with SQL for bill runs, bills, bill lines and review exceptions. */

export type BillRunRow = Selectable<BillRunTable>;

// ---- runs --------------------------------------------------------------------------------------

export async function findRun(db: Executor, id: number): Promise<BillRunRow | undefined> {
  return db.selectFrom('bill_run').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findRunOfPeriod(db: Executor, companyId: number, period: string): Promise<BillRunRow | undefined> {
  return db.selectFrom('bill_run').selectAll().where('company_id', '=', companyId).where('period', '=', period).executeTakeFirst();
}

/** Newest period first; the cursor is the last id seen (runs are few: a dozen a year). */
export async function listRuns(db: Executor, companyId: number, f: { beforePeriod: string | null; limit: number }): Promise<BillRunRow[]> {
  let q = db.selectFrom('bill_run').selectAll().where('company_id', '=', companyId);
  if (f.beforePeriod) q = q.where('period', '<', f.beforePeriod);
  return q.orderBy('period', 'desc').limit(f.limit + 1).execute();
}

export async function unfinishedRuns(db: Executor): Promise<BillRunRow[]> {
  return db.selectFrom('bill_run').selectAll().where('status', 'in', ['rating', 'issuing']).orderBy('id').execute();
}

/** Accounts a run of the period rates: active, opened by the period's end. Their count and highest id. */
export async function billableAccounts(db: Executor, companyId: number, periodEnd: string): Promise<{ count: number; maxId: number }> {
  const row = await db
    .selectFrom('account')
    .select([sql<number>`count(*)::int`.as('count'), sql<number>`coalesce(max(id), 0)`.as('maxId')])
    .where('company_id', '=', companyId)
    .where('status', '=', 'active')
    .where('opened_on', '<=', periodEnd)
    .executeTakeFirstOrThrow();
  return { count: row.count, maxId: Number(row.maxId) };
}

export async function billableTariffCodes(db: Executor, companyId: number, periodEnd: string): Promise<string[]> {
  const rows = await db
    .selectFrom('account')
    .select('tariff_code')
    .distinct()
    .where('company_id', '=', companyId)
    .where('status', '=', 'active')
    .where('opened_on', '<=', periodEnd)
    .orderBy('tariff_code')
    .execute();
  return rows.map((r) => r.tariff_code);
}

export async function insertRun(db: Executor, v: { companyId: number; period: string; createdBy: number | null; accountsTotal: number; accountIdBound: number; now: Date }): Promise<BillRunRow> {
  return db
    .insertInto('bill_run')
    .values({
      company_id: v.companyId,
      period: v.period,
      status: 'rating',
      created_by: v.createdBy,
      accounts_total: v.accountsTotal,
      account_id_bound: v.accountIdBound,
      created_at: v.now,
      phase_started_at: v.now,
      timings: '{}',
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function updateRun(db: Executor, id: number, patch: Updateable<BillRunTable>): Promise<BillRunRow> {
  return db.updateTable('bill_run').set(patch).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

/** Changes the status only if it still is `from` (two processes racing lose cleanly). */
export async function moveRun(db: Executor, id: number, from: BillRunRow['status'][], patch: Updateable<BillRunTable>): Promise<BillRunRow | undefined> {
  return db.updateTable('bill_run').set(patch).where('id', '=', id).where('status', 'in', from).returningAll().executeTakeFirst();
}

/** Records how long a phase took, keyed by phase, in the run's timings. */
export async function addTiming(db: Executor, id: number, phase: string, seconds: number): Promise<void> {
  await sql`update bill_run set timings = timings || jsonb_build_object(${phase}::text, round(${seconds}::numeric, 2)) where id = ${id}`.execute(db);
}

// ---- a run's advisory lock: one process works on a run at a time ------------------------------

const RUN_LOCK_CLASS = 7_304_113;

export async function tryLockRun(client: pg.PoolClient, runId: number): Promise<boolean> {
  const { rows } = await client.query<{ locked: boolean }>('select pg_try_advisory_lock($1, $2) as locked', [RUN_LOCK_CLASS, runId]);
  return rows[0]!.locked;
}

export async function unlockRun(client: pg.PoolClient, runId: number): Promise<void> {
  await client.query('select pg_advisory_unlock($1, $2)', [RUN_LOCK_CLASS, runId]);
}

// ---- rating: one query in, one transaction out per batch ---------------------------------------

/** Every value as PostgreSQL's text: the rows are parsed here, once, into what the domain needs. */
const RAW_TEXT = { getTypeParser: () => (value: string) => value };

/** A numeric(…,2) column as whole hundredths (int8 text), '' for null — packed without allocations per value. */
const cents = (column: string) => `coalesce(((${column} * 100)::int8)::text, '')`;
const packedRead = (a: string, estimated: boolean) =>
  `case when ${a}.total is null then '' else concat_ws(',', ${['total', 'peak', 'flat', 'valley', 'reactive', 'max_demand'].map((r) => cents(`${a}.${r}`)).join(', ')}${estimated ? `, case when ${a}.estimated then '1' else '0' end` : ''}) end`;

/**
 * The accounts of one batch (ids in (lo, hi]) with their active meters, the read closing the period, the
 * one before, and the one `historyMonths` before that — one query; the bounds on every table let the
 * planner walk the primary keys in step (merge joins), ~0.1 s per 25,000 accounts. Each row also
 * draws a bill id from the sequence, so the batch needs no second query for ids. A meter and its three
 * reads come packed in one text of integers (hundredths), which keeps the garbage per row small: this
 * is the hot path of a million-account run.
 */
export async function fetchRatingInputs(
  client: pg.Pool | pg.PoolClient,
  q: { companyId: number; period: string; previous: string; history: string; periodEnd: string; lo: number; hi: number },
): Promise<{ accounts: AccountForBilling[]; billIds: number[] }> {
  const text = `
    select a.id, a.tariff_code, a.category, a.voltage_level, a.pf_standard, a.capacity_kva, a.contract_demand_kw,
           a.basic_charge_basis, a.agent_multiplier, a.opened_on,
           case when a.category <> 'residential' then
             (select min(k.due_day) from contract k where k.account_id = a.id and k.due_day is not null and (k.ends_on is null or k.ends_on >= $4::date)) end,
           nextval('bill_id_seq'),
           case when m.id is null then null else concat_ws('|', m.id,
             (m.registers @> array['peak','flat','valley'])::int + 2 * (m.registers @> array['reactive'])::int + 4 * (m.registers @> array['max_demand'])::int,
             (m.multiplier * 100)::int8, ${packedRead('c', true)}, ${packedRead('p', false)}, ${packedRead('h', false)}) end
      from account a
      left join meter m on m.account_id = a.id and m.status = 'active' and m.account_id > $5 and m.account_id <= $6
      left join cycle_read c on c.account_id = a.id and c.meter_id = m.id and c.period = $2 and c.account_id > $5 and c.account_id <= $6
      left join cycle_read p on p.account_id = a.id and p.meter_id = m.id and p.period = $3 and p.account_id > $5 and p.account_id <= $6
      left join cycle_read h on h.account_id = a.id and h.meter_id = m.id and h.period = $7 and h.account_id > $5 and h.account_id <= $6
     where a.company_id = $1 and a.id > $5 and a.id <= $6 and a.status = 'active' and a.opened_on <= $4::date
     order by a.id, m.id`;
  const result = await client.query<(string | null)[]>({
    text,
    values: [q.companyId, q.period, q.previous, q.periodEnd, q.lo, q.hi, q.history],
    rowMode: 'array',
    types: RAW_TEXT,
  });
  const accounts: AccountForBilling[] = [];
  const billIds: number[] = []; // by position in accounts
  let last: AccountForBilling | undefined;
  for (const r of result.rows) {
    const id = Number(r[0]);
    if (!last || last.id !== id) {
      last = {
        id,
        tariffCode: r[1]!,
        category: r[2]!,
        voltageLevel: r[3]!,
        pfStandard: r[4] ?? null,
        capacityKva: r[5] ?? null,
        contractDemandKw: r[6] ?? null,
        basicChargeBasis: r[7] ?? null,
        agentMultiplier: r[8]!,
        openedOn: r[9]!,
        contractDueDay: r[10] == null ? null : Number(r[10]),
        meters: [],
      };
      accounts.push(last);
      billIds.push(Number(r[11]));
    }
    if (r[12] != null) last.meters.push(parsePackedMeter(r[12]));
  }
  return { accounts, billIds };
}

/** COPY FROM STDIN of ready-made UTF-8 chunks on the caller's client (inside its transaction). */
async function copyBuffers(client: pg.PoolClient, table: string, columns: readonly string[], chunks: readonly Buffer[]): Promise<void> {
  await pipeline(Readable.from(chunks), client.query(copyFrom(`copy ${table} (${columns.join(', ')}) from stdin`)));
}

/** Statistics after a rating pass wrote its bills (autovacuum may take minutes to notice a million rows). */
export async function analyzeBills(db: Executor): Promise<void> {
  await sql`analyze bill, bill_line, bill_exception`.execute(db);
}

export interface RatingBatchWrite {
  runId: number;
  period: string;
  /** The cursor this batch starts from (checked under the run's row lock) and the one it commits. */
  from: number;
  to: number;
  /** COPY text in chunks, per table. */
  bills: Buffer[];
  lines: Buffer[];
  exceptions: Buffer[];
  estimatedReads: Buffer[];
  counts: { accounts: number; bills: number; lines: number; exceptions: number; blocking: number; totalFen: number };
}

/**
 * One rating batch, in the caller's transaction on `client`: COPY the bills, lines, exceptions and
 * estimated reads, then move the cursor. A crash anywhere rolls the whole batch back, so a restart at the
 * cursor neither duplicates nor misses a bill. The row lock and cursor check make a second worker on the same run fail instead of
 * writing twice.
 */
export async function writeRatingBatch(client: pg.PoolClient, w: RatingBatchWrite): Promise<BillRunRow> {
  const { rows } = await client.query<{ rating_cursor: number; status: string }>('select rating_cursor, status from bill_run where id = $1 for update', [w.runId]);
  if (rows[0]?.rating_cursor !== w.from || rows[0]?.status !== 'rating') throw new Error(`bill run ${w.runId} moved on under this worker (cursor ${rows[0]?.rating_cursor}, expected ${w.from})`);
  if (w.bills.length) await copyBuffers(client, 'bill', BILL_COLUMNS, w.bills);
  if (w.lines.length) await copyBuffers(client, 'bill_line', BILL_LINE_COLUMNS, w.lines);
  if (w.exceptions.length) await copyBuffers(client, 'bill_exception', EXCEPTION_COLUMNS, w.exceptions);
  if (w.estimatedReads.length) await copyBuffers(client, 'cycle_read', ESTIMATED_READ_COLUMNS, w.estimatedReads);
  const c = w.counts;
  const updated = await client.query(
    `update bill_run set rating_cursor = $2, accounts_done = accounts_done + $3, bills = bills + $4, lines = lines + $5,
            exceptions = exceptions + $6, blocking_exceptions = blocking_exceptions + $7, total_fen = total_fen + $8
      where id = $1 returning *`,
    [w.runId, w.to, c.accounts, c.bills, c.lines, c.exceptions, c.blocking, c.totalFen],
  );
  return updated.rows[0] as BillRunRow;
}

// ---- issue: one statement set per batch --------------------------------------------------------

export interface IssueBatch {
  runId: number;
  period: string;
  from: number;
  to: number;
  /** Every batch below this account id is committed (the resume point; lanes commit out of order). */
  frontier: number;
  issueDate: string;
  issuedAt: Date;
  /** dueDateTable(issueDate): [0] = days after issue, [d] = contract due day d. */
  dueDates: string[];
}

/**
 * What the issue asks of payments for accounts that pay in advance (RULES §8.4): lock them before anything
 * is written, and settle their bills from prepaid once posted (the account events to append).
 */
export interface PrepaidAtIssue {
  lock(db: Executor, range: { from: number; to: number; period: string; runId: number }): Promise<number[]>;
  settle(db: Executor, bills: { accountId: number; billId: number; totalFen: number }[], businessDate: string): Promise<EventRef[]>;
}

/**
 * Issues the draft bills of a run in (from, to] in one statement: marks them issued with their due
 * dates, and posts exactly those (the UPDATE's RETURNING feeds the posting) as transfers — receivable
 * debited with the total, each book credited with its lines, set-based by the ledger. Then the run's
 * counters and resume point; bills of accounts that pay in advance settled from prepaid (`prepaid`, which
 * locked those accounts first); the account events — in the caller's transaction on `client` (`db` over
 * it). A batch asked again finds no draft left and adds nothing, so batches may run side by side and be
 * redone after a crash.
 */
export async function issueBillBatch(client: pg.PoolClient, db: Executor, b: IssueBatch, prepaid: PrepaidAtIssue): Promise<{ bills: number; totalFen: number; transfers: number; entries: number; run: BillRunRow }> {
  const advance = new Set(await prepaid.lock(db, { from: b.from, to: b.to, period: b.period, runId: b.runId }));
  // the posting sorts and hashes a whole batch: keep it in memory
  await client.query(`set local work_mem = '128MB'`);
  const { rows } = await client.query<{ status: string }>('select status from bill_run where id = $1', [b.runId]);
  if (rows[0]?.status !== 'issuing') throw new Error(`bill run ${b.runId} is no longer issuing (${rows[0]?.status})`);
  const book = sql.raw(lineBookSql('l.code'));
  const { rows: done } = await sql<{ bills: number; total_fen: string; transfers: number; entries: number; posted: { a: number[]; b: number[]; t: number[] } }>`
    with u as (
      update bill set status = 'issued', issued_at = ${b.issuedAt}, due_on = (${b.dueDates}::date[])[coalesce(due_day, 0) + 1]
       where account_id > ${b.from} and account_id <= ${b.to} and period = ${b.period} and kind = 'regular'
         and bill_run_id = ${b.runId} and status = 'draft'
      returning account_id, id, total_fen),
    src as materialized (
      select account_id, id as ref_id, 'bill.issue'::text as kind, 'receivable'::text as book, total_fen as amount_fen, ${b.issueDate}::date as business_date from u where total_fen <> 0
      union all
      select l.account_id, l.bill_id, 'bill.issue', ${book}, -sum(l.amount_fen)::bigint, ${b.issueDate}::date
        from u join bill_line l on l.account_id = u.account_id and l.bill_id = u.id
       where l.account_id > ${b.from} and l.account_id <= ${b.to}
       group by l.account_id, l.bill_id, 4 having sum(l.amount_fen) <> 0),
    ${postingCtes('bill')}
    select (select count(*) from u)::int as bills, (select coalesce(sum(total_fen), 0) from u)::text as total_fen,
           (select count(*) from t)::int as transfers, (select count(*) from e)::int as entries,
           (select json_build_object('a', coalesce(json_agg(account_id order by account_id), '[]'), 'b', coalesce(json_agg(id order by account_id), '[]'),
                                     't', coalesce(json_agg(total_fen order by account_id), '[]')) from u where total_fen <> 0) as posted`.execute(db);
  const r = done[0]!;
  const run = await client.query(
    `update bill_run set issue_cursor = greatest(issue_cursor, $2), issued_bills = issued_bills + $3, issued_fen = issued_fen + $4
      where id = $1 returning *`,
    [b.runId, b.frontier, r.bills, Number(r.total_fen)],
  );
  const posted = r.posted.a.map((accountId, i) => ({ accountId, billId: r.posted.b[i]!, totalFen: Number(r.posted.t[i]) }));
  const settled = await prepaid.settle(db, posted.filter((p) => advance.has(p.accountId)), b.issueDate);
  const issued: EventRef[] = posted.map((p) => ({ accountId: p.accountId, refType: 'bill', refId: p.billId, kind: 'bill.issued', businessDate: b.issueDate, receivableDeltaFen: p.totalFen, prepaidDeltaFen: 0, penaltyDeltaFen: 0 }));
  await appendEvents(db, [...issued, ...settled]);
  return { bills: r.bills, totalFen: Number(r.total_fen), transfers: r.transfers, entries: r.entries, run: run.rows[0] as BillRunRow };
}

// ---- review ------------------------------------------------------------------------------------

export async function exceptionCounts(db: Executor, runId: number) {
  return db
    .selectFrom('bill_exception')
    .select(['kind', 'blocking', sql<number>`count(*)::int`.as('count')])
    .where('bill_run_id', '=', runId)
    .groupBy(['kind', 'blocking'])
    .orderBy('blocking', 'desc')
    .orderBy('kind')
    .execute();
}

export interface ExceptionFilter {
  afterId: number;
  limit: number;
  kind?: string | undefined;
  blocking?: boolean | undefined;
  stationId?: number | undefined;
  accountId?: number | undefined;
}

export async function listExceptions(db: Executor, runId: number, f: ExceptionFilter) {
  let q = db
    .selectFrom('bill_exception as e')
    .innerJoin('account as a', 'a.id', 'e.account_id')
    .select(['e.id', 'e.account_id', 'a.account_no', 'a.name as account_name', 'a.station_id', 'a.area_id', 'e.bill_id', 'e.kind', 'e.blocking', 'e.detail', 'e.resolved', 'e.created_at'])
    .where('e.bill_run_id', '=', runId)
    .where('e.id', '>', f.afterId);
  if (f.kind) q = q.where('e.kind', '=', f.kind);
  if (f.blocking !== undefined) q = q.where('e.blocking', '=', f.blocking);
  if (f.stationId) q = q.where('a.station_id', '=', f.stationId);
  if (f.accountId) q = q.where('e.account_id', '=', f.accountId);
  return q.orderBy('e.id').limit(f.limit + 1).execute();
}

// ---- bills -------------------------------------------------------------------------------------

const billColumns = [
  'b.id', 'b.account_id', 'b.period', 'b.bill_run_id', 'b.kind', 'b.status', 'b.tariff_code', 'b.tariff_effective_from', 'b.total_fen',
  'b.kwh', 'b.peak_kwh', 'b.flat_kwh', 'b.valley_kwh', 'b.kvarh', 'b.max_demand_kw', 'b.days', 'b.estimated', 'b.outlier', 'b.rollover',
  'b.due_day', 'b.created_at', 'b.issued_at', 'b.due_on', 'b.adjusts_bill_id', 'b.reason',
] as const;

export type BillRow = Awaited<ReturnType<typeof findBill>> & object;

export async function findBill(db: Executor, id: number) {
  return db.selectFrom('bill as b').select(billColumns).where('b.id', '=', id).executeTakeFirst();
}

/** An account's bills, newest first; the cursor is the last (smallest) id seen. */
export async function listAccountBills(db: Executor, accountId: number, f: { beforeId: number | null; limit: number }) {
  let q = db.selectFrom('bill as b').select(billColumns).where('b.account_id', '=', accountId);
  if (f.beforeId) q = q.where('b.id', '<', f.beforeId);
  return q.orderBy('b.id', 'desc').limit(f.limit + 1).execute();
}

export async function billLines(db: Executor, accountId: number, billId: number) {
  return db.selectFrom('bill_line').selectAll().where('account_id', '=', accountId).where('bill_id', '=', billId).orderBy('line_no').execute();
}

/** Lines of a bill and of every adjustment of it, summed per code: what the account owes for it now. */
export async function effectiveLines(db: Executor, accountId: number, billId: number) {
  const { rows } = await sql<{ code: string; quantity: string; amount_fen: string }>`
    select l.code, sum(l.quantity)::text as quantity, sum(l.amount_fen)::text as amount_fen
      from bill b join bill_line l on l.account_id = b.account_id and l.bill_id = b.id
     where b.account_id = ${accountId} and (b.id = ${billId} or b.adjusts_bill_id = ${billId}) and b.status = 'issued'
     group by l.code order by min(l.line_no), l.code`.execute(db);
  return rows.map((r) => ({ code: r.code, quantity: r.quantity, amountFen: Number(r.amount_fen) }));
}

export async function adjustmentIds(db: Executor, accountId: number, billId: number): Promise<number[]> {
  const rows = await db.selectFrom('bill').select('id').where('account_id', '=', accountId).where('adjusts_bill_id', '=', billId).orderBy('id').execute();
  return rows.map((r) => r.id);
}

export async function nextBillId(db: Executor): Promise<number> {
  const { rows } = await sql<{ id: number }>`select nextval('bill_id_seq') as id`.execute(db);
  return Number(rows[0]!.id);
}

export interface NewAdjustment {
  id: number;
  accountId: number;
  period: string;
  tariffCode: string;
  tariffEffectiveFrom: string | null;
  totalFen: number;
  dueDay: number | null;
  issuedAt: Date;
  dueOn: string;
  adjustsBillId: number;
  reason: string;
  createdBy: number | null;
  lines: { code: string; quantity: string; unitPrice: string; amountFen: number; detail: Record<string, unknown> }[];
}

export async function insertAdjustment(db: Executor, a: NewAdjustment): Promise<void> {
  await db
    .insertInto('bill')
    .values({
      account_id: a.accountId,
      id: a.id,
      period: a.period,
      bill_run_id: null,
      kind: 'adjustment',
      status: 'issued',
      tariff_code: a.tariffCode,
      tariff_effective_from: a.tariffEffectiveFrom,
      total_fen: a.totalFen,
      due_day: a.dueDay,
      issued_at: a.issuedAt,
      due_on: a.dueOn,
      adjusts_bill_id: a.adjustsBillId,
      reason: a.reason,
      created_by: a.createdBy,
    })
    .execute();
  await db
    .insertInto('bill_line')
    .values(
      a.lines.map((l, i) => ({
        account_id: a.accountId,
        bill_id: a.id,
        line_no: i + 1,
        code: l.code,
        quantity: l.quantity,
        unit_price: l.unitPrice,
        amount_fen: l.amountFen,
        detail: JSON.stringify(l.detail),
      })),
    )
    .execute();
}

/** Accounts and stations for scope checks and lists. */
export async function accountStation(db: Executor, accountId: number) {
  return db.selectFrom('account').select(['id', 'station_id', 'company_id', 'category']).where('id', '=', accountId).executeTakeFirst();
}

export async function listCompanies(db: Executor) {
  return db.selectFrom('org_unit').select(['id', 'code']).where('kind', '=', 'company').orderBy('id').execute();
}

export async function companyByCode(db: Executor, code: string) {
  return db.selectFrom('org_unit').select(['id', 'code']).where('kind', '=', 'company').where('code', '=', code).executeTakeFirst();
}
