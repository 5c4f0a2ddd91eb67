import { sql } from 'kysely';
import type pg from 'pg';
import { copyInto } from '../../db/copy.js';
import { intArrayLiteral, textArrayLiteral } from '../../db/copy-text.js';
import type { Executor } from '../../db/tx.js';
import type { MeterContext } from './domain/read-rules.js';

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

/**
 * The meters of a batch by meter_no (within a company when given), each with its stored reads around the
 * days the batch carries for it (`MeterContext.stored`): the meter's latest read — when it is before the
 * span's first day, that is all the rules need (the usual case: reads arrive day after day); when it is
 * not, the window instead: the latest before `first`, then up to `n` from `first` on (n = the span's days
 * + 1: every read of the span and at least the first after it). One statement: meters and accounts by
 * `= any` (one index scan each); the latest reads from the day before the earliest `first` on, by one
 * backward scan of daily_read's key over the chunk's accounts (a meter read yesterday is found there:
 * one index scan for all, not a descent each); a descent each only for the meters not read since, and the
 * window's two only for the meters that need them. The answer is one text value (a line per stored read,
 * tab-separated as PostgreSQL writes the values) read by hand: the driver's row objects would cost Node
 * more than the query costs PostgreSQL.
 */
export async function readContext(
  db: Executor,
  spans: readonly { meterNo: string; first: string; n: number }[],
  companyId: number | undefined,
): Promise<Map<string, MeterContext>> {
  const byCompany = companyId === undefined ? sql`` : sql`and company_id = ${companyId}`;
  const meterNos = textArrayLiteral(spans, (s) => s.meterNo);
  // a batch of one day a meter (the head-end's daily batch) sends one date and count, not an array of each
  const uniform = spans.every((s) => s.first === spans[0]!.first && s.n === spans[0]!.n);
  const batch = uniform
    ? sql`select meter_no, k, ${spans[0]?.first ?? '1970-01-01'}::date as first, ${spans[0]?.n ?? 0}::int as n from unnest(${meterNos}::text[]) with ordinality as b(meter_no, k)`
    : sql`select * from unnest(${meterNos}::text[], ${textArrayLiteral(spans, (s) => s.first)}::date[], ${intArrayLiteral(spans, (s) => s.n)}::int[]) with ordinality as b(meter_no, first, n, k)`;
  let since = spans[0]?.first ?? '1970-01-01';
  for (const s of spans) if (s.first < since) since = s.first;
  // the window's row if there is one, else the latest read (found recently, or looked up)
  const read = (column: string) =>
    sql.raw(`coalesce((case when w.read_on is not null then w.${column} when r.read_on is not null then r.${column} else l.${column} end)::text, '')`);
  const { rows } = await sql<{ lines: string | null }>`
    with b as materialized (${batch}),
    m as materialized (select id, account_id, meter_no, status, multiplier from meter where meter_no = any(array(select meter_no from b))),
    a as materialized (select id, capacity_kva, voltage_level from account where id = any(array(select account_id from m)) ${byCompany}),
    r as materialized (
      select distinct on (d.account_id, d.meter_id) d.account_id, d.meter_id, d.read_on, d.total, d.peak, d.flat, d.valley from daily_read d
      where d.account_id = any(array(select account_id from m)) and d.read_on >= ${since}::date - 1
      order by d.account_id desc, d.meter_id desc, d.read_on desc)
    select string_agg(concat_ws(E'\t', b.k, m.id, m.account_id, m.status, m.multiplier, coalesce(a.capacity_kva::text, ''), a.voltage_level,
                                coalesce(coalesce(w.read_on, r.read_on, l.read_on)::text, ''), ${read('total')}, ${read('peak')}, ${read('flat')}, ${read('valley')}), E'\n') as lines
    from b join m on m.meter_no = b.meter_no join a on a.id = m.account_id
    left join r on r.account_id = m.account_id and r.meter_id = m.id
    left join lateral (select d.read_on, d.total, d.peak, d.flat, d.valley from daily_read d
      where r.read_on is null and d.account_id = m.account_id and d.meter_id = m.id order by d.read_on desc limit 1) l on true
    left join lateral (
      (select d.read_on, d.total, d.peak, d.flat, d.valley from daily_read d
        where coalesce(r.read_on, l.read_on) >= b.first and d.account_id = m.account_id and d.meter_id = m.id and d.read_on < b.first order by d.read_on desc limit 1)
      union all
      (select d.read_on, d.total, d.peak, d.flat, d.valley from daily_read d
        where coalesce(r.read_on, l.read_on) >= b.first and d.account_id = m.account_id and d.meter_id = m.id and d.read_on >= b.first order by d.read_on limit b.n)
    ) w on true`.execute(db);
  return parseContext(rows[0]?.lines ?? '', spans);
}

const TAB = 9;
const NL = 10;

/** The lines of `readContext` → each meter's context (its stored reads by date). */
function parseContext(text: string, spans: readonly { meterNo: string }[]): Map<string, MeterContext> {
  const meters = new Map<string, MeterContext>();
  const end = text.length;
  let p = 0;
  // a field and its separator: a whole number ≥ 0, or null when empty
  const num = (): number | null => {
    const start = p;
    let v = 0;
    for (let c = text.charCodeAt(p); p < end && c !== TAB && c !== NL; c = text.charCodeAt(++p)) v = v * 10 + c - 48;
    p++;
    return p - 1 === start ? null : v;
  };
  // a numeric(…, 2) as PostgreSQL writes it ("1234.50") → hundredths, or null when empty
  const hundredths = (): number | null => {
    const start = p;
    let v = 0;
    for (let c = text.charCodeAt(p); p < end && c !== TAB && c !== NL; c = text.charCodeAt(++p)) if (c !== 46) v = v * 10 + c - 48;
    p++;
    return p - 1 === start ? null : v;
  };
  const str = (): string => {
    const start = p;
    while (p < end && text.charCodeAt(p) !== TAB && text.charCodeAt(p) !== NL) p++;
    return text.slice(start, p++);
  };
  // a field most rows share with others (a voltage level, a day): the string seen last when it is that again
  const seen = new Map<number, string>();
  const common = (slot: number): string => {
    const known = seen.get(slot);
    if (known !== undefined && text.startsWith(known, p)) {
      const after = text.charCodeAt(p + known.length);
      if (p + known.length >= end || after === TAB || after === NL) {
        p += known.length + 1;
        return known;
      }
    }
    const value = str();
    seen.set(slot, value);
    return value;
  };
  while (p < end) {
    const k = num()!;
    const meterId = num()!;
    const accountId = num()!;
    const removed = common(0) === 'removed';
    const multiplier = hundredths()!;
    const capacity = hundredths();
    const voltageLevel = common(1);
    const readOn = common(2);
    const total = hundredths();
    const peak = hundredths();
    const flat = hundredths();
    const valley = hundredths();
    const meterNo = spans[k - 1]!.meterNo;
    let m = meters.get(meterNo);
    if (!m) {
      m = { meterId, accountId, removed, multiplier, capacityKva: capacity === null ? null : capacity / 100, voltageLevel, stored: [] };
      meters.set(meterNo, m);
    }
    if (readOn !== '') m.stored.push({ readOn, total: total!, peak, flat, valley });
  }
  for (const m of meters.values()) if (m.stored.length > 1) m.stored.sort((x, y) => (x.readOn < y.readOn ? -1 : x.readOn > y.readOn ? 1 : 0));
  return meters;
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

const DAILY_READ_COLUMNS = ['account_id', 'meter_id', 'read_on', 'total', 'peak', 'flat', 'valley', 'source'] as const;

/** The accepted reads of a chunk by COPY on the transaction's client (the bulk path): as fast as a plain COPY. */
export async function copyDailyReads(client: pg.PoolClient, reads: readonly NewDailyRead[], source: 'ami' | 'import' | 'manual'): Promise<void> {
  if (reads.length === 0) return;
  await copyInto(client, 'daily_read', DAILY_READ_COLUMNS, [dailyReadsCopyText(reads, source)]);
}

/**
 * The rows as COPY text, written byte by byte into one buffer (every field is ASCII: ids, a validated
 * YYYY-MM-DD, decimals from hundredths, the source): no string per field.
 */
export function dailyReadsCopyText(reads: readonly NewDailyRead[], source: string): Buffer {
  const tail = Buffer.from(`\t${source}\n`, 'latin1');
  const buf = Buffer.allocUnsafe(reads.length * (4 * 20 + 2 * 17 + 11 + tail.length));
  let p = 0;
  const digits = (n: number) => {
    let len = 1;
    for (let t = n; t >= 10; t = Math.floor(t / 10)) len++;
    for (let q = p + len - 1, v = n; q >= p; q--, v = Math.floor(v / 10)) buf[q] = 48 + (v % 10);
    p += len;
  };
  const decimal = (h: number | null) => {
    buf[p++] = 9; // tab
    if (h === null) {
      buf[p++] = 92; // \N
      buf[p++] = 78;
      return;
    }
    digits(Math.floor(h / 100));
    buf[p++] = 46; // .
    buf[p++] = 48 + Math.floor((h % 100) / 10);
    buf[p++] = 48 + (h % 10);
  };
  for (const r of reads) {
    digits(r.accountId);
    buf[p++] = 9;
    digits(r.meterId);
    buf[p++] = 9;
    p += buf.write(r.readOn, p, 'latin1');
    decimal(r.total);
    decimal(r.peak);
    decimal(r.flat);
    decimal(r.valley);
    p += tail.copy(buf, p);
  }
  return buf.subarray(0, p);
}

/** The accepted reads of a chunk in one statement (arrays of the columns, unnested): small batches, any executor. */
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
