import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig, type NotifySettings } from '../../src/config.js';
import { kyselyOnClient, type DatabaseHandle } from '../../src/db/connect.js';
import { inTransaction } from '../../src/db/tx.js';
import { verifyGridappSignature } from '../../src/modules/channels/domain/gridapp.js';
import { deliverDue, enqueueNotices, registerNotifyCommands, sendersOf, type Notice } from '../../src/modules/notify/index.js';
import { FixedClock } from '../../src/shared/clock.js';
import { AppError } from '../../src/shared/errors.js';
import { seedCounty, type Fixture } from '../fixtures/county.js';
import { buildTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase } from '../support/db.js';

/**
 * The notification outbox end to end: notices queued set-based and once, delivered to a local Aliyun SMS
 * endpoint that recomputes the SendSms signature as the provider does and to a grid-app endpoint that
 * verifies the push's HMAC with the callback's own verifier; a provider error kept and retried after the
 * back-off; channels without settings holding their messages; the API scoped and masking phones.
 */
const api = '/api/v1';
const clock = new FixedClock(new Date('2026-11-20T10:00:00+08:00'));
const ACCESS_KEY_ID = 'LTAI-granary-test';
const ACCESS_KEY_SECRET = 'aliyun-test-secret-0001';
const SIGN_NAME = '颗粒归仓供电';
const TEMPLATES = { balance_low: 'SMS_101', days_left: 'SMS_102', pending_disconnection: 'SMS_103', disconnected: 'SMS_104', reconnected: 'SMS_105' };
const GRID_SECRET = 'grid-shared-secret-for-tests-0001';
const PHONES = { A1: '13812340001', A2: '13812340002', B1: '13812340003' };
const PAY_URL = 'http://127.0.0.1:8080/pay';

let handle: DatabaseHandle;
let t: TestApp;
let fx: Fixture;
let provider: Provider;
let settings: NotifySettings;

// ---------------------------------------------------------------------------------------------------------------
// The local providers: what they received, and their answers.

interface SmsRequest {
  fields: Record<string, string>;
  signatureOk: boolean;
}
interface PushRequest {
  body: Record<string, unknown>;
  headers: http.IncomingHttpHeaders;
  signatureOk: boolean;
}
interface Provider {
  url: string;
  sms: SmsRequest[];
  pushes: PushRequest[];
  /** phone → Aliyun error codes to answer, one per request, before answering OK */
  smsErrors: Map<string, string[]>;
  close(): Promise<void>;
}

/** RFC 3986 encoding and the v1 signature, written here from Aliyun's documentation, independently of src/. */
function aliyunExpectedSignature(fields: Record<string, string>, secret: string): string {
  const enc = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
  const canonical = Object.keys(fields)
    .filter((k) => k !== 'Signature')
    .sort()
    .map((k) => `${enc(k)}=${enc(fields[k]!)}`)
    .join('&');
  return createHmac('sha1', `${secret}&`).update(`POST&${enc('/')}&${enc(canonical)}`).digest('base64');
}

async function startProvider(): Promise<Provider> {
  const p: Omit<Provider, 'url' | 'close'> = { sms: [], pushes: [], smsErrors: new Map() };
  const nonces = new Set<string>();
  let biz = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const answer = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.url === '/sms' && req.method === 'POST') {
        // Aliyun's checks: the form, its signature recomputed, the common parameters, a fresh nonce and timestamp
        const fields = Object.fromEntries(new URLSearchParams(raw)) as Record<string, string>;
        const signatureOk = fields.Signature === aliyunExpectedSignature(fields, ACCESS_KEY_SECRET);
        p.sms.push({ fields, signatureOk });
        if (!String(req.headers['content-type']).startsWith('application/x-www-form-urlencoded')) return answer(400, { Code: 'InvalidParameter', Message: 'form expected' });
        if (fields.AccessKeyId !== ACCESS_KEY_ID) return answer(404, { Code: 'InvalidAccessKeyId.NotFound', Message: 'Specified access key is not found.' });
        if (!signatureOk) return answer(400, { Code: 'SignatureDoesNotMatch', Message: 'Specified signature is not matched with our calculation.' });
        const common = { Action: 'SendSms', Version: '2017-05-25', SignatureMethod: 'HMAC-SHA1', SignatureVersion: '1.0', Format: 'JSON', RegionId: 'cn-hangzhou', SignName: SIGN_NAME };
        for (const [k, v] of Object.entries(common)) if (fields[k] !== v) return answer(400, { Code: 'InvalidParameter', Message: `${k}=${fields[k]}` });
        if (!fields.SignatureNonce || nonces.has(fields.SignatureNonce)) return answer(400, { Code: 'SignatureNonceUsed', Message: 'Specified signature nonce was used already.' });
        nonces.add(fields.SignatureNonce);
        if (Math.abs(Date.parse(fields.Timestamp!) - clock.now().getTime()) > 15 * 60_000 || !/Z$/.test(fields.Timestamp!)) return answer(400, { Code: 'InvalidTimeStamp.Expired', Message: fields.Timestamp });
        if (!Object.values(TEMPLATES).includes(fields.TemplateCode!)) return answer(200, { Code: 'isv.SMS_TEMPLATE_ILLEGAL', Message: 'template' });
        try {
          JSON.parse(fields.TemplateParam!);
        } catch {
          return answer(200, { Code: 'isv.INVALID_JSON_PARAM', Message: 'TemplateParam' });
        }
        const queued = p.smsErrors.get(fields.PhoneNumbers!) ?? [];
        const code = queued.shift();
        if (code) return answer(200, { Code: code, Message: `触发号码天级流控 ${fields.PhoneNumbers}`, RequestId: 'R-ERR' });
        return answer(200, { Code: 'OK', Message: 'OK', BizId: `biz-${++biz}^0`, RequestId: `R-${biz}` });
      }
      if (req.url === '/push' && req.method === 'POST') {
        const h = (n: string) => String(req.headers[n] ?? '');
        const signatureOk = verifyGridappSignature(Buffer.from(GRID_SECRET), h('x-grid-timestamp'), h('x-grid-nonce'), raw, h('x-grid-signature'));
        p.pushes.push({ body: JSON.parse(raw), headers: req.headers, signatureOk });
        if (!signatureOk) return answer(401, { code: 'FAIL', message: 'bad signature' });
        if (Math.abs(Number(h('x-grid-timestamp')) * 1000 - clock.now().getTime()) > 300_000) return answer(401, { code: 'FAIL', message: 'stale timestamp' });
        return answer(200, { code: 'SUCCESS', pushId: `push-${p.pushes.length}` });
      }
      answer(404, { Code: 'NotFound' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { ...p, url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const envOf = (url: string) => ({
  GRANARY_SMS_ALIYUN_ACCESS_KEY_ID: ACCESS_KEY_ID,
  GRANARY_SMS_ALIYUN_ACCESS_KEY_SECRET: ACCESS_KEY_SECRET,
  GRANARY_SMS_ALIYUN_SIGN_NAME: SIGN_NAME,
  GRANARY_SMS_ALIYUN_TEMPLATES: Object.entries(TEMPLATES)
    .map(([k, v]) => `${k}=${v}`)
    .join(','),
  GRANARY_SMS_ALIYUN_ENDPOINT: `${url}/sms`,
  GRANARY_GRIDAPP_PUSH_URL: `${url}/push`,
  GRANARY_GRIDAPP_SECRET: GRID_SECRET,
});

beforeAll(async () => {
  handle = await createTestDatabase();
  fx = await seedCounty(handle.db);
  provider = await startProvider();
  // the clock moves hours ahead through the retries: sessions must outlive it
  t = await buildTestApp(handle, { clock, env: { ...envOf(provider.url), GRANARY_SESSION_TTL_MINUTES: '100000' } });
  settings = t.config.notify;
});

afterAll(async () => {
  await t?.app.close();
  await provider?.close();
  await handle?.close();
});

const rows = () => handle.db.selectFrom('notification').selectAll().orderBy('id').execute();
const queue = (notices: Notice[]) => inTransaction(handle.db, (trx) => enqueueNotices(trx, notices, clock.now()));
const day = '2026-11-20';

describe('enqueueNotices', () => {
  it('queues each notice as an SMS to the primary contact phone and a push to the account number, texts rendered in Chinese', async () => {
    const n = await queue([
      { accountId: fx.accounts.A1, kind: 'balance_low', params: { availableFen: 4_321 }, dedupeKey: `${fx.accounts.A1}:balance_low:${day}` },
      { accountId: fx.accounts.A2, kind: 'pending_disconnection', params: { availableFen: -1_205, disconnectOn: '2026-11-23', payUrl: PAY_URL }, dedupeKey: `${fx.accounts.A2}:pending:${day}` },
      { accountId: fx.accounts.B1, kind: 'days_left', params: { availableFen: 900, daysLeft: 2.5 }, dedupeKey: `${fx.accounts.B1}:days_left:${day}` },
    ]);
    expect(n).toBe(3);
    const all = await rows();
    expect(all.map((r) => [r.account_id, r.channel, r.state])).toEqual(
      expect.arrayContaining([
        [fx.accounts.A1, 'sms', 'queued'],
        [fx.accounts.A1, 'app', 'queued'],
        [fx.accounts.A2, 'sms', 'queued'],
        [fx.accounts.A2, 'app', 'queued'],
        [fx.accounts.B1, 'sms', 'queued'],
        [fx.accounts.B1, 'app', 'queued'],
      ]),
    );
    expect(all).toHaveLength(6);
    const a1 = all.find((r) => r.account_id === fx.accounts.A1 && r.channel === 'sms')!;
    expect(a1.recipient).toBe(PHONES.A1); // whole in the table: it has to be sent
    expect(a1.body).toBe('您的户号8800000001可用电费余额43.21元，已低于预警金额，请及时缴费，以免影响正常用电。');
    expect(a1.params).toEqual({ availableFen: 4_321, accountNo: '8800000001' });
    expect(a1.attempts).toBe(0);
    expect(new Date(a1.next_attempt_at!).getTime()).toBe(clock.now().getTime());
    expect(all.find((r) => r.account_id === fx.accounts.A1 && r.channel === 'app')!.recipient).toBe('8800000001');
    expect(all.find((r) => r.account_id === fx.accounts.A2 && r.channel === 'sms')!.body).toBe(
      `您的户号8800000002已欠费12.05元，请于11月23日前缴清，逾期将停止供电。缴费：${PAY_URL}`,
    );
  });

  it('never queues the same notice twice, in one call or across calls', async () => {
    const again: Notice = { accountId: fx.accounts.A1, kind: 'balance_low', params: { availableFen: 1 }, dedupeKey: `${fx.accounts.A1}:balance_low:${day}` };
    expect(await queue([again, again])).toBe(0);
    const fresh: Notice = { ...again, dedupeKey: `${fx.accounts.A1}:balance_low:2026-11-21` };
    expect(await queue([fresh, fresh])).toBe(1);
    await handle.db.deleteFrom('notification').where('dedupe_key', '=', fresh.dedupeKey).execute();
    expect(await rows()).toHaveLength(6);
  });

  it('queues no SMS for an account without a phone, and nothing for an unknown account', async () => {
    await handle.db.updateTable('account_contact').set({ phone: null }).where('account_id', '=', fx.accounts.B1).execute();
    try {
      const key = `${fx.accounts.B1}:reconnected:${day}`;
      expect(await queue([{ accountId: fx.accounts.B1, kind: 'reconnected', params: { availableFen: 100 }, dedupeKey: key }, { accountId: 1_999_999_999, kind: 'reconnected', params: { availableFen: 1 }, dedupeKey: 'ghost' }])).toBe(1);
      const mine = (await rows()).filter((r) => r.dedupe_key === key);
      expect(mine.map((r) => r.channel)).toEqual(['app']);
      await handle.db.deleteFrom('notification').where('dedupe_key', '=', key).execute();
    } finally {
      await handle.db.updateTable('account_contact').set({ phone: PHONES.B1 }).where('account_id', '=', fx.accounts.B1).execute();
    }
  });

  it('refuses a batch with a bad notice, naming it, and writes nothing', async () => {
    const bad = [
      { accountId: fx.accounts.A1, kind: 'reconnected', params: { availableFen: 1 }, dedupeKey: 'ok-1' },
      { accountId: fx.accounts.A1, kind: 'disconnected', params: { availableFen: -1 }, dedupeKey: 'no-pay-url' },
    ] satisfies Notice[];
    const err = await queue(bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).message).toMatch(/no-pay-url.*params\.payUrl is required for disconnected/);
    expect(await rows()).toHaveLength(6);
  });

  it('queues 20,000 notices in one statement', async () => {
    const notices = Array.from({ length: 20_000 }, (_, i): Notice => ({ accountId: fx.accounts.B1, kind: 'balance_low', params: { availableFen: i }, dedupeKey: `bulk:${i}` }));
    // a transaction on a client whose statements are counted
    const client = await handle.pool.connect();
    const statements: string[] = [];
    const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
    (client as unknown as { query: typeof query }).query = (...args: unknown[]) => {
      statements.push(String(typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string }).text));
      return query(...args);
    };
    try {
      await query('begin');
      const started = Date.now();
      expect(await enqueueNotices(kyselyOnClient(client), notices, clock.now())).toBe(20_000);
      const ms = Date.now() - started;
      await query('commit');
      expect(statements).toHaveLength(1);
      expect(ms).toBeLessThan(20_000);
      expect(await handle.db.selectFrom('notification').select((eb) => eb.fn.countAll<number>().as('n')).where('dedupe_key', 'like', 'bulk:%').executeTakeFirst()).toEqual({ n: 40_000 });
    } finally {
      await query('rollback').catch(() => {});
      client.release();
      await handle.db.deleteFrom('notification').where('dedupe_key', 'like', 'bulk:%').execute();
    }
  });
});

describe('deliverDue against the local providers', () => {
  it('sends signed SMS and pushes; a provider error is kept and retried after the back-off', async () => {
    provider.smsErrors.set(PHONES.A2, ['isv.BUSINESS_LIMIT_CONTROL']);
    const first = await t.as('marketing', { method: 'POST', url: `${api}/notifications/deliver`, payload: {} });
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toEqual({ sent: 5, failed: 1, held: 0 });

    expect(provider.sms).toHaveLength(3);
    expect(provider.sms.every((r) => r.signatureOk)).toBe(true);
    const a1 = provider.sms.find((r) => r.fields.PhoneNumbers === PHONES.A1)!.fields;
    expect(a1.TemplateCode).toBe('SMS_101');
    expect(JSON.parse(a1.TemplateParam!)).toEqual({ accountNo: '8800000001', amount: '43.21' });
    const a2 = provider.sms.find((r) => r.fields.PhoneNumbers === PHONES.A2)!.fields;
    expect(a2.TemplateCode).toBe('SMS_103');
    expect(JSON.parse(a2.TemplateParam!)).toEqual({ accountNo: '8800000002', amount: '12.05', date: '11月23日', url: PAY_URL });
    expect(provider.pushes).toHaveLength(3);
    expect(provider.pushes.every((p) => p.signatureOk)).toBe(true);
    expect(provider.pushes.map((p) => p.body.accountNo).sort()).toEqual(['8800000001', '8800000002', '8800000003']);
    expect(provider.pushes.find((p) => p.body.accountNo === '8800000003')!.body).toMatchObject({ kind: 'days_left', title: '可用天数提醒', content: expect.stringContaining('预计还可用约2天') });

    const after = await rows();
    const failed = after.find((r) => r.account_id === fx.accounts.A2 && r.channel === 'sms')!;
    expect(failed).toMatchObject({ state: 'failed', attempts: 1, sent_at: null, provider_message_id: null });
    expect(failed.last_error).toBe('isv.BUSINESS_LIMIT_CONTROL: 触发号码天级流控 138****0002'); // the provider quoted the number: kept masked
    expect(new Date(failed.next_attempt_at!).getTime() - clock.now().getTime()).toBe(60_000);
    for (const r of after.filter((x) => x !== failed)) {
      expect(r, `${r.account_id} ${r.channel}`).toMatchObject({ state: 'sent', attempts: 1, next_attempt_at: null, last_error: null });
      expect(r.provider_message_id).toMatch(r.channel === 'sms' ? /^biz-\d+\^0$/ : /^push-\d+$/);
      expect(new Date(r.sent_at!).getTime()).toBe(clock.now().getTime());
    }
    const audit = await handle.db.selectFrom('audit_log').selectAll().where('action', '=', 'notifications.deliver').execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]!.detail).toMatchObject({ sent: 5, failed: 1, held: 0 });

    // not due again before its back-off is over
    expect(await deliverDue(handle.db, settings, { now: clock.now() })).toEqual({ sent: 0, failed: 0, held: 0 });
    clock.advance(61_000);
    expect(await deliverDue(handle.db, settings, { now: clock.now() })).toEqual({ sent: 1, failed: 0, held: 0 });
    const retried = (await rows()).find((r) => r.id === failed.id)!;
    expect(retried).toMatchObject({ state: 'sent', attempts: 2, last_error: null, next_attempt_at: null });
    expect(provider.sms.filter((r) => r.fields.PhoneNumbers === PHONES.A2)).toHaveLength(2);
    expect(new Set(provider.sms.map((r) => r.fields.SignatureNonce)).size).toBe(provider.sms.length);
  });

  it('gives up after the last attempt; a refusal of the number gives up at once', async () => {
    await queue([
      { accountId: fx.accounts.A1, kind: 'reconnected', params: { availableFen: 5_000 }, dedupeKey: `${fx.accounts.A1}:reconnected:${day}` },
      { accountId: fx.accounts.B1, kind: 'reconnected', params: { availableFen: 5_000 }, dedupeKey: `${fx.accounts.B1}:reconnected:${day}` },
    ]);
    provider.smsErrors.set(PHONES.A1, Array(10).fill('isv.BUSINESS_LIMIT_CONTROL'));
    provider.smsErrors.set(PHONES.B1, ['isv.MOBILE_NUMBER_ILLEGAL']);
    const smsOnly: NotifySettings = { ...settings, gridappPushUrl: undefined };
    const results = [];
    for (let i = 0; i < 6; i++) {
      results.push(await deliverDue(handle.db, smsOnly, { now: clock.now() }));
      clock.advance(3 * 3600_000);
    }
    expect(results.map((r) => r.failed)).toEqual([2, 1, 1, 1, 1, 0]);
    const sms = (await rows()).filter((r) => r.dedupe_key.endsWith(`:reconnected:${day}`) && r.channel === 'sms');
    expect(sms.find((r) => r.account_id === fx.accounts.A1)).toMatchObject({ state: 'failed', attempts: 5, next_attempt_at: null, last_error: expect.stringContaining('BUSINESS_LIMIT_CONTROL') });
    expect(sms.find((r) => r.account_id === fx.accounts.B1)).toMatchObject({ state: 'failed', attempts: 1, next_attempt_at: null, last_error: expect.stringContaining('MOBILE_NUMBER_ILLEGAL') });
    provider.smsErrors.clear();
    // the pushes of these notices waited (held) while the push was not configured
    const pushes = (await rows()).filter((r) => r.dedupe_key.endsWith(`:reconnected:${day}`) && r.channel === 'app');
    expect(pushes.map((r) => r.state)).toEqual(['held', 'held']);
  });

  it('a wrong secret: the providers refuse the signatures, the messages fail with their answers', async () => {
    await queue([{ accountId: fx.accounts.A2, kind: 'balance_low', params: { availableFen: 10 }, dedupeKey: `${fx.accounts.A2}:balance_low:${day}` }]);
    const before = { sms: provider.sms.length, pushes: provider.pushes.length };
    const wrong: NotifySettings = { ...settings, aliyun: { ...settings.aliyun, accessKeySecret: 'not-the-secret' }, gridappSecret: 'not-the-grid-secret-at-all' };
    expect(await deliverDue(handle.db, wrong, { now: clock.now() })).toEqual({ sent: 0, failed: 2, held: 0 });
    expect(provider.sms.slice(before.sms).map((r) => r.signatureOk)).toEqual([false]);
    expect(provider.pushes.slice(before.pushes).map((p) => p.signatureOk)).toEqual([false]);
    const mine = (await rows()).filter((r) => r.dedupe_key === `${fx.accounts.A2}:balance_low:${day}`);
    expect(mine.find((r) => r.channel === 'sms')!.last_error).toMatch(/^SignatureDoesNotMatch: /);
    expect(mine.find((r) => r.channel === 'app')!.last_error).toBe('HTTP 401 FAIL: bad signature');
    // with the right secret, after the back-off, both go out
    clock.advance(61_000);
    expect(await deliverDue(handle.db, settings, { now: clock.now() })).toEqual({ sent: 2, failed: 0, held: 0 });
  });

  it('a provider that does not answer: the message fails with the network error and is retried', async () => {
    await queue([{ accountId: fx.accounts.A1, kind: 'days_left', params: { availableFen: 10, daysLeft: 1 }, dedupeKey: `${fx.accounts.A1}:days_left:${day}` }]);
    const down: NotifySettings = { ...settings, aliyun: { ...settings.aliyun, endpoint: 'http://127.0.0.1:1/' }, gridappPushUrl: 'http://127.0.0.1:1/push' };
    expect(await deliverDue(handle.db, down, { now: clock.now() })).toEqual({ sent: 0, failed: 2, held: 0 });
    const mine = (await rows()).filter((r) => r.dedupe_key === `${fx.accounts.A1}:days_left:${day}`);
    for (const r of mine) expect(r).toMatchObject({ state: 'failed', attempts: 1, last_error: expect.stringMatching(/^network: /) });
    clock.advance(61_000);
    expect(await deliverDue(handle.db, settings, { now: clock.now() })).toEqual({ sent: 2, failed: 0, held: 0 });
  });

  it('without settings (the demo) every message is held in the outbox, unsent', async () => {
    await queue([{ accountId: fx.accounts.A2, kind: 'disconnected', params: { availableFen: -300, payUrl: PAY_URL }, dedupeKey: `${fx.accounts.A2}:disconnected:${day}` }]);
    const before = { sms: provider.sms.length, pushes: provider.pushes.length };
    const demo = loadConfig({ GRANARY_DEMO: '1' }).notify;
    expect(sendersOf(demo)).toEqual({ sms: null, app: null });
    expect(await deliverDue(handle.db, demo, { now: clock.now() })).toEqual({ sent: 0, failed: 0, held: 2 });
    expect({ sms: provider.sms.length, pushes: provider.pushes.length }).toEqual(before);
    const mine = (await rows()).filter((r) => r.dedupe_key === `${fx.accounts.A2}:disconnected:${day}`);
    expect(mine.map((r) => [r.state, r.attempts, r.next_attempt_at])).toEqual([
      ['held', 0, null],
      ['held', 0, null],
    ]);
    // held stays held: configuring a channel later does not send stale notices
    expect(await deliverDue(handle.db, settings, { now: clock.now() })).toEqual({ sent: 0, failed: 0, held: 0 });
  });

  it('`granary notify deliver` runs it once', async () => {
    await queue([{ accountId: fx.accounts.B1, kind: 'balance_low', params: { availableFen: 10 }, dedupeKey: `${fx.accounts.B1}:balance_low:${day}` }]);
    const program = new Command('granary').exitOverride();
    const lines: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
    try {
      // process.env has no notification settings here: the CLI holds the messages
      registerNotifyCommands(program, { withRuntime: (config, work) => work({ config, handle, clock, log: () => {} }), progressReporter: () => () => {} });
      await program.parseAsync(['node', 'granary', 'notify', 'deliver', '--limit', '10']);
    } finally {
      log.mockRestore();
    }
    expect(lines[0]).toBe('sent 0, failed 0 (retried later while attempts remain), held 2');
    expect(lines[1]).toMatch(/SMS \(GRANARY_SMS_ALIYUN_\*\) and the grid app push .* not configured/);
  });
});

describe('settings', () => {
  const full = () => loadConfig(envOf('http://127.0.0.1:9')).notify;
  const refusal = (s: NotifySettings) => {
    try {
      sendersOf(s);
    } catch (err) {
      return (err as Error).message;
    }
    return null;
  };

  it('refuses a half-configured SMS channel, naming the missing settings', () => {
    const s = full();
    expect(refusal(s)).toBeNull();
    expect(refusal({ ...s, aliyun: { ...s.aliyun, signName: undefined } })).toMatch(/set GRANARY_SMS_ALIYUN_SIGN_NAME too/);
    expect(refusal({ ...s, aliyun: { endpoint: s.aliyun.endpoint, accessKeyId: 'x' } })).toMatch(/ACCESS_KEY_SECRET, GRANARY_SMS_ALIYUN_SIGN_NAME, GRANARY_SMS_ALIYUN_TEMPLATES too/);
    expect(refusal({ ...s, gridappSecret: undefined })).toMatch(/GRANARY_GRIDAPP_PUSH_URL is set but GRANARY_GRIDAPP_SECRET is not/);
  });

  it('refuses a malformed template mapping; the server does not start with one', async () => {
    const s = full();
    expect(refusal({ ...s, aliyun: { ...s.aliyun, templates: 'balance_low=SMS_1' } })).toMatch(/GRANARY_SMS_ALIYUN_TEMPLATES: no TemplateCode for days_left/);
    await expect(buildTestApp(handle, { env: { ...envOf('http://127.0.0.1:9'), GRANARY_SMS_ALIYUN_TEMPLATES: 'balance_low=1' } })).rejects.toThrow(/GRANARY_SMS_ALIYUN_TEMPLATES: the TemplateCode of balance_low/);
  });
});

describe('GET /notifications', () => {
  type Item = { id: number; accountId: number; accountNo: string; channel: string; recipient: string; body: string; state: string; lastError: string | null };
  const list = async (user: Parameters<TestApp['as']>[0], query = '') => {
    const res = await t.as(user, { method: 'GET', url: `${api}/notifications${query}` });
    expect(res.statusCode, res.body).toBe(200);
    return { items: res.json().items as Item[], nextCursor: res.json().nextCursor as string | null, body: res.body };
  };

  it('shows the messages with the phone masked, newest first', async () => {
    const { items, body } = await list('admin', '?limit=500');
    expect(items.length).toBe((await rows()).length);
    expect(items.map((i) => i.id)).toEqual([...items.map((i) => i.id)].sort((a, b) => b - a));
    for (const phone of Object.values(PHONES)) expect(body).not.toContain(phone);
    const a2 = items.find((i) => i.accountId === fx.accounts.A2 && i.channel === 'sms')!;
    expect(a2.recipient).toBe('138****0002');
    expect(items.find((i) => i.channel === 'app')!.recipient).toMatch(/^88000000\d\d$/);
    expect(body).toContain('已欠费12.05元');
  });

  it('lists only the accounts in the caller’s scope', async () => {
    const accountsOf = async (user: Parameters<TestApp['as']>[0], query = '') => new Set((await list(user, query)).items.map((i) => i.accountId));
    expect(await accountsOf('headA')).toEqual(new Set([fx.accounts.A1, fx.accounts.A2]));
    expect(await accountsOf('headB')).toEqual(new Set([fx.accounts.B1]));
    expect(await accountsOf('amA1')).toEqual(new Set([fx.accounts.A1]));
    expect(await accountsOf('auditor')).toEqual(new Set([fx.accounts.A1, fx.accounts.A2, fx.accounts.B1]));
    // another station's account named in the filter finds nothing, as if it had no messages
    expect((await list('headA', `?accountId=${fx.accounts.B1}`)).items).toEqual([]);
    expect((await list('amA1', `?accountId=${fx.accounts.A2}`)).items).toEqual([]);
    expect((await list('headB', '?limit=500')).body).not.toContain('8800000001');
  });

  it('filters by account, kind, channel and state, and pages with a cursor', async () => {
    const a1 = await list('admin', `?accountId=${fx.accounts.A1}&limit=500`);
    expect(a1.items.length).toBeGreaterThan(0);
    expect(a1.items.every((i) => i.accountId === fx.accounts.A1)).toBe(true);
    const held = await list('admin', '?state=held&channel=app&kind=reconnected');
    expect(held.items).toHaveLength(2);
    expect(held.items.every((i) => i.state === 'held' && i.channel === 'app')).toBe(true);
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const page = await list('admin', `?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.items.map((i) => i.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual((await list('admin', '?limit=500')).items.map((i) => i.id));
  });

  it('needs notifications.view; "send now" needs feecontrol.manage', async () => {
    const cashier = await t.as('cashierA', { method: 'GET', url: `${api}/notifications` });
    expect(cashier.statusCode).toBe(403);
    expect(cashier.json().code).toBe('FORBIDDEN');
    for (const user of ['headA', 'amA1', 'auditor', 'manager', 'cashierA'] as const) {
      const res = await t.as(user, { method: 'POST', url: `${api}/notifications/deliver`, payload: { limit: 1 } });
      expect(res.statusCode, `${user} ${res.body}`).toBe(403);
    }
    const admin = await t.as('admin', { method: 'POST', url: `${api}/notifications/deliver` });
    expect(admin.statusCode, admin.body).toBe(200);
  });
});
