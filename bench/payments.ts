import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Worker } from 'node:worker_threads';
import { loadConfig } from '../src/config.js';
import { createPool, kyselyFor } from '../src/db/connect.js';
import { buildApp } from '../src/http/app.js';
import { approveBillRun, driveBillRun, startBillRun, startIssue, systemOperator } from '../src/modules/billing/index.js';
import { checkLedger } from '../src/modules/ledger/index.js';
import { seedTariffDefaults } from '../src/modules/tariffs/index.js';
import { hashPassword, tokenHash } from '../src/shared/password.js';
import { systemClock } from '../src/shared/clock.js';
import { populate } from './bill-run.js';
import type { BenchOptions, BenchResult } from './run.js';
import { throwawayServer } from './support.js';

/**
 * `npm run bench -- payments [--accounts N]`: counter payments (坐收) posted over HTTP by concurrent
 * clients — session check, Idempotency-Key, scope, account lock, open bills, allocation, payment +
 * allocation + bill state + ledger transfer in one statement, audit, key stored, commit — beside pgbench
 * running the same SQL transaction against the same database in the same run (the floor: PostgreSQL
 * alone, no HTTP, no Node).
 *
 * Set-up (not timed): the bill-run benchmark's population of N accounts with October issued (one open
 * bill each), an admin user and session. The HTTP clients pay into the first half of the accounts, pgbench
 * into the second half, each starting on open bills. Clients: CONCURRENCY keep-alive connections in a
 * worker thread, each sending its next payment when the last is answered; WARMUP then DURATION seconds.
 */
export const defaultAccounts = 20_000;

const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const WARMUP_S = 3;
const DURATION_S = Number(process.env.BENCH_SECONDS ?? 15);
const run$ = promisify(execFile);

export async function run(opts: BenchOptions): Promise<BenchResult> {
  const server = await throwawayServer();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'granary-bench-pay-'));
  try {
    console.error(`payments bench: ${opts.accounts} accounts, ${CONCURRENCY} clients, ${server.description}`);
    const setup = await server.database('payments');
    await populate(setup, opts.accounts);
    await seedTariffDefaults(setup.db);
    const op = systemOperator(1, new Date('2026-11-15T12:00:00+08:00'), 'bench');
    const { run: created } = await startBillRun(setup.db, op, '2026-10');
    await driveBillRun(setup, created.id);
    await approveBillRun(setup.db, op, created.id, 'bench');
    await startIssue(setup.db, op, created.id);
    await driveBillRun(setup, created.id);
    const token = `bench-token-${process.pid}`;
    const { id: userId } = await setup.db
      .insertInto('app_user')
      .values({ username: 'benchadmin', display_name: '基准收费员', role: 'admin', org_unit_id: 1, password_hash: await hashPassword('bench-password-1') })
      .returning('id')
      .executeTakeFirstOrThrow();
    await setup.db.insertInto('user_session').values({ token_hash: tokenHash(token), user_id: userId, expires_at: new Date(Date.now() + 3600_000) }).execute();
    const half = Math.floor(opts.accounts / 2);

    // the app, as `granary serve` builds it, on its own pool
    const pool = createPool(setup.url, CONCURRENCY);
    const app = await buildApp({ db: kyselyFor(pool), pool, config: loadConfig({ GRANARY_HOME: dir, LOG_LEVEL: 'silent' }), clock: systemClock });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;

    console.error(`HTTP: ${CONCURRENCY} clients, ${WARMUP_S} s warm-up, ${DURATION_S} s measured`);
    const http = await httpLoad({ port, token, lo: 1, hi: half });
    console.error(`HTTP: ${http.perSecond.toFixed(0)} payments/s, p50 ${http.p50.toFixed(1)} ms, p99 ${http.p99.toFixed(1)} ms, ${http.errors} errors`);
    await app.close();
    await pool.end();

    console.error(`pgbench: the same transaction, ${CONCURRENCY} clients, ${DURATION_S} s`);
    const script = path.join(dir, 'payment.sql');
    fs.writeFileSync(script, pgbenchScript(userId, tokenHash(token)));
    const bench = await pgbench(setup.url, script, { lo: half + 1, hi: opts.accounts });

    const ledger = await checkLedger(setup.db);
    if (!ledger.ok) throw new Error(`ledger check failed: ${ledger.violations.map((v) => v.message).join('; ')}`);
    const { rows } = await setup.pool.query<{ n: string }>(`select count(*) as n from payment`);
    await setup.close();

    const ratio = http.perSecond / bench.tps;
    const verdict = http.perSecond >= 1500 && http.p99 <= 50 && ratio >= 0.5 ? 'meets' : 'misses';
    console.error(
      `HTTP ${http.perSecond.toFixed(0)} payments/s, p50 ${http.p50.toFixed(1)} ms, p99 ${http.p99.toFixed(1)} ms, ${http.errors} errors · ` +
        `pgbench ${bench.tps.toFixed(0)} tps, ${bench.latencyMs.toFixed(1)} ms average · ratio ${ratio.toFixed(2)} · ${verdict} the target (≥ 1,500/s, p99 ≤ 50 ms, ≥ 0.5 × pgbench)`,
    );
    return {
      n: http.count,
      seconds: http.count / http.perSecond,
      floorSeconds: http.count / bench.tps,
      figures: {
        paymentsPerSecond: Math.round(http.perSecond),
        p50Ms: Number(http.p50.toFixed(1)),
        p99Ms: Number(http.p99.toFixed(1)),
        errors: http.errors,
        pgbenchTps: Math.round(bench.tps),
        pgbenchLatencyMs: Number(bench.latencyMs.toFixed(1)),
        ratioToPgbench: Number(ratio.toFixed(2)),
        clients: CONCURRENCY,
        paymentsInDatabase: Number(rows[0]!.n),
        ledgerCheck: 'clean',
      },
      notes: [
        `${CONCURRENCY} HTTP clients for ${DURATION_S} s: ${http.perSecond.toFixed(0)} payments/s, p50 ${http.p50.toFixed(1)} ms, p99 ${http.p99.toFixed(1)} ms, ${http.errors} errors; pgbench with the same SQL transaction: ${bench.tps.toFixed(0)} tps (ratio ${ratio.toFixed(2)}); ${verdict} the target.`,
      ],
    };
  } finally {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

interface HttpFigures {
  count: number;
  perSecond: number;
  p50: number;
  p99: number;
  errors: number;
}

/** The clients, in a worker thread so they do not share the server's event loop. */
async function httpLoad(o: { port: number; token: string; lo: number; hi: number }): Promise<HttpFigures> {
  const worker = new Worker(LOAD_WORKER, { eval: true, workerData: { ...o, concurrency: CONCURRENCY, warmupMs: WARMUP_S * 1000, durationMs: DURATION_S * 1000 } });
  const result = await new Promise<{ latencies: number[]; errors: number; elapsedMs: number }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  const sorted = Float64Array.from(result.latencies).sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  return { count: sorted.length, perSecond: sorted.length / (result.elapsedMs / 1000), p50: at(0.5), p99: at(0.99), errors: result.errors };
}

const LOAD_WORKER = `
const http = require('node:http');
const { parentPort, workerData: w, threadId } = require('node:worker_threads');
const agent = new http.Agent({ keepAlive: true, maxSockets: w.concurrency });
let seq = 0, errors = 0, measuring = false, stop = false;
const latencies = [];
function post() {
  const accountId = w.lo + Math.floor(Math.random() * (w.hi - w.lo + 1));
  const body = JSON.stringify({ accountId, amountFen: 100 + Math.floor(Math.random() * 20000) });
  const key = 'bench-' + threadId + '-' + (seq++);
  return new Promise((resolve) => {
    const t0 = performance.now();
    const req = http.request({ host: '127.0.0.1', port: w.port, path: '/api/v1/payments', method: 'POST', agent,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: 'Bearer ' + w.token, 'idempotency-key': key } }, (res) => {
      res.resume();
      res.on('end', () => {
        if (res.statusCode !== 201) errors++;
        else if (measuring) latencies.push(performance.now() - t0);
        resolve();
      });
    });
    req.on('error', () => { errors++; resolve(); });
    req.end(body);
  });
}
async function client() { while (!stop) await post(); }
(async () => {
  const clients = Array.from({ length: w.concurrency }, client);
  await new Promise((r) => setTimeout(r, w.warmupMs));
  measuring = true; errors = 0;
  const started = performance.now();
  await new Promise((r) => setTimeout(r, w.durationMs));
  measuring = false;
  const elapsedMs = performance.now() - started;
  stop = true;
  await Promise.all(clients);
  parentPort.postMessage({ latencies, errors, elapsedMs });
})();
`;

/**
 * The transaction one counter payment runs, statement for statement as the app sends it (auth plugin,
 * idempotency, customers' scope rule, payments repository, audit), for pgbench. pgbench cannot allocate,
 * so the payment goes to the account's oldest open bill as principal (what a payment under the bill's
 * amount does in the app). Keep in step with those repositories.
 */
function pgbenchScript(userId: number, tokenHash: string): string {
  const scope = `'user:${userId}'`;
  const key = `'pgb-' || :client_id || '-' || :k`;
  return `\\set aid random(:lo, :hi)
\\set amt random(100, 20100)
\\set k random(1, 2000000000)
select user_id, expires_at from user_session where token_hash = '${tokenHash}' and revoked_at is null and expires_at > now();
begin;
select pg_try_advisory_xact_lock(hashtextextended(${scope} || E'\\n' || ${key}, 7)) as locked,
  (select json_build_object('request_hash', request_hash, 'status_code', status_code, 'response', response) from idempotency_key where scope = ${scope} and key = ${key}) as stored;
select a.* from account a join org_unit s on s.id = a.station_id join transformer_area t on t.id = a.area_id where a.company_id = 1 and a.id = :aid;
select id from account where id = any(array[:aid]::bigint[]) order by id for update;
select coalesce((r.bills->0->>'billId')::bigint, 0) as bid, coalesce((r.bills->0->>'principalPaidFen')::bigint, 0) + :amt as paid, r.ids[1] as pid from (
select
  (select coalesce(json_agg(o), '[]') from (
    with issued as (
      select b.account_id, coalesce(b.adjusts_bill_id, b.id) as bill_id, sum(b.total_fen) as due_fen,
             min(b.period) as period, max(b.due_on) filter (where b.kind = 'regular') as due_on
        from bill b where b.account_id = any(array[:aid]::bigint[]) and b.status = 'issued'
       group by b.account_id, coalesce(b.adjusts_bill_id, b.id))
    select i.account_id as "accountId", i.bill_id as "billId", i.period, i.due_on::text as "dueOn", a.category, i.due_fen as "principalDueFen",
           coalesce(s.principal_paid_fen, 0) as "principalPaidFen", coalesce(s.penalty_accrued_mfen, 0) as "penaltyAccruedMfen",
           s.penalty_through::text as "penaltyThrough", coalesce(s.penalty_charged_fen, 0) as "penaltyChargedFen",
           coalesce(s.penalty_paid_fen, 0) as "penaltyPaidFen", coalesce(s.penalty_waived_fen, 0) as "penaltyWaivedFen"
      from issued i join account a on a.id = i.account_id
      left join bill_settlement s on s.account_id = i.account_id and s.bill_id = i.bill_id and s.account_id = any(array[:aid]::bigint[])
     where i.due_on is not null and (i.due_fen > coalesce(s.principal_paid_fen, 0)
            or coalesce(s.penalty_charged_fen, 0) > coalesce(s.penalty_paid_fen, 0) + coalesce(s.penalty_waived_fen, 0))) o) as bills,
  (select coalesce(json_agg(json_build_object('channel', p.channel, 'channelTxnId', p.channel_txn_id, 'accountId', p.account_id, 'paymentId', p.id,
            'amountFen', p.amount_fen, 'principalFen', p.principal_fen, 'penaltyFen', p.penalty_fen, 'prepaidFen', p.prepaid_fen)), '[]')
     from payment p join unnest(array['counter']::text[], array['CTR-${userId}-' || ${key}]::text[]) x(channel, txn) on p.channel = x.channel and p.channel_txn_id = x.txn) as existing,
  (select coalesce(array_agg(nextval('payment_id_seq')), '{}') from generate_series(1, 1)) as ids,
  (select coalesce(json_agg(json_build_object('effectiveFrom', effective_from::text, 'minimumFen', minimum_fen)), '[]') from penalty_minimum) as minimums
) r \\gset
with p as (
  insert into payment (account_id, id, channel, channel_txn_id, amount_fen, paid_at, business_date, order_id, bank_batch_id, operator_id, principal_fen, penalty_fen, prepaid_fen)
  select * from unnest(array[:aid]::bigint[], array[:pid]::bigint[], array['counter']::text[], array['CTR-${userId}-' || ${key}]::text[], array[:amt]::bigint[],
                       array[now()]::timestamptz[], array[current_date]::date[], array[null]::bigint[], array[null]::bigint[], array[${userId}]::bigint[],
                       array[:amt]::bigint[], array[0]::bigint[], array[0]::bigint[])
  on conflict (channel, channel_txn_id) do nothing returning 1),
a as (
  insert into payment_allocation (account_id, payment_id, line_no, bill_id, penalty_fen, principal_fen, prepaid_fen)
  select * from unnest(array[:aid]::bigint[], array[:pid]::bigint[], array[1]::smallint[], array[:bid]::bigint[], array[0]::bigint[], array[:amt]::bigint[], array[0]::bigint[])
  returning 1),
s as (
  insert into bill_settlement (account_id, bill_id, principal_paid_fen, penalty_accrued_mfen, penalty_through, penalty_charged_fen, penalty_paid_fen, penalty_waived_fen, settled_on)
  select * from unnest(array[:aid]::bigint[], array[:bid]::bigint[], array[:paid]::bigint[], array[0]::bigint[], array[null]::date[], array[0]::bigint[], array[0]::bigint[], array[0]::bigint[], array[null]::date[])
  on conflict (account_id, bill_id) do update set
    principal_paid_fen = excluded.principal_paid_fen, penalty_accrued_mfen = excluded.penalty_accrued_mfen, penalty_through = excluded.penalty_through,
    penalty_charged_fen = excluded.penalty_charged_fen, penalty_paid_fen = excluded.penalty_paid_fen, penalty_waived_fen = excluded.penalty_waived_fen,
    settled_on = excluded.settled_on, updated_at = now()
  returning 1),
src as materialized (
  select * from unnest(array[:aid, :aid]::bigint[], array[:pid, :pid]::bigint[], array['payment', 'payment']::text[], array['clearing.counter', 'receivable']::text[],
                       array[:amt::bigint, -(:amt::bigint)]::bigint[], array[current_date, current_date]::date[]) x(account_id, ref_id, kind, book, amount_fen, business_date)),
t as (
  insert into ledger_transfer (account_id, kind, ref_type, ref_id, business_date)
  select distinct account_id, kind, 'payment', ref_id, business_date from src returning account_id, id, ref_id, kind),
e as (
  insert into ledger_entry (account_id, transfer_id, book, amount_fen)
  select src.account_id, t.id, src.book, src.amount_fen from src join t on t.account_id = src.account_id and t.ref_id = src.ref_id and t.kind = src.kind
  returning account_id, book, amount_fen),
bal as (
  insert into ledger_balance (account_id, book, balance_fen)
  select account_id, book, sum(amount_fen) from e group by account_id, book
  on conflict (account_id, book) do update set balance_fen = ledger_balance.balance_fen + excluded.balance_fen returning 1)
select (select count(*) from p)::int as inserted;
insert into audit_log (actor_id, actor_name, action, entity, entity_id, detail, ip) values (${userId}, 'benchadmin', 'payment.counter', 'payment', :pid::text, json_build_object('accountId', :aid::bigint, 'amountFen', :amt::bigint)::jsonb, '127.0.0.1');
insert into idempotency_key (scope, key, request_hash, status_code, response) values (${scope}, ${key}, md5(${key}), 201, json_build_object('id', :pid::bigint, 'accountId', :aid::bigint, 'amountFen', :amt::bigint)::jsonb);
commit;
`;
}

async function pgbench(url: string, script: string, range: { lo: number; hi: number }): Promise<{ tps: number; latencyMs: number }> {
  const args = ['-n', '-r', '-M', 'extended', '-c', String(CONCURRENCY), '-j', '2', '-T', String(DURATION_S), '-D', `lo=${range.lo}`, '-D', `hi=${range.hi}`, '-f', script, url];
  const { stdout } = await run$('pgbench', args, { maxBuffer: 16 * 2 ** 20 });
  const tps = /tps = ([\d.]+)/.exec(stdout);
  const latency = /latency average = ([\d.]+) ms/.exec(stdout);
  const failed = /number of failed transactions: (\d+)/.exec(stdout);
  if (!tps || !latency) throw new Error(`pgbench printed no figures:\n${stdout}`);
  if (failed && Number(failed[1]) > 0) throw new Error(`pgbench: ${failed[1]} transactions failed:\n${stdout}`);
  // per-statement latencies: where PostgreSQL spends the transaction
  if (process.env.BENCH_VERBOSE) console.error(stdout.slice(stdout.indexOf('statement latencies')).replace(/\n\s+(\S+)\s+(\S+)\s+(.{0,100}).*/g, '\n  $1 ms  $3'));
  return { tps: Number(tps[1]), latencyMs: Number(latency[1]) };
}
