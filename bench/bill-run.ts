import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import type { DatabaseHandle } from '../src/db/connect.js';
import { progressReporter } from '../src/cli/progress.js';
import { approveBillRun, startBillRun, startIssue, systemOperator, type BillRunRow } from '../src/modules/billing/index.js';
import { driveBillRun } from '../src/workflows/issue-bills.js';
import { checkLedger } from '../src/modules/ledger/index.js';
import { seedTariffDefaults } from '../src/modules/tariffs/index.js';
import type { BenchOptions, BenchResult } from './run.js';
import { copyIn, copyOut, throwawayServer } from './support.js';

/**
 * `npm run bench -- bill-run --accounts N`: the monthly bill run (rate + write + approve + issue) over a
 * mixed population, against its physical floor.
 *
 * Population (generated in PostgreSQL, not timed): ~85% tiered households, 2% shared meters, 9%
 * time-of-use commerce (a third with power factor), 3% agriculture (half with power factor), 1% two-part
 * 10 kV industry with power factor (CT/VT multiplier 100, demand or capacity basis, some α = 1.5);
 * reads for the period, the one before and the history months; 0.1% of current reads missing (estimated)
 * and 0.02% registers going backwards (blocked).
 * Run: startBillRun → driveBillRun (rating) → approve → startIssue → driveBillRun (issue), timed together.
 * Floor: the rows the run wrote (bills, lines, exceptions, ledger transfers, entries and balances) COPYed out to files, then COPYed into the same tables of a fresh database — what PostgreSQL
 * needs just to store them.
 */

/** The target of issue 3: a million accounts issued in a minute. */
export const defaultAccounts = 1_000_000;

const PERIOD = '2026-10';
const AS_OF = new Date('2026-11-15T12:00:00+08:00');
/** What the run wrote, in load order (org_unit and bill_run: the few rows the others refer to). */
const FLOOR_TABLES = ['org_unit', 'bill_run', 'bill', 'bill_line', 'bill_exception', 'ledger_transfer', 'ledger_entry', 'ledger_balance', 'account_event'] as const;

export async function run(opts: BenchOptions): Promise<BenchResult> {
  const server = await throwawayServer();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'granary-bench-bills-'));
  try {
    console.error(`bill-run bench: ${opts.accounts} accounts, ${server.description}`);
    const db = await server.database('bills');
    const populated = performance.now();
    await populate(db, opts.accounts);
    await seedTariffDefaults(db.db);
    console.error(`population: ${((performance.now() - populated) / 1000).toFixed(1)} s`);
    const rssBefore = Math.round(process.memoryUsage().rss / 2 ** 20);

    const op = systemOperator(1, AS_OF, 'bench');
    const started = performance.now();
    const { run: created } = await startBillRun(db.db, op, PERIOD);
    const report = progressReporter();
    const onProgress = (r: BillRunRow) =>
      r.status === 'issuing' ? report({ phase: 'issuing', done: r.issued_bills, total: r.bills }) : report({ phase: 'rating', done: r.accounts_done, total: r.accounts_total });
    const rated = await driveBillRun(db, created.id, { onProgress });
    const ratedAt = performance.now();
    await approveBillRun(db.db, op, rated.id, 'bench');
    await startIssue(db.db, op, rated.id);
    const issued = await driveBillRun(db, rated.id, { onProgress });
    const seconds = (performance.now() - started) / 1000;
    const ratingSeconds = (ratedAt - started) / 1000;
    const issueSeconds = seconds - ratingSeconds;
    if (issued.status !== 'issued') throw new Error(`run ended ${issued.status}`);

    const ledger = await checkLedger(db.db);
    if (!ledger.ok) throw new Error(`ledger check failed: ${ledger.violations.map((v) => v.message).join('; ')}`);
    const rows = await tableRows(db.pool);
    const dbBytes = Number((await db.pool.query<{ b: string }>('select pg_database_size(current_database()) as b')).rows[0]!.b);

    console.error('floor: copying the same rows out to files and into a fresh database');
    const files = await copyOut(db.pool, dir, FLOOR_TABLES.map((table) => ({ table })));
    await db.close();
    const floorDb = await server.database('floor');
    const floor = await copyIn(floorDb, files);
    await floorDb.close();
    const textBytes = Object.values(files).reduce((n, f) => n + fs.statSync(f).size, 0);

    const figures = {
      bills: issued.issued_bills,
      billsPerSecond: Math.round(issued.issued_bills / seconds),
      lines: issued.lines,
      exceptions: issued.exceptions,
      blockingExceptions: issued.blocking_exceptions,
      transfers: ledger.transfers,
      entries: ledger.entries,
      balances: ledger.balances,
      ratingSeconds: round(ratingSeconds),
      issueSeconds: round(issueSeconds),
      floorSeconds: round(floor.seconds),
      ...Object.fromEntries(Object.entries(floor.perTable).map(([t, s]) => [`floor_${t}_Seconds`, round(s)])),
      rssBeforeRunMiB: rssBefore,
      textGiB: round(textBytes / 2 ** 30, 2),
      databaseGiB: round(dbBytes / 2 ** 30, 2),
      ledgerCheckSeconds: round(ledger.seconds),
    };
    return {
      n: opts.accounts,
      seconds,
      floorSeconds: floor.seconds,
      figures,
      notes: [
        `server: ${server.description}; period ${PERIOD}, issue date ${issued.issue_date}`,
        `rows: ${Object.entries(rows).map(([t, n]) => `${t} ${n}`).join(', ')}`,
        `run: rating + write ${round(ratingSeconds)} s (${Math.round(issued.accounts_done / ratingSeconds)} accounts/s) · approve + issue ${round(issueSeconds)} s (${Math.round(issued.issued_bills / issueSeconds)} bills/s); ${issued.exceptions} exceptions, ${issued.blocking_exceptions} accounts without a bill`,
        `floor: COPY of the same rows (${round(textBytes / 2 ** 30, 2)} GiB of text) into the same tables of a fresh database: ${Object.entries(floor.perTable).map(([t, s]) => `${t} ${round(s)} s`).join(' · ')}`,
        `ledger check after the run: OK in ${round(ledger.seconds)} s; database ${round(dbBytes / 2 ** 30, 2)} GiB`,
      ],
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    await server.close();
  }
}

const round = (v: number, digits = 1) => Number(v.toFixed(digits));

async function tableRows(pool: pg.Pool): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of [...FLOOR_TABLES.slice(2), 'cycle_read']) out[t] = Number((await pool.query<{ n: string }>(`select count(*) as n from ${t}`)).rows[0]!.n);
  return out;
}

/**
 * The population, generated by PostgreSQL itself (fast, not timed, deterministic): one company, 8
 * stations, areas of 250 accounts, one customer, account and meter each, five cycle reads per meter
 * (the history months, the previous period and the period), supply contracts with due day 25.
 */
export async function populate(db: DatabaseHandle, n: number): Promise<void> {
  const client = await db.pool.connect();
  const t = performance.now();
  const step = async (what: string, sqlText: string) => {
    await client.query(sqlText);
    console.error(`  ${what} (${((performance.now() - t) / 1000).toFixed(1)} s)`);
  };
  try {
    await client.query('begin');
    // Key checks row by row would triple the set-up time; the generated rows are consistent by construction.
    const replica = await client.query('set local session_replication_role = replica').then(() => true, () => false);
    if (!replica) await client.query('rollback').then(() => client.query('begin'));
    await step('org', `
      insert into org_unit (id, parent_id, kind, code, name) values (1, null, 'company', 'bench', '基准县供电公司');
      insert into org_unit (id, parent_id, kind, code, name) select 1 + s, 1, 'station', 'st' || s, '供电所' || s from generate_series(1, 8) s;
      insert into transformer_area (id, code, name, station_id) select t, 'T' || t, '台区' || t, 2 + (t % 8) from generate_series(1, (${n} + 249) / 250) t;
      select setval(pg_get_serial_sequence('org_unit', 'id'), 9);
      select setval(pg_get_serial_sequence('transformer_area', 'id'), (${n} + 249) / 250);`);
    await step('customers', `
      insert into customer (id, customer_no, kind, name, station_id)
      select g, 'C' || g, case when g * 7919 % 1000 < 870 then 'person' else 'organisation' end, '客户' || g, 2 + (((g - 1) / 250 + 1) % 8)
        from generate_series(1::bigint, ${n}) g;`);
    await step('accounts', `
      insert into account (id, account_no, customer_id, company_id, station_id, area_id, name, category, voltage_level, payment_mode, tariff_code,
                           pf_standard, capacity_kva, contract_demand_kw, basic_charge_basis, agent_multiplier, shared_meter, opened_on)
      select g, lpad(g::text, 10, '0'), g, 1, 2 + (((g - 1) / 250 + 1) % 8), (g - 1) / 250 + 1, '客户' || g,
        case when r < 870 then 'residential' when r < 960 then 'commercial' when r < 990 then 'agriculture' else 'large_industry' end,
        case when r < 870 then '0.22kV' when r < 990 then '0.4kV' else '10kV' end,
        case when r < 700 then 'smart_prepaid' else 'postpaid' end,
        case when r < 850 then 'gansu.residential.tiered' when r < 870 then 'gansu.residential.shared-meter' when r < 960 then 'gansu.ci.single-part'
             when r < 990 then 'gansu.agriculture' else 'gansu.ci.two-part' end,
        case when r >= 930 and r < 960 then 0.85 when r >= 975 and r < 990 then 0.80 when r >= 990 then 0.90 end,
        case when r >= 930 and r < 960 then 200 when r >= 975 and r < 990 then 160 when r >= 990 then 1000 when r >= 870 then 50 end,
        case when r >= 995 then 400 end,
        case when r >= 995 then 'demand' when r >= 990 then 'capacity' end,
        case when r = 999 then 1.5 else 1 end,
        r >= 850 and r < 870,
        date '2010-01-01' + (g % 4000)::int
      from (select g, g * 7919 % 1000 as r from generate_series(1::bigint, ${n}) g) x;
      select setval(pg_get_serial_sequence('account', 'id'), ${n});`);
    await step('meters', `
      insert into meter (id, account_id, meter_no, registers, multiplier, installed_on)
      select a.id, a.id, 'M' || a.id,
        case when a.category = 'residential' then array['total'] when a.pf_standard is null then array['total','peak','flat','valley']
             when a.category = 'large_industry' then array['total','peak','flat','valley','reactive','max_demand'] else array['total','peak','flat','valley','reactive'] end,
        case when a.category = 'large_industry' then 100 else 1 end, date '2010-01-01'
      from account a;
      select setval(pg_get_serial_sequence('meter', 'id'), ${n});`);
    await step('contracts', `
      insert into contract (account_id, contract_no, kind, signed_on, starts_on, due_day)
      select id, 'HT' || id, 'supply', date '2010-01-01', date '2010-01-01', 25 from account where category <> 'residential';`);
    // Register advances per month in hundredths of a register unit: households 50–450 kWh, commerce
    // 500–5,500 kWh split 30/40/30 over peak/flat/valley, agriculture 1,000–9,000, industry 100,000–300,000
    // kWh (÷ multiplier 100); ±20% month to month. Reads for 2026-06 (history), 2026-09 and 2026-10.
    await step('cycle reads', `
      insert into cycle_read (account_id, meter_id, period, read_on, total, peak, flat, valley, reactive, max_demand, source)
      select id, id, period, read_on,
        (base + adv) / 100.0,
        case when tou then (base * 3 / 10 + adv * 3 / 10) / 100.0 end,
        case when tou then (base - base * 3 / 10 * 2 + adv - adv * 3 / 10 * 2) / 100.0 end,
        case when tou then (base * 3 / 10 + adv * 3 / 10) / 100.0 end,
        case when reactive then (base / 2 + adv / 2) / 100.0 end,
        case when demand then round(u / 36000.0, 2) end,
        'demo'
      from (
        select a.id, k.period, k.read_on, k.months,
               m.registers @> array['peak'] as tou, m.registers @> array['reactive'] as reactive, m.registers @> array['max_demand'] as demand,
               (a.id * 7717 % 200000) * 1000 as base,
               u * k.months + (case when k.period = '${PERIOD}' then u * (a.id * 31 % 40 - 20) / 100 else 0 end) as adv, u
          from account a join meter m on m.id = a.id
          cross join lateral (select case a.category when 'residential' then 50 + a.id * 13 % 400 when 'commercial' then 500 + a.id * 17 % 5000
                                                     when 'agriculture' then 1000 + a.id % 8000 else (100000 + a.id * 7 % 200000) / 100 end * 100 as u) usage
          cross join (values ('2026-06', date '2026-07-01', 0), ('2026-09', date '2026-10-01', 3), ('${PERIOD}', date '2026-11-01', 4)) k(period, read_on, months)
      ) x
      where not (period = '${PERIOD}' and id % 1000 = 123);
      update cycle_read c set total = p.total - 5 from cycle_read p
       where c.period = '${PERIOD}' and c.account_id % 5000 = 7 and c.peak is null
         and p.account_id = c.account_id and p.meter_id = c.meter_id and p.period = '2026-09';`);
    await client.query('commit');
    await client.query('analyze');
  } catch (err) {
    await client.query('rollback').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}
