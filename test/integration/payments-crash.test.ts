import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, type DatabaseHandle } from '../../src/db/connect.js';
import { checkLedger } from '../../src/modules/ledger/index.js';
import { seedCounty, TEST_PASSWORD, type Fixture } from '../fixtures/county.js';
import { issueTestBill } from '../support/bills.js';
import { createTestDatabase } from '../support/db.js';

/**
 * kill -9 of the server in the middle of a payment load (issue 4 §7): clients keep retrying each payment
 * with the same Idempotency-Key and body until it is acknowledged; afterwards every acknowledged payment
 * is there exactly once, nothing unacknowledged was applied twice, and the ledger check passes.
 */
const bin = path.resolve('bin/granary.mjs');
let handle: DatabaseHandle;
let fx: Fixture;
let port: number;
let server: ChildProcess | null = null;

async function startServer(): Promise<ChildProcess> {
  const child = spawn(process.execPath, [bin, 'serve'], {
    env: { ...process.env, DATABASE_URL: handle.url, PORT: String(port), LOG_LEVEL: 'warn', GRANARY_DEMO: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const deadline = Date.now() + 60_000;
  while (!out.includes('Granary is running at')) {
    if (child.exitCode !== null) throw new Error(`granary serve exited early:\n${out}`);
    if (Date.now() > deadline) throw new Error(`granary serve did not start in time:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return child;
}

beforeAll(async () => {
  handle = await createTestDatabase();
  fx = await seedCounty(handle.db);
  for (const [i, accountId] of [fx.accounts.A1, fx.accounts.A2].entries()) {
    await issueTestBill(handle.db, { accountId, period: '2026-09', totalFen: 123_456 + i, dueOn: '2026-10-20' });
    await issueTestBill(handle.db, { accountId, period: '2026-10', totalFen: 98_765 + i, dueOn: '2026-11-20' });
  }
  port = await freePort();
}, 60_000);

afterAll(async () => {
  server?.kill('SIGKILL');
  await handle?.close();
});

describe('payments survive kill -9 of the server', () => {
  it('applies every acknowledged payment exactly once when clients retry with the same keys', async () => {
    server = await startServer();
    const base = `http://127.0.0.1:${port}/api/v1`;
    const login = await fetch(`${base}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'cashiera', password: TEST_PASSWORD }) });
    expect(login.status).toBe(200);
    const token = (await login.json()).token as string;

    const CLIENTS = 16;
    const EACH = 20;
    const acknowledged = new Map<string, { id: number; amountFen: number }>();
    let retries = 0;
    let killed = false;

    async function payUntilAcknowledged(key: string, body: { accountId: number; amountFen: number }) {
      for (;;) {
        try {
          const res = await fetch(`${base}/payments`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'idempotency-key': key },
            body: JSON.stringify(body),
          });
          if (res.status === 201) {
            const p = await res.json();
            expect(p.amountFen).toBe(body.amountFen);
            acknowledged.set(key, { id: p.id, amountFen: body.amountFen });
            return;
          }
          expect([409, 500, 502, 503]).toContain(res.status); // in flight, or the server going down
        } catch {
          // connection refused or reset: the server is down
        }
        retries++;
        await new Promise((r) => setTimeout(r, 50));
      }
    }

    const clients = Array.from({ length: CLIENTS }, async (_, c) => {
      for (let i = 0; i < EACH; i++) {
        const accountId = (c + i) % 2 === 0 ? fx.accounts.A1 : fx.accounts.A2;
        await payUntilAcknowledged(`crash-${c}-${i}`, { accountId, amountFen: 1_000 + c * 37 + i });
      }
    });
    const killer = (async () => {
      while (acknowledged.size < (CLIENTS * EACH) / 3) await new Promise((r) => setTimeout(r, 5));
      server!.kill('SIGKILL');
      killed = true;
      await new Promise((r) => server!.once('exit', r));
      await new Promise((r) => setTimeout(r, 300)); // clients meet a dead port for a while
      server = await startServer();
    })();
    await Promise.all([...clients, killer]);

    expect(killed).toBe(true);
    expect(retries).toBeGreaterThan(0);
    expect(acknowledged.size).toBe(CLIENTS * EACH);
    const rows = await handle.db.selectFrom('payment').select(['id', 'channel_txn_id', 'amount_fen']).where('channel', '=', 'counter').execute();
    expect(rows).toHaveLength(CLIENTS * EACH);
    const byKey = new Map(rows.map((r) => [r.channel_txn_id.replace(/^CTR-\d+-/, ''), r]));
    for (const [key, ack] of acknowledged) {
      const row = byKey.get(key);
      expect(row, key).toBeDefined();
      expect(row!.id).toBe(ack.id);
      expect(row!.amount_fen).toBe(ack.amountFen);
    }
    const clearing = await handle.db.selectFrom('ledger_balance').select((eb) => eb.fn.sum<string>('balance_fen').as('s')).where('book', '=', 'clearing.counter').executeTakeFirstOrThrow();
    expect(Number(clearing.s)).toBe([...acknowledged.values()].reduce((s, a) => s + a.amountFen, 0));
    const ledger = await checkLedger(handle.db);
    expect(ledger.violations).toEqual([]);
  }, 120_000);
});
