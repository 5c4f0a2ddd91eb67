import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/connect.js';
import { checkLedger } from '../../src/modules/ledger/index.js';
import { buildAlipayNotification } from '../../src/modules/channels/domain/alipay.js';
import { buildGridappNotification, type GridappBody } from '../../src/modules/channels/domain/gridapp.js';
import { beijingRfc3339, buildWechatpayNotification, signWechatpay, wechatpayTransaction } from '../../src/modules/channels/domain/wechatpay.js';
import { FixedClock } from '../../src/shared/clock.js';
import { seedCounty, type Fixture } from '../fixtures/county.js';
import { buildTestApp, type TestApp } from '../support/app.js';
import { issueTestBill } from '../support/bills.js';
import { createTestDatabase } from '../support/db.js';

/**
 * Online payments end to end: payment orders (staff and the public payment page), the three channels'
 * callbacks verified and applied exactly once, every forged or tampered callback refused with no ledger
 * effect and one security-log row of its kind, and the demo sandbox checkout.
 */
const api = '/api/v1';
const clock = new FixedClock(new Date('2026-11-20T10:00:00+08:00'));
let handle: DatabaseHandle;
let t: TestApp;
let fx: Fixture;
let dir: string;

const wechat = { mchid: '1900000109', appid: 'wxd678efh567hg6787', apiV3Key: Buffer.from(randomBytes(16).toString('hex')), serial: '5157F09EFDC096DE15EBE81A47057A7232F1B8E1', ...generateKeyPairSync('rsa', { modulusLength: 2048 }) };
const alipay = { appId: '2021000122600001', sellerId: '2088621955500001', ...generateKeyPairSync('rsa', { modulusLength: 2048 }) };
const gridSecret = Buffer.from(randomBytes(24).toString('hex'));
const intruder = generateKeyPairSync('rsa', { modulusLength: 2048 });

const pem = (k: KeyObject) => k.export({ type: 'spki', format: 'pem' }).toString();

beforeAll(async () => {
  handle = await createTestDatabase();
  fx = await seedCounty(handle.db);
  await issueTestBill(handle.db, { accountId: fx.accounts.A1, period: '2026-10', totalFen: 7663, dueOn: '2026-11-25', issuedOn: '2026-11-05' });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'granary-channels-'));
  fs.writeFileSync(path.join(dir, 'wechatpay.pem'), pem(wechat.publicKey));
  fs.writeFileSync(path.join(dir, 'alipay.pem'), pem(alipay.publicKey));
  t = await buildTestApp(handle, {
    clock,
    env: {
      GRANARY_WECHATPAY_MCHID: wechat.mchid,
      GRANARY_WECHATPAY_APPID: wechat.appid,
      GRANARY_WECHATPAY_APIV3_KEY: wechat.apiV3Key.toString(),
      GRANARY_WECHATPAY_PLATFORM_SERIAL: wechat.serial,
      GRANARY_WECHATPAY_PLATFORM_PUBLIC_KEY_FILE: path.join(dir, 'wechatpay.pem'),
      GRANARY_ALIPAY_APP_ID: alipay.appId,
      GRANARY_ALIPAY_SELLER_ID: alipay.sellerId,
      GRANARY_ALIPAY_PUBLIC_KEY_FILE: path.join(dir, 'alipay.pem'),
      GRANARY_GRIDAPP_SECRET: gridSecret.toString(),
      GRANARY_PAY_TOKEN_SECRET: 'pay-token-secret-for-tests',
    },
  });
});

afterAll(async () => {
  await t?.app.close();
  await handle?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

// ---- helpers -------------------------------------------------------------------------------

type Channel = 'wechatpay' | 'alipay' | 'gridapp';
let txnSeq = 0;
const txnId = (channel: Channel) => (channel === 'wechatpay' ? `42000000012026112${String(++txnSeq).padStart(11, '0')}` : channel === 'alipay' ? `202611202200140${String(++txnSeq).padStart(13, '0')}` : `GA${String(++txnSeq).padStart(12, '0')}`);

async function openOrder(channel: Channel, amountFen: number, accountId = fx.accounts.A1): Promise<{ outTradeNo: string; amountFen: number }> {
  const res = await t.as('cashierA', { method: 'POST', url: `${api}/payment-orders`, payload: { accountId, amountFen, channel } });
  expect(res.statusCode, res.body).toBe(201);
  return { outTradeNo: res.json().outTradeNo, amountFen };
}

interface WechatOpts {
  outTradeNo: string;
  amountFen: number;
  transactionId?: string;
  tradeState?: string;
  mchid?: string;
  appid?: string;
  key?: KeyObject;
  apiV3Key?: Buffer;
  serial?: string;
  at?: Date;
  nonce?: string;
}
function wechatDelivery(o: WechatOpts) {
  const transaction = wechatpayTransaction({ mchid: o.mchid ?? wechat.mchid, appid: o.appid ?? wechat.appid, outTradeNo: o.outTradeNo, transactionId: o.transactionId ?? txnId('wechatpay'), amountFen: o.amountFen, paidAt: clock.now(), ...(o.tradeState && { tradeState: o.tradeState }) });
  return buildWechatpayNotification({ platformPrivateKey: o.key ?? wechat.privateKey, platformSerial: o.serial ?? wechat.serial, apiV3Key: o.apiV3Key ?? wechat.apiV3Key, transaction, now: o.at ?? clock.now(), ...(o.nonce && { nonce: o.nonce }) });
}

function alipayForm(o: { outTradeNo: string; amountFen: number; tradeNo?: string; tradeStatus?: string; appId?: string; sellerId?: string; key?: KeyObject; signType?: string; tamper?: Record<string, string> }) {
  return buildAlipayNotification({
    privateKey: o.key ?? alipay.privateKey,
    appId: o.appId ?? alipay.appId,
    sellerId: o.sellerId ?? alipay.sellerId,
    outTradeNo: o.outTradeNo,
    tradeNo: o.tradeNo ?? txnId('alipay'),
    amountFen: o.amountFen,
    paidAt: clock.now(),
    now: clock.now(),
    ...(o.tradeStatus && { tradeStatus: o.tradeStatus }),
    ...(o.signType && { signType: o.signType }),
    ...(o.tamper && { tamper: o.tamper }),
  });
}

function gridDelivery(o: { outTradeNo: string; amountFen: number; txnId?: string; status?: string; secret?: Buffer; at?: Date; nonce?: string }) {
  const body: GridappBody = { outTradeNo: o.outTradeNo, txnId: o.txnId ?? txnId('gridapp'), amountFen: o.amountFen, paidAt: beijingRfc3339(clock.now()), status: o.status ?? 'PAID' };
  return buildGridappNotification({ secret: o.secret ?? gridSecret, body, now: o.at ?? clock.now(), ...(o.nonce && { nonce: o.nonce }) });
}

const deliver = (app: TestApp, channel: Channel, d: { headers: Record<string, string>; body: string }) =>
  app.app.inject({ method: 'POST', url: `${api}/channels/${channel}/notify`, headers: d.headers, payload: d.body });
const postAlipay = (app: TestApp, body: string) => deliver(app, 'alipay', { headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body });

/** Flips one bit of the character at `i` (kept printable where it was). */
const flipAt = (s: string, i: number) => s.slice(0, i) + String.fromCharCode(s.charCodeAt(i) ^ 1) + s.slice(i + 1);

async function snapshot() {
  const count = async (table: 'payment' | 'ledger_transfer' | 'ledger_entry' | 'payment_allocation') => Number((await handle.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const lastEvent = (await handle.db.selectFrom('security_event').select((eb) => eb.fn.max('id').as('id')).executeTakeFirstOrThrow()).id ?? 0;
  const paidOrders = Number((await handle.db.selectFrom('payment_order').select((eb) => eb.fn.countAll().as('n')).where('status', '=', 'paid').executeTakeFirstOrThrow()).n);
  return { payments: await count('payment'), transfers: await count('ledger_transfer'), entries: await count('ledger_entry'), allocations: await count('payment_allocation'), paidOrders, lastEvent: Number(lastEvent) };
}

async function eventsSince(id: number) {
  return handle.db.selectFrom('security_event').selectAll().where('id', '>', id).orderBy('id').execute();
}

/** The delivery is refused with `status`, nothing moves, and exactly one security event of `kind` is written. */
async function expectRefused<R extends { statusCode: number; body: string }>(send: () => Promise<R>, kind: string, status?: number) {
  const before = await snapshot();
  const res = await send();
  expect(res.statusCode, res.body).toBeGreaterThanOrEqual(400);
  expect(res.statusCode, res.body).toBeLessThan(500);
  if (status) expect(res.statusCode, res.body).toBe(status);
  const after = await snapshot();
  expect({ ...after, lastEvent: 0 }).toEqual({ ...before, lastEvent: 0 });
  const events = await eventsSince(before.lastEvent);
  expect(events.map((e) => e.kind)).toEqual([kind]);
  return { res, event: events[0]! };
}

async function paymentsOfOrder(outTradeNo: string) {
  const order = await handle.db.selectFrom('payment_order').selectAll().where('out_trade_no', '=', outTradeNo).executeTakeFirstOrThrow();
  const payments = await handle.db.selectFrom('payment').selectAll().where('order_id', '=', order.id).execute();
  return { order, payments };
}

// ---- tests ---------------------------------------------------------------------------------

describe('payment orders', () => {
  it('staff open one for an account in their scope; the outTradeNo is unique and ≤ 32 characters', async () => {
    const res = await t.as('amA1', { method: 'POST', url: `${api}/payment-orders`, payload: { accountId: fx.accounts.A1, amountFen: 7663, channel: 'wechatpay' } });
    expect(res.statusCode, res.body).toBe(201);
    const o = res.json();
    expect(o).toMatchObject({ accountId: fx.accounts.A1, channel: 'wechatpay', amountFen: 7663, status: 'open', paidAt: null, paymentId: null, receipt: null });
    expect(o.outTradeNo).toMatch(/^GR20261120[A-Z2-7]{16}$/);
    expect(Date.parse(o.expiresAt) - clock.now().getTime()).toBe(30 * 60_000);
    expect(o.checkoutUrl).toBeUndefined();
    const audit = await handle.db.selectFrom('audit_log').selectAll().where('action', '=', 'payment_order.create').execute();
    expect(audit.length).toBeGreaterThanOrEqual(1);
  });

  it('another subtree’s account is not found; read-only roles may not open orders; bad input is 422', async () => {
    for (const u of ['cashierB', 'amA2', 'headB'] as const) {
      const res = await t.as(u, { method: 'POST', url: `${api}/payment-orders`, payload: { accountId: fx.accounts.A1, amountFen: 100, channel: 'alipay' } });
      expect(res.statusCode, `${u}: ${res.body}`).toBe(404);
    }
    for (const u of ['auditor', 'manager'] as const) {
      const res = await t.as(u, { method: 'POST', url: `${api}/payment-orders`, payload: { accountId: fx.accounts.A1, amountFen: 100, channel: 'alipay' } });
      expect(res.statusCode, `${u}: ${res.body}`).toBe(403);
    }
    for (const payload of [{ accountId: fx.accounts.A1, amountFen: 0, channel: 'alipay' }, { accountId: fx.accounts.A1, amountFen: 1.5, channel: 'alipay' }, { accountId: fx.accounts.A1, amountFen: 100, channel: 'counter' }, { accountId: fx.accounts.A1, amountFen: '100', channel: 'alipay' }]) {
      const res = await t.as('cashierA', { method: 'POST', url: `${api}/payment-orders`, payload });
      expect(res.statusCode, res.body).toBe(422);
    }
    const none = await t.app.inject({ method: 'POST', url: `${api}/payment-orders`, payload: { accountId: fx.accounts.A1, amountFen: 100, channel: 'alipay' } });
    expect(none.statusCode).toBe(401);
  });

  it('a staff member reads an order of their scope only', async () => {
    const { outTradeNo } = await openOrder('gridapp', 500);
    expect((await t.as('auditor', { method: 'GET', url: `${api}/payment-orders/${outTradeNo}` })).statusCode).toBe(200);
    expect((await t.as('amA1', { method: 'GET', url: `${api}/payment-orders/${outTradeNo}` })).statusCode).toBe(200);
    for (const u of ['amA2', 'cashierB'] as const) expect((await t.as(u, { method: 'GET', url: `${api}/payment-orders/${outTradeNo}` })).statusCode).toBe(404);
    expect((await t.as('admin', { method: 'GET', url: `${api}/payment-orders/GR20261120AAAAAAAAAAAAAAAA` })).statusCode).toBe(404);
  });
});

describe('the public payment page', () => {
  const lookup = (payload: object) => t.app.inject({ method: 'POST', url: `${api}/pay/lookup`, payload });

  it('finds an account by number and the full customer name only', async () => {
    for (const name of ['客', '客*1', '客户B1', '']) {
      const res = await lookup({ accountNo: '8800000001', name });
      expect(res.statusCode, `${name}: ${res.body}`).toBe(name === '' ? 422 : 404);
    }
    const unknown = await lookup({ accountNo: '8800009999', name: '客户A1' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().detail).toBe((await lookup({ accountNo: '8800000001', name: '客户A2' })).json().detail);
  });

  it('shows the masked name, arrears and open bills, and a pay token for that account', async () => {
    const res = await lookup({ accountNo: '8800000001', name: ' 客户A1 ' });
    expect(res.statusCode, res.body).toBe(200);
    const p = res.json();
    expect(p).toMatchObject({ accountId: fx.accounts.A1, accountNo: '8800000001', maskedName: '客**1', arrearsFen: 7663, penaltyFen: 0, prepaidFen: 0 });
    expect(p.openBills).toEqual([expect.objectContaining({ period: '2026-10', dueOn: '2026-11-25', principalDueFen: 7663, penaltyFen: 0 })]);
    expect(p.channels).toEqual(['wechatpay', 'alipay', 'gridapp']);
    expect(p.payToken).toMatch(/^pt1\./);
    expect(res.body).not.toContain('客户A1');
  });

  it('the pay token opens and reads orders of its own account only', async () => {
    const token = (await lookup({ accountNo: '8800000001', name: '客户A1' })).json().payToken as string;
    const asPayer = (method: 'GET' | 'POST', url: string, payload?: object, tok = token) => t.app.inject({ method, url, headers: { 'x-pay-token': tok }, ...(payload !== undefined ? { payload } : {}) });
    const created = await asPayer('POST', `${api}/payment-orders`, { accountId: fx.accounts.A1, amountFen: 7663, channel: 'alipay' });
    expect(created.statusCode, created.body).toBe(201);
    const order = await handle.db.selectFrom('payment_order').selectAll().where('out_trade_no', '=', created.json().outTradeNo).executeTakeFirstOrThrow();
    expect(order.created_by).toBeNull();
    expect((await asPayer('GET', `${api}/payment-orders/${order.out_trade_no}`)).statusCode).toBe(200);
    expect((await asPayer('POST', `${api}/payment-orders`, { accountId: fx.accounts.A2, amountFen: 100, channel: 'alipay' })).statusCode).toBe(404);
    const other = await openOrder('alipay', 100, fx.accounts.A2);
    expect((await asPayer('GET', `${api}/payment-orders/${other.outTradeNo}`)).statusCode).toBe(404);
    // forged, altered, expired
    const [v, id, exp, mac] = token.split('.');
    for (const bad of [`${v}.${fx.accounts.A2}.${exp}.${mac}`, 'pt1.1.1.x', 'nonsense']) expect((await asPayer('GET', `${api}/payment-orders/${order.out_trade_no}`, undefined, bad)).statusCode).toBe(401);
    clock.advance(31 * 60_000);
    try {
      expect((await asPayer('GET', `${api}/payment-orders/${order.out_trade_no}`)).statusCode).toBe(401);
    } finally {
      clock.advance(-31 * 60_000);
    }
    expect(id).toBe(String(fx.accounts.A1));
  });
});

describe('WeChat Pay notifications', () => {
  let paid: { outTradeNo: string; amountFen: number; transactionId: string; delivery: ReturnType<typeof wechatDelivery> };

  it('applies a verified notification once: payment, order paid, receipt, ledger sound', async () => {
    const order = await openOrder('wechatpay', 7663);
    const transactionId = txnId('wechatpay');
    const delivery = wechatDelivery({ ...order, transactionId });
    const before = await snapshot();
    const res = await deliver(t, 'wechatpay', delivery);
    expect(res.statusCode, res.body).toBe(204);
    const { order: row, payments } = await paymentsOfOrder(order.outTradeNo);
    expect(payments).toHaveLength(1);
    expect(payments[0]).toMatchObject({ channel: 'wechatpay', channel_txn_id: transactionId, amount_fen: 7663, account_id: fx.accounts.A1, principal_fen: 7663 });
    expect(row).toMatchObject({ status: 'paid', payment_id: payments[0]!.id, channel_txn_id: transactionId });
    expect((await snapshot()).payments).toBe(before.payments + 1);
    const shown = (await t.as('cashierA', { method: 'GET', url: `${api}/payment-orders/${order.outTradeNo}` })).json();
    expect(shown).toMatchObject({ status: 'paid', paymentId: payments[0]!.id, channelTxnId: transactionId, receipt: { amountFen: 7663, principalFen: 7663, penaltyFen: 0, prepaidFen: 0, accountNo: '8800000001', maskedName: '客**1', channel: 'wechatpay' } });
    expect((await checkLedger(handle.db)).violations).toEqual([]);
    paid = { ...order, transactionId, delivery };
  });

  it('a redelivery of the same payment (new nonce) answers success and applies nothing', async () => {
    const before = await snapshot();
    const res = await deliver(t, 'wechatpay', wechatDelivery({ outTradeNo: paid.outTradeNo, amountFen: paid.amountFen, transactionId: paid.transactionId }));
    expect(res.statusCode, res.body).toBe(204);
    expect(await snapshot()).toEqual(before);
  });

  it('refuses forged and tampered notifications, each with no ledger effect and one security event', async () => {
    const order = await openOrder('wechatpay', 1234);
    const good = wechatDelivery(order);
    // one flipped byte anywhere in the body
    for (const i of [0, 20, Math.floor(good.body.length / 2), good.body.length - 2]) {
      const { res } = await expectRefused(() => deliver(t, 'wechatpay', { headers: good.headers, body: flipAt(good.body, i) }), 'bad_signature', 401);
      expect(res.json()).toMatchObject({ code: 'FAIL' });
    }
    await expectRefused(() => deliver(t, 'wechatpay', wechatDelivery({ ...order, key: intruder.privateKey })), 'bad_signature', 401);
    await expectRefused(() => deliver(t, 'wechatpay', wechatDelivery({ ...order, serial: 'ABCDEF0123456789' })), 'bad_signature', 401);
    await expectRefused(() => deliver(t, 'wechatpay', { headers: { ...good.headers, 'wechatpay-signature': good.headers['wechatpay-signature']!.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) }, body: good.body }), 'bad_signature');
    await expectRefused(() => deliver(t, 'wechatpay', wechatDelivery({ ...order, at: new Date(clock.now().getTime() - 6 * 60_000) })), 'stale_timestamp', 401);
    await expectRefused(() => deliver(t, 'wechatpay', wechatDelivery({ ...order, at: new Date(clock.now().getTime() + 6 * 60_000) })), 'stale_timestamp', 401);
    // the applied delivery again, byte for byte
    await expectRefused(() => deliver(t, 'wechatpay', paid.delivery), 'replayed_nonce', 401);
    // a flipped GCM tag (and the body signed again, so only the decryption can notice)
    const envelope = JSON.parse(good.body);
    const raw = Buffer.from(envelope.resource.ciphertext, 'base64');
    raw[raw.length - 1]! ^= 0x01;
    envelope.resource.ciphertext = raw.toString('base64');
    const body = JSON.stringify(envelope);
    const nonce = randomBytes(8).toString('hex');
    const resigned = { ...good.headers, 'wechatpay-nonce': nonce, 'wechatpay-signature': signWechatpay(wechat.privateKey, good.headers['wechatpay-timestamp']!, nonce, body) };
    await expectRefused(() => deliver(t, 'wechatpay', { headers: resigned, body }), 'bad_ciphertext', 400);
    await expectRefused(() => deliver(t, 'wechatpay', wechatDelivery({ ...order, apiV3Key: Buffer.from(randomBytes(16).toString('hex')) })), 'bad_ciphertext');
    await expectRefused(() => deliver(t, 'wechatpay', wechatDelivery({ ...order, mchid: '1900000110' })), 'wrong_merchant');
    await expectRefused(() => deliver(t, 'wechatpay', wechatDelivery({ ...order, appid: 'wx0000000000000000' })), 'wrong_merchant');
    await expectRefused(() => deliver(t, 'wechatpay', wechatDelivery({ ...order, amountFen: 1233 })), 'wrong_amount');
    await expectRefused(() => deliver(t, 'wechatpay', wechatDelivery({ ...order, tradeState: 'NOTPAY' })), 'unpaid_status');
    await expectRefused(() => deliver(t, 'wechatpay', wechatDelivery({ outTradeNo: 'GR20261120ZZZZZZZZZZZZZZZZ', amountFen: 1234 })), 'unknown_order');
    const alipayOrder = await openOrder('alipay', 1234);
    await expectRefused(() => deliver(t, 'wechatpay', wechatDelivery(alipayOrder)), 'wrong_channel');
    // a transaction id already applied, now for another order and amount
    await expectRefused(() => deliver(t, 'wechatpay', wechatDelivery({ ...order, transactionId: paid.transactionId })), 'txn_conflict');
    // the order is still payable by its genuine notification
    expect((await deliver(t, 'wechatpay', wechatDelivery(order))).statusCode).toBe(204);
    // a second, different transaction for a paid order: the customer paid twice, the channel holds the
    // money, so it is applied too (to prepaid when no bill needs it); its repeat is a duplicate
    const secondTxn = txnId('wechatpay');
    expect((await deliver(t, 'wechatpay', wechatDelivery({ ...order, transactionId: secondTxn }))).statusCode).toBe(204);
    expect((await deliver(t, 'wechatpay', wechatDelivery({ ...order, transactionId: secondTxn }))).statusCode).toBe(204);
    const ofOrder = await handle.db.selectFrom('payment as p').innerJoin('payment_order as o', 'o.id', 'p.order_id').select(['p.id']).where('o.out_trade_no', '=', order.outTradeNo).execute();
    expect(ofOrder).toHaveLength(2);
    expect((await checkLedger(handle.db)).violations).toEqual([]);
  });

  it('answers bad input with 4xx, never 500', async () => {
    const h = wechatDelivery({ outTradeNo: 'GR1', amountFen: 1 }).headers;
    for (const [headers, body] of [
      [{ 'content-type': 'application/json' }, '{}'],
      [{ 'content-type': 'application/json' }, ''],
      [{ 'content-type': 'text/plain' }, 'hello'],
      [h, 'not json'],
      [{ ...h, 'wechatpay-timestamp': 'yesterday' }, '{}'],
    ] as [Record<string, string>, string][]) {
      const res = await deliver(t, 'wechatpay', { headers, body });
      expect(res.statusCode, res.body).toBeGreaterThanOrEqual(400);
      expect(res.statusCode, res.body).toBeLessThan(500);
    }
  });
});

describe('Alipay notifications', () => {
  let applied: { outTradeNo: string; amountFen: number; tradeNo: string };

  it('applies a verified notification once and answers success', async () => {
    const order = await openOrder('alipay', 2050);
    const tradeNo = txnId('alipay');
    const form = alipayForm({ ...order, tradeNo });
    const res = await postAlipay(t, form);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.body).toBe('success');
    const before = await snapshot();
    const again = await postAlipay(t, form);
    expect(again.body).toBe('success');
    expect(await snapshot()).toEqual(before);
    const { order: row, payments } = await paymentsOfOrder(order.outTradeNo);
    expect(payments).toHaveLength(1);
    expect(payments[0]).toMatchObject({ channel: 'alipay', channel_txn_id: tradeNo, amount_fen: 2050 });
    expect(row.status).toBe('paid');
    applied = { ...order, tradeNo };
    // TRADE_FINISHED is a payment too (Alipay sends it when the refund period ends)
    const finished = await openOrder('alipay', 300);
    expect((await postAlipay(t, alipayForm({ ...finished, tradeStatus: 'TRADE_FINISHED' }))).body).toBe('success');
  });

  it('refuses forged and tampered notifications', async () => {
    const order = await openOrder('alipay', 4321);
    const good = alipayForm(order);
    const fail = async (body: string, kind: string) => {
      const { res } = await expectRefused(() => postAlipay(t, body), kind);
      expect(res.body).toBe('fail');
    };
    await fail(alipayForm({ ...order, signType: 'RSA' }), 'weak_sign_type');
    // one flipped byte in a signed value: total_amount 43.21 → 43.20
    const i = good.indexOf('total_amount=') + 'total_amount=43.2'.length;
    await fail(flipAt(good, i), 'bad_signature');
    // another order number (its last character changed) under the original signature
    const last = order.outTradeNo.slice(-1);
    await fail(alipayForm({ ...order, tamper: { out_trade_no: `${order.outTradeNo.slice(0, -1)}${last === 'A' ? 'B' : 'A'}` } }), 'bad_signature');
    await fail(alipayForm({ ...order, key: intruder.privateKey }), 'bad_signature');
    await fail(alipayForm({ ...order, appId: '2021000122600002' }), 'wrong_merchant');
    await fail(alipayForm({ ...order, sellerId: '2088621955500002' }), 'wrong_merchant');
    await fail(alipayForm({ ...order, amountFen: 4320 }), 'wrong_amount');
    await fail(alipayForm({ ...order, tradeStatus: 'WAIT_BUYER_PAY' }), 'unpaid_status');
    await fail(alipayForm({ ...order, tradeStatus: 'TRADE_CLOSED' }), 'unpaid_status');
    await fail(alipayForm({ ...order, tradeNo: applied.tradeNo }), 'txn_conflict');
    await fail('', 'malformed');
    await fail('sign_type=RSA2&sign=abc', 'bad_signature');
    expect((await postAlipay(t, good)).body).toBe('success');
    expect((await paymentsOfOrder(order.outTradeNo)).payments).toHaveLength(1);
    expect((await checkLedger(handle.db)).violations).toEqual([]);
  });
});

describe('grid app callbacks', () => {
  it('applies a verified callback once', async () => {
    const order = await openOrder('gridapp', 990);
    const d = gridDelivery({ ...order, txnId: 'GA-ONCE-1' });
    const res = await deliver(t, 'gridapp', d);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ code: 'SUCCESS', message: 'applied' });
    const again = await deliver(t, 'gridapp', gridDelivery({ ...order, txnId: 'GA-ONCE-1' }));
    expect(again.json()).toEqual({ code: 'SUCCESS', message: 'duplicate' });
    expect((await paymentsOfOrder(order.outTradeNo)).payments).toHaveLength(1);
    await expectRefused(() => deliver(t, 'gridapp', d), 'replayed_nonce', 401);
  });

  it('refuses forged and tampered callbacks', async () => {
    const order = await openOrder('gridapp', 1500);
    const good = gridDelivery(order);
    await expectRefused(() => deliver(t, 'gridapp', { headers: good.headers, body: flipAt(good.body, good.body.indexOf('1500') + 1) }), 'bad_signature', 401);
    await expectRefused(() => deliver(t, 'gridapp', gridDelivery({ ...order, secret: Buffer.from('another-secret-of-someone-else') })), 'bad_signature');
    await expectRefused(() => deliver(t, 'gridapp', gridDelivery({ ...order, at: new Date(clock.now().getTime() - 301_000) })), 'stale_timestamp');
    await expectRefused(() => deliver(t, 'gridapp', gridDelivery({ ...order, amountFen: 1600 })), 'wrong_amount');
    await expectRefused(() => deliver(t, 'gridapp', gridDelivery({ ...order, status: 'PENDING' })), 'unpaid_status');
    await expectRefused(() => deliver(t, 'gridapp', gridDelivery({ ...order, txnId: 'GA-ONCE-1' })), 'txn_conflict');
    expect((await deliver(t, 'gridapp', good)).statusCode).toBe(200);
    expect((await checkLedger(handle.db)).violations).toEqual([]);
  });
});

describe('a server without channel settings', () => {
  it('answers 503 on the notify routes and refuses orders for the channels (422)', async () => {
    const bare = await buildTestApp(handle, { clock });
    try {
      for (const channel of ['wechatpay', 'alipay', 'gridapp'] as const) {
        const res = await bare.app.inject({ method: 'POST', url: `${api}/channels/${channel}/notify`, payload: '{}', headers: { 'content-type': 'application/json' } });
        expect(res.statusCode, res.body).toBe(503);
        const order = await bare.as('cashierA', { method: 'POST', url: `${api}/payment-orders`, payload: { accountId: fx.accounts.A1, amountFen: 100, channel } });
        expect(order.statusCode, order.body).toBe(422);
        expect(order.json().errors[0].field).toBe('channel');
      }
      expect((await bare.as('cashierA', { method: 'GET', url: `${api}/sandbox/orders/GR20261120AAAAAAAAAAAAAAAA` })).statusCode).toBe(404);
    } finally {
      await bare.app.close();
    }
  });
});

describe('the demo sandbox checkout', () => {
  let demo: TestApp;
  let home: string;
  beforeAll(async () => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'granary-demo-home-'));
    demo = await buildTestApp(handle, { clock, env: { GRANARY_DEMO: 'true', GRANARY_HOME: home } });
  });
  afterAll(async () => {
    await demo?.app.close();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  it('generates the channel keys once, readable by the owner only', async () => {
    const keyDir = path.join(home, 'channel-keys');
    const files = fs.readdirSync(keyDir).sort();
    expect(files).toEqual(['alipay-private.pem', 'alipay-public.pem', 'gridapp.secret', 'pay-token.secret', 'wechatpay-apiv3.key', 'wechatpay-platform-private.pem', 'wechatpay-platform-public.pem', 'wechatpay-platform-serial']);
    for (const f of files) expect(fs.statSync(path.join(keyDir, f)).mode & 0o077).toBe(0);
    const before = fs.readFileSync(path.join(keyDir, 'wechatpay-platform-private.pem'), 'utf8');
    const again = await buildTestApp(handle, { clock, env: { GRANARY_DEMO: 'true', GRANARY_HOME: home } });
    await again.app.close();
    expect(fs.readFileSync(path.join(keyDir, 'wechatpay-platform-private.pem'), 'utf8')).toBe(before);
  });

  it.each(['wechatpay', 'alipay', 'gridapp'] as const)('pays a %s order end to end from the payment page', async (channel) => {
    const look = await demo.app.inject({ method: 'POST', url: `${api}/pay/lookup`, payload: { accountNo: '8800000002', name: '客户A2' } });
    expect(look.statusCode, look.body).toBe(200);
    const headers = { 'x-pay-token': look.json().payToken as string };
    const created = await demo.app.inject({ method: 'POST', url: `${api}/payment-orders`, headers, payload: { accountId: fx.accounts.A2, amountFen: 888, channel } });
    expect(created.statusCode, created.body).toBe(201);
    const { outTradeNo, checkoutUrl } = created.json();
    expect(checkoutUrl).toBe(`/pay/sandbox/${outTradeNo}`);
    const shown = await demo.app.inject({ method: 'GET', url: `${api}/sandbox/orders/${outTradeNo}`, headers });
    expect(shown.statusCode, shown.body).toBe(200);
    expect(shown.json()).toMatchObject({ order: { outTradeNo, status: 'open', amountFen: 888 }, delivery: null });
    const before = await snapshot();
    const paid = await demo.app.inject({ method: 'POST', url: `${api}/sandbox/orders/${outTradeNo}/pay`, headers });
    expect(paid.statusCode, paid.body).toBe(200);
    expect(paid.json()).toMatchObject({ order: { status: 'paid', receipt: { amountFen: 888, channel, accountNo: '8800000002' } }, delivery: { channel, statusCode: channel === 'wechatpay' ? 204 : 200 } });
    expect((await snapshot()).payments).toBe(before.payments + 1);
    expect((await eventsSince(before.lastEvent)).length).toBe(0);
    // paying again changes nothing
    const twice = await demo.app.inject({ method: 'POST', url: `${api}/sandbox/orders/${outTradeNo}/pay`, headers });
    expect(twice.json()).toMatchObject({ order: { status: 'paid' }, delivery: null });
    expect((await snapshot()).payments).toBe(before.payments + 1);
    // another account's token, a foreign staff member, nobody
    const foreign = await demo.app.inject({ method: 'POST', url: `${api}/pay/lookup`, payload: { accountNo: '8800000003', name: '客户B1' } });
    expect((await demo.app.inject({ method: 'GET', url: `${api}/sandbox/orders/${outTradeNo}`, headers: { 'x-pay-token': foreign.json().payToken } })).statusCode).toBe(404);
    expect((await demo.as('cashierB', { method: 'POST', url: `${api}/sandbox/orders/${outTradeNo}/pay` })).statusCode).toBe(404);
    expect((await demo.app.inject({ method: 'POST', url: `${api}/sandbox/orders/${outTradeNo}/pay` })).statusCode).toBe(401);
    expect((await checkLedger(handle.db)).violations).toEqual([]);
  });

  it('staff can pay an order of their scope in the sandbox; an expired order is refused', async () => {
    const created = await demo.as('cashierA', { method: 'POST', url: `${api}/payment-orders`, payload: { accountId: fx.accounts.A1, amountFen: 50, channel: 'gridapp' } });
    const { outTradeNo } = created.json();
    clock.advance(31 * 60_000);
    try {
      const late = await demo.as('cashierA', { method: 'POST', url: `${api}/sandbox/orders/${outTradeNo}/pay` });
      expect(late.statusCode, late.body).toBe(422);
    } finally {
      clock.advance(-31 * 60_000);
    }
    const ok = await demo.as('cashierA', { method: 'POST', url: `${api}/sandbox/orders/${outTradeNo}/pay` });
    expect(ok.json()).toMatchObject({ order: { status: 'paid' } });
  });
});
