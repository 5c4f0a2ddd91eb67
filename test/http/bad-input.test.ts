import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/connect.js';
import { seedCounty, type Fixture, type FixtureUser } from '../fixtures/county.js';
import { buildTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase } from '../support/db.js';
import { fingerprintTables, type TableFingerprint } from '../support/tables.js';

/**
 * Bad input (DESIGN §6): a 4xx application/problem+json {type,title,status,code,detail} whose message names
 * the field, never a 500, and nothing written — every table (audit_log without login rows) is compared
 * before and after.
 */

type Res = Awaited<ReturnType<TestApp['as']>>;
const BODY_LIMIT = 4096;
const api = '/api/v1';

let handle: DatabaseHandle;
let t: TestApp;
let fx: Fixture;

beforeAll(async () => {
  handle = await createTestDatabase();
  fx = await seedCounty(handle.db);
  t = await buildTestApp(handle, { env: { GRANARY_BODY_LIMIT: String(BODY_LIMIT) } });
  for (const u of ['admin', 'headA', 'marketing', 'auditor'] as const) await t.tokenFor(u);
});
afterAll(async () => {
  await t?.app.close();
  await handle?.close();
});

/** null when `res` is the problem wanted, else what is wrong with it. */
function problemError(res: Res, status: number, field?: string): string | null {
  const head = `${res.statusCode} ${res.body.slice(0, 400)}`;
  if (res.statusCode !== status) return `status ${head}, wanted ${status}`;
  if (!String(res.headers['content-type']).startsWith('application/problem+json')) return `content-type ${String(res.headers['content-type'])}: ${head}`;
  const p = res.json() as { type?: unknown; title?: unknown; status?: unknown; code?: unknown; detail?: unknown; errors?: { field: string; message: string }[] };
  for (const k of ['type', 'title', 'code', 'detail'] as const) if (typeof p[k] !== 'string' || p[k] === '') return `no ${k}: ${head}`;
  if (p.status !== status) return `problem status ${String(p.status)}: ${head}`;
  if (field) {
    const named = (f: string) => f === field || f.endsWith(`.${field}`);
    if (!p.errors?.some((e) => named(e.field) && e.message)) return `errors do not name ${field}: ${head}`;
    if (!String(p.detail).includes(field)) return `detail does not name ${field}: ${head}`;
  }
  return null;
}

const accountBody = (over: Record<string, unknown> = {}) => ({
  accountNo: '7700000001',
  customerId: fx.customers.A1,
  areaId: fx.areas.A1,
  name: '新开户',
  category: 'residential',
  voltageLevel: '0.22kV',
  paymentMode: 'postpaid',
  tariffCode: 'gansu.residential.tiered',
  ...over,
});
const customerBody = (over: Record<string, unknown> = {}) => ({ customerNo: 'C-BAD-1', kind: 'person', name: '新客户', stationId: fx.stations.A, ...over });
const contractBody = (over: Record<string, unknown> = {}) => ({ accountId: fx.accounts.A1, contractNo: 'HT-BAD-1', kind: 'supply', signedOn: '2026-01-01', startsOn: '2026-01-01', ...over });
const meterBody = (over: Record<string, unknown> = {}) => ({ accountId: fx.accounts.A1, meterNo: 'MT-BAD-1', registers: ['total'], ...over });
const b64 = (s: string) => Buffer.from(s).toString('base64url');

interface Case {
  name: string;
  user?: FixtureUser;
  method: string;
  url: string | (() => string);
  payload?: unknown;
  headers?: Record<string, string>;
  status: number;
  /** The field the message must name (errors[].field and detail). */
  field?: string;
}

const json = { 'content-type': 'application/json' };

/** Each rejected request; `url`/`payload` are thunks where they need fixture ids. */
const CASES: (() => Case)[] = [
  // malformed JSON
  () => ({ name: 'truncated JSON', method: 'POST', url: `${api}/accounts`, payload: '{"accountNo": "7700000001",', headers: json, status: 400 }),
  () => ({ name: 'not JSON at all', method: 'PATCH', url: `${api}/accounts/${fx.accounts.A1}`, payload: 'name=x', headers: json, status: 400 }),
  () => ({ name: 'empty JSON body', method: 'POST', url: `${api}/customers`, payload: '', headers: json, status: 400 }),
  () => ({ name: 'trailing garbage', method: 'POST', url: `${api}/customers`, payload: `${JSON.stringify(customerBody())}}`, headers: json, status: 400 }),
  () => ({ name: '__proto__ key', method: 'POST', url: `${api}/customers`, payload: '{"__proto__": {"isAdmin": true}, "customerNo": "C-BAD-1"}', headers: json, status: 400 }),
  () => ({ name: 'constructor.prototype key', method: 'POST', url: `${api}/customers`, payload: '{"constructor": {"prototype": {"isAdmin": true}}}', headers: json, status: 400 }),
  () => ({ name: 'JSON null body', method: 'PUT', url: `${api}/accounts/${fx.accounts.A1}/contacts`, payload: 'null', headers: json, status: 422 }),
  () => ({ name: 'JSON array body', method: 'POST', url: `${api}/customers`, payload: '[]', headers: json, status: 422 }),
  () => ({ name: 'JSON string body', method: 'POST', url: `${api}/customers`, payload: '"C-BAD-1"', headers: json, status: 422 }),
  () => ({ name: 'login with malformed JSON', method: 'POST', url: `${api}/auth/login`, payload: '{"username":', headers: json, status: 400 }),

  // wrong types
  () => ({ name: 'area capacityKva as a number', method: 'POST', url: `${api}/areas`, payload: { code: 'A9', name: 'A9台区', stationId: fx.stations.A, capacityKva: 100 }, status: 422, field: 'capacityKva' }),
  () => ({ name: 'account capacityKva as a number', method: 'POST', url: `${api}/accounts`, payload: accountBody({ capacityKva: 100 }), status: 422, field: 'capacityKva' }),
  () => ({ name: 'account areaId "x"', method: 'POST', url: `${api}/accounts`, payload: accountBody({ areaId: 'x' }), status: 422, field: 'areaId' }),
  () => ({ name: 'account areaId as a numeric string', method: 'POST', url: `${api}/accounts`, payload: accountBody({ areaId: String(fx.areas.A1) }), status: 422, field: 'areaId' }),
  () => ({ name: 'account areaId 1.5', method: 'PATCH', url: `${api}/accounts/${fx.accounts.A1}`, payload: { areaId: 1.5 }, status: 422, field: 'areaId' }),
  () => ({ name: 'account capacityKva with three decimals', method: 'PATCH', url: `${api}/accounts/${fx.accounts.A1}`, payload: { capacityKva: '100.001' }, status: 422, field: 'capacityKva' }),
  () => ({ name: 'account capacityKva negative', method: 'PATCH', url: `${api}/accounts/${fx.accounts.A1}`, payload: { capacityKva: '-5' }, status: 422, field: 'capacityKva' }),
  () => ({ name: 'account isImportant "yes"', method: 'PATCH', url: `${api}/accounts/${fx.accounts.A1}`, payload: { isImportant: 'yes' }, status: 422, field: 'isImportant' }),
  () => ({ name: 'account category not in the list', method: 'PATCH', url: `${api}/accounts/${fx.accounts.A1}`, payload: { category: 'space_station' }, status: 422, field: 'category' }),
  () => ({ name: 'account name null', method: 'PATCH', url: `${api}/accounts/${fx.accounts.A1}`, payload: { name: null }, status: 422, field: 'name' }),
  () => ({ name: 'account name too long', method: 'PATCH', url: `${api}/accounts/${fx.accounts.A1}`, payload: { name: '长'.repeat(201) }, status: 422, field: 'name' }),
  () => ({ name: 'account customerId out of range', method: 'POST', url: `${api}/accounts`, payload: accountBody({ customerId: 1e20 }), status: 422, field: 'customerId' }),
  () => ({ name: 'account openedOn not a date', method: 'POST', url: `${api}/accounts`, payload: accountBody({ openedOn: '2026-02-30' }), status: 422, field: 'openedOn' }),
  () => ({ name: 'meter registers as a string', method: 'POST', url: `${api}/meters`, payload: meterBody({ registers: 'total' }), status: 422, field: 'registers' }),
  () => ({ name: 'meter registers repeated', method: 'POST', url: `${api}/meters`, payload: meterBody({ registers: ['total', 'total'] }), status: 422, field: 'registers' }),
  () => ({ name: 'meter multiplier as a number', method: 'POST', url: `${api}/meters`, payload: meterBody({ multiplier: 2 }), status: 422, field: 'multiplier' }),
  () => ({ name: 'meter multiplier zero', method: 'PATCH', url: `${api}/meters/${fx.meters.A1}`, payload: { multiplier: '0' }, status: 422, field: 'multiplier' }),
  () => ({ name: 'contract dueDay as a string', method: 'PATCH', url: `${api}/contracts/${fx.contracts.A1}`, payload: { dueDay: '5' }, status: 422, field: 'dueDay' }),
  () => ({ name: 'contract dueDay 31', method: 'PATCH', url: `${api}/contracts/${fx.contracts.A1}`, payload: { dueDay: 31 }, status: 422, field: 'dueDay' }),
  () => ({ name: 'contract ending before it starts', method: 'POST', url: `${api}/contracts`, payload: contractBody({ startsOn: '2026-03-01', endsOn: '2026-02-01' }), status: 422, field: 'endsOn' }),
  () => ({ name: 'contract changed to end before it starts', method: 'PATCH', url: `${api}/contracts/${fx.contracts.A1}`, payload: { endsOn: '2020-01-01' }, status: 422, field: 'endsOn' }),
  () => ({ name: 'customer stationId as a string', method: 'POST', url: `${api}/customers`, payload: customerBody({ stationId: String(fx.stations.A) }), status: 422, field: 'stationId' }),
  () => ({ name: 'customer phone with letters', method: 'POST', url: `${api}/customers`, payload: customerBody({ phone: '1390000abcd' }), status: 422, field: 'phone' }),
  () => ({ name: 'customer name with a NUL character', method: 'POST', url: `${api}/customers`, payload: customerBody({ name: 'a\u0000b' }), status: 422, field: 'name' }),
  () => ({ name: 'contact name with a NUL character', method: 'PUT', url: `${api}/accounts/${fx.accounts.A1}/contacts`, payload: { contacts: [{ name: 'x\u0000' }] }, status: 422, field: 'name' }),
  () => ({ name: 'user role not in the list', method: 'POST', url: `${api}/users`, payload: { username: 'newuser', displayName: '新用户', role: 'root', orgUnitId: fx.stations.A, password: 'long-enough-pw' }, status: 422, field: 'role' }),
  () => ({ name: 'user password too short', method: 'POST', url: `${api}/users`, payload: { username: 'newuser', displayName: '新用户', role: 'cashier', orgUnitId: fx.stations.A, password: 'short' }, status: 422, field: 'password' }),
  () => ({ name: 'user status not in the list', method: 'PATCH', url: `${api}/users/${fx.users.cashierA}`, payload: { status: 'deleted' }, status: 422, field: 'status' }),
  () => ({ name: 'station code with spaces', method: 'POST', url: `${api}/org/stations`, payload: { code: 'st c', name: '丙所' }, status: 422, field: 'code' }),

  // unknown fields
  () => ({ name: 'unknown field on create', method: 'POST', url: `${api}/customers`, payload: customerBody({ vip: true }), status: 422, field: 'vip' }),
  () => ({ name: 'accountNo is not changeable', method: 'PATCH', url: `${api}/accounts/${fx.accounts.A1}`, payload: { accountNo: '7700000009' }, status: 422, field: 'accountNo' }),
  () => ({ name: 'companyId is not settable', method: 'PATCH', url: `${api}/accounts/${fx.accounts.A1}`, payload: { companyId: 1 }, status: 422, field: 'companyId' }),
  () => ({ name: 'unknown field in a contact', method: 'PUT', url: `${api}/accounts/${fx.accounts.A1}/contacts`, payload: { contacts: [{ name: '张三', email: 'a@b.c' }] }, status: 422, field: 'email' }),
  () => ({ name: 'unknown query parameter', method: 'GET', url: `${api}/accounts?sort=name`, status: 422, field: 'sort' }),
  () => ({ name: 'password hash is not settable', method: 'PATCH', url: `${api}/users/${fx.users.cashierA}`, payload: { passwordHash: 'x' }, status: 422, field: 'passwordHash' }),

  // missing required fields
  () => ({ name: 'account without accountNo', method: 'POST', url: `${api}/accounts`, payload: (({ accountNo: _, ...rest }) => rest)(accountBody()), status: 422, field: 'accountNo' }),
  () => ({ name: 'account without tariffCode', method: 'POST', url: `${api}/accounts`, payload: (({ tariffCode: _, ...rest }) => rest)(accountBody()), status: 422, field: 'tariffCode' }),
  () => ({ name: 'empty customer', method: 'POST', url: `${api}/customers`, payload: {}, status: 422, field: 'customerNo' }),
  () => ({ name: 'contract without signedOn', method: 'POST', url: `${api}/contracts`, payload: (({ signedOn: _, ...rest }) => rest)(contractBody()), status: 422, field: 'signedOn' }),
  () => ({ name: 'contacts without the list', method: 'PUT', url: `${api}/accounts/${fx.accounts.A1}/contacts`, payload: {}, status: 422, field: 'contacts' }),
  () => ({ name: 'contact without a name', method: 'PUT', url: `${api}/accounts/${fx.accounts.A1}/contacts`, payload: { contacts: [{ phone: '13900001111' }] }, status: 422, field: 'name' }),
  () => ({ name: 'an empty change', method: 'PATCH', url: `${api}/accounts/${fx.accounts.A1}`, payload: {}, status: 422 }),
  () => ({ name: 'login without password', method: 'POST', url: `${api}/auth/login`, payload: { username: 'admin' }, status: 422, field: 'password' }),
  () => ({ name: 'two primary contacts', method: 'PUT', url: `${api}/accounts/${fx.accounts.A1}/contacts`, payload: { contacts: [{ name: '甲', isPrimary: true }, { name: '乙', isPrimary: true }] }, status: 422, field: 'contacts' }),

  // oversized bodies
  () => ({ name: 'a body over the limit', method: 'POST', url: `${api}/customers`, payload: customerBody({ address: 'x'.repeat(BODY_LIMIT) }), status: 413 }),
  () => ({ name: 'many contacts over the limit', method: 'PUT', url: `${api}/accounts/${fx.accounts.A1}/contacts`, payload: { contacts: Array.from({ length: 200 }, (_, i) => ({ name: `联系人${i}`, phone: '13900001111' })) }, status: 413 }),
  () => ({ name: 'login over the limit', method: 'POST', url: `${api}/auth/login`, payload: { username: 'admin', password: 'p'.repeat(BODY_LIMIT) }, status: 413 }),

  // wrong content type
  () => ({ name: 'text/plain', method: 'POST', url: `${api}/customers`, payload: JSON.stringify(customerBody()), headers: { 'content-type': 'text/plain' }, status: 415 }),
  () => ({ name: 'form-encoded', method: 'POST', url: `${api}/customers`, payload: 'customerNo=C-BAD-1&kind=person', headers: { 'content-type': 'application/x-www-form-urlencoded' }, status: 415 }),
  () => ({ name: 'XML', method: 'PATCH', url: `${api}/accounts/${fx.accounts.A1}`, payload: '<name>x</name>', headers: { 'content-type': 'application/xml' }, status: 415 }),
  () => ({ name: 'multipart', method: 'PUT', url: `${api}/accounts/${fx.accounts.A1}/contacts`, payload: '--b\r\n\r\nx\r\n--b--', headers: { 'content-type': 'multipart/form-data; boundary=b' }, status: 415 }),

  () => ({ name: 'a body without a content type', method: 'POST', url: `${api}/customers`, payload: JSON.stringify(customerBody()), headers: { 'content-type': '' }, status: 415 }),
  () => ({ name: 'login as text/plain', method: 'POST', url: `${api}/auth/login`, payload: '{"username":"admin","password":"x"}', headers: { 'content-type': 'text/plain' }, status: 415 }),

  // bad path ids
  ...['abc', '0', '-1', '1.5', '99999999999999999999', '9007199254740993', '%20', '1%00', '0x10', '1e1', '+16', '%2016', '0b1'].flatMap((id) => [
    () => ({ name: `GET /accounts/${id}`, method: 'GET', url: `${api}/accounts/${id}`, status: 422, field: 'id' }),
    () => ({ name: `PATCH /accounts/${id}`, method: 'PATCH', url: `${api}/accounts/${id}`, payload: { name: 'x' }, status: 422, field: 'id' }),
    () => ({ name: `GET /accounts/${id}/reads`, method: 'GET', url: `${api}/accounts/${id}/reads`, status: 422, field: 'id' }),
  ]),
  ...['customers', 'meters', 'contracts', 'users', 'areas'].flatMap((what) => [
    () => ({ name: `GET /${what}/abc`, method: 'GET', url: `${api}/${what}/abc`, status: 422, field: 'id' }),
    () => ({ name: `GET /${what}/0`, method: 'GET', url: `${api}/${what}/0`, status: 422, field: 'id' }),
    () => ({ name: `GET /${what}/99999999999999999999`, method: 'GET', url: `${api}/${what}/99999999999999999999`, status: 422, field: 'id' }),
  ]),

  // bad cursors and limits
  // account events
  ...['after=-1', 'after=x', 'after=0x10', 'limit=0', 'limit=1001', 'accountId=0', 'accountId=abc', 'since=1'].map((q) => () => ({ name: `events ${q}`, method: 'GET', url: `${api}/events?${q}`, status: 422, field: q.split('=')[0]! })),
  () => ({ name: 'event stream after=-1', method: 'GET', url: `${api}/events/stream?after=-1`, status: 422, field: 'after' }),
  () => ({ name: 'event stream Last-Event-ID not a number', method: 'GET', url: `${api}/events/stream`, headers: { 'last-event-id': 'abc' }, status: 422, field: 'last-event-id' }),

  // the channels' security log (company-level roles)
  () => ({ name: 'security events of an unknown kind', method: 'GET', url: `${api}/channels/security-events?kind=nonsense`, status: 422, field: 'kind' }),
  () => ({ name: 'security events of an unknown channel', method: 'GET', url: `${api}/channels/security-events?channel=paypal`, status: 422, field: 'channel' }),
  () => ({ name: 'security events limit in hex', method: 'GET', url: `${api}/channels/security-events?limit=0x10`, status: 422, field: 'limit' }),
  () => ({ name: 'security events with an unknown parameter', method: 'GET', url: `${api}/channels/security-events?since=yesterday`, status: 422, field: 'since' }),

  ...['accounts', 'customers', 'users', 'audit', 'channels/security-events', 'fee-control/accounts', 'fee-control/commands', 'fee-control/approvals'].flatMap((what) => [
    () => ({ name: `${what}: cursor garbage`, method: 'GET', url: `${api}/${what}?cursor=garbage`, status: 400, field: 'cursor' }),
    () => ({ name: `${what}: cursor with a non-number`, method: 'GET', url: `${api}/${what}?cursor=${b64('id:abc')}`, status: 400, field: 'cursor' }),
    () => ({ name: `${what}: cursor too large`, method: 'GET', url: `${api}/${what}?cursor=${b64('id:99999999999999999999')}`, status: 400, field: 'cursor' }),
    () => ({ name: `${what}: cursor with SQL`, method: 'GET', url: `${api}/${what}?cursor=${b64("id:1 or 1=1; --")}`, status: 400, field: 'cursor' }),
    () => ({ name: `${what}: cursor too long`, method: 'GET', url: `${api}/${what}?cursor=${'a'.repeat(65)}`, status: 422, field: 'cursor' }),
    ...['0', '-1', '501', '1.5', 'abc', '1e9', ''].map((limit) => () => ({ name: `${what}: limit=${limit}`, method: 'GET', url: `${api}/${what}?limit=${limit}`, status: 422, field: 'limit' })),
    () => ({ name: `${what}: two limits`, method: 'GET', url: `${api}/${what}?limit=1&limit=2`, status: 422, field: 'limit' }),
  ]),

  // other bad query values
  () => ({ name: 'areaId filter "x"', method: 'GET', url: `${api}/accounts?areaId=x`, status: 422, field: 'areaId' }),
  () => ({ name: 'category filter not in the list', method: 'GET', url: `${api}/accounts?category=nope`, status: 422, field: 'category' }),
  () => ({ name: 'search text too long', method: 'GET', url: `${api}/accounts?q=${'x'.repeat(65)}`, status: 422, field: 'q' }),
  () => ({ name: 'unmask=perhaps', method: 'GET', url: `${api}/accounts/${fx.accounts.A1}?unmask=perhaps`, status: 422, field: 'unmask' }),
  () => ({ name: 'reads kind=weekly', method: 'GET', url: `${api}/accounts/${fx.accounts.A1}/reads?kind=weekly`, status: 422, field: 'kind' }),
  () => ({ name: 'reads from 2026-02-30', method: 'GET', url: `${api}/accounts/${fx.accounts.A1}/reads?from=2026-02-30`, status: 422, field: 'from' }),
  () => ({ name: 'reads from after to', method: 'GET', url: `${api}/accounts/${fx.accounts.A1}/reads?from=2026-10-01&to=2026-01-01`, status: 422, field: 'from' }),
  () => ({ name: 'users role filter not in the list', method: 'GET', url: `${api}/users?role=root`, status: 422, field: 'role' }),
  () => ({ name: 'NUL in a search', method: 'GET', url: `${api}/accounts?q=a%00b`, status: 422, field: 'q' }),
  () => ({ name: 'NUL in a filter', method: 'GET', url: `${api}/audit?action=auth.login%00`, status: 422, field: 'action' }),
  () => ({ name: 'NUL in a login name', method: 'POST', url: `${api}/auth/login`, payload: { username: 'admin\u0000', password: 'x' }, status: 422, field: 'username' }),
  () => ({ name: 'audit actorId out of range', method: 'GET', url: `${api}/audit?actorId=99999999999999999999`, status: 422, field: 'actorId' }),
  () => ({ name: 'audit actorId "me"', method: 'GET', url: `${api}/audit?actorId=me`, status: 422, field: 'actorId' }),

  // fee control
  ...['state=lost', 'mode=postpaid', 'stationId=x', 'areaId=0', 'large=perhaps', 'sort=state'].map(
    (q) => () => ({ name: `fee-control accounts ${q}`, method: 'GET', url: `${api}/fee-control/accounts?${q}`, status: 422, field: q.split('=')[0]! }),
  ),
  ...['date=2026-02-30', 'date=2000-01-01', 'date=2099-01-01', 'hour=24', 'hour=x', 'hour=0x1'].map(
    (q) => () => ({ name: `fee-control dry run ${q}`, method: 'GET', url: `${api}/fee-control/dry-run?${q}`, status: 422, field: q.split('=')[0]! }),
  ),
  ...['state=lost', 'accountId=0', 'accountId=abc'].map((q) => () => ({ name: `fee-control commands ${q}`, method: 'GET', url: `${api}/fee-control/commands?${q}`, status: 422, field: q.split('=')[0]! })),
  () => ({ name: 'fee-control approvals status=maybe', method: 'GET', url: `${api}/fee-control/approvals?status=maybe`, status: 422, field: 'status' }),
  ...['from=x', 'to=2026-13-01', 'from=2027-01-01&to=2026-01-01'].map((q) => () => ({ name: `blackout days ${q}`, method: 'GET', url: `${api}/fee-control/blackout-days?${q}`, status: 422, field: q.split('=')[0]! })),
  () => ({ name: 'blackout day of an unknown kind', method: 'POST', url: `${api}/fee-control/blackout-days`, payload: { day: '2099-01-01', kind: 'flood' }, status: 422, field: 'kind' }),
  () => ({ name: 'blackout day without a day', method: 'POST', url: `${api}/fee-control/blackout-days`, payload: { kind: 'weather' }, status: 422, field: 'day' }),
  () => ({ name: 'blackout day not a date', method: 'POST', url: `${api}/fee-control/blackout-days`, payload: { day: '2099-02-30', kind: 'weather' }, status: 422, field: 'day' }),
  () => ({ name: 'blackout day in the past', method: 'POST', url: `${api}/fee-control/blackout-days`, payload: { day: '2000-01-01', kind: 'weather' }, status: 422, field: 'day' }),
  () => ({ name: 'blackout day note too long', method: 'POST', url: `${api}/fee-control/blackout-days`, payload: { day: '2099-01-01', kind: 'weather', note: 'x'.repeat(201) }, status: 422, field: 'note' }),
  () => ({ name: 'blackout day with an unknown field', method: 'POST', url: `${api}/fee-control/blackout-days`, payload: { day: '2099-01-01', kind: 'weather', all: true }, status: 422, field: 'all' }),
  ...['2026-02-30', 'abc', '20260101'].map((day) => () => ({ name: `DELETE blackout day ${day}`, method: 'DELETE', url: `${api}/fee-control/blackout-days/${day}`, status: 422, field: 'day' })),
  () => ({ name: 'approval without accounts', method: 'POST', url: `${api}/fee-control/approvals`, payload: { accountIds: [], reason: '停电' }, status: 422, field: 'accountIds' }),
  () => ({ name: 'approval accountIds as strings', method: 'POST', url: `${api}/fee-control/approvals`, payload: { accountIds: [String(fx.accounts.A1)], reason: '停电' }, status: 422, field: 'accountIds.0' }),
  () => ({ name: 'approval accountIds repeated', method: 'POST', url: `${api}/fee-control/approvals`, payload: { accountIds: [fx.accounts.A1, fx.accounts.A1], reason: '停电' }, status: 422, field: 'accountIds' }),
  () => ({ name: 'approval without a reason', method: 'POST', url: `${api}/fee-control/approvals`, payload: { accountIds: [fx.accounts.A1] }, status: 422, field: 'reason' }),
  () => ({ name: 'approval of an unprotected account', method: 'POST', url: `${api}/fee-control/approvals`, payload: { accountIds: [fx.accounts.A1], reason: '停电' }, status: 422, field: 'accountIds' }),
  () => ({ name: 'approval decision "yes"', method: 'POST', url: `${api}/fee-control/approvals/1/decide`, payload: { approve: 'yes' }, status: 422, field: 'approve' }),
  () => ({ name: 'approval decision of id abc', method: 'POST', url: `${api}/fee-control/approvals/abc/decide`, payload: { approve: true }, status: 422, field: 'id' }),
  ...['retry', 'cancel'].map((verb) => () => ({ name: `command ${verb} of id 0`, method: 'POST', url: `${api}/fee-control/commands/0/${verb}`, status: 422, field: 'id' })),
  ...[999, 20_001, '2000', null].map((warnFen) => () => ({ name: `warning amount ${String(warnFen)}`, method: 'PUT', url: `${api}/accounts/${fx.accounts.A1}/fee-control/warning`, payload: { warnFen }, status: 422, field: 'warnFen' })),
  () => ({ name: 'warning amount missing', method: 'PUT', url: `${api}/accounts/${fx.accounts.A1}/fee-control/warning`, payload: {}, status: 422, field: 'warnFen' }),
  ...['days=6', 'days=401', 'days=x'].map((q) => () => ({ name: `account fee control ${q}`, method: 'GET', url: `${api}/accounts/${fx.accounts.A1}/fee-control?${q}`, status: 422, field: 'days' })),

  // the notification outbox
  ...['accountId=0', 'accountId=abc', 'accountId=0x10', 'kind=weather', 'state=lost', 'channel=fax', 'limit=0', 'limit=501', 'since=1'].map(
    (q) => () => ({ name: `notifications ${q}`, method: 'GET', url: `${api}/notifications?${q}`, status: 422, field: q.split('=')[0]! }),
  ),
  () => ({ name: 'notifications: cursor garbage', method: 'GET', url: `${api}/notifications?cursor=garbage`, status: 400, field: 'cursor' }),
  () => ({ name: 'notifications deliver with an unknown field', method: 'POST', url: `${api}/notifications/deliver`, payload: { force: true }, status: 422, field: 'force' }),
  () => ({ name: 'notifications deliver limit 0', method: 'POST', url: `${api}/notifications/deliver`, payload: { limit: 0 }, status: 422, field: 'limit' }),
  () => ({ name: 'notifications deliver limit as a string', method: 'POST', url: `${api}/notifications/deliver`, payload: { limit: '5' }, status: 422, field: 'limit' }),
  () => ({ name: 'notifications deliver as text/plain', method: 'POST', url: `${api}/notifications/deliver`, payload: '{}', headers: { 'content-type': 'text/plain' }, status: 415 }),

  // meter reads: a batch that cannot be read is refused whole
  () => ({ name: 'reads: NDJSON with a broken line', method: 'POST', url: `${api}/reads`, payload: '{"meterNo":"MT-A1","readOn":"2026-12-01","total":"1"}\n{"meterNo":', headers: { 'content-type': 'application/x-ndjson' }, status: 422, field: 'line 2' }),
  () => ({ name: 'reads: a read without total', method: 'POST', url: `${api}/reads`, payload: [{ meterNo: 'MT-A1', readOn: '2026-12-01' }], status: 422, field: 'total' }),
  () => ({ name: 'reads: an unknown field', method: 'POST', url: `${api}/reads`, payload: { meterNo: 'MT-A1', readOn: '2026-12-01', total: '1', reactive: '2' }, status: 422, field: 'reactive' }),
  () => ({ name: 'reads: source not in the list', method: 'POST', url: `${api}/reads?source=guess`, payload: { meterNo: 'MT-A1', readOn: '2026-12-01', total: '1' }, status: 422, field: 'source' }),
  () => ({ name: 'reads as text/csv', method: 'POST', url: `${api}/reads`, payload: 'meter_no,read_on,total', headers: { 'content-type': 'text/csv' }, status: 415 }),

  // an inconsistent account
  () => ({ name: 'two-part tariff without capacity', method: 'POST', url: `${api}/accounts`, payload: accountBody({ category: 'large_industry', voltageLevel: '10kV', tariffCode: 'gansu.ci.two-part', basicChargeBasis: 'capacity' }), status: 422, field: 'capacityKva' }),
  () => ({ name: 'two-part tariff without basis', method: 'POST', url: `${api}/accounts`, payload: accountBody({ category: 'large_industry', voltageLevel: '10kV', tariffCode: 'gansu.ci.two-part', capacityKva: '400' }), status: 422, field: 'basicChargeBasis' }),
  () => ({ name: 'changed to two-part without capacity', method: 'PATCH', url: `${api}/accounts/${fx.accounts.A1}`, payload: { category: 'large_industry', tariffCode: 'gansu.ci.two-part', basicChargeBasis: 'capacity' }, status: 422, field: 'capacityKva' }),
  () => ({ name: 'residential with a power-factor standard', method: 'PATCH', url: `${api}/accounts/${fx.accounts.A1}`, payload: { pfStandard: '0.90' }, status: 422, field: 'pfStandard' }),
  () => ({ name: 'a heating company paying after use', method: 'PATCH', url: `${api}/accounts/${fx.accounts.A1}`, payload: { category: 'heating', paymentMode: 'postpaid' }, status: 422, field: 'paymentMode' }),
];

/** Search text: any Unicode, or strings built from the characters SQL and LIKE give meaning to. */
const searchText = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 70 }),
  fc.string({ unit: fc.constantFrom('%', '_', '\\', "'", '"', ';', '-', '*', '(', ')', '\u0000', '\n', ' ', 'a', '客', '8'), maxLength: 70 }),
);

describe('bad input is refused with a problem naming the field, and nothing is written', () => {
  let before: TableFingerprint;
  beforeAll(async () => {
    before = await fingerprintTables(handle.db);
  });

  it('refuses every case as expected', async () => {
    const failures: string[] = [];
    for (const make of CASES) {
      const c = make();
      const url = typeof c.url === 'function' ? c.url() : c.url;
      const res = await t.as(c.user ?? 'admin', { method: c.method, url, ...(c.payload !== undefined && { payload: c.payload }), ...(c.headers && { headers: c.headers }) });
      const error = problemError(res, c.status, c.field);
      if (error) failures.push(`${c.name} (${c.method} ${url.slice(0, 80)}): ${error}`);
    }
    expect(failures).toEqual([]);
    expect(CASES.length).toBeGreaterThan(100);
  });

  it('treats SQL and LIKE metacharacters in searches literally', async () => {
    for (const q of ["'; drop table account; --", '%', '_', '\\', '%%', '%_%', '\\%', "' or '1'='1", '客户_1', '客户%', '"', '8800%', '$1', '\u0000', 'a\u0000b']) {
      for (const path of ['accounts', 'customers', 'users']) {
        const url = `${api}/${path}?q=${encodeURIComponent(q)}`;
        const res = await t.as('admin', { method: 'GET', url });
        // A NUL may be refused as a 422 naming q; anything else is a search that finds nothing here.
        if (res.statusCode === 422) {
          expect(q.includes('\u0000'), `${url}: ${res.body}`).toBe(true);
          expect(problemError(res, 422, 'q'), url).toBeNull();
        } else {
          expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
          expect(res.json().items, url).toEqual([]);
        }
      }
    }
    // the table the search "dropped" is still there, with every account in it
    expect((await t.as('admin', { method: 'GET', url: `${api}/accounts` })).json().items).toHaveLength(3);
  });

  it('never answers a 500 to arbitrary search text or arbitrary field values', async () => {
    await fc.assert(
      fc.asyncProperty(searchText, fc.constantFrom('accounts', 'customers', 'users'), async (q, path) => {
        const res = await t.as('admin', { method: 'GET', url: `${api}/${path}?q=${encodeURIComponent(q)}` });
        expect([200, 422], `${path} q=${JSON.stringify(q)}: ${res.body}`).toContain(res.statusCode);
        if (res.statusCode === 422) expect(problemError(res, 422, 'q')).toBeNull();
      }),
      { numRuns: 150 },
    );
    const fields = Object.keys(accountBody());
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...fields), fc.jsonValue({ maxDepth: 2 }), async (field, value) => {
        // customer and area are ones that do not exist, so even a valid value cannot open an account
        const body = accountBody({ customerId: 1_999_999_999, areaId: 1_999_999_998, [field]: value });
        const res = await t.as('admin', { method: 'POST', url: `${api}/accounts`, payload: body });
        expect([400, 404, 409, 413, 422], `${field}=${JSON.stringify(value)}: ${res.body}`).toContain(res.statusCode);
        expect(String(res.headers['content-type'])).toMatch(/^application\/problem\+json/);
      }),
      { numRuns: 150 },
    );
  });

  it('wrote nothing', async () => {
    expect(await fingerprintTables(handle.db)).toEqual(before);
  });
});

describe('values with metacharacters are stored verbatim; duplicates are 409', () => {
  const nasty = { customer1: "'; drop table account; --", customer2: '百分之百%_\\', account1: `O'Brien "quoted" ; --`, account2: '折扣50%_\\', address: "%_\\'\"" };
  let ids: { c1: number; c2: number; a1: number; a2: number };

  it('stores names with quotes, %, _ and backslashes exactly as sent', async () => {
    const c1 = await t.as('headA', { method: 'POST', url: `${api}/customers`, payload: customerBody({ customerNo: 'C-SQL-1', name: nasty.customer1, address: nasty.address }) });
    expect(c1.statusCode, c1.body).toBe(201);
    const c2 = await t.as('headA', { method: 'POST', url: `${api}/customers`, payload: customerBody({ customerNo: 'C-SQL-2', name: nasty.customer2 }) });
    expect(c2.statusCode, c2.body).toBe(201);
    const a1 = await t.as('headA', { method: 'POST', url: `${api}/accounts`, payload: accountBody({ accountNo: '7700000011', customerId: c1.json().id, name: nasty.account1, address: nasty.address }) });
    expect(a1.statusCode, a1.body).toBe(201);
    const a2 = await t.as('headA', { method: 'POST', url: `${api}/accounts`, payload: accountBody({ accountNo: '7700000012', customerId: c2.json().id, name: nasty.account2 }) });
    expect(a2.statusCode, a2.body).toBe(201);
    ids = { c1: c1.json().id, c2: c2.json().id, a1: a1.json().id, a2: a2.json().id };

    const got = (await t.as('headA', { method: 'GET', url: `${api}/accounts/${ids.a1}` })).json();
    expect(got.name).toBe(nasty.account1);
    expect(got.address).toBe(nasty.address);
    expect(got.customer.name).toBe(nasty.customer1);
    expect((await t.as('headA', { method: 'GET', url: `${api}/customers/${ids.c2}` })).json().name).toBe(nasty.customer2);
    const row = await handle.db.selectFrom('account').select(['name', 'address']).where('id', '=', ids.a2).executeTakeFirstOrThrow();
    expect(row.name).toBe(nasty.account2);
  });

  it('finds them by those characters, literally', async () => {
    const accounts = async (q: string) => ((await t.as('admin', { method: 'GET', url: `${api}/accounts?q=${encodeURIComponent(q)}` })).json().items as { id: number }[]).map((i) => i.id);
    const customers = async (q: string) => ((await t.as('admin', { method: 'GET', url: `${api}/customers?q=${encodeURIComponent(q)}` })).json().items as { id: number }[]).map((i) => i.id);
    expect(await accounts('%')).toEqual([ids.a2]);
    expect(await accounts('_')).toEqual([ids.a2]);
    expect(await accounts('\\')).toEqual([ids.a2]);
    expect(await accounts('50%_\\')).toEqual([ids.a2]);
    expect(await accounts('折%\\')).toEqual([]); // % is not a wildcard
    expect(await accounts('客户_1')).toEqual([]); // _ is not a wildcard
    expect(await accounts("'; drop table account; --")).toEqual([ids.a1]); // through the customer's name
    expect(await accounts("O'Brien")).toEqual([ids.a1]);
    expect(await customers('%')).toEqual([ids.c2]);
    expect(await customers('_')).toEqual([ids.c2]);
    expect(await customers('\\')).toEqual([ids.c2]);
    expect(await customers("'; drop")).toEqual([ids.c1]);
    expect(await customers('C-SQL-')).toEqual([ids.c1, ids.c2]);
    expect(await customers('C-SQL_')).toEqual([]);
    expect((await t.as('admin', { method: 'GET', url: `${api}/accounts?limit=500` })).json().items).toHaveLength(5);
  });

  it('answers 409 to a second object with the same number, naming the field, and writes nothing', async () => {
    const first = await t.as('headA', { method: 'POST', url: `${api}/accounts`, payload: accountBody({ accountNo: '7700000021' }) });
    expect(first.statusCode, first.body).toBe(201);
    const before = await fingerprintTables(handle.db);
    const dups: [string, string, unknown, string][] = [
      ['POST', `${api}/accounts`, accountBody({ accountNo: '7700000021', name: '重复户' }), 'accountNo'],
      ['POST', `${api}/accounts`, accountBody({ accountNo: '8800000003', name: '别所的户号' }), 'accountNo'],
      ['POST', `${api}/customers`, customerBody({ customerNo: 'C-A1' }), 'customerNo'],
      ['POST', `${api}/meters`, meterBody({ meterNo: 'MT-A2' }), 'meterNo'],
      ['POST', `${api}/contracts`, contractBody({ contractNo: 'HT-A2' }), 'contractNo'],
      ['POST', `${api}/areas`, { code: 'A2', name: '重复台区', stationId: fx.stations.A }, 'code'],
      ['POST', `${api}/org/stations`, { code: 'sta', name: '重复供电所' }, 'code'],
      ['POST', `${api}/users`, { username: 'cashiera', displayName: '重复', role: 'cashier', orgUnitId: fx.stations.A, password: 'long-enough-pw' }, 'username'],
    ];
    const failures: string[] = [];
    for (const [method, url, payload, field] of dups) {
      const res = await t.as('admin', { method, url, payload });
      const error = problemError(res, 409, field);
      if (error) failures.push(`${method} ${url} ${field}: ${error}`);
    }
    expect(failures).toEqual([]);
    expect(await fingerprintTables(handle.db)).toEqual(before);
  });

  it('accepts a consistent two-part account once its capacity is given', async () => {
    const res = await t.as('headA', {
      method: 'POST',
      url: `${api}/accounts`,
      payload: accountBody({ accountNo: '7700000031', category: 'large_industry', voltageLevel: '10kV', tariffCode: 'gansu.ci.two-part', basicChargeBasis: 'capacity', capacityKva: '400' }),
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().capacityKva).toBe('400.00');
  });
});
