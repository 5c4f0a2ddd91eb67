import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/connect.js';
import { buildApp } from '../../src/http/app.js';
import { loadConfig } from '../../src/config.js';
import { buildAlipayNotification } from '../../src/modules/channels/domain/alipay.js';
import { checkLedger } from '../../src/modules/ledger/index.js';
import { FixedClock } from '../../src/shared/clock.js';
import { seedCounty, TEST_PASSWORD, usernameOf, type Fixture } from '../fixtures/county.js';
import { buildTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase } from '../support/db.js';

/**
 * The holes an outside probe found (issue 15), each as the attacker tried it: the answer must now be the
 * safe one. One fixture county; apps with their own limits are built where a test needs them (each app
 * keeps its own rate-limit counters). Every request of inject() comes from 127.0.0.1.
 */
const api = '/api/v1';
const clock = new FixedClock(new Date('2026-11-20T10:00:00+08:00'));
let handle: DatabaseHandle;
let t: TestApp;
let fx: Fixture;
let dir: string;
const alipay = { appId: '2021000122600001', sellerId: '2088621955500001', ...generateKeyPairSync('rsa', { modulusLength: 2048 }) };
const pem = (k: KeyObject) => k.export({ type: 'spki', format: 'pem' }).toString();
let channelEnv: Record<string, string>;

/** An app on the same database with its own settings and rate-limit counters. */
async function appWith(env: Record<string, string>) {
  const made = await buildTestApp(handle, { clock, env: { ...channelEnv, ...env } });
  apps.push(made);
  return made;
}
const apps: TestApp[] = [];
const DEFAULT_LIMITS = { GRANARY_RATE_LIMIT: '6000', GRANARY_LOGIN_RATE_LIMIT: '30', GRANARY_LOOKUP_RATE_LIMIT: '10', GRANARY_PHONE_SEARCH_RATE_LIMIT: '20' };

beforeAll(async () => {
  handle = await createTestDatabase();
  fx = await seedCounty(handle.db);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'granary-security-'));
  fs.writeFileSync(path.join(dir, 'alipay.pem'), pem(alipay.publicKey));
  channelEnv = {
    GRANARY_ALIPAY_APP_ID: alipay.appId,
    GRANARY_ALIPAY_SELLER_ID: alipay.sellerId,
    GRANARY_ALIPAY_PUBLIC_KEY_FILE: path.join(dir, 'alipay.pem'),
    GRANARY_GRIDAPP_SECRET: 'grid-app-secret-for-tests',
    GRANARY_PAY_TOKEN_SECRET: 'pay-token-secret-for-tests',
  };
  t = await appWith({});
});

afterAll(async () => {
  for (const a of apps) await a.app.close();
  if (handle) expect((await checkLedger(handle.db)).violations).toEqual([]);
  await handle?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const login = (app: TestApp, username: string, password: string, headers: Record<string, string> = {}) =>
  app.app.inject({ method: 'POST', url: `${api}/auth/login`, payload: { username, password }, headers });

describe('1. the login lockout under parallel failures', () => {
  it('counts every one of 20 parallel wrong passwords, so the account locks and the right password is refused', async () => {
    const user = usernameOf('amB1');
    const answers = await Promise.all(Array.from({ length: 20 }, () => login(t, user, 'wrong-password')));
    expect(answers.map((r) => r.statusCode)).toEqual(Array(20).fill(401));
    const row = await handle.db.selectFrom('app_user').select(['locked_until']).where('id', '=', fx.users.amB1).executeTakeFirstOrThrow();
    expect(row.locked_until).not.toBeNull();
    const right = await login(t, user, TEST_PASSWORD);
    expect(right.statusCode).toBe(423);
  });

  it('answers a locked user like an unknown one until the password is right (10.)', async () => {
    await handle.db.updateTable('app_user').set({ locked_until: new Date(Date.now() + 600_000) }).where('id', '=', fx.users.headB).execute();
    const locked = await login(t, usernameOf('headB'), 'wrong-password');
    const unknown = await login(t, 'no-such-user', 'wrong-password');
    expect(locked.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    const strip = (b: Record<string, unknown>) => ({ ...b, instance: undefined });
    expect(strip(locked.json())).toEqual(strip(unknown.json()));
    expect(locked.body).not.toMatch(/lock|try again/i);
    expect((await login(t, usernameOf('headB'), TEST_PASSWORD)).statusCode).toBe(423);
    await handle.db.updateTable('app_user').set({ locked_until: null }).where('id', '=', fx.users.headB).execute();
  });
});

describe('2. rate limits from loopback and behind a proxy', () => {
  const lookup = (app: TestApp, headers: Record<string, string> = {}) =>
    app.app.inject({ method: 'POST', url: `${api}/pay/lookup`, payload: { accountNo: '8800000001', name: '客户A1' }, headers });

  it('limits payment-page lookups and logins from 127.0.0.1 like any address', async () => {
    const app = await appWith(DEFAULT_LIMITS);
    const lookups = [];
    for (let i = 0; i < 11; i++) lookups.push((await lookup(app)).statusCode);
    expect(lookups.slice(0, 10)).toEqual(Array(10).fill(200));
    expect(lookups[10]).toBe(429);
    const logins = [];
    for (let i = 0; i < 31; i++) logins.push((await login(app, 'no-such-user', 'x')).statusCode);
    expect(logins.slice(0, 30).every((s) => s === 401)).toBe(true);
    expect(logins[30]).toBe(429);
  });

  it('behind a trusted proxy counts each client address; without GRANARY_TRUST_PROXY the header is ignored', async () => {
    const trusting = await appWith({ ...DEFAULT_LIMITS, GRANARY_TRUST_PROXY: '127.0.0.1' });
    for (let i = 0; i < 10; i++) expect((await lookup(trusting, { 'x-forwarded-for': '203.0.113.7' })).statusCode).toBe(200);
    expect((await lookup(trusting, { 'x-forwarded-for': '203.0.113.7' })).statusCode).toBe(429);
    expect((await lookup(trusting, { 'x-forwarded-for': '203.0.113.8' })).statusCode).toBe(200);

    const plain = await appWith(DEFAULT_LIMITS);
    for (let i = 0; i < 10; i++) expect((await lookup(plain, { 'x-forwarded-for': `203.0.113.${i}` })).statusCode).toBe(200);
    expect((await lookup(plain, { 'x-forwarded-for': '203.0.113.99' })).statusCode).toBe(429);
  });
});

describe('3. phone numbers through search', () => {
  const A1_PHONE = '13812340001';
  const search = (app: TestApp, user: 'marketing' | 'headA' | 'amA1', q: string, what = 'accounts') => app.as(user, { method: 'GET', url: `${api}/${what}?q=${encodeURIComponent(q)}` });

  it('finds nothing by a full phone number for a role that may not see phones, by its last 4 digits for everyone', async () => {
    expect((await t.as('marketing', { method: 'GET', url: `${api}/accounts/${fx.accounts.A1}?unmask=true` })).statusCode).toBe(403);
    expect((await search(t, 'marketing', A1_PHONE)).json().items).toEqual([]);
    expect((await search(t, 'marketing', A1_PHONE, 'customers')).json().items).toEqual([]);
    const last4 = (await search(t, 'marketing', '0001')).json().items;
    expect(last4.map((a: { id: number }) => a.id)).toEqual([fx.accounts.A1]);
    expect(JSON.stringify(last4)).not.toContain(A1_PHONE);
  });

  it('lets roles that may see phones search by the full number, audited with the number masked', async () => {
    const before = await handle.db.selectFrom('audit_log').select((eb) => eb.fn.countAll<number>().as('n')).where('action', '=', 'pii.search').executeTakeFirstOrThrow();
    const found = (await search(t, 'headA', A1_PHONE)).json().items;
    expect(found.map((a: { id: number }) => a.id)).toEqual([fx.accounts.A1]);
    const rows = await handle.db.selectFrom('audit_log').select(['actor_id', 'detail']).where('action', '=', 'pii.search').orderBy('id').execute();
    expect(rows.length).toBe(Number(before.n) + 1);
    expect(rows.at(-1)).toEqual({ actor_id: fx.users.headA, detail: { phone: '138****0001', found: 1 } });
  });

  it('rate-limits searches by full phone number per user, and nothing else', async () => {
    const app = await appWith({ GRANARY_PHONE_SEARCH_RATE_LIMIT: '3' });
    for (let i = 0; i < 3; i++) expect((await search(app, 'headA', `1381234000${i}`)).statusCode).toBe(200);
    const limited = await search(app, 'headA', '13812349999');
    expect(limited.statusCode).toBe(429);
    expect((await search(app, 'amA1', '13812349999')).statusCode).toBe(200);
    expect((await search(app, 'headA', '客户')).statusCode).toBe(200);
    expect((await search(app, 'headA', '0001')).statusCode).toBe(200);
  });
});

describe('4. cross-site requests with the session cookie', () => {
  /** A session of its own (the test signs it out). */
  const cookieOf = async (user: Parameters<TestApp['tokenFor']>[0]) => `granary_session=${(await login(t, usernameOf(user), TEST_PASSWORD)).json().token}`;
  const host = 'granary.example:8080';

  it('refuses a cross-site statement import (even as text/plain) and logout; the same from the app itself works', async () => {
    const cookie = await cookieOf('marketing');
    const body = 'txnId,outTradeNo,amountFen,paidAt,status\nGA-CSRF-1,GR-CSRF-1,100000000,2026-11-20T09:00:00+08:00,SUCCESS\n';
    const url = `${api}/reconciliation/imports?channel=gridapp`;
    for (const headers of [
      { 'content-type': 'text/plain', origin: 'http://evil.example' },
      { 'content-type': 'text/csv', origin: 'http://evil.example' },
      { 'content-type': 'text/csv', 'sec-fetch-site': 'cross-site', origin: 'http://evil.example' },
      { 'content-type': 'text/csv', 'sec-fetch-site': 'same-site' },
      { 'content-type': 'text/csv' }, // neither header: not provably ours
    ]) {
      const res = await t.app.inject({ method: 'POST', url, payload: body, headers: { cookie, host, ...headers } });
      expect(res.statusCode, JSON.stringify(headers)).toBe(403);
    }
    expect((await t.app.inject({ method: 'POST', url: `${api}/auth/logout`, headers: { cookie, host, origin: 'http://evil.example' } })).statusCode).toBe(403);
    const order = { accountId: fx.accounts.A1, amountFen: 100_000_000, channel: 'gridapp' };
    expect((await t.app.inject({ method: 'POST', url: `${api}/payment-orders`, payload: order, headers: { cookie, host, origin: 'http://evil.example' } })).statusCode).toBe(403);
    expect(await handle.db.selectFrom('payment_order').select('id').where('amount_fen', '=', 100_000_000).execute()).toEqual([]);
    expect((await t.app.inject({ method: 'GET', url: `${api}/auth/me`, headers: { cookie, host } })).statusCode).toBe(200);
    expect(await handle.db.selectFrom('recon_import').select('id').execute()).toEqual([]);

    // from the app's own pages: a form's text/plain is not a statement type
    const own = await t.app.inject({ method: 'POST', url, payload: body, headers: { cookie, host, 'content-type': 'text/plain', 'sec-fetch-site': 'same-origin' } });
    expect(own.statusCode).toBe(415);
    const byOrigin = await t.app.inject({ method: 'POST', url: `${api}/auth/logout`, headers: { cookie, host, origin: `http://${host}` } });
    expect(byOrigin.statusCode).toBe(204);
  });

  it('needs no origin from a bearer token, which no browser sends by itself', async () => {
    expect((await t.as('admin', { method: 'POST', url: `${api}/payment-orders`, payload: { accountId: fx.accounts.A1, amountFen: 100, channel: 'gridapp' }, headers: { origin: 'http://evil.example' } })).statusCode).toBe(201);
  });

  it('marks the session cookie Secure when told to, or when the request came over HTTPS through a trusted proxy', async () => {
    const secure = await appWith({ GRANARY_COOKIE_SECURE: 'true' });
    expect(String((await login(secure, usernameOf('auditor'), TEST_PASSWORD)).headers['set-cookie'])).toMatch(/; Secure/);
    const proxied = await appWith({ GRANARY_TRUST_PROXY: '1' });
    expect(String((await login(proxied, usernameOf('auditor'), TEST_PASSWORD, { 'x-forwarded-proto': 'https' })).headers['set-cookie'])).toMatch(/; Secure/);
    expect(String((await login(proxied, usernameOf('auditor'), TEST_PASSWORD)).headers['set-cookie'])).not.toMatch(/Secure/);
  });

  it('holds a statement row above the review limit; accepting it applies it, by someone other than the importer', async () => {
    const app = await appWith({ GRANARY_RECON_REVIEW_ABOVE_YUAN: '5000' });
    const big = 100_000_000; // 1,000,000.00 元 on an order opened by the payment page
    await handle.db.insertInto('payment_order').values({ out_trade_no: 'GR-HELD-1', account_id: fx.accounts.A2, channel: 'gridapp', amount_fen: big, expires_at: new Date('2026-11-21T00:00:00+08:00') }).execute();
    await handle.db.insertInto('payment_order').values({ out_trade_no: 'GR-SMALL-1', account_id: fx.accounts.A2, channel: 'gridapp', amount_fen: 2000, expires_at: new Date('2026-11-21T00:00:00+08:00') }).execute();
    const body = 'txnId,outTradeNo,amountFen,paidAt,status\nGA-HELD-1,GR-HELD-1,100000000,2026-11-19T09:00:00+08:00,SUCCESS\nGA-SMALL-1,GR-SMALL-1,2000,2026-11-19T09:05:00+08:00,SUCCESS\n';
    const res = await app.as('marketing', { method: 'POST', url: `${api}/reconciliation/imports?channel=gridapp&fileName=grid-20261119.csv`, payload: body, headers: { 'content-type': 'text/csv' } });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().counts).toMatchObject({ channelOnlyApplied: 1, channelOnlyUnapplied: 1, heldForReview: 1 });
    const paid = async (txn: string) => handle.db.selectFrom('payment').select(['id', 'amount_fen']).where('channel', '=', 'gridapp').where('channel_txn_id', '=', txn).executeTakeFirst();
    expect(await paid('GA-HELD-1')).toBeUndefined();
    expect((await paid('GA-SMALL-1'))?.amount_fen).toBe(2000);

    const items = (await app.as('marketing', { method: 'GET', url: `${api}/reconciliation/days/gridapp/2026-11-19/items` })).json().items as { id: number; channelTxnId: string; held: boolean; reason: string }[];
    const held = items.find((i) => i.channelTxnId === 'GA-HELD-1')!;
    expect(held).toMatchObject({ held: true, reason: expect.stringContaining('held for review') });
    const resolve = (user: 'marketing' | 'admin') => app.as(user, { method: 'POST', url: `${api}/reconciliation/items/${held.id}/resolve`, payload: { resolution: 'accepted_statement', note: '与网上国网核实无误' } });
    expect((await resolve('marketing')).statusCode).toBe(403);
    expect(await paid('GA-HELD-1')).toBeUndefined();
    const accepted = await resolve('admin');
    expect(accepted.statusCode, accepted.body).toBe(200);
    expect(accepted.json()).toMatchObject({ resolved: true, paymentId: expect.any(Number), ledgerFen: big });
    expect((await paid('GA-HELD-1'))?.amount_fen).toBe(big);
    const order = await handle.db.selectFrom('payment_order').select(['status', 'channel_txn_id']).where('out_trade_no', '=', 'GR-HELD-1').executeTakeFirstOrThrow();
    expect(order).toEqual({ status: 'paid', channel_txn_id: 'GA-HELD-1' });
    expect((await checkLedger(handle.db)).violations).toEqual([]);
  });
});

describe('6. personal data in logs and audit details', () => {
  it('writes a phone search into the request log masked', async () => {
    let log = '';
    const stream = new Writable({ write: (chunk, _enc, done) => void ((log += chunk.toString()), done()) });
    const config = loadConfig({ GRANARY_HOME: '/tmp/granary-unused', LOG_LEVEL: 'info' });
    const app = await buildApp({ db: handle.db, pool: handle.pool, config, clock }, { logger: { level: 'info', stream } });
    try {
      const token = await t.tokenFor('headA');
      const res = await app.inject({ method: 'GET', url: `${api}/accounts?q=13812340001`, headers: { authorization: `Bearer ${token}` } });
      expect(res.statusCode).toBe(200);
      await app.inject({ method: 'GET', url: `${api}/customers?q=${encodeURIComponent('客户A1')}`, headers: { authorization: `Bearer ${token}` } });
    } finally {
      await app.close();
    }
    expect(log).toContain('138****0001');
    expect(log).not.toContain('13812340001');
    expect(log).not.toMatch(/%E5%AE%A2|客户A1/);
  });

  it('keeps a user phone set by user.update masked in the audit detail', async () => {
    const res = await t.as('admin', { method: 'PATCH', url: `${api}/users/${fx.users.cashierB}`, payload: { phone: '13551601336' } });
    expect(res.statusCode, res.body).toBe(200);
    const row = await handle.db.selectFrom('audit_log').select('detail').where('action', '=', 'user.update').orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(row.detail).toMatchObject({ phone: '135****1336' });
    expect(JSON.stringify(row.detail)).not.toContain('13551601336');
  });
});

describe('7. Idempotency-Keys of any length the README allows', () => {
  it('takes a counter payment under a 200-character key, and replays it under the same key', async () => {
    const key = `k${'x'.repeat(198)}z`;
    const pay = () => t.as('cashierA', { method: 'POST', url: `${api}/payments`, payload: { accountId: fx.accounts.A1, amountFen: 1234 }, headers: { 'idempotency-key': key } });
    const first = await pay();
    expect(first.statusCode, first.body).toBe(201);
    const again = await pay();
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json().id).toBe(first.json().id);
    expect(first.json().channelTxnId.length).toBeLessThanOrEqual(128);
  });
});

describe('8. formulas in the result file', () => {
  it('returns values from the bank file as text, not formulas', async () => {
    const file = [
      'bank_txn_id,account_no,amount,debit_date,status,bank_message',
      'F0001,=1+2,1.00,2026-11-20,S,',
      'F0002,"=HYPERLINK(""http://evil.example/"",""click"")",1.00,2026-11-20,S,',
      'F0003,+SUM(1;2),1.00,2026-11-20,S,',
      '@SUM(1+1),8800000001,1.00,2026-11-20,S,',
      '',
    ].join('\n');
    const res = await t.as('marketing', { method: 'POST', url: `${api}/bank-files?bank=ICBC&fileName=ICBC_DK_FORMULA.csv`, payload: file, headers: { 'content-type': 'text/csv' } });
    expect(res.statusCode, res.body).toBe(201);
    const result = await t.as('marketing', { method: 'GET', url: `${api}/bank-files/${res.json().batch.id}/result.csv` });
    expect(result.statusCode).toBe(200);
    const cells = result.body.trim().split('\n').slice(1).flatMap((line) => line.match(/("([^"]|"")*"|[^,]*)(,|$)/g)!.map((c) => c.replace(/,$/, '')));
    for (const cell of cells) expect(cell.replace(/^"/, ''), cell).not.toMatch(/^[=+@]/);
    expect(result.body).toContain("'=1+2");
    expect(result.body).toContain("'+SUM(1;2)");
    expect(result.body).toContain("'@SUM(1+1)");
    expect(result.body).toContain('"\'=HYPERLINK(');
  });
});

describe('9. refund notifications', () => {
  it('never credits an Alipay refund notice; it is acknowledged and listed for review', async () => {
    const order = await t.as('cashierA', { method: 'POST', url: `${api}/payment-orders`, payload: { accountId: fx.accounts.A1, amountFen: 3000, channel: 'alipay' } });
    expect(order.statusCode).toBe(201);
    const outTradeNo = order.json().outTradeNo as string;
    const form = buildAlipayNotification({
      privateKey: alipay.privateKey,
      appId: alipay.appId,
      sellerId: alipay.sellerId,
      outTradeNo,
      tradeNo: '2026112022001400000000009999',
      amountFen: 3000,
      paidAt: clock.now(),
      now: clock.now(),
      extra: { refund_fee: '10.00', gmt_refund: '2026-11-20 10:00:00.000', out_biz_no: 'RF1' },
    });
    const res = await t.app.inject({ method: 'POST', url: `${api}/channels/alipay/notify`, payload: form, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('success');
    expect(await handle.db.selectFrom('payment').select('id').where('channel', '=', 'alipay').execute()).toEqual([]);
    expect((await handle.db.selectFrom('payment_order').select('status').where('out_trade_no', '=', outTradeNo).executeTakeFirstOrThrow()).status).toBe('open');

    const log = await t.as('marketing', { method: 'GET', url: `${api}/channels/security-events?kind=refund_notice` });
    expect(log.statusCode).toBe(200);
    expect(log.json().items).toEqual([expect.objectContaining({ channel: 'alipay', kind: 'refund_notice', detail: expect.objectContaining({ outTradeNo, refundFee: '10.00' }) })]);
    expect((await t.as('cashierA', { method: 'GET', url: `${api}/channels/security-events` })).statusCode).toBe(403);
    expect((await t.as('marketing', { method: 'GET', url: `${api}/channels/security-events?kind=nonsense` })).statusCode).toBe(422);
  });
});

describe('10. ids, and payment orders from one pay token', () => {
  it('reads path and query numbers only in decimal', async () => {
    for (const id of ['0x10', '1e1', '%2016', '+16', '16.0', '0b1']) {
      const res = await t.as('admin', { method: 'GET', url: `${api}/accounts/${id}` });
      expect(res.statusCode, id).toBe(422);
    }
    expect((await t.as('admin', { method: 'GET', url: `${api}/accounts/${fx.accounts.A1}` })).statusCode).toBe(200);
    expect((await t.as('admin', { method: 'GET', url: `${api}/accounts?limit=0x10` })).statusCode).toBe(422);
    expect((await t.as('admin', { method: 'GET', url: `${api}/accounts?limit=16` })).statusCode).toBe(200);
  });

  it('limits the orders a pay token opens and the page orders an account has open', async () => {
    const app = await appWith({ GRANARY_OPEN_ORDERS_PER_ACCOUNT: '3', GRANARY_ORDERS_PER_PAY_TOKEN: '5' });
    const tokenFor = async (accountNo: string, name: string) => {
      const res = await app.app.inject({ method: 'POST', url: `${api}/pay/lookup`, payload: { accountNo, name } });
      expect(res.statusCode).toBe(200);
      return res.json().payToken as string;
    };
    const open = (token: string, accountId: number) =>
      app.app.inject({ method: 'POST', url: `${api}/payment-orders`, payload: { accountId, amountFen: 100_000_000, channel: 'gridapp' }, headers: { 'x-pay-token': token } });
    const token = await tokenFor('8800000003', '客户B1');
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push((await open(token, fx.accounts.B1)).statusCode);
    expect(answers).toEqual([201, 201, 201, 429]);
    // a new token for the same account (a second later: tokens are stamped to the second) does not reset what the account has open
    clock.advance(1000);
    const second = await tokenFor('8800000003', '客户B1');
    expect(second).not.toBe(token);
    expect((await open(second, fx.accounts.B1)).statusCode).toBe(429);
    // staff orders are not counted against the page
    expect((await app.as('cashierB', { method: 'POST', url: `${api}/payment-orders`, payload: { accountId: fx.accounts.B1, amountFen: 100, channel: 'gridapp' } })).statusCode).toBe(201);
    // expired orders free their place; the token's own count still stops it
    await sql`update payment_order set expires_at = ${new Date(clock.now().getTime() - 1000)} where account_id = ${fx.accounts.B1}`.execute(handle.db);
    const more = [];
    for (let i = 0; i < 3; i++) more.push((await open(token, fx.accounts.B1)).statusCode);
    expect(more).toEqual([201, 429, 429]); // the token opened 3 and was refused once by the account's limit: its 5 tries
  });
});
