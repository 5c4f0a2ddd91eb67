import { sql } from 'kysely';
import { intArrayLiteral, textArrayLiteral } from '../../db/copy-text.js';
import type { Executor } from '../../db/tx.js';

/** The only place with SQL for meter reads. */

export interface ReadRow {
  meter_id: number;
  meter_no: string;
  period: string | null;
  read_on: string;
  total: string;
  peak: string | null;
  flat: string | null;
  valley: string | null;
  reactive: string | null;
  max_demand: string | null;
  estimated: boolean;
  multiplier: string;
}

/** Cycle reads of an account between two dates, plus the read just before `from` of each meter (for usage). */
export async function listCycleReads(db: Executor, accountId: number, from: string, to: string): Promise<ReadRow[]> {
  const result = await sql<ReadRow>`
    with reads as (
      select r.meter_id, m.meter_no, r.period, r.read_on, r.total, r.peak, r.flat, r.valley, r.reactive, r.max_demand, r.estimated, m.multiplier
      from cycle_read r join meter m on m.id = r.meter_id
      where r.account_id = ${accountId})
    select * from reads where read_on between ${from}::date and ${to}::date
    union all
    (select distinct on (meter_id) * from reads where read_on < ${from}::date order by meter_id, read_on desc)
    order by meter_id, read_on`.execute(db);
  return result.rows;
}

export async function listDailyReads(db: Executor, accountId: number, from: string, to: string): Promise<ReadRow[]> {
  const result = await sql<ReadRow>`
    with reads as (
      select r.meter_id, m.meter_no, null::text as period, r.read_on, r.total, r.peak, r.flat, r.valley,
             null::numeric as reactive, null::numeric as max_demand, false as estimated, m.multiplier
      from daily_read r join meter m on m.id = r.meter_id
      where r.account_id = ${accountId})
    select * from reads where read_on between ${from}::date and ${to}::date
    union all
    (select distinct on (meter_id) * from reads where read_on < ${from}::date order by meter_id, read_on desc)
    order by meter_id, read_on`.execute(db);
  return result.rows;
}

/** One meter of an account with the usage between its latest two cycle reads (× multiplier, to 0.01). */
export interface LastCycleRow {
  account_id: number;
  account_no: string;
  name: string;
  category: string;
  voltage_level: string;
  tariff_code: string;
  agent_multiplier: string;
  pf_standard: string | null;
  capacity_kva: string | null;
  contract_demand_kw: string | null;
  basic_charge_basis: 'capacity' | 'demand' | null;
  /** null: the account has no meter. */
  meter_id: number | null;
  /** Period of the meter's latest cycle read; null without reads. */
  period: string | null;
  /** null when the meter has no read before its latest one. */
  kwh: string | null;
  peak: string | null;
  flat: string | null;
  valley: string | null;
  kvarh: string | null;
  /** Max demand of the latest cycle × multiplier (not a difference: the register holds the cycle's maximum). */
  max_demand_kw: string | null;
}

export interface LastCycleScope {
  companyId: number;
  stationId?: number | undefined;
  managerUserId?: number | undefined;
}

/**
 * Active accounts of a scope in batches of `batchSize` accounts (keyset on account id, one query per
 * batch), each with one row per meter carrying the usage of its last complete cycle: the difference of
 * the latest two cycle reads times the meter multiplier, rounded half-up to 0.01 kWh (the rating
 * engine's quantity scale). Memory stays at one batch whatever the number of accounts.
 */
export async function* streamLastCycleUsage(
  db: Executor,
  opts: { scope: LastCycleScope; tariffCodes?: readonly string[] | undefined; batchSize?: number },
): AsyncGenerator<LastCycleRow[]> {
  const batchSize = opts.batchSize ?? 2000;
  const { scope } = opts;
  if (opts.tariffCodes && opts.tariffCodes.length === 0) return;
  const byStation = scope.stationId === undefined ? sql`` : sql`and a.station_id = ${scope.stationId}`;
  const byManager =
    scope.managerUserId === undefined ? sql`` : sql`and exists (select 1 from transformer_area t where t.id = a.area_id and t.manager_user_id = ${scope.managerUserId})`;
  const byTariff = opts.tariffCodes ? sql`and a.tariff_code in (${sql.join([...opts.tariffCodes])})` : sql``;
  const usage = (column: string) => sql.raw(`round((cur.${column} - prev.${column}) * m.multiplier, 2)::text`);
  let after = 0;
  for (;;) {
    const { rows } = await sql<LastCycleRow>`
      with acc as (
        select a.id, a.account_no, a.name, a.category, a.voltage_level, a.tariff_code, a.agent_multiplier::text as agent_multiplier,
               a.pf_standard::text as pf_standard, a.capacity_kva::text as capacity_kva, a.contract_demand_kw::text as contract_demand_kw, a.basic_charge_basis
        from account a
        where a.company_id = ${scope.companyId} and a.status = 'active' and a.id > ${after} ${byStation} ${byManager} ${byTariff}
        order by a.id
        limit ${batchSize})
      select acc.id as account_id, acc.account_no, acc.name, acc.category, acc.voltage_level, acc.tariff_code, acc.agent_multiplier,
             acc.pf_standard, acc.capacity_kva, acc.contract_demand_kw, acc.basic_charge_basis,
             m.id as meter_id, cur.period,
             ${usage('total')} as kwh, ${usage('peak')} as peak, ${usage('flat')} as flat, ${usage('valley')} as valley,
             ${usage('reactive')} as kvarh, round(cur.max_demand * m.multiplier, 2)::text as max_demand_kw
      from acc
      left join meter m on m.account_id = acc.id
      left join lateral (
        select r.period, r.total, r.peak, r.flat, r.valley, r.reactive, r.max_demand from cycle_read r
        where r.account_id = acc.id and r.meter_id = m.id order by r.period desc limit 1) cur on true
      left join lateral (
        select r.total, r.peak, r.flat, r.valley, r.reactive from cycle_read r
        where r.account_id = acc.id and r.meter_id = m.id and r.period < cur.period order by r.period desc limit 1) prev on true
      order by acc.id, m.id`.execute(db);
    if (!rows.length) return;
    yield rows;
    after = rows[rows.length - 1]!.account_id;
    if (new Set(rows.map((r) => r.account_id)).size < batchSize) return;
  }
}

// ---- daily reads in (use-cases/ingest-reads.ts) ------------------------------------------------

/**
 * One ingest of daily reads at a time (a transaction-scoped advisory lock), taken before the context is
 * read: two batches carrying the same meter and day cannot both find it absent. A batch holds it for the
 * time of its two statements (≈ a quarter of a second for 50,000 reads).
 */
export async function lockReadIngest(db: Executor): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext('granary.daily_read'))`.execute(db);
}

/** One row per stored read the rules need (or one with null read fields for a meter without any). */
export interface ReadContextRow {
  meter_no: string;
  meter_id: number;
  account_id: number;
  removed: boolean;
  multiplier_h: number;
  capacity_kva: string | null;
  voltage_level: string;
  read_on: string | null;
  total_h: number | null;
  peak_h: number | null;
  flat_h: number | null;
  valley_h: number | null;
}

/**
 * The meters of a batch by meter_no (within a company when given), each with its stored reads around the
 * days the batch carries for it: the latest before `first`, then up to `n` from `first` on (n = the span's
 * days + 1: every read of the span and at least the first after it). Registers in hundredths. Two index
 * descents per meter into daily_read's key (account_id, meter_id, read_on); one statement for the batch.
 */
export async function readContext(
  db: Executor,
  spans: readonly { meterNo: string; first: string; n: number }[],
  companyId: number | undefined,
): Promise<ReadContextRow[]> {
  const byCompany = companyId === undefined ? sql`` : sql`and a.company_id = ${companyId}`;
  const { rows } = await sql<ReadContextRow>`
    select b.meter_no, m.id as meter_id, m.account_id, m.status = 'removed' as removed, (m.multiplier * 100)::int8 as multiplier_h,
           a.capacity_kva, a.voltage_level,
           r.read_on, (r.total * 100)::int8 as total_h, (r.peak * 100)::int8 as peak_h, (r.flat * 100)::int8 as flat_h, (r.valley * 100)::int8 as valley_h
    from unnest(${textArrayLiteral(spans, (s) => s.meterNo)}::text[], ${textArrayLiteral(spans, (s) => s.first)}::date[], ${intArrayLiteral(spans, (s) => s.n)}::int[]) as b(meter_no, first, n)
    join meter m on m.meter_no = b.meter_no
    join account a on a.id = m.account_id ${byCompany}
    left join lateral (
      (select d.read_on, d.total, d.peak, d.flat, d.valley from daily_read d
        where d.account_id = m.account_id and d.meter_id = m.id and d.read_on < b.first order by d.read_on desc limit 1)
      union all
      (select d.read_on, d.total, d.peak, d.flat, d.valley from daily_read d
        where d.account_id = m.account_id and d.meter_id = m.id and d.read_on >= b.first order by d.read_on limit b.n)
    ) r on true`.execute(db);
  return rows;
}

export interface NewDailyRead {
  accountId: number;
  meterId: number;
  readOn: string;
  /** registers in hundredths */
  total: number;
  peak: number | null;
  flat: number | null;
  valley: number | null;
}

/** The accepted reads of a batch, in one statement (arrays of the columns, unnested). */
export async function insertDailyReads(db: Executor, reads: readonly NewDailyRead[], source: 'ami' | 'import' | 'manual'): Promise<void> {
  if (reads.length === 0) return;
  await sql`
    insert into daily_read (account_id, meter_id, read_on, total, peak, flat, valley, source)
    select account_id, meter_id, read_on, total * 0.01, peak * 0.01, flat * 0.01, valley * 0.01, ${source}
    from unnest(${intArrayLiteral(reads, (r) => r.accountId)}::int8[], ${intArrayLiteral(reads, (r) => r.meterId)}::int8[], ${textArrayLiteral(reads, (r) => r.readOn)}::date[],
                ${intArrayLiteral(reads, (r) => r.total)}::int8[], ${intArrayLiteral(reads, (r) => r.peak)}::int8[], ${intArrayLiteral(reads, (r) => r.flat)}::int8[],
                ${intArrayLiteral(reads, (r) => r.valley)}::int8[]) as t(account_id, meter_id, read_on, total, peak, flat, valley)`.execute(db);
}

/** Each active smart meter's latest daily read before `before` and its average daily advance over the 14 days up to it (hundredths). */
export async function latestDailyAdvance(db: Executor, before: string) {
  const { rows } = await sql<{ meter_no: string; read_on: string; total: string; peak: string | null; flat: string | null; valley: string | null; d_total: number; d_peak: number | null; d_flat: number | null; d_valley: number | null }>`
    select m.meter_no, l.read_on::text, l.total::text, l.peak::text, l.flat::text, l.valley::text,
           round(((l.total - f.total) * 100) / greatest(1, l.read_on - f.read_on))::int8 as d_total,
           round(((l.peak - f.peak) * 100) / greatest(1, l.read_on - f.read_on))::int8 as d_peak,
           round(((l.flat - f.flat) * 100) / greatest(1, l.read_on - f.read_on))::int8 as d_flat,
           round(((l.valley - f.valley) * 100) / greatest(1, l.read_on - f.read_on))::int8 as d_valley
      from meter m
      join lateral (select * from daily_read d where d.account_id = m.account_id and d.meter_id = m.id and d.read_on < ${before}::date order by d.read_on desc limit 1) l on true
      join lateral (select * from daily_read d where d.account_id = m.account_id and d.meter_id = m.id and d.read_on >= l.read_on - 14 order by d.read_on limit 1) f on true
     where m.status = 'active' and m.smart
     order by m.id`.execute(db);
  return rows;
}
