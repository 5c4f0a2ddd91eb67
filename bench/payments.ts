import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import type pg from 'pg';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config.js';
import { createPool, kyselyFor } from '../src/db/connect.js';
import { buildApp } from '../src/http/app.js';
import { approveBillRun, startBillRun, startIssue, systemOperator } from '../src/modules/billing/index.js';
import { driveBillRun } from '../src/workflows/issue-bills.js';
import { checkLedger, EVENT_LOCK } from '../src/modules/ledger/index.js';
import { seedTariffDefaults } from '../src/modules/tariffs/index.js';
import { hashPassword, tokenHash } from '../src/shared/password.js';
import { systemClock } from '../src/shared/clock.js';
import { COUNTER_BATCHING } from '../src/modules/payments/use-cases/collect.js';
import { populate } from './bill-run.js';
import type { BenchOptions, BenchResult } from './run.js';
import { throwawayServer } from './support.js';

/**
 * `npm run bench -- payments [--accounts N]`: counter payments (坐收) posted over HTTP by concurrent
 * clients — session (reused for a second), Idempotency-Key, scope, account lock, open bills, allocation, payment +
 * allocation + bill state + ledger transfer in one statement, audit, key stored, commit; payments that
 * arrive together share a transaction (the group commit) — beside pgbench running the same SQL
 * transaction, for a batch of the app's mean size, against the same database in the same run (the
 * floor: PostgreSQL alone, no HTTP, no Node).
 *
 * Set-up (not timed): the bill-run benchmark's population of N accounts with October issued today (one open
 * bill each, not yet due), vacuumed and analysed, an admin user and session. The HTTP clients pay into the first half of the accounts, pgbench
 * into the second half, each starting on open bills. Clients: wrk with CONCURRENCY keep-alive connections,
 * each sending its next payment when the last is answered; a warm-up, then ROUNDS rounds of: the app, pgbench
 * from as many clients as the app keeps transactions open, pgbench from CONCURRENCY, SLICE seconds each, each
 * after a CHECKPOINT and SETTLE seconds of its own load that are not counted.
 */
export const defaultAccounts = 20_000;

const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const WARMUP_S = 3;
const DURATION_S = Number(process.env.BENCH_SECONDS ?? 15);
/**
 * The app and its floor are measured in alternating slices, not one after the other: this machine's speed
 * drifts by a quarter from one minute to the next (pgbench alone from 3,200 to 4,900 payments/s in runs
 * minutes apart), and a ratio of two runs minutes apart measured the drift as much as the app.
 */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SLICE_S = Math.max(2, Math.round(DURATION_S / ROUNDS));
const SETTLE_S = 1;
const run$ = promisify(execFile);

export async function run(opts: BenchOptions): Promise<BenchResult> {
  const server = await throwawayServer();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'granary-bench-pay-'));
  try {
    console.error(`payments bench: ${opts.accounts} accounts, ${CONCURRENCY} clients, ${server.description}`);
    const setup = await server.database('payments');
    await populate(setup, opts.accounts);
    await seedTariffDefaults(setup.db);
    // Issued today: the payments come before the due date and charge no penalty, so each writes what the
    // pgbench transaction writes (payment, allocation, bill state, one transfer, its two entries and balances).
    // Overdue, each would also post its penalty: a second transfer, 2.4 times the ledger rows of the floor's.
    const op = systemOperator(1, new Date(), 'bench');
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
    // Payments come days after the bills were issued: autovacuum has long cleared the bill run's dead rows
    // (otherwise it starts on them during the timed run).
    await setup.pool.query('vacuum (analyze)');
    const half = Math.floor(opts.accounts / 2);

    // the app, as `granary serve` builds it, on its own pool
    const pool = createPool(setup.url, CONCURRENCY);
    const app = await buildApp({ db: kyselyFor(pool), pool, config: loadConfig({ GRANARY_HOME: dir, LOG_LEVEL: 'silent', GRANARY_RATE_LIMIT: '100000000', GRANARY_LOGIN_RATE_LIMIT: '100000' }), clock: systemClock });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;

    console.error(`HTTP: ${CONCURRENCY} clients, ${WARMUP_S} s warm-up; then ${ROUNDS} rounds of ${SLICE_S} s each of the app, pgbench from 1 client and pgbench from ${CONCURRENCY}`);
    await wrk({ port, token, lo: 1, hi: half }, `w${process.pid}`, WARMUP_S);
    const batches = await batchCounter(setup, half);
    const script = path.join(dir, 'payment.sql');
    const seriesClients = [...new Set([COUNTER_BATCHING.maxInFlight, CONCURRENCY])];
    const slices: HttpSlice[] = [];
    const floors = new Map<number, PgbenchSlice[]>(seriesClients.map((c) => [c, []]));
    const usage = new CpuUsage();
    for (let round = 1; round <= ROUNDS; round++) {
      // Every slice, the app's and the floor's, starts after a CHECKPOINT and a second of the same load that
      // is not counted. The checkpoint: none pays for the full-page writes another left due. The second: the
      // first writes to each page after a checkpoint carry its full image, and the app's pool connections
      // closed while idle through the floor's slices (new backends, statements prepared again).
      await setup.pool.query('checkpoint');
      await wrk({ port, token, lo: 1, hi: half }, `w${process.pid}r${round}`, SETTLE_S);
      await batches.since();
      const profiler = await startProfile(round === 1);
      usage.start();
      const figures = await wrk({ port, token, lo: 1, hi: half }, `m${process.pid}r${round}`, SLICE_S);
      usage.stop();
      await profiler.stop();
      slices.push({ ...figures, ...(await batches.since()) });
      const sofar = sumSlices(slices);
      // The floor runs the transaction the app ran, for a batch of the app's mean size so far.
      const batch = Math.max(1, Math.round(sofar.meanBatch));
      fs.writeFileSync(script, pgbenchScript(userId, batch));
      if (round === 1) await pgbench(setup.url, script, { lo: half + 1, hi: opts.accounts }, CONCURRENCY, WARMUP_S); // its warm-up, not counted
      const line = [`round ${round}: app ${paidPerSecond(figures).toFixed(0)} payments/s, p99 ${(figures.p99us / 1000).toFixed(1)} ms (batch ${slices.at(-1)!.meanBatch.toFixed(1)})`];
      for (const clients of seriesClients) {
        await setup.pool.query('checkpoint');
        await pgbench(setup.url, script, { lo: half + 1, hi: opts.accounts }, clients, SETTLE_S);
        const [f, postgres] = await postgresCoresDuring(SLICE_S, pgbench(setup.url, script, { lo: half + 1, hi: opts.accounts }, clients, SLICE_S));
        floors.get(clients)!.push({ ...f, batch, postgresCores: postgres });
        line.push(`pgbench ${clients} client${clients === 1 ? '' : 's'} ${(f.tps * batch) | 0} payments/s (${f.tps.toFixed(0)} tps × ${batch})`);
      }
      console.error(line.join(' · '));
    }
    const http = sumSlices(slices);
    const cores = usage.cores();
    console.error(
      `HTTP: CPU in use during the app's slices: Node ${cores.node.toFixed(2)} cores (the server's thread ${cores.server.toFixed(2)}), the clients (wrk) ${cores.clients.toFixed(2)}, ` +
        `PostgreSQL ${cores.postgres.toFixed(2)}, the whole machine ${cores.machine.toFixed(2)} of ${os.cpus().length}; the server's thread waited ${cores.waitsPerSecond.toFixed(0)} times a second and was preempted ${cores.preemptedPerSecond.toFixed(0)} times a second`,
    );
    const series = [...floors.values()].map(floorOf);
    const perPaymentUs = (cores: number, perSecond: number) => Math.round((cores / perSecond) * 1e6);
    const postgresPerPayment = [`the app ${perPaymentUs(cores.postgres, http.perSecond)} µs`, ...series.map((f) => `pgbench from ${f.clients} ${perPaymentUs(f.postgresCores, f.perSecond)} µs`)].join(', ');
    console.error(`PostgreSQL CPU per payment: ${postgresPerPayment}`);
    console.error(`HTTP: ${http.perSecond.toFixed(0)} payments/s, p50 ${http.p50.toFixed(1)} ms, p99 ${http.p99.toFixed(1)} ms (worst slice), ${http.errors} errors, ${http.meanBatch.toFixed(1)} payments per transaction`);
    // For scale: what the same server and clients do for a request that moves no money — after a second of
    // it not counted, as for every slice: the main pool's connections closed while idle through the floor's
    // slices, and 32 opened at once held up the first requests (p99 300–400 ms over 5 s without it).
    await wrk({ port, token, lo: 1, hi: half, probe: true }, `q${process.pid}`, SETTLE_S);
    const probe = await wrk({ port, token, lo: 1, hi: half, probe: true }, `p${process.pid}`, 5);
    const probePerSecond = (probe.requests - probe.errors) / probe.seconds;
    console.error(`An authenticated read, one query each (GET /auth/me, same clients, 5 s): ${probePerSecond.toFixed(0)} requests/s, p50 ${(probe.p50us / 1000).toFixed(1)} ms, p99 ${(probe.p99us / 1000).toFixed(1)} ms`);
    await app.close();
    await pool.end();

    const floor = series.reduce((a, b) => (b.perSecond > a.perSecond ? b : a));
    // For reference, not the floor: one payment per transaction, as an app without group commit would run it.
    const single = path.join(dir, 'payment-single.sql');
    fs.writeFileSync(single, pgbenchScript(userId, 1));
    const perPayment = await pgbench(setup.url, single, { lo: half + 1, hi: opts.accounts }, CONCURRENCY, SLICE_S);
    console.error(`pgbench, one payment per transaction, ${CONCURRENCY} clients: ${perPayment.tps.toFixed(0)} payments/s`);

    // Statistics as autovacuum would have them by now: the tables were analysed empty at set-up.
    await setup.pool.query('analyze');
    const ledger = await checkLedger(setup.db);
    if (!ledger.ok) throw new Error(`ledger check failed: ${ledger.violations.map((v) => v.message).join('; ')}`);
    const { rows } = await setup.pool.query<{ n: string }>(`select count(*) as n from payment`);
    await setup.close();

    const ratio = http.perSecond / floor.perSecond;
    const ratios = slices.map((sl, i) => paidPerSecond(sl) / Math.max(...series.map((f) => f.rounds[i]!.perSecond)));
    const verdict = http.perSecond >= 1500 && http.p99 <= 50 && ratio >= 0.5 ? 'meets' : 'misses';
    const floorText = (f: FloorSeries) => `${f.clients} client${f.clients === 1 ? '' : 's'} ${f.perSecond.toFixed(0)} payments/s (${f.rounds.map((r) => `${r.tps.toFixed(0)} tps × ${r.batch}`).join(', ')})`;
    console.error(
      `HTTP ${http.perSecond.toFixed(0)} payments/s, p50 ${http.p50.toFixed(1)} ms, p99 ${http.p99.toFixed(1)} ms, ${http.errors} errors · ` +
        `pgbench ${floor.perSecond.toFixed(0)} payments/s (${floor.clients} clients) · ratio ${ratio.toFixed(3)} (rounds ${ratios.map((r) => r.toFixed(2)).join(', ')}) · ${verdict} the target (≥ 1,500/s, p99 ≤ 50 ms, ≥ 0.5 × pgbench)`,
    );
    return {
      n: http.count,
      seconds: http.count / http.perSecond,
      floorSeconds: http.count / floor.perSecond,
      figures: {
        paymentsPerSecond: Math.round(http.perSecond),
        p50Ms: Number(http.p50.toFixed(1)),
        p99Ms: Number(http.p99.toFixed(1)),
        errors: http.errors,
        meanBatch: Number(http.meanBatch.toFixed(1)),
        nodeCores: Number(cores.node.toFixed(2)),
        clientCores: Number(cores.clients.toFixed(2)),
        serverThreadCores: Number(cores.server.toFixed(2)),
        machineCores: Number(cores.machine.toFixed(2)),
        serverThreadWaitsPerSecond: Math.round(cores.waitsPerSecond),
        serverThreadPreemptedPerSecond: Math.round(cores.preemptedPerSecond),
        postgresCores: Number(cores.postgres.toFixed(2)),
        ...Object.fromEntries([
          ['postgresUsPerPaymentApp', perPaymentUs(cores.postgres, http.perSecond)],
          ...series.map((f) => [`postgresUsPerPaymentPgbench${f.clients}`, perPaymentUs(f.postgresCores, f.perSecond)]),
        ]),
        authMeRequestsPerSecond: Math.round(probePerSecond),
        rounds: ROUNDS,
        sliceSeconds: SLICE_S,
        pgbenchClients: floor.clients,
        pgbenchPaymentsPerSecond: Math.round(floor.perSecond),
        ...Object.fromEntries(series.map((f) => [`pgbench${f.clients}ClientPaymentsPerSecond`, Math.round(f.perSecond)])),
        pgbenchOnePerTransaction: Math.round(perPayment.tps),
        ratioToPgbench: Number(ratio.toFixed(3)),
        ratioByRound: ratios.map((r) => r.toFixed(2)).join(' '),
        clients: CONCURRENCY,
        paymentsInDatabase: Number(rows[0]!.n),
        ledgerCheck: 'clean',
      },
      notes: [
        `${CONCURRENCY} HTTP clients, ${ROUNDS} slices of ${SLICE_S} s between the floor's: ${http.perSecond.toFixed(0)} payments/s (slices ${slices.map((sl) => paidPerSecond(sl).toFixed(0)).join(', ')}), p50 ${http.p50.toFixed(1)} ms, p99 ${http.p99.toFixed(1)} ms (worst slice), ${http.errors} errors; ${http.meanBatch.toFixed(1)} payments per transaction (group commit).`,
        `CPU during the app's slices: Node ${cores.node.toFixed(2)} cores (the server's thread ${cores.server.toFixed(2)}), the clients (wrk) ${cores.clients.toFixed(2)}, PostgreSQL ${cores.postgres.toFixed(2)}, the whole machine ${cores.machine.toFixed(2)}; PostgreSQL's CPU per payment: ${postgresPerPayment}; an authenticated read with one query each (GET /auth/me): ${probePerSecond.toFixed(0)} requests/s.`,
        `pgbench with the same SQL transaction at the app's mean batch so far, in the same rounds: ${series.map(floorText).join('; ')}; ratio to the faster ${ratio.toFixed(3)} (by round ${ratios.map((r) => r.toFixed(2)).join(', ')}); ${verdict} the target. For reference, pgbench with one payment per transaction (no group commit): ${perPayment.tps.toFixed(0)} payments/s.`,
      ],
    };
  } finally {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** One slice of the app's load: wrk's figures and the group commit's batches in it. */
interface HttpSlice extends WrkFigures {
  payments: number;
  transactions: number;
  meanBatch: number;
}

/** Payments answered 201 per second in a slice. */
function paidPerSecond(s: WrkFigures): number {
  return (s.requests - s.errors) / s.seconds;
}

/** The app's slices together: rates over their summed time, p50 weighted by requests, p99 the worst slice's. */
function sumSlices(slices: HttpSlice[]) {
  const seconds = slices.reduce((t, s) => t + s.seconds, 0);
  const requests = slices.reduce((t, s) => t + s.requests, 0);
  const errors = slices.reduce((t, s) => t + s.errors, 0);
  const payments = slices.reduce((t, s) => t + s.payments, 0);
  const transactions = slices.reduce((t, s) => t + s.transactions, 0);
  return {
    count: requests - errors,
    perSecond: (requests - errors) / seconds,
    errors,
    p50: slices.reduce((t, s) => t + (s.p50us / 1000) * s.requests, 0) / Math.max(1, requests),
    p99: Math.max(...slices.map((s) => s.p99us / 1000)),
    meanBatch: payments / Math.max(1, transactions),
  };
}

/**
 * Payments the app wrote and the transactions they came in since the last call. Rows written by one
 * transaction share its xmin, so payments per distinct xmin is the group commit's batch.
 */
async function batchCounter(setup: { pool: pg.Pool }, half: number) {
  const read = async () => {
    const { rows } = await setup.pool.query<{ n: string; tx: string }>(
      `select count(*) as n, count(distinct xmin::text) as tx from payment where channel = 'counter' and account_id between 1 and $1`,
      [half],
    );
    return { payments: Number(rows[0]!.n), transactions: Number(rows[0]!.tx) };
  };
  let last = await read();
  return {
    async since() {
      const now = await read();
      const d = { payments: now.payments - last.payments, transactions: now.transactions - last.transactions };
      last = now;
      return { ...d, meanBatch: d.payments / Math.max(1, d.transactions) };
    },
  };
}

/** CPU used during the app's slices only, summed over them. */
class CpuUsage {
  private wall = 0;
  private used = { node: 0, server: 0, clients: 0, postgres: 0, machine: 0, waits: 0, preempted: 0 };
  private at: {
    node: NodeJS.CpuUsage;
    server: number;
    switches: { voluntary: number; involuntary: number };
    clients: number;
    postgres: Map<string, number>;
    machine: number;
    t: number;
  } | null = null;

  start(): void {
    this.at = {
      node: process.cpuUsage(),
      server: serverThreadCpuSeconds(),
      switches: serverThreadSwitches(),
      clients: childrenCpuSeconds(),
      postgres: postgresCpuSeconds(),
      machine: machineBusySeconds(),
      t: performance.now(),
    };
  }

  stop(): void {
    const at = this.at!;
    const wall = (performance.now() - at.t) / 1000;
    const node = process.cpuUsage(at.node);
    this.wall += wall;
    this.used.node += (node.user + node.system) / 1e6;
    this.used.server += serverThreadCpuSeconds() - at.server;
    this.used.clients += childrenCpuSeconds() - at.clients;
    this.used.postgres += postgresCores(at.postgres, postgresCpuSeconds(), 1);
    this.used.machine += machineBusySeconds() - at.machine;
    const switches = serverThreadSwitches();
    this.used.waits += switches.voluntary - at.switches.voluntary;
    this.used.preempted += switches.involuntary - at.switches.involuntary;
  }

  cores() {
    const w = Math.max(this.wall, 1e-9);
    const u = this.used;
    return { node: u.node / w, server: u.server / w, clients: u.clients / w, postgres: u.postgres / w, machine: u.machine / w, waitsPerSecond: u.waits / w, preemptedPerSecond: u.preempted / w };
  }
}

interface WrkFigures {
  requests: number;
  errors: number;
  seconds: number;
  p50us: number;
  p99us: number;
}

async function wrk(o: { port: number; token: string; lo: number; hi: number; probe?: boolean }, label: string, seconds: number): Promise<WrkFigures> {
  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'payments-load.lua');
  const args = ['-t', '1', '-c', String(CONCURRENCY), '-d', `${seconds}s`, '--timeout', '10s', '-s', script, `http://127.0.0.1:${o.port}`, '--', String(o.lo), String(o.hi), o.token, label];
  if (o.probe) args.push('probe');
  let stdout: string;
  try {
    ({ stdout } = await run$('wrk', args, { maxBuffer: 2 ** 20 }));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error('the payments benchmark needs wrk as its HTTP load generator: apt-get install wrk');
    throw error;
  }
  const line = /^WRK (.*)$/m.exec(stdout);
  if (!line) throw new Error(`wrk printed no figures:\n${stdout}`);
  return JSON.parse(line[1]!) as WrkFigures;
}

/**
 * The transaction one batch of counter payments runs (the group commit's batch), statement for statement
 * as the app sends it (idempotency, customers' scope rule, payments repository, audit), for pgbench —
 * not the session lookup, which the app makes once per SESSION_REUSE_MS (org's authenticate.ts), not per batch — with `batch` payments into distinct accounts, pipelined as the app pipelines them (the context
 * read stands alone: pgbench cannot \gset inside a pipeline). pgbench cannot allocate, so the write
 * statement takes each account's oldest open bill from the context read and pays its principal (what a
 * payment under the bill's amount does in the app); and the audit entries and keys come from arrays (the
 * app passes them as one JSON document, to spare Node escaping each element; pgbench has no JSON to pass,
 * and building one in SQL would slow the floor). Keep in step with those repositories.
 */
function pgbenchScript(userId: number, batch: number): string {
  const n = Array.from({ length: batch }, (_, i) => i + 1);
  const list = (f: (i: number) => string) => n.map(f).join(', ');
  const aids = `array[${list((i) => `:aid${i}`)}]::bigint[]`;
  const amts = `array[${list((i) => `:amt${i}`)}]::bigint[]`;
  const keys = `(select array_agg('pgb-' || :client_id || '-' || :k || '-' || g order by g) from generate_series(1, ${batch}) g)`;
  const txns = `(select array_agg('CTR-${userId}-pgb-' || :client_id || '-' || :k || '-' || g order by g) from generate_series(1, ${batch}) g)`;
  const scope = `'user:${userId}'`;
  return `\\set base random(:lo, :hi)
\\set k random(1, 2000000000)
${n.map((i) => `\\set aid${i} :lo + ((:base - :lo + ${i} * 7919) % (:hi - :lo + 1))\n\\set amt${i} random(100, 20100)`).join('\n')}
\\startpipeline
begin;
select pg_try_advisory_xact_lock(hashtextextended(x.scope || E'\\n' || x.key, 7)) as locked,
       (select json_build_object('request_hash', k.request_hash, 'status_code', k.status_code, 'response', k.response) from idempotency_key k where k.scope = x.scope and k.key = x.key) as stored
  from unnest(array_fill(${scope}::text, array[${batch}]), ${keys}) with ordinality x(scope, key, i) order by x.i;
select a.id, a.account_no, a.name from account a join org_unit s on s.id = a.station_id join transformer_area t on t.id = a.area_id where a.company_id = 1 and a.id = any(${aids});
select id from account where id = any(${aids}) order by id for update;
\\endpipeline
select
  (select coalesce(json_agg(o), '[]') from (
    with issued as (
      select b.account_id, coalesce(b.adjusts_bill_id, b.id) as bill_id, sum(b.total_fen) as due_fen,
             min(b.period) as period, max(b.due_on) filter (where b.kind = 'regular') as due_on
        from bill b where b.account_id = any(${aids}) and b.status = 'issued'
       group by b.account_id, coalesce(b.adjusts_bill_id, b.id))
    select i.account_id as "accountId", i.bill_id as "billId", i.period, i.due_on::text as "dueOn", a.category, i.due_fen as "principalDueFen",
           coalesce(s.principal_paid_fen, 0) as "principalPaidFen", coalesce(s.penalty_accrued_mfen, 0) as "penaltyAccruedMfen",
           s.penalty_through::text as "penaltyThrough", coalesce(s.penalty_charged_fen, 0) as "penaltyChargedFen",
           coalesce(s.penalty_paid_fen, 0) as "penaltyPaidFen", coalesce(s.penalty_waived_fen, 0) as "penaltyWaivedFen"
      from issued i join account a on a.id = i.account_id
      left join bill_settlement s on s.account_id = i.account_id and s.bill_id = i.bill_id and s.account_id = any(${aids})
     where i.due_on is not null and (i.due_fen > coalesce(s.principal_paid_fen, 0)
            or coalesce(s.penalty_charged_fen, 0) > coalesce(s.penalty_paid_fen, 0) + coalesce(s.penalty_waived_fen, 0))) o) as bills,
  (select coalesce(json_agg(json_build_object('channel', p.channel, 'channelTxnId', p.channel_txn_id, 'accountId', p.account_id, 'paymentId', p.id,
            'amountFen', p.amount_fen, 'principalFen', p.principal_fen, 'penaltyFen', p.penalty_fen, 'prepaidFen', p.prepaid_fen)), '[]')
     from payment p join unnest(array_fill('counter'::text, array[${batch}]), ${txns}) x(channel, txn) on p.channel = x.channel and p.channel_txn_id = x.txn) as existing,
  (select coalesce(array_agg(nextval('payment_id_seq')), '{}') from generate_series(1, ${batch})) as ids,
  (select coalesce(json_agg(json_build_object('effectiveFrom', effective_from::text, 'minimumFen', minimum_fen)), '[]') from penalty_minimum) as minimums
\\gset
\\startpipeline
with x as materialized (
  select x.aid, x.amt, x.pid, x.txn, b.bid, b.paid
    from unnest(${aids}, ${amts}, :ids::bigint[], ${txns}) x(aid, amt, pid, txn)
    left join lateral (select (j->>'billId')::bigint as bid, (j->>'principalPaidFen')::bigint + x.amt as paid
                         from json_array_elements(:bills::json) j where (j->>'accountId')::bigint = x.aid order by j->>'period' limit 1) b on true),
p as (
  insert into payment (account_id, id, channel, channel_txn_id, amount_fen, paid_at, business_date, order_id, bank_batch_id, operator_id, principal_fen, penalty_fen, prepaid_fen)
  select aid, pid, 'counter', txn, amt, now(), current_date, null, null, ${userId}, amt, 0, 0 from x returning 1),
a as (
  insert into payment_allocation (account_id, payment_id, line_no, bill_id, penalty_fen, principal_fen, prepaid_fen)
  select aid, pid, 1, bid, 0, amt, 0 from x returning 1),
s as (
  insert into bill_settlement (account_id, bill_id, principal_paid_fen, penalty_accrued_mfen, penalty_through, penalty_charged_fen, penalty_paid_fen, penalty_waived_fen, settled_on)
  select aid, bid, paid, 0, null, 0, 0, 0, null from x where bid is not null
  on conflict (account_id, bill_id) do update set
    principal_paid_fen = excluded.principal_paid_fen, penalty_accrued_mfen = excluded.penalty_accrued_mfen, penalty_through = excluded.penalty_through,
    penalty_charged_fen = excluded.penalty_charged_fen, penalty_paid_fen = excluded.penalty_paid_fen, penalty_waived_fen = excluded.penalty_waived_fen,
    settled_on = excluded.settled_on, updated_at = now()
  returning 1),
src as materialized (
  select aid as account_id, pid as ref_id, 'payment' as kind, 'clearing.counter' as book, amt as amount_fen, current_date as business_date from x
  union all select aid, pid, 'payment', 'receivable', -amt, current_date from x),
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
select pg_advisory_xact_lock(${EVENT_LOCK}::bigint);
with g as (
  select x.aid as account_id, x.pid as ref_id, min(t.business_date) as business_date,
         coalesce(sum(e.amount_fen) filter (where e.book = 'receivable'), 0) as d_receivable
    from unnest(${aids}, :ids::bigint[]) x(aid, pid)
    join ledger_transfer t on t.account_id = x.aid and t.ref_type = 'payment' and t.ref_id = x.pid and t.kind = 'payment'
    join ledger_entry e on e.account_id = t.account_id and e.transfer_id = t.id
   group by x.aid, x.pid),
b as (
  select l.account_id, coalesce(sum(l.balance_fen) filter (where l.book = 'receivable'), 0) as receivable,
         -coalesce(sum(l.balance_fen) filter (where l.book = 'prepaid'), 0) as prepaid, coalesce(sum(l.balance_fen) filter (where l.book = 'penalty'), 0) as penalty
    from ledger_balance l where l.account_id = any(${aids}) and l.book in ('receivable', 'prepaid', 'penalty') group by l.account_id)
insert into account_event (account_id, kind, ref_type, ref_id, business_date, receivable_delta_fen, prepaid_delta_fen, penalty_delta_fen, receivable_fen, prepaid_fen, penalty_fen)
select g.account_id, 'payment.applied', 'payment', g.ref_id, g.business_date, g.d_receivable, 0, 0, coalesce(b.receivable, 0), coalesce(b.prepaid, 0), coalesce(b.penalty, 0)
  from g left join b on b.account_id = g.account_id order by g.ref_id;
insert into audit_log (actor_id, actor_name, action, entity, entity_id, detail, ip)
select ${userId}, 'benchadmin', 'payment.counter', 'payment', pid::text, json_build_object('accountId', aid, 'amountFen', amt, 'businessDate', current_date)::jsonb, '127.0.0.1'
  from unnest(${aids}, ${amts}, :ids::bigint[]) x(aid, amt, pid);
insert into idempotency_key (scope, key, request_hash, status_code, response)
select ${scope}, key, md5(key), 201, json_build_object('id', pid, 'accountId', aid, 'amountFen', amt)::jsonb
  from unnest(${aids}, ${amts}, :ids::bigint[], ${keys}) x(aid, amt, pid, key);
commit;
\\endpipeline
`;
}

/**
 * With BENCH_CPU_PROFILE=<file>, a V8 CPU profile of the server's thread during the measured run (open it in
 * Chrome DevTools or speedscope): where a payment's Node time goes. Otherwise nothing.
 */
async function startProfile(wanted: boolean): Promise<{ stop(): Promise<void> }> {
  const file = process.env.BENCH_CPU_PROFILE;
  if (!file || !wanted) return { stop: async () => {} };
  const { Session } = await import('node:inspector/promises');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return {
    async stop() {
      const { profile } = await session.post('Profiler.stop');
      fs.writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
      console.error(`CPU profile of the server's thread: ${file}`);
    },
  };
}

/**
 * Times the server's thread has given up its core so far (Linux /proc; 0 elsewhere): waiting for I/O
 * (voluntary), and made to wait while another process ran on its core (involuntary) — a process it woke,
 * PostgreSQL or wrk, put on its core instead of the idle one.
 */
function serverThreadSwitches(): { voluntary: number; involuntary: number } {
  try {
    const status = fs.readFileSync(`/proc/self/task/${process.pid}/status`, 'utf8');
    const field = (name: string) => Number(new RegExp(`^${name}:\\s*(\\d+)`, 'm').exec(status)?.[1] ?? 0);
    return { voluntary: field('voluntary_ctxt_switches'), involuntary: field('nonvoluntary_ctxt_switches') };
  } catch {
    return { voluntary: 0, involuntary: 0 };
  }
}

/** CPU seconds used so far by this process's main thread, the server's event loop (Linux /proc; 0 elsewhere). */
function serverThreadCpuSeconds(): number {
  try {
    const stat = fs.readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // USER_HZ
  } catch {
    return 0;
  }
}

/** CPU seconds used so far by this process's finished children (Linux /proc; 0 elsewhere): the wrk runs. */
function childrenCpuSeconds(): number {
  try {
    const stat = fs.readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[13]) + Number(fields[14])) / 100; // cutime, cstime in USER_HZ
  } catch {
    return 0;
  }
}

/** CPU seconds all cores spent busy so far (Linux /proc/stat; 0 elsewhere): the machine as a whole, whoever used it. */
function machineBusySeconds(): number {
  try {
    // cpu  user nice system idle iowait irq softirq steal …
    const [, user, nice, system, , , irq, softirq, steal] = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).map(Number);
    return (user! + nice! + system! + irq! + softirq! + steal!) / 100;
  } catch {
    return 0;
  }
}

/**
 * CPU seconds each of this machine's PostgreSQL processes has used so far, by pid (Linux /proc; empty
 * elsewhere). Compare two readings pid by pid (postgresCores): a process that exits in between (an idle
 * pool connection closing after the set-up's work) must not take its earlier seconds out of the sum.
 */
function postgresCpuSeconds(): Map<string, number> {
  const seconds = new Map<string, number>();
  for (const pid of fs.existsSync('/proc') ? fs.readdirSync('/proc') : []) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      if (!stat.slice(stat.indexOf('(') + 1, close).startsWith('postgres')) continue;
      const fields = stat.slice(close + 2).split(' ');
      seconds.set(pid, (Number(fields[11]) + Number(fields[12])) / 100); // USER_HZ
    } catch {
      // the process ended while we read
    }
  }
  return seconds;
}

/** Cores PostgreSQL used between two readings, from the processes alive at the second (those that ended in between are left out). */
function postgresCores(before: Map<string, number>, after: Map<string, number>, wall: number): number {
  let used = 0;
  for (const [pid, s] of after) used += s - (before.get(pid) ?? 0);
  return used / wall;
}

interface PgbenchFigures {
  clients: number;
  tps: number;
  latencyMs: number;
}

interface PgbenchSlice extends PgbenchFigures {
  batch: number;
  /** PostgreSQL's cores during the slice (postgresCoresDuring) */
  postgresCores: number;
}

interface FloorSeries {
  clients: number;
  perSecond: number;
  /** PostgreSQL's mean cores over the series' slices */
  postgresCores: number;
  rounds: { tps: number; batch: number; perSecond: number }[];
}

/**
 * PostgreSQL's cores while `load` (a pgbench run of `seconds`) runs, read from half a second after its start
 * to half a second before its end: pgbench's backends end with it, and the CPU of ended processes is gone
 * from /proc.
 */
async function postgresCoresDuring<T>(seconds: number, load: Promise<T>): Promise<[T, number]> {
  await sleep(500);
  const before = postgresCpuSeconds();
  const t = performance.now();
  await sleep((seconds - 1) * 1000);
  const cores = postgresCores(before, postgresCpuSeconds(), (performance.now() - t) / 1000);
  return [await load, cores];
}

/** One pgbench series (a client count) over the rounds: payments/s over their summed time (the slices are equal). */
function floorOf(slices: PgbenchSlice[]): FloorSeries {
  const rounds = slices.map((s) => ({ tps: s.tps, batch: s.batch, perSecond: s.tps * s.batch }));
  const postgresCores = slices.reduce((t, s) => t + s.postgresCores, 0) / slices.length;
  return { clients: slices[0]!.clients, postgresCores, perSecond: rounds.reduce((t, r) => t + r.perSecond, 0) / rounds.length, rounds };
}

async function pgbench(url: string, script: string, range: { lo: number; hi: number }, clients: number, seconds: number): Promise<PgbenchFigures> {
  // prepared: the app prepares these statements too (PREPARED in db/connect.ts)
  const args = ['-n', '-r', '-M', 'prepared', '-c', String(clients), '-j', '2', '-T', String(seconds), '-D', `lo=${range.lo}`, '-D', `hi=${range.hi}`, '-f', script, url];
  const { stdout } = await run$('pgbench', args, { maxBuffer: 16 * 2 ** 20 });
  const tps = /tps = ([\d.]+)/.exec(stdout);
  const latency = /latency average = ([\d.]+) ms/.exec(stdout);
  const failed = /number of failed transactions: (\d+)/.exec(stdout);
  if (!tps || !latency) throw new Error(`pgbench printed no figures:\n${stdout}`);
  if (failed && Number(failed[1]) > 0) throw new Error(`pgbench: ${failed[1]} transactions failed:\n${stdout}`);
  // per-statement latencies: where PostgreSQL spends the transaction
  if (process.env.BENCH_VERBOSE) console.error(stdout.slice(stdout.indexOf('statement latencies')).replace(/\n\s+(\S+)\s+(\S+)\s+(.{0,100}).*/g, '\n  $1 ms  $3'));
  return { clients, tps: Number(tps[1]), latencyMs: Number(latency[1]) };
}
