import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { loadConfig } from '../src/config.js';
import type { DatabaseHandle } from '../src/db/connect.js';
import { loadRatingTariffs } from '../src/modules/billing/index.js';
import { runFeeControl, type FeeControlDeps, type RunSummary } from '../src/modules/feecontrol/index.js';
import { seedTariffDefaults } from '../src/modules/tariffs/index.js';
import { feeControlDeps } from '../src/workflows/fee-control.js';
import { populate } from './bill-run.js';
import type { BenchOptions, BenchResult } from './run.js';
import { throwawayServer } from './support.js';

/**
 * `npm run bench -- fee-control --accounts N`: the daily prepaid fee-control run (RULES §8, issue 18) over the
 * bill-run population (~70% of accounts on smart prepaid), against its physical floor.
 *
 * Set-up (not timed): the bill-run county (cycle reads up to 2026-10, read on 11-01); every prepaid account
 * topped up (a balanced ledger transfer each) with 0.2–2.2 months of its use; every meter's frozen read of
 * 11-08 and the run of 11-08 (so the timed run is a steady-state day: yesterday's estimates and positions
 * exist); then 11-09's frozen reads, VACUUM ANALYZE and a CHECKPOINT.
 * Run (timed): `runFeeControl` for 11-09 at 10:00, as the daily job runs it (batches of 5,000), notices to
 * the outbox. Floor: the same rows read and written with plain SQL — COPY out of the run's inputs (the prepaid
 * accounts, their meters, latest cycle reads, the day's frozen reads, positions, estimate history, balances)
 * from the benchmarked database, and in a second database holding yesterday's state, COPY in of the rows the
 * run wrote (the day's estimates, the positions through a temp table and one upsert, state changes, account
 * events, commands, notifications) in one transaction.
 */

export const defaultAccounts = 1_000_000;

const YESTERDAY = '2026-11-08';
const TODAY = '2026-11-09';
const AT = (day: string) => new Date(`${day}T10:00:00+08:00`);
const PREPAID = `('smart_prepaid', 'purchase_before_use')`;

export async function run(opts: BenchOptions): Promise<BenchResult> {
  const server = await throwawayServer();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'granary-bench-fee-'));
  try {
    console.error(`fee-control bench: ${opts.accounts} accounts, ${server.description}`);
    const db = await server.database('fee');
    const t0 = performance.now();
    const config = loadConfig({ GRANARY_HOME: dir, LOG_LEVEL: 'silent' });
    const deps = (day: string) => feeControlDeps(config, { now: () => AT(day) }, () => {});
    const setupRun = await prepareCounty(db, opts.accounts, deps(YESTERDAY));
    console.error(`set-up: ${secs(t0)} s`);

    // yesterday's state, for the floor's second database (not timed)
    const marks = await high(db.pool);
    const state = await copyOutFiles(db.pool, dir, 'before', [
      { table: 'account', query: 'select * from account' },
      { table: 'fee_control', query: 'select * from fee_control' },
      { table: 'fee_estimate', query: 'select * from fee_estimate' },
    ]);

    const rssBefore = Math.round(process.memoryUsage().rss / 2 ** 20);
    const started = performance.now();
    const summary = await runFeeControl(db.db, deps(TODAY), {
      today: TODAY,
      hour: 10,
      now: AT(TODAY),
      tariffs: await loadRatingTariffs(db.db),
      onProgress: (p) => {
        if (p.done % 100_000 < 5_000) console.error(`  ${p.done} accounts (${secs(started)} s)`);
      },
    });
    const seconds = (performance.now() - started) / 1000;
    console.error(`run: ${seconds.toFixed(1)} s, ${JSON.stringify(summary)}`);

    // the floor: read the run's inputs with plain SQL, write its output with COPY
    const written = await copyOutFiles(db.pool, dir, 'after', [
      { table: 'fee_estimate', query: `select * from fee_estimate where read_on = '${TODAY}'` },
      { table: 'fee_control', query: `select * from fee_control where run_on = '${TODAY}'` },
      { table: 'fee_control_change', query: `select * from fee_control_change where id > ${marks.change}` },
      { table: 'account_event', query: `select * from account_event where seq > ${marks.event}` },
      { table: 'meter_command', query: `select * from meter_command where id > ${marks.command}` },
      { table: 'notification', query: `select * from notification where id > ${marks.notification}` },
    ]);
    await db.pool.query('checkpoint');
    const read = await floorRead(db.pool);
    const rows = await rowCounts(db.pool, marks);
    await db.close();
    const floorDb = await server.database('floor');
    await loadState(floorDb, state);
    const write = await floorWrite(floorDb, written);
    await floorDb.close();
    const floorSeconds = read.seconds + write.seconds;
    const readMiB = read.bytes / 2 ** 20;

    return {
      n: opts.accounts,
      seconds,
      floorSeconds,
      figures: {
        prepaidAccounts: summary.accounts,
        accountsPerSecond: Math.round(summary.accounts / seconds),
        estimated: summary.estimated,
        normal: summary.byState.normal,
        warned: summary.byState.warned,
        pending: summary.byState.pending,
        disconnected: summary.byState.disconnected,
        changes: summary.changes,
        notices: summary.notices,
        disconnects: summary.disconnects,
        held: summary.held,
        floorReadSeconds: round(read.seconds),
        floorWriteSeconds: round(write.seconds),
        floorReadMiB: Math.round(readMiB),
        rssBeforeRunMiB: rssBefore,
        setupRunSeconds: round(setupRun.seconds),
      },
      notes: [
        `server: ${server.description}; the run of ${TODAY} 10:00 after the run of ${YESTERDAY} (set-up), batches of 5,000 accounts`,
        `run: ${summary.accounts} prepaid accounts (${Math.round(summary.accounts / seconds)}/s), ${summary.estimated} estimated; states ${JSON.stringify(summary.byState)}; ${summary.changes} changes, ${summary.notices} notices, ${summary.disconnects} disconnections staged, ${summary.held} held`,
        `rows written: ${Object.entries(rows).map(([t, n]) => `${t} ${n}`).join(', ')}`,
        `floor: COPY out of the run's inputs ${round(read.seconds)} s (${Math.round(readMiB)} MiB: ${Object.entries(read.perQuery).map(([q, s]) => `${q} ${round(s)} s`).join(' · ')}) + COPY in of its output into yesterday's state in a second database ${round(write.seconds)} s (${Object.entries(write.perTable).map(([t, s]) => `${t} ${round(s)} s`).join(' · ')})`,
      ],
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    await server.close();
  }
}

const round = (v: number, digits = 1) => Number(v.toFixed(digits));

/**
 * The county of a steady-state day: the bill-run population, top-ups, 11-08's frozen reads and run, the
 * households below zero since 11-05 (their grace period over today), 11-09's frozen reads; vacuumed, analysed
 * and checkpointed. Exported for profiling scripts.
 */
export async function prepareCounty(db: DatabaseHandle, accounts: number, deps: FeeControlDeps): Promise<{ seconds: number; summary: RunSummary }> {
  await populate(db, accounts);
  await seedTariffDefaults(db.db);
  await topUp(db);
  if (process.env.BENCH_HISTORY !== '0') await history(db);
  await dailyReads(db, YESTERDAY);
  const t = performance.now();
  const summary = await runFeeControl(db.db, deps, { today: YESTERDAY, hour: 10, now: AT(YESTERDAY), tariffs: await loadRatingTariffs(db.db) });
  const seconds = (performance.now() - t) / 1000;
  console.error(`  the run of ${YESTERDAY}: ${seconds.toFixed(1)} s, ${JSON.stringify(summary.byState)}`);
  await db.pool.query(`update fee_control set below_zero_on = date '2026-11-05' where state = 'pending'`);
  await dailyReads(db, TODAY);
  await db.pool.query('vacuum analyze');
  await db.pool.query('checkpoint');
  return { seconds, summary };
}

export { TODAY, AT };
const secs = (since: number) => ((performance.now() - since) / 1000).toFixed(1);

/**
 * Every prepaid account tops up 0.2–2.2 months of its use at ~0.55 元/kWh (register units × multiplier), one
 * balanced transfer each (clearing → prepaid), with its balances: about 3% are below zero by the 9th.
 */
async function topUp(db: DatabaseHandle): Promise<void> {
  const t = performance.now();
  const client = await db.pool.connect();
  try {
    await client.query('begin');
    await client.query(`
      create temp table topup on commit drop as
      select a.id as account_id, a.id as transfer_id,
             greatest(100, round((c.total - p.total) * m.multiplier * 55 * (0.2 + (a.id * 37 % 200) / 100.0)))::bigint as fen
        from account a join meter m on m.account_id = a.id
        join cycle_read c on c.account_id = a.id and c.meter_id = m.id and c.period = '2026-10'
        join cycle_read p on p.account_id = a.id and p.meter_id = m.id and p.period = '2026-09'
       where a.payment_mode in ${PREPAID}`);
    await client.query(`
      insert into ledger_transfer (account_id, id, kind, ref_type, ref_id, business_date, memo)
      select account_id, transfer_id, 'prepaid.topup', 'bench', account_id, date '2026-11-01', 'bench top-up' from topup`);
    await client.query(`
      insert into ledger_entry (account_id, transfer_id, book, amount_fen)
      select account_id, transfer_id, b.book, case b.book when 'prepaid' then -fen else fen end
        from topup cross join (values ('clearing.counter'), ('prepaid')) b(book)`);
    await client.query(`
      insert into ledger_balance (account_id, book, balance_fen)
      select account_id, b.book, case b.book when 'prepaid' then -fen else fen end
        from topup cross join (values ('clearing.counter'), ('prepaid')) b(book)`);
    await client.query(`select setval(pg_get_serial_sequence('ledger_transfer', 'id'), (select max(id) from ledger_transfer))`);
    await client.query('commit');
  } catch (err) {
    await client.query('rollback').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
  console.error(`  top-ups (${secs(t)} s)`);
}

/**
 * What a running system has by 11-08 (BENCH_HISTORY=0 leaves it out): October's bill issued for every prepaid
 * account (the rows only: as if settled from prepaid at issue), and the daily estimates of October
 * (10-02…10-31, period 2026-10) and of November so far (11-02…11-07), the cycle-to-date charge growing by a
 * thirtieth of the month's use at ~0.55 元/kWh a day.
 */
async function history(db: DatabaseHandle): Promise<void> {
  const t = performance.now();
  await db.pool.query(`
    insert into bill (account_id, id, period, kind, status, tariff_code, total_fen, kwh, days, issued_at, due_on)
    select a.id, a.id, '2026-10', 'regular', 'issued', a.tariff_code, round((c.total - p.total) * m.multiplier * 55)::bigint,
           round((c.total - p.total) * m.multiplier, 2), 31, timestamptz '2026-11-05 12:00+08', date '2026-11-20'
      from account a join meter m on m.account_id = a.id
      join cycle_read c on c.account_id = a.id and c.meter_id = m.id and c.period = '2026-10'
      join cycle_read p on p.account_id = a.id and p.meter_id = m.id and p.period = '2026-09'
     where a.payment_mode in ${PREPAID} and c.total >= p.total`);
  await db.pool.query(`select setval('bill_id_seq', (select max(id) from bill))`);
  await db.pool.query(`
    insert into fee_estimate (account_id, read_on, period, kwh, ctd_fen, day_fen)
    select a.id, d.day, d.period, round(u.kwh * d.n / 30.0, 2), round(u.kwh * d.n / 30.0 * 55)::bigint, round(u.kwh / 30.0 * 55)::bigint
      from account a
      join lateral (select (c.total - p.total) * m.multiplier as kwh from meter m
                      join cycle_read c on c.account_id = m.account_id and c.meter_id = m.id and c.period = '2026-10'
                      join cycle_read p on p.account_id = m.account_id and p.meter_id = m.id and p.period = '2026-09'
                     where m.account_id = a.id and c.total >= p.total limit 1) u on true
      cross join (select day::date, case when day < '2026-11-01' then '2026-10' else '2026-11' end as period,
                         day::date - case when day < '2026-11-01' then date '2026-10-01' else date '2026-11-01' end as n
                    from generate_series(date '2026-10-02', date '2026-11-07', interval '1 day') day where day <> '2026-11-01') d
     where a.payment_mode in ${PREPAID}`);
  console.error(`  October's bills and 36 days of estimates (${secs(t)} s)`);
}

/** Every meter's frozen read of `day`: the 11-01 cycle read advanced by the last month's use per day. */
async function dailyReads(db: DatabaseHandle, day: string): Promise<void> {
  const t = performance.now();
  const n = `(date '${day}' - date '2026-11-01')`;
  const at = (reg: string) => `round(c.${reg} + (c.${reg} - p.${reg}) * ${n} / 30.0, 2)`;
  await db.pool.query(`
    insert into daily_read (account_id, meter_id, read_on, total, peak, flat, valley, source)
    select c.account_id, c.meter_id, date '${day}', ${at('total')}, ${at('peak')}, ${at('flat')}, ${at('valley')}, 'ami'
      from cycle_read c join cycle_read p on p.account_id = c.account_id and p.meter_id = c.meter_id and p.period = '2026-09'
     where c.period = '2026-10' and c.total >= p.total`);
  console.error(`  frozen reads of ${day} (${secs(t)} s)`);
}

interface Marks {
  change: number;
  event: number;
  command: number;
  notification: number;
}

async function high(pool: pg.Pool): Promise<Marks> {
  const { rows } = await pool.query<Record<keyof Marks, string>>(`
    select (select coalesce(max(id), 0) from fee_control_change) as change, (select coalesce(max(seq), 0) from account_event) as event,
           (select coalesce(max(id), 0) from meter_command) as command, (select coalesce(max(id), 0) from notification) as notification`);
  const r = rows[0]!;
  return { change: Number(r.change), event: Number(r.event), command: Number(r.command), notification: Number(r.notification) };
}

async function rowCounts(pool: pg.Pool, m: Marks): Promise<Record<string, number>> {
  const { rows } = await pool.query<Record<string, string>>(`
    select (select count(*) from fee_estimate where read_on = '${TODAY}') as fee_estimate, (select count(*) from fee_control where run_on = '${TODAY}') as fee_control,
           (select count(*) from fee_control_change where id > ${m.change}) as fee_control_change, (select count(*) from account_event where seq > ${m.event}) as account_event,
           (select count(*) from meter_command where id > ${m.command}) as meter_command, (select count(*) from notification where id > ${m.notification}) as notification`);
  return Object.fromEntries(Object.entries(rows[0]!).map(([k, v]) => [k, Number(v)]));
}

async function copyOutFiles(pool: pg.Pool, dir: string, label: string, sources: { table: string; query: string }[]): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  const client = await pool.connect();
  try {
    for (const s of sources) {
      files[s.table] = path.join(dir, `${label}.${s.table}.copy`);
      await pipeline(client.query(copyTo(`copy (${s.query}) to stdout`)), fs.createWriteStream(files[s.table]!));
    }
  } finally {
    client.release();
  }
  return files;
}

/**
 * The read half of the floor: the rows the run reads, each table once with plain SQL (no JSON, no
 * per-account subqueries), COPYed out and thrown away.
 */
async function floorRead(pool: pg.Pool): Promise<{ seconds: number; bytes: number; perQuery: Record<string, number> }> {
  const prepaid = `select id from account where payment_mode in ${PREPAID} and status = 'active' and opened_on <= date '${TODAY}'`;
  const queries: Record<string, string> = {
    account: `select id, station_id, tariff_code, category, voltage_level, pf_standard, capacity_kva, contract_demand_kw, basic_charge_basis, agent_multiplier,
                     opened_on, payment_mode, is_important, is_medical, is_heating_company, is_vulnerable
                from account where payment_mode in ${PREPAID} and status = 'active' and opened_on <= date '${TODAY}' order by id`,
    meter: `select m.id, m.account_id, m.registers, m.multiplier from meter m where m.status = 'active' and m.account_id in (${prepaid}) order by m.account_id, m.id`,
    cycle_read: `select distinct on (c.account_id, c.meter_id) c.account_id, c.meter_id, c.period, c.read_on, c.total, c.peak, c.flat, c.valley, c.reactive, c.max_demand
                   from cycle_read c where c.read_on <= date '${TODAY}' and c.account_id in (${prepaid}) order by c.account_id, c.meter_id, c.period desc`,
    daily_read: `select d.account_id, d.meter_id, d.total, d.peak, d.flat, d.valley from daily_read d where d.read_on = date '${TODAY}' and d.account_id in (${prepaid})`,
    // the run reads an account's estimates from the cycle read that closed its last billed period: 11-01 for
    // all here (October is billed), bar the few without a bill (100 days; left out — a few hundred rows)
    fee_estimate: `select e.account_id, e.read_on, e.period, e.ctd_fen, e.day_fen from fee_estimate e join account a on a.id = e.account_id
                    where e.read_on >= date '2026-11-01' and e.read_on < date '${TODAY}'
                      and a.payment_mode in ${PREPAID} and a.status = 'active' and a.opened_on <= date '${TODAY}'`,
    ledger_balance: `select account_id, book, balance_fen from ledger_balance where book in ('prepaid', 'receivable', 'penalty') and account_id in (${prepaid})`,
    fee_control: `select account_id, state, warn_fen, below_zero_on from fee_control where account_id in (${prepaid})`,
    bill: `select account_id, max(period) from bill where kind = 'regular' and status = 'issued' and account_id in (${prepaid}) group by account_id`,
    open: `select account_id, action from meter_command where state in ('staged', 'sent') union all select account_id, 'approval' from disconnect_approval where status = 'approved'`,
  };
  const client = await pool.connect();
  const perQuery: Record<string, number> = {};
  let bytes = 0;
  const started = performance.now();
  try {
    await client.query('begin isolation level repeatable read read only');
    for (const [name, q] of Object.entries(queries)) {
      const t = performance.now();
      const sink = new Writable({
        write(chunk: Buffer, _enc, done) {
          bytes += chunk.length;
          done();
        },
      });
      await pipeline(client.query(copyTo(`copy (${q}) to stdout`)), sink);
      perQuery[name] = (performance.now() - t) / 1000;
    }
    await client.query('commit');
  } finally {
    client.release();
  }
  return { seconds: (performance.now() - started) / 1000, bytes, perQuery };
}

/** Yesterday's state in the floor's database: the accounts (keys refer to them), positions and estimates. Not timed. */
async function loadState(db: DatabaseHandle, files: Record<string, string>): Promise<void> {
  const client = await db.pool.connect();
  try {
    await client.query('begin');
    await client.query('set local session_replication_role = replica');
    for (const [table, file] of Object.entries(files)) {
      await pipeline(fs.createReadStream(file, { highWaterMark: 1 << 20 }), client.query(copyFrom(`copy ${table} from stdin`)));
    }
    await client.query('commit');
    await client.query('vacuum analyze account, fee_control, fee_estimate');
    await client.query('checkpoint');
  } finally {
    client.release();
  }
}

/** The write half of the floor: the run's output COPYed in, the positions through a temp table and one upsert, in one transaction. */
async function floorWrite(db: DatabaseHandle, files: Record<string, string>): Promise<{ seconds: number; perTable: Record<string, number> }> {
  const client = await db.pool.connect();
  const perTable: Record<string, number> = {};
  const started = performance.now();
  const copy = async (table: string, file: string) => {
    const t = performance.now();
    await pipeline(fs.createReadStream(file, { highWaterMark: 1 << 20 }), client.query(copyFrom(`copy ${table} from stdin`)));
    perTable[table] = (performance.now() - t) / 1000;
  };
  try {
    await client.query('begin');
    for (const [table, file] of Object.entries(files)) {
      if (table !== 'fee_control') {
        await copy(table, file);
        continue;
      }
      const t = performance.now();
      await client.query('create temp table fc (like fee_control) on commit drop');
      await pipeline(fs.createReadStream(file, { highWaterMark: 1 << 20 }), client.query(copyFrom('copy fc from stdin')));
      const cols = (await client.query<{ c: string }>(`select attname as c from pg_attribute where attrelid = 'fee_control'::regclass and attnum > 0 and not attisdropped and attname <> 'account_id' order by attnum`)).rows.map((r) => r.c);
      await client.query(`insert into fee_control select * from fc on conflict (account_id) do update set ${cols.map((c) => `${c} = excluded.${c}`).join(', ')}`);
      perTable[table] = (performance.now() - t) / 1000;
    }
    await client.query('commit');
  } catch (err) {
    await client.query('rollback').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
  return { seconds: (performance.now() - started) / 1000, perTable };
}
