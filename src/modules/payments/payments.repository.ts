import { sql } from 'kysely';
import type pg from 'pg';
import { kyselyOnClient, PREPARED } from '../../db/connect.js';
import { copyInto } from '../../db/copy.js';
import { CopyTextBuffer, intArrayLiteral, textArrayLiteral } from '../../db/copy-text.js';

import { preparedWhenPipelined, send, type Executor } from '../../db/tx.js';
import { accountsInScope } from '../customers/index.js';
import { copyPostings, entriesPostingCtes, NEXT_TRANSFER_ID, type PostingEntry, type PostingTransfer } from '../ledger/index.js';
import type { Scope } from '../org/index.js';
import type { OpenBill } from './domain/allocation.js';
import type { PaymentEntry } from './domain/posting.js';
import type { MinimumSetting } from './domain/penalty.js';

/** The only place with SQL for payments. */

/**
 * Locks the customer accounts a batch pays into, in id order (no deadlock between batches), so that two
 * payments of one account are allocated one after the other. Returns the ids found.
 */
export async function lockAccounts(db: Executor, accountIds: readonly number[]): Promise<number[]> {
  const rows = await send(db, sql<{ id: number }>`${sql.raw(PREPARED)} select id from account where id = any(${pgArray(accountIds)}::bigint[]) order by id for update`.compile(db));
  return rows.map((r) => r.id);
}

/**
 * Of the given accounts (those of an issue batch holding prepaid credit), locks those that pay in advance
 * (smart prepaid, purchase-before-use) and have a bill of the run to issue, in id order like lockAccounts:
 * their bills are settled from prepaid (RULES §8.4), one after any refund or reversal, never beside it.
 */
export async function lockAdvanceAccountsToIssue(db: Executor, accountIds: readonly number[], r: { period: string; runId: number }): Promise<number[]> {
  if (accountIds.length === 0) return [];
  const { rows } = await sql<{ id: number }>`
    select a.id from account a
     where a.id = any(${intArrayLiteral(accountIds, (id) => id)}::bigint[]) and a.payment_mode <> 'postpaid'
       and exists (select 1 from bill b where b.account_id = a.id and b.period = ${r.period} and b.bill_run_id = ${r.runId} and b.status = 'draft')
     order by a.id for update of a`.execute(db);
  return rows.map((x) => x.id);
}

/**
 * lockAccounts for a bulk batch: the same locks in the same order, and each account's category with them
 * (allocation needs it for the penalty class). The read then need not look every bill's account up again
 * (a probe of the account index per bill: a fifth of the read of a 20,000-payment batch).
 */
export async function lockBatchAccounts(db: Executor, accountIds: readonly number[]): Promise<{ ids: number[]; categories: string[] }> {
  const rows = await send(
    db,
    sql<{ ids: number[] | null; categories: string[] | null }>`${sql.raw(PREPARED)}
    with l as (select id, category from account where id = any(${intArrayLiteral(accountIds, (id) => id)}::bigint[]) order by id for update)
    select json_agg(id order by id) as ids, json_agg(category order by id) as categories from l`.compile(db),
  );
  const r = rows[0]!;
  return { ids: r.ids ?? [], categories: r.categories ?? [] };
}

export interface ExistingPayment {
  channel: string;
  channelTxnId: string;
  accountId: number;
  paymentId: number;
  amountFen: number;
  principalFen: number;
  penaltyFen: number;
  prepaidFen: number;
}

export interface OpenBillRow extends OpenBill {
  accountId: number;
  /** whether the bill has a bill_settlement row (known to the bulk read; the counter's write upserts) */
  stored?: boolean;
}

export interface PaymentContext {
  bills: OpenBillRow[];
  existing: ExistingPayment[];
  ids: number[];
  /** transfer ids for a write that brings its own (copyPayments); empty unless asked for */
  transferIds: number[];
  minimums: MinimumSetting[];
}

/** The issued bills of the accounts with their principal due (total plus issued adjustments), as CTE `issued`. */
function issuedBillsSql(ids: string) {
  return sql`
    with issued as (
      select b.account_id, coalesce(b.adjusts_bill_id, b.id) as bill_id, sum(b.total_fen) as due_fen,
             min(b.period) as period, max(b.due_on) filter (where b.kind = 'regular') as due_on
        from bill b
       where b.account_id = any(${ids}::bigint[]) and b.status = 'issued'
       group by b.account_id, coalesce(b.adjusts_bill_id, b.id))`;
}

/**
 * The issued bills with something still open (principal due = the bill's total plus its issued
 * adjustments), as a query over the given accounts. Used under the account lock and for statements.
 */
function openBillsSql(accountIds: readonly number[], batch = false) {
  const ids = batch ? intArrayLiteral(accountIds, (id) => id) : pgArray(accountIds);
  if (batch) return sql`${issuedBillsSql(ids)}
    select json_build_array(i.account_id, i.bill_id, i.period, i.due_on::text, i.due_fen,
             coalesce(s.principal_paid_fen, 0), coalesce(s.penalty_accrued_mfen, 0), s.penalty_through::text,
             coalesce(s.penalty_charged_fen, 0), coalesce(s.penalty_paid_fen, 0), coalesce(s.penalty_waived_fen, 0),
             s.account_id is not null) as b
      from issued i
      left join bill_settlement s on s.account_id = i.account_id and s.bill_id = i.bill_id
                                  and s.account_id = any(${ids}::bigint[])
     where i.due_on is not null
       and (i.due_fen > coalesce(s.principal_paid_fen, 0)
            or coalesce(s.penalty_charged_fen, 0) > coalesce(s.penalty_paid_fen, 0) + coalesce(s.penalty_waived_fen, 0))`;
  return sql`${issuedBillsSql(ids)}
    select i.account_id as "accountId", i.bill_id as "billId", i.period, i.due_on::text as "dueOn", a.category,
           i.due_fen as "principalDueFen",
           coalesce(s.principal_paid_fen, 0) as "principalPaidFen",
           coalesce(s.penalty_accrued_mfen, 0) as "penaltyAccruedMfen",
           s.penalty_through::text as "penaltyThrough",
           coalesce(s.penalty_charged_fen, 0) as "penaltyChargedFen",
           coalesce(s.penalty_paid_fen, 0) as "penaltyPaidFen",
           coalesce(s.penalty_waived_fen, 0) as "penaltyWaivedFen"
      from issued i
      -- lateral with a limit: looked up by key per account; a join let the planner walk the account index
      -- from its start up to the batch's highest id on every call (measured: the read grew with the county)
      cross join lateral (select category from account where id = i.account_id limit 1) a
      -- the array again, so a large batch looks up its accounts' rows by index instead of joining the whole table
      left join bill_settlement s on s.account_id = i.account_id and s.bill_id = i.bill_id
                                  and s.account_id = any(${ids}::bigint[])
     where i.due_on is not null
       and (i.due_fen > coalesce(s.principal_paid_fen, 0)
            or coalesce(s.penalty_charged_fen, 0) > coalesce(s.penalty_paid_fen, 0) + coalesce(s.penalty_waived_fen, 0))`;
}

/** The columns of openBillsSql, in the order readPaymentContext sends them. */
const BILL_FIELDS = ['accountId', 'billId', 'period', 'dueOn', 'category', 'principalDueFen', 'principalPaidFen', 'penaltyAccruedMfen', 'penaltyThrough', 'penaltyChargedFen', 'penaltyPaidFen', 'penaltyWaivedFen'] as const;
type BillTuple = [number, number, string, string, string, number, number, number, string | null, number, number, number];

function billOf(t: BillTuple): OpenBillRow {
  return {
    accountId: t[0],
    billId: t[1],
    period: t[2],
    dueOn: t[3],
    category: t[4],
    principalDueFen: Number(t[5]),
    principalPaidFen: t[6],
    penaltyAccruedMfen: t[7],
    penaltyThrough: t[8],
    penaltyChargedFen: t[9],
    penaltyPaidFen: t[10],
    penaltyWaivedFen: t[11],
  };
}

/**
 * Everything allocation needs, in one round trip: the accounts' open bills, payments already applied with
 * the same channel transaction ids, fresh payment ids (and ledger transfer ids when asked for), and the
 * penalty minimum settings.
 */
export async function readPaymentContext(
  db: Executor,
  accountIds: readonly number[],
  txns: readonly { channel: string; channelTxnId: string }[],
  newIds: number,
  newTransferIds = 0,
): Promise<PaymentContext> {
  // Prepared on the counter's pipelined connections, which never scan a table whole; elsewhere (bank files,
  // the demo history) planned on every call with the tables' sizes as they are. A generic plan cached while
  // bill_settlement and payment were small (a new system, the start of an import) kept scanning them whole
  // as they grew: counter batches' reads went from 1 ms to 20–60 ms.
  const rows = await send(
    db,
    sql<{ bills: BillTuple[]; existing: ExistingPayment[]; ids: string[] | number[]; tids: string[] | number[]; minimums: MinimumSetting[] }>`${sql.raw(preparedWhenPipelined(db))}
    select
      -- as arrays, not objects: half the JSON to build and parse for a batch of 20,000 bills
      (select coalesce(json_agg(json_build_array(${sql.raw(BILL_FIELDS.map((f) => `o."${f}"`).join(', '))})), '[]') from (${openBillsSql(accountIds)}) o) as bills,
      (select coalesce(json_agg(json_build_object(
                'channel', p.channel, 'channelTxnId', p.channel_txn_id, 'accountId', p.account_id, 'paymentId', p.id,
                'amountFen', p.amount_fen, 'principalFen', p.principal_fen, 'penaltyFen', p.penalty_fen, 'prepaidFen', p.prepaid_fen)), '[]')
         from unnest(${col(txns, 'channel')}::text[], ${col(txns, 'channelTxnId')}::text[]) x(channel, txn)
         -- by the unique index, per transaction (I3: at most one); as a join the planner hashed or merged the
         -- whole payment table for a large batch, a read that grew with every payment ever applied
         cross join lateral (select * from payment p where p.channel = x.channel and p.channel_txn_id = x.txn limit 1) p) as existing,
      (select coalesce(array_agg(nextval('payment_id_seq')), '{}') from generate_series(1, ${newIds}::int)) as ids,
      (select coalesce(array_agg(${NEXT_TRANSFER_ID}), '{}') from generate_series(1, ${newTransferIds}::int)) as tids,
      (select coalesce(json_agg(json_build_object('effectiveFrom', effective_from::text, 'minimumFen', minimum_fen)), '[]') from penalty_minimum) as minimums`.compile(db),
  );
  const r = rows[0]!;
  return { bills: r.bills.map(billOf), existing: r.existing, ids: r.ids.map(Number), transferIds: r.tids.map(Number), minimums: r.minimums };
}

/** A bill as the bulk read sends it: BillTuple without the category (the lock has it), with `stored`. */
type BatchBillTuple = [number, number, string, string, number, number, number, string | null, number, number, number, boolean];

/**
 * readPaymentContext for a bulk batch whose accounts lockBatchAccounts locked (ids ascending, with their
 * categories): the same context, the categories taken from the lock, and per bill whether its
 * bill_settlement row exists (the write inserts new states and updates stored ones). Planned on every call.
 */
export async function readBatchContext(
  db: Executor,
  accounts: { ids: readonly number[]; categories: readonly string[] },
  txns: readonly { channel: string; channelTxnId: string }[],
  newIds: number,
  newTransferIds: number,
): Promise<PaymentContext> {
  const { rows } = await sql<{ bills: BatchBillTuple[]; existing: ExistingPayment[]; ids: number[]; tids: number[]; minimums: MinimumSetting[] }>`
    select
      (select coalesce(json_agg(o.b), '[]') from (${openBillsSql(accounts.ids, true)}) o) as bills,
      (select coalesce(json_agg(json_build_object(
                'channel', p.channel, 'channelTxnId', p.channel_txn_id, 'accountId', p.account_id, 'paymentId', p.id,
                'amountFen', p.amount_fen, 'principalFen', p.principal_fen, 'penaltyFen', p.penalty_fen, 'prepaidFen', p.prepaid_fen)), '[]')
         -- one walk of the unique index for the whole batch (the index sorts the arrays), not a descent per
         -- transaction: a batch of several channels may also find another channel's transaction of the same id,
         -- which allocation, matching channel and id together, passes over
         from payment p where p.channel = any(${textArrayLiteral([...new Set(txns.map((t) => t.channel))], (c) => c)}::text[])
                          and p.channel_txn_id = any(${textArrayLiteral(txns, (t) => t.channelTxnId)}::text[])) as existing,
      -- ids as JSON: parsed natively, where an array literal of 20,000 went through the driver's array parser
      (select coalesce(json_agg(nextval('payment_id_seq')), '[]') from generate_series(1, ${newIds}::int)) as ids,
      (select coalesce(json_agg(${NEXT_TRANSFER_ID}), '[]') from generate_series(1, ${newTransferIds}::int)) as tids,
      (select coalesce(json_agg(json_build_object('effectiveFrom', effective_from::text, 'minimumFen', minimum_fen)), '[]') from penalty_minimum) as minimums`.execute(db);
  const r = rows[0]!;
  const categories = new Map(accounts.ids.map((id, i) => [id, accounts.categories[i]!]));
  const categoryOf = (accountId: number) => {
    const category = categories.get(accountId);
    if (category === undefined) throw new Error(`bill of account ${accountId}, which the batch did not lock`);
    return category;
  };
  const bills = r.bills.map((t): OpenBillRow => ({
    accountId: t[0],
    billId: t[1],
    period: t[2],
    dueOn: t[3],
    category: categoryOf(t[0]),
    principalDueFen: Number(t[4]),
    principalPaidFen: t[5],
    penaltyAccruedMfen: t[6],
    penaltyThrough: t[7],
    penaltyChargedFen: t[8],
    penaltyPaidFen: t[9],
    penaltyWaivedFen: t[10],
    stored: t[11],
  }));
  return { bills, existing: r.existing, ids: r.ids, transferIds: r.tids, minimums: r.minimums };
}


export async function openBillsOf(db: Executor, accountId: number): Promise<OpenBillRow[]> {
  const { rows } = await sql<OpenBillRow>`${openBillsSql([accountId])}`.execute(db);
  return rows;
}

export async function penaltyMinimums(db: Executor): Promise<MinimumSetting[]> {
  const rows = await db.selectFrom('penalty_minimum').select([sql<string>`effective_from::text`.as('effectiveFrom'), 'minimum_fen as minimumFen']).execute();
  return rows;
}

export interface NewPayment {
  accountId: number;
  id: number;
  channel: string;
  channelTxnId: string;
  amountFen: number;
  paidAt: Date;
  businessDate: string;
  orderId: number | null;
  bankBatchId: number | null;
  operatorId: number | null;
  principalFen: number;
  penaltyFen: number;
  prepaidFen: number;
}

export interface NewAllocation {
  accountId: number;
  paymentId: number;
  lineNo: number;
  billId: number | null;
  penaltyFen: number;
  principalFen: number;
  prepaidFen: number;
}

export interface SettlementState {
  accountId: number;
  billId: number;
  principalPaidFen: number;
  penaltyAccruedMfen: number;
  penaltyThrough: string | null;
  penaltyChargedFen: number;
  penaltyPaidFen: number;
  penaltyWaivedFen: number;
  settledOn: string | null;
  /** the bill had a bill_settlement row when read: the bulk write updates it, and inserts one unless this is true (other writes upsert) */
  stored?: boolean;
}

export interface NewEntry extends PaymentEntry {
  accountId: number;
  refId: number;
  businessDate: string;
}

export interface PaymentWrite {
  payments: NewPayment[];
  allocations: NewAllocation[];
  settlements: SettlementState[];
  entries: NewEntry[];
  /** ref_type of the ledger transfers ('payment', or 'approval' for reversals/refunds/waivers) */
  refType: string;
}

/**
 * A column of rows as one PostgreSQL array literal (text), for `unnest(...::type[])`. The driver would build
 * the same text, but escaping every element with two regular expressions: measured as a tenth of Node's
 * time in a bank file's step, whose arrays hold hundreds of thousands of values.
 */
const col = <T, K extends keyof T>(rows: readonly T[], k: K) => pgArray(rows.map((r) => r[k] as ArrayValue));

type ArrayValue = string | number | null | undefined;
const NEEDS_QUOTE_ESCAPE = /["\\]/;
function pgArray(values: readonly ArrayValue[]): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (i > 0) out += ',';
    if (v === null || v === undefined) out += 'NULL';
    else if (typeof v === 'number') out += String(v);
    else out += `"${NEEDS_QUOTE_ESCAPE.test(v) ? v.replace(/["\\]/g, '\\$&') : v}"`;
  }
  return out + '}';
}

/** The new state of each bill (one row per bill), inserted or replacing the stored one. */
function settlementUpsert(s: readonly SettlementState[]) {
  return sql`
      insert into bill_settlement (account_id, bill_id, principal_paid_fen, penalty_accrued_mfen, penalty_through, penalty_charged_fen, penalty_paid_fen, penalty_waived_fen, settled_on)
      select * from unnest(${intArrayLiteral(s, (x) => x.accountId)}::bigint[], ${intArrayLiteral(s, (x) => x.billId)}::bigint[], ${intArrayLiteral(s, (x) => x.principalPaidFen)}::bigint[],
                           ${intArrayLiteral(s, (x) => x.penaltyAccruedMfen)}::bigint[], ${textArrayLiteral(s, (x) => x.penaltyThrough)}::date[], ${intArrayLiteral(s, (x) => x.penaltyChargedFen)}::bigint[],
                           ${intArrayLiteral(s, (x) => x.penaltyPaidFen)}::bigint[], ${intArrayLiteral(s, (x) => x.penaltyWaivedFen)}::bigint[], ${textArrayLiteral(s, (x) => x.settledOn)}::date[])
      on conflict (account_id, bill_id) do update set
        principal_paid_fen = excluded.principal_paid_fen, penalty_accrued_mfen = excluded.penalty_accrued_mfen,
        penalty_through = excluded.penalty_through, penalty_charged_fen = excluded.penalty_charged_fen,
        penalty_paid_fen = excluded.penalty_paid_fen, penalty_waived_fen = excluded.penalty_waived_fen,
        settled_on = excluded.settled_on, updated_at = now()`;
}

/**
 * Writes a batch of payments in one statement: payment rows (a channel transaction already there is not
 * inserted — the caller compares the count and gives up; `strict`: the statement fails on it instead), their
 * allocation lines, the new state of every bill they touched (one row per bill), and their posting through
 * the ledger's statement sink (which fails the whole statement if a transfer does not balance).
 */
export async function writePayments(db: Executor, w: PaymentWrite, strict = false): Promise<{ inserted: number }> {
  const { payments: p, allocations: a, settlements: s, entries: e } = w;
  const rows = await send(
    db,
    sql<{ inserted: number }>`${sql.raw(PREPARED)}
    with p as (
      insert into payment (account_id, id, channel, channel_txn_id, amount_fen, paid_at, business_date, order_id, bank_batch_id, operator_id, principal_fen, penalty_fen, prepaid_fen)
      select * from unnest(${col(p, 'accountId')}::bigint[], ${col(p, 'id')}::bigint[], ${col(p, 'channel')}::text[], ${col(p, 'channelTxnId')}::text[],
                           ${col(p, 'amountFen')}::bigint[], ${pgArray(p.map((x) => x.paidAt.toISOString()))}::timestamptz[], ${col(p, 'businessDate')}::date[],
                           ${col(p, 'orderId')}::bigint[], ${col(p, 'bankBatchId')}::bigint[], ${col(p, 'operatorId')}::bigint[],
                           ${col(p, 'principalFen')}::bigint[], ${col(p, 'penaltyFen')}::bigint[], ${col(p, 'prepaidFen')}::bigint[])
      ${strict ? sql`` : sql`on conflict (channel, channel_txn_id) do nothing`}
      returning 1),
    a as (
      insert into payment_allocation (account_id, payment_id, line_no, bill_id, penalty_fen, principal_fen, prepaid_fen)
      select * from unnest(${col(a, 'accountId')}::bigint[], ${col(a, 'paymentId')}::bigint[], ${col(a, 'lineNo')}::smallint[], ${col(a, 'billId')}::bigint[],
                           ${col(a, 'penaltyFen')}::bigint[], ${col(a, 'principalFen')}::bigint[], ${col(a, 'prepaidFen')}::bigint[])
      returning 1),
    s as (${settlementUpsert(s)} returning 1),
${entriesPostingCtes(e, w.refType)}
    select (select count(*) from p)::int as inserted`.compile(db),
  );
  return rows[0]!;
}

export interface PaymentCopy extends PaymentWrite {
  /** the transfers of `entries`, in entry order */
  transfers: PostingTransfer[];
  /** one id per transfer, drawn up front (NEXT_TRANSFER_ID) */
  transferIds: number[];
}

/**
 * Writes a batch of payments (thousands) in the caller's transaction on `client`: payments, allocation lines
 * and the bills' first states by COPY (appends, no conflict handling: the read said which bills have no state
 * yet), the posting through the ledger's COPY sink (the transfer ids come with the write), then one statement
 * updating the stored bill states.
 * Returns false when a payment's channel transaction is already there (inserted concurrently since the
 * read): the transaction is then aborted and the caller gives up.
 */
export async function copyPayments(client: pg.PoolClient, w: PaymentCopy): Promise<boolean> {
  if (w.transfers.length !== w.transferIds.length) throw new Error(`${w.transfers.length} transfers, ${w.transferIds.length} ids`);
  try {
    await copyInto(client, 'payment', PAYMENT_COLUMNS, [paymentsCopy(w.payments)]);
  } catch (err) {
    if ((err as { code?: string; constraint?: string }).code === '23505' && (err as { constraint?: string }).constraint === 'payment_channel_txn') return false;
    throw err;
  }
  await copyInto(client, 'payment_allocation', ALLOCATION_COLUMNS, [allocationsCopy(w.allocations)]);
  await copyPostings(client, w);
  const fresh = w.settlements.filter((x) => x.stored !== true);
  if (fresh.length > 0) await copyInto(client, 'bill_settlement', SETTLEMENT_COLUMNS, [settlementsCopy(fresh)]);
  await updateStates(client, w.settlements.filter((x) => x.stored === true));
  return true;
}

const PAYMENT_COLUMNS = ['account_id', 'id', 'channel', 'channel_txn_id', 'amount_fen', 'paid_at', 'business_date', 'order_id', 'bank_batch_id', 'operator_id', 'principal_fen', 'penalty_fen', 'prepaid_fen'];
const ALLOCATION_COLUMNS = ['account_id', 'payment_id', 'line_no', 'bill_id', 'penalty_fen', 'principal_fen', 'prepaid_fen'];
const SETTLEMENT_COLUMNS = ['account_id', 'bill_id', 'principal_paid_fen', 'penalty_accrued_mfen', 'penalty_through', 'penalty_charged_fen', 'penalty_paid_fen', 'penalty_waived_fen', 'settled_on'];

// The COPY payloads are written as bytes (CopyTextBuffer), sized from the first rows' width.
const bytesFor = (rows: number, perRow: number) => Math.max(1 << 12, rows * perRow);

function paymentsCopy(rows: readonly NewPayment[]): Buffer {
  const w = new CopyTextBuffer(bytesFor(rows.length, 160));
  let lastTime = NaN;
  let lastIso = '';
  for (const p of rows) {
    // a batch's payments share a few instants (a bank file: its debit days): one ISO string per instant
    const time = p.paidAt.getTime();
    if (time !== lastTime) [lastTime, lastIso] = [time, p.paidAt.toISOString()];
    w.int(p.accountId).int(p.id).text(p.channel).text(p.channelTxnId).int(p.amountFen).text(lastIso).text(p.businessDate)
      .intOrNull(p.orderId).intOrNull(p.bankBatchId).intOrNull(p.operatorId).int(p.principalFen).int(p.penaltyFen).int(p.prepaidFen).endRow();
  }
  return w.bytes();
}

function allocationsCopy(rows: readonly NewAllocation[]): Buffer {
  const w = new CopyTextBuffer(bytesFor(rows.length, 64));
  for (const a of rows) w.int(a.accountId).int(a.paymentId).int(a.lineNo).intOrNull(a.billId).int(a.penaltyFen).int(a.principalFen).int(a.prepaidFen).endRow();
  return w.bytes();
}

function settlementsCopy(rows: readonly SettlementState[]): Buffer {
  const w = new CopyTextBuffer(bytesFor(rows.length, 64));
  for (const x of rows) {
    w.int(x.accountId).int(x.billId).int(x.principalPaidFen).int(x.penaltyAccruedMfen).textOrNull(x.penaltyThrough)
      .int(x.penaltyChargedFen).int(x.penaltyPaidFen).int(x.penaltyWaivedFen).textOrNull(x.settledOn).endRow();
  }
  return w.bytes();
}

/**
 * The stored bill states a bulk batch changed, in one statement (the new ones were COPYed): updates, not
 * upserts, which cost a row lock before each update. The read said which states exist, under the account
 * locks every writer of bill states takes.
 */
async function updateStates(client: pg.PoolClient, stored: readonly SettlementState[]): Promise<void> {
  if (stored.length === 0) return;
  const s = stored;
  const { rows } = await sql<{ updated: number }>`${sql.raw(PREPARED)}
    with su as (
      update bill_settlement s set
        principal_paid_fen = x.principal_paid_fen, penalty_accrued_mfen = x.penalty_accrued_mfen, penalty_through = x.penalty_through,
        penalty_charged_fen = x.penalty_charged_fen, penalty_paid_fen = x.penalty_paid_fen, penalty_waived_fen = x.penalty_waived_fen,
        settled_on = x.settled_on, updated_at = now()
        from unnest(${intArrayLiteral(s, (x) => x.accountId)}::bigint[], ${intArrayLiteral(s, (x) => x.billId)}::bigint[], ${intArrayLiteral(s, (x) => x.principalPaidFen)}::bigint[],
                    ${intArrayLiteral(s, (x) => x.penaltyAccruedMfen)}::bigint[], ${textArrayLiteral(s, (x) => x.penaltyThrough)}::date[], ${intArrayLiteral(s, (x) => x.penaltyChargedFen)}::bigint[],
                    ${intArrayLiteral(s, (x) => x.penaltyPaidFen)}::bigint[], ${intArrayLiteral(s, (x) => x.penaltyWaivedFen)}::bigint[], ${textArrayLiteral(s, (x) => x.settledOn)}::date[])
             x(account_id, bill_id, principal_paid_fen, penalty_accrued_mfen, penalty_through, penalty_charged_fen, penalty_paid_fen, penalty_waived_fen, settled_on)
       where s.account_id = x.account_id and s.bill_id = x.bill_id and s.account_id = any(${intArrayLiteral(s, (x) => x.accountId)}::bigint[])
      returning 1)
    select (select count(*) from su)::int as updated`.execute(kyselyOnClient(client));
  // a stored state that was not there would otherwise be lost without a word
  if (rows[0]!.updated !== stored.length) throw new Error(`${stored.length} bill states to update, ${rows[0]!.updated} found`);
}


// ---- reads for pages and receipts --------------------------------------------------------------

export async function findPayment(db: Executor, paymentId: number) {
  return db
    .selectFrom('payment as p')
    .innerJoin('account as a', 'a.id', 'p.account_id')
    .leftJoin('app_user as u', 'u.id', 'p.operator_id')
    .select([
      'p.id',
      'p.account_id',
      'a.account_no',
      'a.name as account_name',
      'a.station_id',
      'p.channel',
      'p.channel_txn_id',
      'p.amount_fen',
      'p.principal_fen',
      'p.penalty_fen',
      'p.prepaid_fen',
      'p.paid_at',
      sql<string>`p.business_date::text`.as('business_date'),
      'p.order_id',
      'p.bank_batch_id',
      'p.reversed',
      'u.display_name as operator_name',
    ])
    .where('p.id', '=', paymentId)
    .executeTakeFirst();
}

export async function allocationsOf(db: Executor, accountId: number, paymentId: number) {
  return db
    .selectFrom('payment_allocation as x')
    .leftJoin('bill as b', (j) => j.onRef('b.account_id', '=', 'x.account_id').onRef('b.id', '=', 'x.bill_id'))
    .select(['x.line_no', 'x.bill_id', 'b.period', 'x.penalty_fen', 'x.principal_fen', 'x.prepaid_fen'])
    .where('x.account_id', '=', accountId)
    .where('x.payment_id', '=', paymentId)
    .orderBy('x.line_no')
    .execute();
}

export async function paymentsOfAccount(db: Executor, accountId: number, beforeId: number | null, limit: number) {
  let q = db
    .selectFrom('payment as p')
    .leftJoin('app_user as u', 'u.id', 'p.operator_id')
    .select(['p.id', 'p.channel', 'p.channel_txn_id', 'p.amount_fen', 'p.principal_fen', 'p.penalty_fen', 'p.prepaid_fen', 'p.paid_at', sql<string>`p.business_date::text`.as('business_date'), 'p.reversed', 'u.display_name as operator_name'])
    .where('p.account_id', '=', accountId);
  if (beforeId !== null) q = q.where('p.id', '<', beforeId);
  return q.orderBy('p.id', 'desc').limit(limit).execute();
}

export async function settlementsOf(db: Executor, accountId: number, billIds?: readonly number[]) {
  let q = db
    .selectFrom('bill_settlement')
    .select([
      'bill_id',
      'principal_paid_fen',
      'penalty_accrued_mfen',
      sql<string | null>`penalty_through::text`.as('penalty_through'),
      'penalty_charged_fen',
      'penalty_paid_fen',
      'penalty_waived_fen',
      sql<string | null>`settled_on::text`.as('settled_on'),
    ])
    .where('account_id', '=', accountId);
  if (billIds) q = q.where('bill_id', 'in', billIds.length ? (billIds as number[]) : [-1]);
  return q.execute();
}

export async function markReversed(db: Executor, accountId: number, paymentId: number): Promise<boolean> {
  const r = await db.updateTable('payment').set({ reversed: true }).where('account_id', '=', accountId).where('id', '=', paymentId).where('reversed', '=', false).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function maxAllocationLine(db: Executor, accountId: number, paymentId: number): Promise<number> {
  const r = await db.selectFrom('payment_allocation').select((eb) => eb.fn.max('line_no').as('m')).where('account_id', '=', accountId).where('payment_id', '=', paymentId).executeTakeFirst();
  return Number(r?.m ?? 0);
}

// ---- approvals -----------------------------------------------------------------------------------

export interface NewApproval {
  kind: 'payment.reversal' | 'prepaid.refund' | 'penalty.waiver';
  accountId: number;
  paymentId: number | null;
  billId: number | null;
  amountFen: number;
  reason: string;
  requestedBy: number;
}

export async function insertApproval(db: Executor, a: NewApproval): Promise<number> {
  const r = await db
    .insertInto('approval_request')
    .values({ kind: a.kind, account_id: a.accountId, payment_id: a.paymentId, bill_id: a.billId, amount_fen: a.amountFen, reason: a.reason, requested_by: a.requestedBy })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

function approvalsWithPeople(db: Executor) {
  return db
    .selectFrom('approval_request as r')
    .innerJoin('account as a', 'a.id', 'r.account_id')
    .innerJoin('app_user as q', 'q.id', 'r.requested_by')
    .leftJoin('app_user as d', 'd.id', 'r.decided_by')
    .select([
      'r.id',
      'r.kind',
      'r.account_id',
      'a.account_no',
      'a.name as account_name',
      'a.station_id',
      'a.area_id',
      'r.payment_id',
      'r.bill_id',
      'r.amount_fen',
      'r.reason',
      'r.status',
      'r.requested_by',
      'q.display_name as requested_by_name',
      'q.role as requested_by_role',
      'r.requested_at',
      'r.decided_by',
      'd.display_name as decided_by_name',
      'r.decided_at',
      'r.decision_note',
    ]);
}

export async function findApproval(db: Executor, id: number, forUpdate = false) {
  const row = await approvalsWithPeople(db).where('r.id', '=', id).executeTakeFirst();
  if (row && forUpdate) await db.selectFrom('approval_request').select('id').where('id', '=', id).forUpdate().execute();
  return row;
}

export async function listApprovals(db: Executor, f: { scope: Scope; status?: string | undefined; beforeId: number | null; limit: number }) {
  let q = approvalsWithPeople(db).where('r.account_id', 'in', accountsInScope(db, f.scope).select('a.id'));
  if (f.status) q = q.where('r.status', '=', f.status as 'pending');
  if (f.beforeId !== null) q = q.where('r.id', '<', f.beforeId);
  return q.orderBy('r.id', 'desc').limit(f.limit).execute();
}

export async function decideApproval(db: Executor, id: number, d: { status: 'approved' | 'rejected'; decidedBy: number; note: string | null }): Promise<void> {
  await db.updateTable('approval_request').set({ status: d.status, decided_by: d.decidedBy, decided_at: new Date(), decision_note: d.note }).where('id', '=', id).where('status', '=', 'pending').execute();
}
