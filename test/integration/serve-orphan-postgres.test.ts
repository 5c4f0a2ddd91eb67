import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, openDatabase } from '../../src/db/connect.js';
import { prepareDatabase } from '../../src/workflows/prepare-database.js';
import { seedCounty, TEST_PASSWORD, type Fixture } from '../fixtures/county.js';
import { issueTestBill } from '../support/bills.js';

/**
 * kill -9 of `granary serve` (the node process only) under counter-payment load leaves its embedded
 * PostgreSQL running on GRANARY_HOME (issue 15 §5). The same command must start again within 30 s, stopping
 * that orphan cleanly, with every acknowledged payment there exactly once; a second Granary on the same home
 * while the first is alive must still refuse and leave the first one's database alone.
 */
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'granary-orphan-'));
fs.chmodSync(home, 0o755); // as root the embedded PostgreSQL runs as the postgres user
const bin = path.resolve('bin/granary.mjs');
const dataDir = path.join(home, 'pg');
const started: ChildProcess[] = [];
let env: Record<string, string>;
let port: number;
let pgPort: number;
let fx: Fixture;

interface Serve {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function spawnServe(extra: Record<string, string> = {}): Serve {
  const { DATABASE_URL: _ignored, ...base } = process.env;
  // detached: its own process group, so afterAll can stop whatever it left behind (its PostgreSQL keeps the group).
  const child = spawn(process.execPath, [bin, 'serve'], { env: { ...base, ...env, ...extra }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  started.push(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

async function untilRunning(s: Serve, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!s.output().includes('Granary is running at')) {
    if (s.child.exitCode !== null) throw new Error(`granary serve exited early:\n${s.output()}`);
    if (Date.now() > deadline) throw new Error(`granary serve did not start within ${ms} ms:\n${s.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const postmasterPid = (): number | null => {
  try {
    return Number(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return null;
  }
};
/** Running (a zombie waiting for its new parent, init or a subreaper, to reap it counts as gone). */
const alive = (pid: number) => {
  try {
    if (fs.existsSync('/proc/self/stat')) return !/^\S+ \(.*\) [ZX] /.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

async function login(): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'cashiera', password: TEST_PASSWORD }) });
  expect(res.status).toBe(200);
  return (await res.json()).token as string;
}

function pay(token: string, key: string, body: { accountId: number; amountFen: number }): Promise<Response> {
  return fetch(`http://127.0.0.1:${port}/api/v1/payments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'idempotency-key': key },
    body: JSON.stringify(body),
  });
}

let first: Serve;

beforeAll(async () => {
  pgPort = await freePort();
  port = await freePort();
  env = { GRANARY_HOME: home, GRANARY_PG_PORT: String(pgPort), PORT: String(port), GRANARY_ADMIN_PASSWORD: 'orphan-test-password', GRANARY_DEMO: '0', LOG_LEVEL: 'warn' };
  // A small county with open bills on this home's own embedded database, then Granary is started on it.
  const handle = await openDatabase({ home, pgPort });
  try {
    await prepareDatabase(handle);
    fx = await seedCounty(handle.db);
    for (const accountId of [fx.accounts.A1, fx.accounts.A2]) await issueTestBill(handle.db, { accountId, period: '2026-09', totalFen: 150_000, dueOn: '2026-10-20' });
  } finally {
    await handle.close();
  }
  first = spawnServe();
  await untilRunning(first, 60_000);
}, 120_000);

afterAll(async () => {
  // Ctrl-C to each group (reaches an orphaned PostgreSQL too), then SIGKILL what is still there.
  for (const child of started) {
    try {
      process.kill(-child.pid!, 'SIGINT');
    } catch {
      /* group gone */
    }
  }
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline && (started.some((c) => c.exitCode === null && c.signalCode === null) || (postmasterPid() !== null && alive(postmasterPid()!))))
    await new Promise((r) => setTimeout(r, 100));
  for (const child of started) {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      /* group gone */
    }
  }
  const pid = postmasterPid();
  if (pid && alive(pid)) process.kill(pid, 'SIGQUIT');
  fs.rmSync(home, { recursive: true, force: true });
}, 30_000);

describe('the embedded PostgreSQL of a Granary killed with -9', () => {
  it('a second Granary on the same home, while the first is alive, refuses and leaves its database alone', async () => {
    const sameCommand = spawnServe();
    expect(await sameCommand.exited).toBe(1);
    expect(sameCommand.output()).toMatch(/port \d+ for the embedded PostgreSQL is taken \(another Granary on this machine\?\)/);

    // Another PostgreSQL port on the same home: the data folder is still the first Granary's.
    const otherPort = spawnServe({ GRANARY_PG_PORT: String(await freePort()), PORT: String(await freePort()) });
    expect(await otherPort.exited).toBe(1);
    expect(otherPort.output()).toMatch(/in use by another Granary/);
    expect(otherPort.output()).not.toMatch(/stopping it/);

    expect(first.child.exitCode).toBeNull();
    const token = await login();
    const res = await pay(token, 'still-alive', { accountId: fx.accounts.A1, amountFen: 100 });
    expect(res.status).toBe(201);
  });

  it('kill -9 under payment load: the same command starts within 30 s and every acknowledged payment is there once', async () => {
    const token = await login();
    const orphanPid = postmasterPid();
    expect(orphanPid).not.toBeNull();

    const CLIENTS = 12;
    const acknowledged = new Map<string, { id: number; amountFen: number }>();
    const sent = new Map<string, { accountId: number; amountFen: number }>();
    let down = false;
    const clients = Array.from({ length: CLIENTS }, async (_, c) => {
      for (let i = 0; !down; i++) {
        const key = `orphan-${c}-${i}`;
        const body = { accountId: (c + i) % 2 === 0 ? fx.accounts.A1 : fx.accounts.A2, amountFen: 1_000 + c * 37 + i };
        sent.set(key, body);
        try {
          const res = await pay(token, key, body);
          if (res.status >= 200 && res.status < 300) acknowledged.set(key, { id: (await res.json()).id, amountFen: body.amountFen });
          else await res.body?.cancel();
        } catch {
          down = true; // connection refused or reset: the server is gone
        }
      }
    });
    while (acknowledged.size < 150) await new Promise((r) => setTimeout(r, 5));
    process.kill(first.child.pid!, 'SIGKILL'); // the node process only, not its group: its PostgreSQL stays
    await first.exited;
    await Promise.all(clients);
    expect(alive(orphanPid!)).toBe(true); // what the restart has to deal with

    const t0 = Date.now();
    const second = spawnServe();
    await untilRunning(second, 30_000);
    const startedIn = Date.now() - t0;
    expect(startedIn).toBeLessThan(30_000);
    expect(second.output()).toMatch(new RegExp(`stopping the embedded PostgreSQL \\(pid ${orphanPid}\\) left running`));
    expect(alive(orphanPid!)).toBe(false);

    const url = `postgres://postgres:granary-local@127.0.0.1:${pgPort}/granary`;
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const rows = (await client.query<{ id: string; channel_txn_id: string; amount_fen: string }>(`select id, channel_txn_id, amount_fen from payment where channel = 'counter' and channel_txn_id like 'CTR-%-orphan-%'`)).rows;
      const byKey = new Map<string, { id: number; amountFen: number }[]>();
      for (const r of rows) {
        const key = r.channel_txn_id.replace(/^CTR-\d+-/, '');
        byKey.set(key, [...(byKey.get(key) ?? []), { id: Number(r.id), amountFen: Number(r.amount_fen) }]);
      }
      for (const [key, ack] of acknowledged) expect(byKey.get(key), key).toEqual([ack]);
      for (const [key, found] of byKey) expect(found, key).toHaveLength(1);

      // What was in flight at the kill is applied once when its client retries with the same key.
      const token2 = await login();
      for (const [key, body] of sent) {
        if (acknowledged.has(key)) continue;
        const res = await pay(token2, key, body);
        expect(res.status, key).toBe(201);
        acknowledged.set(key, { id: (await res.json()).id, amountFen: body.amountFen });
      }
      const after = await client.query<{ n: string; keys: string; fen: string }>(
        `select count(*) as n, count(distinct channel_txn_id) as keys, coalesce(sum(amount_fen), 0) as fen from payment where channel = 'counter' and channel_txn_id like 'CTR-%-orphan-%'`,
      );
      expect(Number(after.rows[0]!.n)).toBe(sent.size);
      expect(Number(after.rows[0]!.keys)).toBe(sent.size);
      expect(Number(after.rows[0]!.fen)).toBe([...sent.values()].reduce((s, b) => s + b.amountFen, 0));
    } finally {
      await client.end();
    }

    const check = spawn(process.execPath, [bin, 'ledger', 'check'], { env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let checkOut = '';
    check.stdout!.on('data', (d) => (checkOut += d));
    check.stderr!.on('data', (d) => (checkOut += d));
    expect(await new Promise((resolve) => check.on('exit', resolve)), checkOut).toBe(0);

    process.kill(-second.child.pid!, 'SIGINT'); // Ctrl-C: Granary and its database stop cleanly
    expect(await second.exited).toBe(0);
    expect(fs.existsSync(path.join(dataDir, 'postmaster.pid'))).toBe(false);
    console.log(`restart after kill -9: up in ${startedIn} ms; ${acknowledged.size} payments checked`);
  }, 120_000);
});
