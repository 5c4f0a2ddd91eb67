import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/connect.js';
import { migrate } from '../../src/db/migrate.js';
import { ensureAdmin } from '../../src/modules/org/index.js';
import { SESSION_REUSE_MS } from '../../src/modules/org/use-cases/authenticate.js';
import { tokenHash } from '../../src/shared/password.js';
import { FixedClock } from '../../src/shared/clock.js';
import { seedCounty, TEST_PASSWORD, type Fixture } from '../fixtures/county.js';
import { buildTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase } from '../support/db.js';

let handle: DatabaseHandle;
let t: TestApp;
let fx: Fixture;
const clock = new FixedClock(new Date('2026-11-02T02:00:00Z'));

beforeAll(async () => {
  handle = await createTestDatabase();
  fx = await seedCounty(handle.db);
  t = await buildTestApp(handle, { clock, env: { GRANARY_LOCKOUT_THRESHOLD: '3', GRANARY_LOCKOUT_MINUTES: '15', GRANARY_SESSION_TTL_MINUTES: '60' } });
});
afterAll(async () => {
  await t?.app.close();
  await handle?.close();
});

const login = (username: string, password: string) => t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password } });
const me = (token: string) => t.app.inject({ url: '/api/v1/auth/me', headers: { authorization: `Bearer ${token}` } });
const auditActions = async (username: string) =>
  (await handle.db.selectFrom('audit_log').select('action').where('actor_name', '=', username).orderBy('id').execute()).map((r) => r.action);

describe('login and sessions', () => {
  it('signs in with the right password, returns a token and sets an httpOnly cookie', async () => {
    const res = await login('heada', TEST_PASSWORD);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.user).toMatchObject({ username: 'heada', role: 'station_head', stationId: fx.stations.A });
    expect(body.user).not.toHaveProperty('passwordHash');
    expect(res.headers['set-cookie']).toMatch(/granary_session=.+HttpOnly/i);
    expect((await me(body.token)).json().username).toBe('heada');
    const cookie = String(res.headers['set-cookie']).split(';')[0]!;
    expect((await t.app.inject({ url: '/api/v1/auth/me', headers: { cookie } })).statusCode).toBe(200);
    expect(await auditActions('heada')).toContain('auth.login');
  });

  it('refuses a wrong password and an unknown user with the same 401 problem', async () => {
    const wrong = await login('cashiera', 'not-the-password');
    const unknown = await login('nobody', 'not-the-password');
    for (const res of [wrong, unknown]) {
      expect(res.statusCode).toBe(401);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.json()).toMatchObject({ code: 'UNAUTHENTICATED', detail: 'wrong username or password' });
    }
    expect(await auditActions('cashiera')).toEqual(['auth.login.failed']);
    expect(await auditActions('nobody')).toEqual(['auth.login.failed']);
  });

  it('locks a user after repeated failures, until the lock ends', async () => {
    for (let i = 0; i < 3; i++) expect((await login('cashierb', 'wrong-password')).statusCode).toBe(401);
    const locked = await login('cashierb', TEST_PASSWORD);
    expect(locked.statusCode).toBe(423);
    expect(locked.json().detail).toMatch(/too many failed logins/);
    clock.advance(16 * 60_000);
    expect((await login('cashierb', TEST_PASSWORD)).statusCode).toBe(200);
    expect(await auditActions('cashierb')).toContain('auth.locked');
  });

  it('expires sessions after the configured time', async () => {
    const token = (await login('amb1', TEST_PASSWORD)).json().token;
    expect((await me(token)).statusCode).toBe(200);
    clock.advance(61 * 60_000);
    const res = await me(token);
    expect(res.statusCode).toBe(401);
    expect(res.json().detail).toMatch(/expired/);
  });

  it('ends the session on logout', async () => {
    const token = (await login('ama2', TEST_PASSWORD)).json().token;
    const out = await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { authorization: `Bearer ${token}` } });
    expect(out.statusCode).toBe(204);
    expect((await me(token)).statusCode).toBe(401);
  });

  it('a disabled user loses open sessions and cannot sign in', async () => {
    const token = (await login('marketing', TEST_PASSWORD)).json().token;
    const res = await t.as('admin', { method: 'PATCH', url: `/api/v1/users/${fx.users.marketing}`, payload: { status: 'disabled' } });
    expect(res.statusCode, res.body).toBe(200);
    expect((await me(token)).statusCode).toBe(401);
    expect((await login('marketing', TEST_PASSWORD)).statusCode).toBe(401);
    expect(await auditActions('admin')).toContain('user.update');
  });

  it('reuses a looked-up session for SESSION_REUSE_MS: a revocation made outside this process counts after that', async () => {
    const token = (await login('ama1', TEST_PASSWORD)).json().token;
    expect((await me(token)).statusCode).toBe(200);
    await handle.db.updateTable('user_session').set({ revoked_at: clock.now() }).where('token_hash', '=', tokenHash(token)).execute();
    expect((await me(token)).statusCode).toBe(200); // from memory
    await new Promise((resolve) => setTimeout(resolve, SESSION_REUSE_MS + 50));
    expect((await me(token)).statusCode).toBe(401);
  });

  it("a user moved to another station sees the new station's accounts on the next request of an open session", async () => {
    const token = (await login('cashiera', TEST_PASSWORD)).json().token;
    const account = () => t.app.inject({ url: `/api/v1/accounts/${fx.accounts.A1}`, headers: { authorization: `Bearer ${token}` } });
    expect((await account()).statusCode).toBe(200);
    const res = await t.as('admin', { method: 'PATCH', url: `/api/v1/users/${fx.users.cashierA}`, payload: { orgUnitId: fx.stations.B } });
    expect(res.statusCode, res.body).toBe(200);
    expect((await account()).statusCode).toBe(404);
  });

  it('rejects garbage and missing tokens', async () => {
    expect((await me('garbage')).statusCode).toBe(401);
    expect((await t.app.inject({ url: '/api/v1/accounts' })).statusCode).toBe(401);
  });
});

describe('first start', () => {
  let empty: DatabaseHandle;
  beforeAll(async () => {
    empty = await createTestDatabase();
  });
  afterAll(async () => empty?.close());

  it('requires an admin password outside demo mode, then creates the admin once', async () => {
    await expect(ensureAdmin(empty.db, undefined)).rejects.toThrow(/GRANARY_ADMIN_PASSWORD/);
    await expect(ensureAdmin(empty.db, 'short')).rejects.toThrow(/at least 10/);
    expect(await ensureAdmin(empty.db, 'a-long-admin-password')).toBe('created');
    expect(await ensureAdmin(empty.db, undefined)).toBe('present');
    const admins = await empty.db.selectFrom('app_user').select(['username', 'role']).execute();
    expect(admins).toEqual([{ username: 'admin', role: 'admin' }]);
  });

  it('applies migrations once', async () => {
    expect(await migrate(empty.pool)).toEqual([]);
  });
});

describe('audit log', () => {
  it('is append-only in the database', async () => {
    await expect(handle.pool.query(`update audit_log set action = 'x'`)).rejects.toThrow(/append-only/);
    await expect(handle.pool.query(`delete from audit_log`)).rejects.toThrow(/append-only/);
    await expect(handle.pool.query(`truncate audit_log`)).rejects.toThrow(/append-only/);
  });

  it('is readable by admins and auditors only', async () => {
    const res = await t.as('auditor', { method: 'GET', url: '/api/v1/audit?action=auth.login&limit=2' });
    expect(res.statusCode).toBe(200);
    expect(res.json().items.every((i: { action: string }) => i.action === 'auth.login')).toBe(true);
    expect((await t.as('headA', { method: 'GET', url: '/api/v1/audit' })).statusCode).toBe(403);
  });
});
