import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/db/connect.js';

/** `granary serve` as a user runs it: its own embedded PostgreSQL, Ctrl-C, and a second start on the same data. */
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'granary-serve-'));
fs.chmodSync(home, 0o755);
const bin = path.resolve('bin/granary.mjs');


interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

async function startServe(env: Record<string, string>, args: string[] = []): Promise<Started> {
  const { DATABASE_URL: _ignored, ...base } = process.env;
  // detached: its own process group, so a group signal reaches the embedded PostgreSQL too, as Ctrl-C in a terminal does.
  const child = spawn(process.execPath, [bin, 'serve', ...args], { env: { ...base, GRANARY_HOME: home, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + 90_000;
  while (!out.includes('Granary is running at')) {
    if (child.exitCode !== null) throw new Error(`granary serve exited early:\n${out}`);
    if (Date.now() > deadline) throw new Error(`granary serve did not start in time:\n${out}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return { child, output: () => out, exited };
}

afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

describe('granary serve on the embedded database', () => {
  it('refuses a first start without an admin password, with a clear message', async () => {
    const { DATABASE_URL: _ignored, ...base } = process.env;
    const child = spawn(process.execPath, [bin, 'serve'], { env: { ...base, GRANARY_HOME: home, GRANARY_PG_PORT: String(await freePort()), PORT: String(await freePort()) }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stderr!.on('data', (d) => (out += d));
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    expect(out).toMatch(/GRANARY_ADMIN_PASSWORD/);
  });

  it('starts, stops cleanly on SIGINT, and reuses its data on the next start', async () => {
    const pgPort = String(await freePort());
    const port = await freePort();
    const env = { GRANARY_PG_PORT: pgPort, PORT: String(port), GRANARY_ADMIN_PASSWORD: 'first-start-password' };

    const first = await startServe(env);
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    const login = await fetch(`http://127.0.0.1:${port}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'first-start-password' }) });
    expect(login.status).toBe(200);
    process.kill(-first.child.pid!, 'SIGINT'); // Ctrl-C: the whole process group
    expect(await first.exited).toBe(0);
    expect(first.output()).toMatch(/stopped/);
    expect(fs.existsSync(path.join(home, 'pg', 'postmaster.pid'))).toBe(false);

    // The second start has no admin password: it must find the admin created by the first.
    const second = await startServe({ GRANARY_PG_PORT: pgPort, PORT: String(port) });
    const again = await fetch(`http://127.0.0.1:${port}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'first-start-password' }) });
    expect(again.status).toBe(200);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });
});
