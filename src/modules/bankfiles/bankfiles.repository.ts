import { sql, type Selectable } from 'kysely';
import type pg from 'pg';
import { copyInto } from '../../db/copy.js';
import type { BankBatchTable } from '../../db/schema.js';
import type { Executor } from '../../db/tx.js';

/**
 * The only SQL of the bankfiles module. Staging lives in temporary tables of the importing session
 * (`bank_stage`: the file's lines as read; `bank_dups`: bank_txn_ids seen more than once), so the functions
 * that use them take that session's client.
 */

export type BankBatchRow = Selectable<BankBatchTable>;

// ---- batches -----------------------------------------------------------------------------------

export async function findBatch(db: Executor, id: number): Promise<BankBatchRow | undefined> {
  return db.selectFrom('bank_batch').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findBatchOfFile(db: Executor, companyId: number, sha256: string): Promise<BankBatchRow | undefined> {
  return db.selectFrom('bank_batch').selectAll().where('company_id', '=', companyId).where('file_sha256', '=', sha256).executeTakeFirst();
}

/** Newest first; the cursor is the last id seen. */
export async function listBatches(db: Executor, companyId: number, f: { beforeId: number | null; limit: number }): Promise<BankBatchRow[]> {
  let q = db.selectFrom('bank_batch').selectAll().where('company_id', '=', companyId);
  if (f.beforeId) q = q.where('id', '<', f.beforeId);
  return q.orderBy('id', 'desc').limit(f.limit + 1).execute();
}

export interface NewBatch {
  companyId: number;
  bank: string;
  fileName: string;
  sha256: string;
  encoding: 'utf-8' | 'gb18030';
  businessDate: string;
  lines: number;
  createdBy: number | null;
}

export async function insertBatch(db: Executor, b: NewBatch): Promise<BankBatchRow> {
  return db
    .insertInto('bank_batch')
    .values({
      company_id: b.companyId,
      bank: b.bank,
      file_name: b.fileName,
      file_sha256: b.sha256,
      encoding: b.encoding,
      business_date: b.businessDate,
      status: 'posting',
      lines: b.lines,
      accepted: 0,
      rejected: 0,
      accepted_fen: 0,
      created_by: b.createdBy,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function finishBatch(db: Executor, id: number, seconds: number, at: Date): Promise<BankBatchRow> {
  return db
    .updateTable('bank_batch')
    .set({ status: 'posted', posted_at: at, seconds: seconds.toFixed(3) })
    .where('id', '=', id)
    .where('status', '=', 'posting')
    .where(sql<boolean>`posted_through = lines`)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** How the accepted lines' money was spread (payments of the batch) and the rejected lines by reason. */
export async function batchFigures(db: Executor, id: number): Promise<{ principalFen: number; penaltyFen: number; prepaidFen: number; payments: number; reasons: { reason: string; lines: number }[] }> {
  const { rows } = await sql<{ principal: string; penalty: string; prepaid: string; payments: number; reasons: { reason: string; lines: number }[] }>`
    select coalesce(sum(principal_fen), 0)::text as principal, coalesce(sum(penalty_fen), 0)::text as penalty, coalesce(sum(prepaid_fen), 0)::text as prepaid,
           count(*)::int as payments,
           (select coalesce(json_agg(r order by r.lines desc, r.reason), '[]') from (
              select split_part(reason, ':', 1) as reason, count(*)::int as lines from bank_batch_line
               where batch_id = ${id} and not accepted group by 1) r) as reasons
      from payment where bank_batch_id = ${id}`.execute(db);
  const r = rows[0]!;
  return { principalFen: Number(r.principal), penaltyFen: Number(r.penalty), prepaidFen: Number(r.prepaid), payments: r.payments, reasons: r.reasons };
}

// ---- one importer per file ---------------------------------------------------------------------

/** Advisory-lock namespace of bank file imports (any constant distinct from the others in use). */
const FILE_LOCK = 7_304_406;

/** Session-level: held until released or the connection ends (kill -9 releases it with the connection). */
export async function tryLockFile(client: pg.PoolClient, companyId: number, sha256: string): Promise<boolean> {
  const { rows } = await client.query<{ ok: boolean }>('select pg_try_advisory_lock($1, hashtext($2)) as ok', [FILE_LOCK, `${companyId}:${sha256}`]);
  return rows[0]!.ok;
}

export async function unlockFile(client: pg.PoolClient, companyId: number, sha256: string): Promise<void> {
  await client.query('select pg_advisory_unlock($1, hashtext($2))', [FILE_LOCK, `${companyId}:${sha256}`]);
}

// ---- staging -----------------------------------------------------------------------------------

/** What a step needs of each line (the bank's status and message are already in reason and detail). */
export const STAGE_COLUMNS = ['line_no', 'txn', 'account_no', 'amount_fen', 'debit_date', 'reason', 'detail'] as const;

/** Fresh temporary tables for this session (a previous import on the same connection may have left them). */
export async function createStage(client: pg.PoolClient): Promise<void> {
  await client.query(`drop table if exists pg_temp.bank_stage, pg_temp.bank_dups`);
  await client.query(`create temp table bank_stage (
    line_no int not null, txn text, account_no text, amount_fen bigint, debit_date date, reason text, detail text)`);
}

export async function copyStage(client: pg.PoolClient, chunks: AsyncIterable<Uint8Array>): Promise<void> {
  await copyInto(client, 'bank_stage', STAGE_COLUMNS, chunks);
}

export async function dropStage(client: pg.PoolClient): Promise<void> {
  await client.query(`drop table if exists pg_temp.bank_stage, pg_temp.bank_dups`);
}

/**
 * After the file is staged, in the caller's transaction on the session: the line-number index the steps
 * read by, and the bank_txn_ids that occur more than once with their first line (usually none) — one pass
 * over the file each.
 */
export async function prepareStage(client: pg.PoolClient): Promise<void> {
  await client.query(`set local work_mem = '256MB'`);
  await client.query('create unique index on bank_stage (line_no)');
  await client.query(`create temp table bank_dups as
    select txn, min(line_no) as first_line from bank_stage where txn is not null group by txn having count(*) > 1`);
  await client.query('analyze bank_stage');
  await client.query('analyze bank_dups');
}

/**
 * In a step's transaction: the payments core's hot statements are prepared per connection, and after five
 * runs PostgreSQL may switch them to a generic plan, costed for a handful of rows. A step hands them
 * 20,000: plan each run for what it gets (measured: generic plans made the payment-context read 20× slower
 * for a few steps at 1M lines).
 */
export async function planEachRun(client: pg.PoolClient): Promise<void> {
  await client.query('set local plan_cache_mode = force_custom_plan');
}

/** A line of the file after the checks: reason null = to be posted. */
export interface StepLine {
  lineNo: number;
  txn: string | null;
  accountNo: string | null;
  accountId: number | null;
  amountFen: number | null;
  debitDate: string | null;
  reason: string | null;
}

/**
 * Every line of (from, to], in file order, with the checks that need the database: a bank_txn_id on an
 * earlier line of the file (duplicate_in_file), an account number unknown in the company, a closed
 * account. A reason found while reading the line stays. (A bank_txn_id applied by an earlier file is
 * found by the payments core, which looks its transactions up anyway: already_applied / txn_conflict.)
 * The step's accounts are looked up by index (account_no is unique: at most one per line), so a step costs
 * the same in a county of a thousand accounts or a million.
 */
export async function stepLines(client: pg.PoolClient, companyId: number, from: number, to: number): Promise<StepLine[]> {
  const { rows } = await client.query<StepLine>({
    text: `select s.line_no as "lineNo", s.txn, s.account_no as "accountNo", a.id as "accountId", s.amount_fen as "amountFen",
                  s.debit_date as "debitDate",
                  case when s.reason is not null then s.reason || coalesce(': ' || s.detail, '')
                       when d.first_line is not null then 'duplicate_in_file: line ' || d.first_line
                       when a.id is null then 'unknown_account'
                       when a.status <> 'active' then 'closed_account'
                  end as reason
             from bank_stage s
             left join bank_dups d on d.txn = s.txn and s.line_no > d.first_line
             -- the step's account numbers as an array on the account_no index: one walk of the index for the
             -- step (it sorts the array), not a descent per line. As a plain join the planner hashed the whole
             -- account table on every step (a seq scan of the county per 20,000 lines).
             left join account a on a.account_no = s.account_no and a.company_id = $3
                                and a.account_no = any(array(select account_no from bank_stage
                                                              where line_no > $1 and line_no <= $2 and account_no is not null))
            where s.line_no > $1 and s.line_no <= $2
            order by s.line_no`,
    values: [from, to, companyId],
  });
  return rows;
}

export const RESULT_LINE_COLUMNS = ['batch_id', 'line_no', 'account_no', 'account_id', 'amount_fen', 'bank_txn_id', 'accepted', 'reason', 'payment_id'] as const;

/** A step's result lines (COPY text in RESULT_LINE_COLUMNS order), in the caller's transaction. */
export async function copyResultLines(client: pg.PoolClient, text: Uint8Array): Promise<void> {
  if (text.length > 0) await copyInto(client, 'bank_batch_line', RESULT_LINE_COLUMNS, [text]);
}

/**
 * Moves the batch's cursor from `from` to `to` with the step's counts. The cursor is checked: a second
 * importer on the same batch, or steps committing out of order, fail here instead of writing twice.
 */
export async function advanceBatch(client: pg.PoolClient, batchId: number, from: number, to: number, c: { accepted: number; rejected: number; acceptedFen: number }): Promise<BankBatchRow> {
  const moved = await client.query<BankBatchRow>(
    `update bank_batch set posted_through = $3, accepted = accepted + $4, rejected = rejected + $5, accepted_fen = accepted_fen + $6
      where id = $1 and posted_through = $2 and status = 'posting' returning *`,
    [batchId, from, to, c.accepted, c.rejected, c.acceptedFen],
  );
  if (moved.rowCount !== 1) throw new Error(`bank batch ${batchId} moved on under this importer (expected its cursor at line ${from})`);
  return moved.rows[0]!;
}

// ---- result file -------------------------------------------------------------------------------

export interface ResultRow {
  lineNo: number;
  txnId: string | null;
  accountNo: string | null;
  amountFen: number | null;
  accepted: boolean;
  reason: string | null;
  paymentId: number | null;
}

/** The result lines of (from, to], in file order. */
export async function resultRows(db: Executor, batchId: number, from: number, to: number): Promise<ResultRow[]> {
  return db
    .selectFrom('bank_batch_line')
    .select(['line_no as lineNo', 'bank_txn_id as txnId', 'account_no as accountNo', 'amount_fen as amountFen', 'accepted', 'reason', 'payment_id as paymentId'])
    .where('batch_id', '=', batchId)
    .where('line_no', '>', from)
    .where('line_no', '<=', to)
    .orderBy('line_no')
    .execute();
}

// ---- companies (the command line names one) ----------------------------------------------------

export async function listCompanies(db: Executor): Promise<{ id: number; code: string }[]> {
  return db.selectFrom('org_unit').select(['id', 'code']).where('kind', '=', 'company').orderBy('id').execute();
}
