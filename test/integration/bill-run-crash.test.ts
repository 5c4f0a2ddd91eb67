import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/connect.js';
import { approveBillRun, startBillRun, startIssue, systemOperator } from '../../src/modules/billing/index.js';
import { driveBillRun } from '../../src/workflows/issue-bills.js';
import { checkLedger } from '../../src/modules/ledger/index.js';
import { createDemoCounty } from '../../src/modules/simulator/index.js';
import { seedTariffDefaults } from '../../src/modules/tariffs/index.js';
import { createTestDatabase } from '../support/db.js';

/**
 * kill -9 in the middle of a bill run (DESIGN §9): the `granary bill-run` command is killed while a rating
 * batch is half written, resumed, killed again while an issue batch is half posted, and resumed to the
 * end. It must end with exactly the bills, lines, exceptions and ledger of an uninterrupted run of the
 * same county (its twin), and a sound ledger at every stop.
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const PERIOD = '2026-10';
const AS_OF = '2026-11-15';

let crashed: DatabaseHandle;
let twin: DatabaseHandle;
let home: string;

async function county(): Promise<DatabaseHandle> {
  const h = await createTestDatabase();
  await createDemoCounty(h, { accounts: 300, seed: 3, asOf: new Date('2026-11-15T00:00:00Z') });
  await seedTariffDefaults(h.db);
  return h;
}

function granary(args: string[]): ChildProcess {
  return spawn(process.execPath, [path.join(ROOT, 'bin/granary.mjs'), 'bill-run', '--period', PERIOD, '--as-of', AS_OF, '--batch-size', '10', '--throttle-ms', '15', ...args], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: crashed.url, GRANARY_HOME: home, LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

async function finish(child: ChildProcess): Promise<{ code: number | null; output: string }> {
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, output };
}

async function value<T>(db: DatabaseHandle, query: string): Promise<T> {
  const { rows } = await db.pool.query(query);
  return Object.values(rows[0] as Record<string, unknown>)[0] as T;
}

async function until(what: string, check: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * Lets the child get `progress` done, then locks `table` so its next batch stops half way (its earlier
 * statements written, uncommitted), waits until it is stuck there, and kills it with SIGKILL.
 */
async function killMidBatch(child: ChildProcess, progress: () => Promise<boolean>, table: string, blockedQuery: string): Promise<void> {
  const exited = once(child, 'exit');
  await until('progress before the kill', progress);
  const locker = new pg.Client({ connectionString: crashed.url });
  await locker.connect();
  try {
    await locker.query('begin');
    await locker.query(`lock table ${table} in access exclusive mode`);
    // (asked on another connection: inside the locker's transaction pg_stat_activity would not change)
    await until(`the run to block on ${table}`, async () => {
      const { rows } = await crashed.pool.query(`select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and query ilike $1`, [`%${blockedQuery}%`]);
      return rows[0].n > 0;
    });
    child.kill('SIGKILL');
    await exited;
  } finally {
    await locker.query('rollback').catch(() => {});
    await locker.end();
  }
  // PostgreSQL notices the dead connections, rolls the open transaction back and frees the run's lock
  await until(
    'the killed connections to go',
    async () => (await value<number>(crashed, `select count(*)::int from pg_locks where locktype = 'advisory' and classid = 7304113 and objsubid = 2`)) === 0,
  );
}

/** Everything the run produces, in an order independent of ids. */
async function outcome(h: DatabaseHandle) {
  const q = async (text: string) => (await h.pool.query(text)).rows;
  return {
    run: await q(`select period, status, accounts_total, accounts_done, bills, lines, exceptions, blocking_exceptions, total_fen, issued_bills, issued_fen, issue_date::text from bill_run`),
    bills: await q(`select account_id, period, kind, status, tariff_code, total_fen, kwh::text, peak_kwh::text, kvarh::text, max_demand_kw::text, days, estimated, outlier, rollover, due_day, due_on::text from bill order by account_id`),
    lines: await q(`select l.account_id, l.line_no, l.code, l.quantity::text, l.unit_price::text, l.amount_fen, l.detail::text from bill_line l order by 1, 2`),
    exceptions: await q(`select account_id, kind, blocking, detail::text, bill_id is not null as has_bill from bill_exception order by account_id, kind`),
    reads: await q(`select account_id, meter_id, total::text, peak::text, reactive::text, estimated, source from cycle_read where period = '${PERIOD}' order by 1, 2`),
    entries: await q(`select e.account_id, t.kind, t.business_date::text, e.book, e.amount_fen from ledger_entry e join ledger_transfer t on t.account_id = e.account_id and t.id = e.transfer_id order by 1, 4`),
    balances: await q(`select account_id, book, balance_fen from ledger_balance order by 1, 2`),
  };
}

beforeAll(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'granary-crash-'));
  [crashed, twin] = await Promise.all([county(), county()]);
  const op = systemOperator(await value<number>(twin, `select id from org_unit where kind = 'company'`), new Date(`${AS_OF}T12:00:00+08:00`), 'test');
  const { run } = await startBillRun(twin.db, op, PERIOD);
  await driveBillRun(twin, run.id, { batchSize: 64 });
  await approveBillRun(twin.db, op, run.id, null);
  await startIssue(twin.db, op, run.id);
  expect((await driveBillRun(twin, run.id)).status).toBe('issued');
}, 180_000);

afterAll(async () => {
  await crashed?.close();
  await twin?.close();
  if (home) fs.rmSync(home, { recursive: true, force: true });
});

describe('kill -9 during a bill run', () => {
  it('loses the half-written rating batch, nothing else', async () => {
    const child = granary([]);
    await killMidBatch(child, async () => (await value<number>(crashed, 'select count(*)::int from bill')) >= 60, 'bill_line', 'copy bill_line');
    const run = (await crashed.pool.query('select status, rating_cursor, accounts_done, bills from bill_run')).rows[0];
    expect(run.status).toBe('rating');
    expect(Number(run.rating_cursor)).toBeGreaterThan(0);
    // exactly the committed batches: every account up to the cursor billed or excepted, none beyond it
    expect(await value<number>(crashed, `select count(*)::int from bill where account_id > ${run.rating_cursor}`)).toBe(0);
    expect(await value<number>(crashed, `select count(*)::int from bill_exception where account_id > ${run.rating_cursor}`)).toBe(0);
    expect(await value<number>(crashed, 'select count(*)::int from bill')).toBe(run.bills);
    expect(await value<number>(crashed, `select count(*)::int from account a where a.id <= ${run.rating_cursor}
        and not exists (select 1 from bill b where b.account_id = a.id) and not exists (select 1 from bill_exception e where e.account_id = a.id and e.blocking)`)).toBe(0);
  }, 120_000);

  it('resumes at the cursor, then loses only the half-posted issue batch when killed again', async () => {
    const child = granary(['--approve', '--issue']);
    await killMidBatch(child, async () => (await value<number>(crashed, 'select coalesce(max(issued_bills), 0)::int from bill_run')) >= 60, 'ledger_entry', 'update bill set status');
    const run = (await crashed.pool.query('select status, issue_cursor, issued_bills, issued_fen from bill_run')).rows[0];
    expect(run.status).toBe('issuing');
    // two issue lanes commit side by side: below the resume point everything is issued; above it, whole
    // batches may be; and every issued bill is posted, no other
    expect(await value<number>(crashed, `select count(*)::int from bill where status = 'draft' and account_id <= ${run.issue_cursor}`)).toBe(0);
    expect(await value<number>(crashed, `select count(*)::int from bill where status = 'issued'`)).toBe(run.issued_bills);
    expect(await value<number>(crashed, `select count(*)::int from bill b where (b.status = 'issued') <> exists (select 1 from ledger_transfer t where t.account_id = b.account_id and t.ref_type = 'bill' and t.ref_id = b.id) and b.total_fen <> 0`)).toBe(0);
    expect(await value<string>(crashed, `select coalesce(sum(balance_fen), 0)::text from ledger_balance where book = 'receivable'`)).toBe(String(run.issued_fen));
    const ledger = await checkLedger(crashed.db);
    expect(ledger.violations).toEqual([]);
  }, 120_000);

  it('finishes on the next start with exactly the twin’s bills, exceptions and ledger', async () => {
    const done = await finish(granary(['--issue']));
    expect(done.code, done.output).toBe(0);
    expect(done.output).toMatch(/issued \d+ bills/);
    expect(await outcome(crashed)).toEqual(await outcome(twin));
    expect((await checkLedger(crashed.db)).violations).toEqual([]);
  }, 120_000);

  it('adds nothing when run once more', async () => {
    const before = await outcome(crashed);
    const again = await finish(granary(['--approve', '--issue']));
    expect(again.code, again.output).toBe(0);
    expect(again.output).toMatch(/nothing to do/);
    expect(await outcome(crashed)).toEqual(before);
    expect(await value<number>(crashed, `select count(*)::int from audit_log where action = 'bill_run.start'`)).toBe(1);
  }, 60_000);
});

describe('the twin', () => {
  it('is a real run (sanity of the comparison)', async () => {
    const o = await outcome(twin);
    expect(o.run[0]).toMatchObject({ status: 'issued', accounts_total: 300 });
    expect(o.bills.length).toBeGreaterThan(250);
    expect(o.entries.length).toBeGreaterThan(o.bills.length);
    expect(await sql`select 1`.execute(twin.db)).toBeTruthy();
  });
});
