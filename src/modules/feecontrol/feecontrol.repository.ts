import { sql } from 'kysely';
import type { Executor } from '../../db/tx.js';
import { intArrayLiteral, textArrayLiteral } from '../../db/copy-text.js';
import type { FeeState } from './domain/policy.js';
import { accountsInScope } from '../customers/index.js';
import type { Scope } from '../org/index.js';

/**
 * Fee control's SQL. The daily run reads accounts, meters, cycle and daily reads and issued bills in bulk
 * (read-only, like the bill run's reader); it writes only its own tables.
 */

/** A register set as decimal text (numeric(14,2)), null registers absent. */
export interface RegisterRow {
  total: string;
  peak: string | null;
  flat: string | null;
  valley: string | null;
  reactive: string | null;
  max_demand: string | null;
}

export interface MeterRow {
  meter_id: number;
  registers: string[];
  multiplier: string;
  start_period: string | null;
  start_on: string | null;
  start: RegisterRow | null;
  day: RegisterRow | null;
}

export interface RunAccountRow {
  id: number;
  station_id: number;
  tariff_code: string;
  category: string;
  voltage_level: string;
  pf_standard: string | null;
  capacity_kva: string | null;
  contract_demand_kw: string | null;
  basic_charge_basis: string | null;
  agent_multiplier: string;
  opened_on: string;
  payment_mode: 'smart_prepaid' | 'purchase_before_use';
  is_important: boolean;
  is_medical: boolean;
  is_heating_company: boolean;
  is_vulnerable: boolean;
  last_issued: string | null;
  meters: MeterRow[];
}

/** One row of `runAccounts`' query: an account with one of its active meters (null: none) and that meter's reads. */
type RunMeterRow = Omit<RunAccountRow, 'meters'> & {
  meter_id: number | null;
  registers: string[] | null;
  multiplier: string | null;
  start_period: string | null;
  start_on: string | null;
  c_total: string | null;
  c_peak: string | null;
  c_flat: string | null;
  c_valley: string | null;
  c_reactive: string | null;
  c_max_demand: string | null;
  d_total: string | null;
  d_peak: string | null;
  d_flat: string | null;
  d_valley: string | null;
};

/**
 * The next `limit` prepaid accounts after `after` with what the day's run needs of each: one row per active
 * meter with its latest cycle read and the day's frozen read, registers as text, grouped into accounts here
 * (building a JSON document per account in SQL cost three times the reads themselves). Positions are not
 * read here: the run reads them under lock in its transaction.
 */
export async function runAccounts(db: Executor, q: { after: number; limit: number; today: string }): Promise<RunAccountRow[]> {
  const { rows } = await sql<RunMeterRow>`
    with a as (
      select a.id, a.station_id, a.tariff_code, a.category, a.voltage_level, a.pf_standard::text, a.capacity_kva::text, a.contract_demand_kw::text,
             a.basic_charge_basis, a.agent_multiplier::text, a.opened_on::text, a.payment_mode,
             a.is_important, a.is_medical, a.is_heating_company, a.is_vulnerable,
             (select max(b.period) from bill b where b.account_id = a.id and b.kind = 'regular' and b.status = 'issued') as last_issued
        from account a
       where a.id > ${q.after} and a.payment_mode in ('smart_prepaid', 'purchase_before_use') and a.status = 'active' and a.opened_on <= ${q.today}::date
       order by a.id limit ${q.limit})
    select a.*, m.id as meter_id, m.registers, m.multiplier::text as multiplier, c.period as start_period, c.read_on::text as start_on,
           c.total::text as c_total, c.peak::text as c_peak, c.flat::text as c_flat, c.valley::text as c_valley, c.reactive::text as c_reactive,
           c.max_demand::text as c_max_demand, d.total::text as d_total, d.peak::text as d_peak, d.flat::text as d_flat, d.valley::text as d_valley
      from a
      left join lateral (select m.id, m.account_id, m.registers, m.multiplier from meter m where m.account_id = a.id and m.status = 'active') m on true
      left join lateral (select c.period, c.read_on, c.total, c.peak, c.flat, c.valley, c.reactive, c.max_demand from cycle_read c
                          where c.account_id = m.account_id and c.meter_id = m.id and c.read_on <= ${q.today}::date
                          order by c.period desc limit 1) c on true
      left join daily_read d on d.account_id = m.account_id and d.meter_id = m.id and d.read_on = ${q.today}::date
     order by a.id, m.id`.execute(db);
  const accounts: RunAccountRow[] = [];
  for (const r of rows) {
    let account = accounts[accounts.length - 1];
    if (account?.id !== r.id) {
      account = {
        id: r.id,
        station_id: r.station_id,
        tariff_code: r.tariff_code,
        category: r.category,
        voltage_level: r.voltage_level,
        pf_standard: r.pf_standard,
        capacity_kva: r.capacity_kva,
        contract_demand_kw: r.contract_demand_kw,
        basic_charge_basis: r.basic_charge_basis,
        agent_multiplier: r.agent_multiplier,
        opened_on: r.opened_on,
        payment_mode: r.payment_mode,
        is_important: r.is_important,
        is_medical: r.is_medical,
        is_heating_company: r.is_heating_company,
        is_vulnerable: r.is_vulnerable,
        last_issued: r.last_issued,
        meters: [],
      };
      accounts.push(account);
    }
    if (r.meter_id === null) continue;
    account.meters.push({
      meter_id: r.meter_id,
      registers: r.registers!,
      multiplier: r.multiplier!,
      start_period: r.start_period,
      start_on: r.start_on,
      start: r.start_period === null ? null : { total: r.c_total!, peak: r.c_peak, flat: r.c_flat, valley: r.c_valley, reactive: r.c_reactive, max_demand: r.c_max_demand },
      day: r.d_total === null ? null : { total: r.d_total, peak: r.d_peak, flat: r.d_flat, valley: r.d_valley, reactive: null, max_demand: null },
    });
  }
  return accounts;
}

/**
 * Per account and period: the latest cycle-to-date estimate before `today` and its day, and the day charges
 * within the window — of the last 100 days, the periods not yet billed (all of them for an account never
 * billed) and any period's days in the window. Estimates of a period are rated from its cycle's start, so an
 * unbilled period's estimates are read on or after the cycle read that closed the last billed period; only
 * those days (at most a cycle or two) and the window are read, not a hundred days of every account.
 */
export async function estimateHistory(db: Executor, accounts: readonly { id: number; lastIssued: string | null }[], q: { today: string; windowStart: string }) {
  const { rows } = await sql<{ account_id: number; period: string; ctd_fen: number; last_read_on: string; day_sum: number; days: number }>`
    with a as (
      select t.account_id,
             greatest(${q.today}::date - 100, least(${q.windowStart}::date, coalesce(
               (select min(c.read_on) from cycle_read c where c.account_id = t.account_id and c.period = t.last_issued), ${q.today}::date - 100))) as from_on
        from unnest(${intArrayLiteral(accounts, (a) => a.id)}::bigint[], ${textArrayLiteral(accounts, (a) => a.lastIssued)}::text[]) as t(account_id, last_issued))
    select e.account_id, e.period,
           (array_agg(e.ctd_fen order by e.read_on desc))[1]::int8 as ctd_fen, max(e.read_on)::text as last_read_on,
           coalesce(sum(e.day_fen) filter (where e.read_on >= ${q.windowStart}::date), 0)::int8 as day_sum,
           count(*) filter (where e.read_on >= ${q.windowStart}::date)::int as days
      from a join fee_estimate e on e.account_id = a.account_id and e.read_on >= a.from_on and e.read_on < ${q.today}::date
     group by e.account_id, e.period`.execute(db);
  return rows;
}

export interface EstimateWrite {
  accountId: number;
  period: string;
  kwh: string;
  ctdFen: number;
  dayFen: number;
}

/** The day's estimates (a rerun of the day replaces them). */
export async function writeEstimates(db: Executor, readOn: string, rows: readonly EstimateWrite[]): Promise<void> {
  if (rows.length === 0) return;
  await sql`
    insert into fee_estimate (account_id, read_on, period, kwh, ctd_fen, day_fen)
    select account_id, ${readOn}::date, period, kwh, ctd_fen, day_fen
      from unnest(${intArrayLiteral(rows, (r) => r.accountId)}::bigint[], ${textArrayLiteral(rows, (r) => r.period)}::text[],
                  ${textArrayLiteral(rows, (r) => r.kwh)}::numeric[], ${intArrayLiteral(rows, (r) => r.ctdFen)}::bigint[],
                  ${intArrayLiteral(rows, (r) => r.dayFen)}::bigint[]) as t(account_id, period, kwh, ctd_fen, day_fen)
    on conflict (account_id, read_on) do update set period = excluded.period, kwh = excluded.kwh, ctd_fen = excluded.ctd_fen, day_fen = excluded.day_fen`.execute(db);
}

export interface FeeControlWrite {
  accountId: number;
  state: FeeState;
  prepaidFen: number;
  owedFen: number;
  estimateFen: number;
  availableFen: number;
  dailyFen: number;
  daysLeft: number | null;
  belowZeroOn: string | null;
  heldReason: string | null;
}

/** Upserts the accounts' positions; `stateChanged` rows also restart `since`. */
export async function writePositions(db: Executor, runOn: string | null, now: Date, rows: readonly FeeControlWrite[]): Promise<void> {
  if (rows.length === 0) return;
  await sql`
    insert into fee_control as f (account_id, state, since, prepaid_fen, owed_fen, estimate_fen, available_fen, daily_fen, days_left, below_zero_on, run_on, held_reason, updated_at)
    select account_id, state, ${now}, prepaid_fen, owed_fen, estimate_fen, available_fen, daily_fen, days_left, below_zero_on, ${runOn}::date, held_reason, ${now}
      from unnest(${intArrayLiteral(rows, (r) => r.accountId)}::bigint[], ${textArrayLiteral(rows, (r) => r.state)}::text[],
                  ${intArrayLiteral(rows, (r) => r.prepaidFen)}::bigint[], ${intArrayLiteral(rows, (r) => r.owedFen)}::bigint[], ${intArrayLiteral(rows, (r) => r.estimateFen)}::bigint[],
                  ${intArrayLiteral(rows, (r) => r.availableFen)}::bigint[], ${intArrayLiteral(rows, (r) => r.dailyFen)}::bigint[],
                  ${textArrayLiteral(rows, (r) => (r.daysLeft === null ? null : String(r.daysLeft)))}::numeric[],
                  ${textArrayLiteral(rows, (r) => r.belowZeroOn)}::date[], ${textArrayLiteral(rows, (r) => r.heldReason)}::text[])
           as t(account_id, state, prepaid_fen, owed_fen, estimate_fen, available_fen, daily_fen, days_left, below_zero_on, held_reason)
    on conflict (account_id) do update set
      state = excluded.state,
      since = case when f.state = excluded.state then f.since else excluded.since end,
      prepaid_fen = excluded.prepaid_fen, owed_fen = excluded.owed_fen, estimate_fen = excluded.estimate_fen, available_fen = excluded.available_fen,
      daily_fen = excluded.daily_fen, days_left = excluded.days_left, below_zero_on = excluded.below_zero_on,
      run_on = coalesce(excluded.run_on, f.run_on), held_reason = excluded.held_reason, updated_at = excluded.updated_at`.execute(db);
}

export interface ChangeWrite {
  accountId: number;
  from: FeeState;
  to: FeeState;
  reason: string;
}

/** Records state changes; returns their ids in input order. */
export async function insertChanges(db: Executor, businessDate: string, rows: readonly ChangeWrite[]): Promise<number[]> {
  if (rows.length === 0) return [];
  const { rows: ids } = await sql<{ id: number }>`
    insert into fee_control_change (account_id, from_state, to_state, reason, business_date)
    select account_id, from_state, to_state, reason, ${businessDate}::date
      from unnest(${intArrayLiteral(rows, (r) => r.accountId)}::bigint[], ${textArrayLiteral(rows, (r) => r.from)}::text[],
                  ${textArrayLiteral(rows, (r) => r.to)}::text[], ${textArrayLiteral(rows, (r) => r.reason)}::text[]) with ordinality
           as t(account_id, from_state, to_state, reason, ord)
     order by ord
    returning id`.execute(db);
  return ids.map((r) => r.id);
}

/** The fee-control rows of some accounts, locked against a concurrent payment reaction or ack. */
export async function lockPositions(db: Executor, accountIds: readonly number[], lock = true) {
  if (accountIds.length === 0) return [];
  const { rows } = await sql<{ account_id: number; state: FeeState; warn_fen: number; below_zero_on: string | null; prepaid_fen: number; owed_fen: number; estimate_fen: number; daily_fen: number }>`
    select account_id, state, warn_fen, below_zero_on::text, prepaid_fen, owed_fen, estimate_fen, daily_fen from fee_control
     where account_id = any(${intArrayLiteral(accountIds, (id) => id)}::bigint[]) order by account_id ${sql.raw(lock ? 'for update' : '')}`.execute(db);
  return rows;
}

/** Calls off commands not yet done (cancelled, with the reason). */
export async function cancelCommands(db: Executor, ids: readonly number[], reason: string): Promise<void> {
  if (ids.length === 0) return;
  await sql`update meter_command set state = 'cancelled', last_error = ${reason} where id = any(${intArrayLiteral(ids, (id) => id)}::bigint[]) and state in ('staged', 'sent')`.execute(db);
}

/** Locks accounts `for share` till commit: a payment in flight on one (it holds the row `for update`) commits first. */
export async function shareLockAccounts(db: Executor, accountIds: readonly number[]): Promise<void> {
  if (accountIds.length === 0) return;
  await sql`select id from account where id = any(${intArrayLiteral(accountIds, (id) => id)}::bigint[]) order by id for share`.execute(db);
}

/** What the guards need of prepaid accounts: category, mode, protections. */
export async function guardRows(db: Executor, accountIds: readonly number[]) {
  if (accountIds.length === 0) return [];
  const { rows } = await sql<{
    id: number;
    category: string;
    payment_mode: 'smart_prepaid' | 'purchase_before_use';
    is_important: boolean;
    is_medical: boolean;
    is_heating_company: boolean;
    is_vulnerable: boolean;
  }>`
    select id, category, payment_mode, is_important, is_medical, is_heating_company, is_vulnerable from account
     where id = any(${intArrayLiteral(accountIds, (id) => id)}::bigint[]) and payment_mode <> 'postpaid' order by id`.execute(db);
  return rows;
}

export async function blackoutOf(db: Executor, day: string): Promise<{ kind: string; note: string } | null> {
  const row = await db.selectFrom('blackout_day').select(['kind', 'note']).where('day', '=', day).executeTakeFirst();
  return row ?? null;
}

/** Accounts with a standing approval to disconnect (a bulk one needs its second approver). */
export async function approvedDisconnections(db: Executor, accountIds: readonly number[]): Promise<Set<number>> {
  if (accountIds.length === 0) return new Set();
  const { rows } = await sql<{ account_id: number }>`
    select account_id from disconnect_approval
     where account_id = any(${intArrayLiteral(accountIds, (id) => id)}::bigint[]) and status = 'approved'`.execute(db);
  return new Set(rows.map((r) => r.account_id));
}

/** Marks the accounts' standing approvals used (void): each approves one disconnection. */
export async function useApprovals(db: Executor, accountIds: readonly number[]): Promise<void> {
  if (accountIds.length === 0) return;
  await sql`update disconnect_approval set status = 'void' where account_id = any(${intArrayLiteral(accountIds, (id) => id)}::bigint[]) and status = 'approved'`.execute(db);
}

/** Open commands (staged or sent) of accounts. */
export async function openCommands(db: Executor, accountIds: readonly number[]): Promise<Map<number, { id: number; action: 'disconnect' | 'reconnect'; state: string }>> {
  if (accountIds.length === 0) return new Map();
  const { rows } = await sql<{ id: number; account_id: number; action: 'disconnect' | 'reconnect'; state: string }>`
    select id, account_id, action, state from meter_command
     where account_id = any(${intArrayLiteral(accountIds, (id) => id)}::bigint[]) and state in ('staged', 'sent')`.execute(db);
  return new Map(rows.map((r) => [r.account_id, r]));
}

// ——— meter commands (DESIGN §7) ———

export type CommandAction = 'disconnect' | 'reconnect';

/** Stages one command per account for its first active meter (accounts without one are skipped); returns the staged. */
export async function stageCommands(db: Executor, rows: readonly { accountId: number; action: CommandAction; cause: string }[], now: Date) {
  if (rows.length === 0) return [];
  const { rows: staged } = await sql<{ id: number; command_id: string; account_id: number; action: CommandAction; meter_no: string }>`
    insert into meter_command (command_id, account_id, meter_no, action, cause, staged_at, next_attempt_at)
    select gen_random_uuid()::text, t.account_id, m.meter_no, t.action, t.cause, ${now}, ${now}
      from unnest(${intArrayLiteral(rows, (r) => r.accountId)}::bigint[], ${textArrayLiteral(rows, (r) => r.action)}::text[],
                  ${textArrayLiteral(rows, (r) => r.cause)}::text[]) as t(account_id, action, cause)
      join lateral (select meter_no from meter where account_id = t.account_id and status = 'active' and smart order by id limit 1) m on true
    on conflict (account_id) where state in ('staged', 'sent') do nothing
    returning id, command_id, account_id, action, meter_no`.execute(db);
  return staged;
}

/** Cancels disconnections not yet sent; returns the accounts whose one was cancelled. */
export async function cancelStagedDisconnects(db: Executor, accountIds: readonly number[], reason: string): Promise<number[]> {
  if (accountIds.length === 0) return [];
  const { rows } = await sql<{ account_id: number }>`
    update meter_command set state = 'cancelled', last_error = ${reason}
     where account_id = any(${intArrayLiteral(accountIds, (id) => id)}::bigint[]) and action = 'disconnect' and state = 'staged'
    returning account_id`.execute(db);
  return rows.map((r) => r.account_id);
}

export interface DueCommand {
  id: number;
  command_id: string;
  account_id: number;
  meter_no: string;
  action: CommandAction;
  attempts: number;
  staged_at: Date;
}

/** Commands due now (staged, or sent and unanswered past their next attempt), locked for this dispatcher. */
export async function claimDueCommands(db: Executor, now: Date, limit: number): Promise<DueCommand[]> {
  const { rows } = await sql<DueCommand>`
    select id, command_id, account_id, meter_no, action, attempts, staged_at from meter_command
     where state in ('staged', 'sent') and next_attempt_at <= ${now}
     order by next_attempt_at limit ${limit} for update skip locked`.execute(db);
  return rows;
}

export async function markSent(db: Executor, ids: readonly number[], now: Date, retryAt: readonly Date[]): Promise<void> {
  if (ids.length === 0) return;
  await sql`
    update meter_command c set state = 'sent', attempts = c.attempts + 1, sent_at = ${now}, first_sent_at = coalesce(c.first_sent_at, ${now}), next_attempt_at = t.retry_at
      from unnest(${intArrayLiteral(ids, (id) => id)}::bigint[], ${textArrayLiteral(retryAt, (d) => d.toISOString())}::timestamptz[]) as t(id, retry_at)
     where c.id = t.id`.execute(db);
}

/** Gives up on commands: a person takes over (the monitor lists them). */
export async function escalate(db: Executor, ids: readonly number[], reason: string): Promise<void> {
  if (ids.length === 0) return;
  await sql`update meter_command set state = 'escalated', last_error = ${reason} where id = any(${intArrayLiteral(ids, (id) => id)}::bigint[])`.execute(db);
}

/**
 * Applies a head-end answer once: only a command still waiting (staged or sent) moves; a duplicate or late
 * answer finds it done, failed, cancelled or escalated and changes nothing (null).
 */
export async function answerCommand(db: Executor, a: { commandId: string; status: 'done' | 'failed'; at: Date; error: string | null; retryAt: Date | null; maxAttempts: number }) {
  const { rows } = await sql<{ id: number; account_id: number; action: CommandAction; state: string; latency_ms: number | null }>`
    update meter_command set
      state = case when ${a.status} = 'done' then 'done' when attempts >= ${a.maxAttempts} then 'escalated' else 'staged' end,
      acked_at = case when ${a.status} = 'done' then ${a.at} else acked_at end,
      latency_ms = case when ${a.status} = 'done' then greatest(0, (extract(epoch from (${a.at}::timestamptz - staged_at)) * 1000)::int) else latency_ms end,
      next_attempt_at = coalesce(${a.retryAt}, next_attempt_at),
      last_error = ${a.error}
     where command_id = ${a.commandId} and state in ('staged', 'sent')
    returning id, account_id, action, state, latency_ms`.execute(db);
  return rows[0] ?? null;
}


/** How many commands are staged or sent and unanswered. */
export async function commandsInFlight(db: Executor): Promise<number> {
  const row = await db.selectFrom('meter_command').select((eb) => eb.fn.countAll<number>().as('n')).where('state', 'in', ['staged', 'sent']).executeTakeFirstOrThrow();
  return Number(row.n);
}

// ——— the monitor and its API (queries of accounts in a scope; personal data masked by the use cases) ———

const PREPAID = ['smart_prepaid', 'purchase_before_use'] as const;

/** Fee-control accounts of the scope (`a` account, `s` station, `t` area, `f` fee_control): prepaid ones only. */
function feeAccountsInScope(db: Executor, scope: Scope) {
  return accountsInScope(db, scope).innerJoin('fee_control as f', 'f.account_id', 'a.id').where('a.payment_mode', 'in', PREPAID);
}

/** Accounts per station, area and state in the scope. */
export async function stateCountsByArea(db: Executor, scope: Scope) {
  return feeAccountsInScope(db, scope)
    .select(['a.station_id', 's.name as station_name', 'a.area_id', 't.name as area_name', 'f.state'])
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .groupBy(['a.station_id', 's.name', 'a.area_id', 't.name', 'f.state'])
    .orderBy('a.station_id')
    .orderBy('a.area_id')
    .execute();
}

export async function orgUnitName(db: Executor, id: number): Promise<string | null> {
  const row = await db.selectFrom('org_unit').select('name').where('id', '=', id).executeTakeFirst();
  return row?.name ?? null;
}

/** Accounts of the scope that changed to `state` on a business day. */
export async function changesTo(db: Executor, scope: Scope, state: FeeState, day: string): Promise<number> {
  const row = await accountsInScope(db, scope)
    .innerJoin('fee_control_change as c', 'c.account_id', 'a.id')
    .select(sql<number>`count(distinct c.account_id)`.as('n'))
    .where('c.business_date', '=', day)
    .where('c.to_state', '=', state)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Pending accounts of the scope, and how many of them have a disconnection held by a guard. */
export async function pendingCounts(db: Executor, scope: Scope): Promise<{ pending: number; held: number }> {
  const row = await feeAccountsInScope(db, scope)
    .select((eb) => [eb.fn.countAll<number>().as('pending'), eb.fn.count<number>('f.held_reason').as('held')])
    .where('f.state', '=', 'pending')
    .executeTakeFirstOrThrow();
  return { pending: Number(row.pending), held: Number(row.held) };
}

/** Commands of the scope's accounts per state: the open and escalated ones, and any staged since `since`. */
export async function commandCountsSince(db: Executor, scope: Scope, since: Date) {
  const rows = await accountsInScope(db, scope)
    .innerJoin('meter_command as c', 'c.account_id', 'a.id')
    .select(['c.state', (eb) => eb.fn.countAll<number>().as('n')])
    .where((eb) => eb.or([eb('c.state', 'in', ['staged', 'sent', 'escalated']), eb('c.staged_at', '>=', since)]))
    .groupBy('c.state')
    .execute();
  return rows.map((r) => ({ state: r.state, n: Number(r.n) }));
}

/** Latency percentiles (ms) of the scope's commands acknowledged done since `since`. */
export async function latencySince(db: Executor, scope: Scope, since: Date) {
  const row = await accountsInScope(db, scope)
    .innerJoin('meter_command as c', 'c.account_id', 'a.id')
    .select([
      (eb) => eb.fn.countAll<number>().as('n'),
      sql<number | null>`percentile_disc(0.5) within group (order by c.latency_ms)`.as('p50'),
      sql<number | null>`percentile_disc(0.95) within group (order by c.latency_ms)`.as('p95'),
      sql<number | null>`percentile_disc(0.99) within group (order by c.latency_ms)`.as('p99'),
    ])
    .where('c.state', '=', 'done')
    .where('c.acked_at', '>=', since)
    .where('c.latency_ms', 'is not', null)
    .executeTakeFirstOrThrow();
  return { count: Number(row.n), p50: row.p50, p95: row.p95, p99: row.p99 };
}

export async function latestRun(db: Executor) {
  return db.selectFrom('fee_control_run').selectAll().orderBy('id', 'desc').limit(1).executeTakeFirst();
}

export async function insertRun(db: Executor, businessDate: string, now: Date): Promise<number> {
  const row = await db.insertInto('fee_control_run').values({ business_date: businessDate, started_at: now }).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export async function finishRun(db: Executor, id: number, r: { status: 'done' | 'failed'; now: Date; accounts: number; summary: object; error: string | null }): Promise<void> {
  await db
    .updateTable('fee_control_run')
    .set({ status: r.status, finished_at: r.now, accounts: r.accounts, summary: JSON.stringify(r.summary) as never, error: r.error })
    .where('id', '=', id)
    .execute();
}

export interface PositionFilter {
  state?: FeeState | undefined;
  stationId?: number | undefined;
  areaId?: number | undefined;
  mode?: (typeof PREPAID)[number] | undefined;
  /** purchase-before-use, or non-residential */
  large?: boolean | undefined;
  accountIds?: readonly number[] | undefined;
  afterId: number;
  limit: number;
}

/** Positions of the scope's prepaid accounts, by account id after the cursor, with protections and the command in flight. */
export async function positionsInScope(db: Executor, scope: Scope, f: PositionFilter) {
  let q = feeAccountsInScope(db, scope)
    .select([
      'a.id as account_id',
      'a.account_no',
      'a.name',
      'a.category',
      'a.voltage_level',
      'a.payment_mode',
      'a.station_id',
      's.name as station_name',
      'a.area_id',
      't.name as area_name',
      'a.is_important',
      'a.is_medical',
      'a.is_heating_company',
      'a.is_vulnerable',
      'f.state',
      'f.since',
      'f.warn_fen',
      'f.prepaid_fen',
      'f.owed_fen',
      'f.estimate_fen',
      'f.available_fen',
      'f.daily_fen',
      'f.days_left',
      'f.below_zero_on',
      'f.run_on',
      'f.held_reason',
      'f.updated_at',
      (eb) =>
        eb
          .selectFrom('account_contact as ct')
          .select('ct.phone')
          .whereRef('ct.account_id', '=', 'a.id')
          .orderBy('ct.is_primary', 'desc')
          .orderBy('ct.id')
          .limit(1)
          .as('phone'),
      sql<{ id: number; action: CommandAction; state: string } | null>`(
        select json_build_object('id', c.id, 'action', c.action, 'state', c.state) from meter_command c
         where c.account_id = a.id and c.state in ('staged', 'sent', 'escalated') order by c.id desc limit 1)`.as('open_command'),
    ])
    .where('a.id', '>', f.afterId);
  if (f.state) q = q.where('f.state', '=', f.state);
  if (f.stationId) q = q.where('a.station_id', '=', f.stationId);
  if (f.areaId) q = q.where('a.area_id', '=', f.areaId);
  if (f.mode) q = q.where('a.payment_mode', '=', f.mode);
  if (f.large) q = q.where((eb) => eb.or([eb('a.payment_mode', '=', 'purchase_before_use'), eb('a.category', '<>', 'residential')]));
  if (f.accountIds) q = q.where(sql<boolean>`a.id = any(${intArrayLiteral(f.accountIds, (id) => id)}::bigint[])`);
  return q.orderBy('a.id').limit(f.limit).execute();
}
export type PositionRow = Awaited<ReturnType<typeof positionsInScope>>[number];

/**
 * The dry run's candidates for `day`: accounts of the scope pending now, or normal / warned and projected below
 * zero by then (available − daily × days since their last run), with the disconnect command in flight if any.
 */
export async function dryRunCandidates(db: Executor, scope: Scope, q: { day: string; today: string }) {
  return feeAccountsInScope(db, scope)
    .select([
      'a.id as account_id',
      'a.account_no',
      'a.name',
      'a.category',
      'a.voltage_level',
      'a.payment_mode',
      'a.station_id',
      's.name as station_name',
      't.name as area_name',
      'a.is_important',
      'a.is_medical',
      'a.is_heating_company',
      'a.is_vulnerable',
      'f.state',
      'f.available_fen',
      'f.daily_fen',
      'f.below_zero_on',
      sql<string>`coalesce(f.run_on, ${q.today}::date)::text`.as('base_day'),
      sql<string | null>`(select c.state from meter_command c where c.account_id = a.id and c.action = 'disconnect' and c.state in ('staged', 'sent') limit 1)`.as('disconnect_state'),
    ])
    .where((eb) =>
      eb.or([
        eb('f.state', '=', 'pending'),
        eb.and([
          eb('f.state', 'in', ['normal', 'warned']),
          eb('f.daily_fen', '>', 0),
          sql<boolean>`f.available_fen - f.daily_fen * greatest(0, ${q.day}::date - coalesce(f.run_on, ${q.today}::date)) < 0`,
        ]),
      ]),
    )
    .orderBy('a.station_id')
    .orderBy('a.account_no')
    .execute();
}

export interface CommandFilter {
  state?: string | undefined;
  accountId?: number | undefined;
  /** newest first: ids below this one */
  beforeId: number | null;
  limit: number;
}

const commandColumns = [
  'c.id',
  'c.command_id',
  'c.account_id',
  'a.account_no',
  'a.name as account_name',
  'c.meter_no',
  'c.action',
  'c.cause',
  'c.state',
  'c.attempts',
  'c.staged_at',
  'c.first_sent_at',
  'c.sent_at',
  'c.acked_at',
  'c.next_attempt_at',
  'c.latency_ms',
  'c.last_error',
] as const;

/** Commands of the scope's accounts, newest first. */
export async function commandsInScope(db: Executor, scope: Scope, f: CommandFilter) {
  let q = accountsInScope(db, scope).innerJoin('meter_command as c', 'c.account_id', 'a.id').select(commandColumns);
  if (f.state) q = q.where('c.state', '=', f.state);
  if (f.accountId) q = q.where('c.account_id', '=', f.accountId);
  if (f.beforeId !== null) q = q.where('c.id', '<', f.beforeId);
  return q.orderBy('c.id', 'desc').limit(f.limit).execute();
}
export type CommandRow = Awaited<ReturnType<typeof commandsInScope>>[number];

/** One command of the scope's accounts, locked for a change when asked. */
export async function commandInScope(db: Executor, scope: Scope, id: number, forUpdate = false) {
  let q = accountsInScope(db, scope).innerJoin('meter_command as c', 'c.account_id', 'a.id').select(commandColumns).where('c.id', '=', id);
  if (forUpdate) q = q.forUpdate('c');
  return q.executeTakeFirst();
}

/** An escalated or failed command sent again from the first attempt; false when another is open for the account. */
export async function restageCommand(db: Executor, id: number, now: Date): Promise<boolean> {
  const { rows } = await sql<{ id: number }>`
    update meter_command c set state = 'staged', attempts = 0, next_attempt_at = ${now}
     where c.id = ${id} and c.state in ('escalated', 'failed')
       and not exists (select 1 from meter_command o where o.account_id = c.account_id and o.state in ('staged', 'sent'))
    returning c.id`.execute(db);
  return rows.length > 0;
}

export async function cancelCommand(db: Executor, id: number, reason: string): Promise<boolean> {
  const { rows } = await sql<{ id: number }>`
    update meter_command set state = 'cancelled', last_error = ${reason} where id = ${id} and state = 'escalated' returning id`.execute(db);
  return rows.length > 0;
}

/** Moves an account to `state` (restarting `since`); the caller records the change. */
export async function setFeeState(db: Executor, accountId: number, state: FeeState, now: Date): Promise<void> {
  await db.updateTable('fee_control').set({ state, since: now, updated_at: now }).where('account_id', '=', accountId).execute();
}

/** The customer's warning amount; the row is made with the defaults when the account has none yet. */
export async function upsertWarnFen(db: Executor, accountId: number, warnFen: number, now: Date): Promise<void> {
  await db
    .insertInto('fee_control')
    .values({ account_id: accountId, warn_fen: warnFen, since: now, updated_at: now })
    .onConflict((oc) => oc.column('account_id').doUpdateSet({ warn_fen: warnFen, updated_at: now }))
    .execute();
}

// ——— blackout calendar ———

export async function listBlackoutDays(db: Executor, f: { from: string; to: string }) {
  return db
    .selectFrom('blackout_day as b')
    .leftJoin('app_user as u', 'u.id', 'b.created_by')
    .select(['b.day', 'b.kind', 'b.note', 'u.display_name as created_by_name', 'b.created_at'])
    .where('b.day', '>=', f.from)
    .where('b.day', '<=', f.to)
    .orderBy('b.day')
    .limit(1000)
    .execute();
}

/** Adds a day, or changes its kind and note. */
export async function upsertBlackoutDay(db: Executor, d: { day: string; kind: string; note: string; createdBy: number }): Promise<void> {
  await db
    .insertInto('blackout_day')
    .values({ day: d.day, kind: d.kind, note: d.note, created_by: d.createdBy })
    .onConflict((oc) => oc.column('day').doUpdateSet({ kind: d.kind, note: d.note, created_by: d.createdBy }))
    .execute();
}

export async function deleteBlackoutDay(db: Executor, day: string) {
  return db.deleteFrom('blackout_day').where('day', '=', day).returning(['day', 'kind', 'note']).executeTakeFirst();
}

// ——— disconnection approvals ———

const approvalColumns = [
  'd.id',
  'd.account_id',
  'a.account_no',
  'a.name as account_name',
  's.name as station_name',
  'a.category',
  'a.voltage_level',
  'a.payment_mode',
  'a.is_important',
  'a.is_medical',
  'a.is_heating_company',
  'a.is_vulnerable',
  'd.reason',
  'd.bulk',
  'd.status',
  'd.requested_at',
  'd.first_by',
  'u1.display_name as first_by_name',
  'd.first_at',
  'd.second_by',
  'u2.display_name as second_by_name',
  'd.second_at',
] as const;

function approvalsWithAccounts(db: Executor, scope: Scope) {
  return accountsInScope(db, scope)
    .innerJoin('disconnect_approval as d', 'd.account_id', 'a.id')
    .leftJoin('app_user as u1', 'u1.id', 'd.first_by')
    .leftJoin('app_user as u2', 'u2.id', 'd.second_by')
    .select(approvalColumns);
}

export async function approvalsInScope(db: Executor, scope: Scope, f: { status?: string | undefined; beforeId: number | null; limit: number }) {
  let q = approvalsWithAccounts(db, scope);
  if (f.status) q = q.where('d.status', '=', f.status);
  if (f.beforeId !== null) q = q.where('d.id', '<', f.beforeId);
  return q.orderBy('d.id', 'desc').limit(f.limit).execute();
}
export type ApprovalRow = Awaited<ReturnType<typeof approvalsInScope>>[number];

export async function approvalInScope(db: Executor, scope: Scope, id: number, forUpdate = false) {
  let q = approvalsWithAccounts(db, scope).where('d.id', '=', id);
  if (forUpdate) q = q.forUpdate('d');
  return q.executeTakeFirst();
}

export async function approvalsByIds(db: Executor, scope: Scope, ids: readonly number[]) {
  if (ids.length === 0) return [];
  return approvalsWithAccounts(db, scope).where(sql<boolean>`d.id = any(${intArrayLiteral(ids, (id) => id)}::bigint[])`).orderBy('d.id').execute();
}

/** What an approval request needs of the scope's accounts (those not in the scope are absent). */
export async function approvalTargets(db: Executor, scope: Scope, ids: readonly number[]) {
  if (ids.length === 0) return [];
  return accountsInScope(db, scope)
    .select(['a.id', 'a.account_no', 'a.category', 'a.voltage_level', 'a.payment_mode', 'a.is_important', 'a.is_medical', 'a.is_heating_company', 'a.is_vulnerable'])
    .select(sql<number | null>`(select d.id from disconnect_approval d where d.account_id = a.id and d.status in ('pending', 'approved'))`.as('open_approval'))
    .where(sql<boolean>`a.id = any(${intArrayLiteral(ids, (id) => id)}::bigint[])`)
    .orderBy('a.id')
    .execute();
}

export async function insertApprovals(db: Executor, rows: readonly { accountId: number; reason: string; bulk: boolean }[], now: Date): Promise<number[]> {
  if (rows.length === 0) return [];
  const ids = await db
    .insertInto('disconnect_approval')
    .values(rows.map((r) => ({ account_id: r.accountId, reason: r.reason, bulk: r.bulk, requested_at: now })))
    .returning('id')
    .execute();
  return ids.map((r) => r.id);
}

export async function writeApprovalDecision(
  db: Executor,
  id: number,
  d: { status: 'pending' | 'approved' | 'rejected'; slot: 'first' | 'second'; by: number; at: Date },
): Promise<void> {
  const set = d.slot === 'first' ? { first_by: d.by, first_at: d.at } : { second_by: d.by, second_at: d.at };
  await db.updateTable('disconnect_approval').set({ status: d.status, ...set }).where('id', '=', id).execute();
}

// ——— one account's history ———

/** An account's daily estimates from a day on (oldest first). */
export async function estimatesOf(db: Executor, accountId: number, from: string) {
  return db
    .selectFrom('fee_estimate')
    .select(['read_on', 'period', 'kwh', 'ctd_fen', 'day_fen'])
    .where('account_id', '=', accountId)
    .where('read_on', '>=', from)
    .orderBy('read_on')
    .execute();
}

/** Per period: the last cycle-to-date estimate, its kWh and day, and how many days were estimated. */
export async function estimatePeriodsOf(db: Executor, accountId: number) {
  const { rows } = await sql<{ period: string; ctd_fen: number; kwh: string; last_read_on: string; days: number }>`
    select period, (array_agg(ctd_fen order by read_on desc))[1]::int8 as ctd_fen, (array_agg(kwh order by read_on desc))[1]::text as kwh,
           max(read_on)::text as last_read_on, count(*)::int as days
      from fee_estimate where account_id = ${accountId} group by period order by period desc limit 36`.execute(db);
  return rows;
}

export async function changesOf(db: Executor, accountId: number, limit: number) {
  return db
    .selectFrom('fee_control_change')
    .select(['id', 'from_state', 'to_state', 'reason', 'business_date', 'at'])
    .where('account_id', '=', accountId)
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}
