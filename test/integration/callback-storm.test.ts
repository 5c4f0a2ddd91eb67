import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/connect.js';
import { newOutTradeNo } from '../../src/modules/channels/domain/orders.js';
import { buildWechatpayNotification, wechatpayTransaction } from '../../src/modules/channels/domain/wechatpay.js';
import { checkLedger } from '../../src/modules/ledger/index.js';
import { FixedClock } from '../../src/shared/clock.js';
import { seedCounty, type Fixture } from '../fixtures/county.js';
import { buildTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase } from '../support/db.js';

/**
 * A storm of WeChat Pay notifications: 1,000 payment orders, each notified 10 times (every delivery freshly
 * signed with its own nonce, as WeChat's retries are), up to 50 deliveries in flight at once; 1% more
 * deliveries reuse another order's transaction id with this order's (different) amount. Exactly one payment
 * per order; every conflicting delivery refused and logged as txn_conflict; the ledger sound and the WeChat
 * clearing book equal to the sum of the payments.
 *
 * Deliveries go in rounds (a barrier between rounds, 50 at a time within one): round 0 delivers two copies
 * of each order's notification at once, racing each other; rounds 1–8 one more copy each, mixed with the
 * conflicting ones. A conflicting delivery steals the transaction id of an order paid in round 0, so it is a
 * conflict whatever the order of arrival — a conflicting delivery that came before the genuine one would
 * instead be applied and the genuine one refused, which no test could predict. Ten "late" orders get their
 * genuine deliveries only from round 5, so conflicts also reach orders still open (refused by the payments
 * core's own conflict check rather than by the paid order's).
 */
const ORDERS = Number(process.env.STORM_ORDERS ?? 1000);
const ACCOUNTS = 250;
const ROUNDS = 9;
const CONFLICTS = 100;
const CONCURRENCY = 50;
const LATE_FROM_ROUND = 5;

const clock = new FixedClock(new Date('2026-11-20T10:00:00+08:00'));
// The storm is about concurrency and exactly-once, not key strength: signing 10,000 deliveries with
// WeChat's 2048-bit key would spend ~10 s of this test's budget in the test's own "WeChat" (RSA signing is
// ~20× the cost of verifying); a 1024-bit key signs 4× faster and goes through the same verification code.
// The HTTP tests use 2048-bit keys.
const platform = generateKeyPairSync('rsa', { modulusLength: 1024 });
const merchant = { mchid: '1900000109', appid: 'wxd678efh567hg6787', apiV3Key: Buffer.from(randomBytes(16).toString('hex')), serial: '3775B6A45ACD588826D15E583A95F5DD00000001' };

let handle: DatabaseHandle;
let t: TestApp;
let fx: Fixture;
let dir: string;

interface Order {
  id: number;
  outTradeNo: string;
  amountFen: number;
  transactionId: string;
  late: boolean;
}
let orders: Order[];

/** A small deterministic generator (the storm's mix is the same on every run). */
function rng(seed: number) {
  let s = seed >>> 0;
  return (n: number) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % n;
  };
}

beforeAll(async () => {
  handle = await createTestDatabase();
  fx = await seedCounty(handle.db);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'granary-storm-'));
  fs.writeFileSync(path.join(dir, 'platform.pem'), platform.publicKey.export({ type: 'spki', format: 'pem' }));
  t = await buildTestApp(handle, {
    clock,
    env: {
      GRANARY_WECHATPAY_MCHID: merchant.mchid,
      GRANARY_WECHATPAY_APPID: merchant.appid,
      GRANARY_WECHATPAY_APIV3_KEY: merchant.apiV3Key.toString(),
      GRANARY_WECHATPAY_PLATFORM_SERIAL: merchant.serial,
      GRANARY_WECHATPAY_PLATFORM_PUBLIC_KEY_FILE: path.join(dir, 'platform.pem'),
    },
  });

  // 250 more accounts in area A1, each with four orders: payments of one account contend for its lock
  const area = await handle.db.selectFrom('transformer_area').select(['id', 'station_id']).where('id', '=', fx.areas.A1).executeTakeFirstOrThrow();
  await sql`insert into customer (customer_no, kind, name, station_id) select 'C-S' || g, 'person', '风暴' || g, ${area.station_id}::bigint from generate_series(1, ${ACCOUNTS}::int) g`.execute(handle.db);
  await sql`
    insert into account (account_no, customer_id, company_id, station_id, area_id, name, category, voltage_level, payment_mode, tariff_code)
    select '77' || lpad(g::text, 8, '0'), c.id, ${fx.companyId}::bigint, ${area.station_id}::bigint, ${area.id}::bigint, c.name, 'residential', '0.22kV', 'postpaid', 'gansu.residential.tiered'
    from generate_series(1, ${ACCOUNTS}::int) g join customer c on c.customer_no = 'C-S' || g`.execute(handle.db);
  const accountIds = (await handle.db.selectFrom('account').select('id').where('account_no', 'like', '77%').orderBy('id').execute()).map((r) => r.id);
  expect(accountIds).toHaveLength(ACCOUNTS);

  const expiresAt = new Date(clock.now().getTime() + 30 * 60_000);
  const rows = Array.from({ length: ORDERS }, (_, i) => ({
    out_trade_no: newOutTradeNo(clock.now()),
    account_id: accountIds[i % ACCOUNTS]!,
    channel: 'wechatpay',
    // distinct amounts: a stolen transaction id always comes with another amount
    amount_fen: 1000 + i,
    expires_at: expiresAt,
    created_at: clock.now(),
  }));
  const inserted = await handle.db.insertInto('payment_order').values(rows).returning(['id', 'out_trade_no', 'amount_fen']).execute();
  orders = inserted.map((o, i) => ({ id: o.id, outTradeNo: o.out_trade_no, amountFen: o.amount_fen, transactionId: `4200001234202611${String(i).padStart(12, '0')}`, late: i % 100 === 0 }));
}, 120_000);

afterAll(async () => {
  await t?.app.close();
  await handle?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

interface Task {
  order: Order;
  transactionId: string;
  conflicting: boolean;
}

/** One delivery of a notification, freshly signed (own timestamp and nonce), as WeChat sends each retry. */
function delivery(task: Task) {
  const transaction = wechatpayTransaction({ mchid: merchant.mchid, appid: merchant.appid, outTradeNo: task.order.outTradeNo, transactionId: task.transactionId, amountFen: task.order.amountFen, paidAt: clock.now() });
  return buildWechatpayNotification({ platformPrivateKey: platform.privateKey, platformSerial: merchant.serial, apiV3Key: merchant.apiV3Key, transaction, now: clock.now() });
}

async function runRound(tasks: Task[], results: { task: Task; status: number; body: string }[]) {
  let next = 0;
  let inFlight = 0;
  let peak = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const task = tasks[next++]!;
      const d = delivery(task);
      inFlight++;
      peak = Math.max(peak, inFlight);
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/channels/wechatpay/notify', headers: d.headers, payload: d.body });
      inFlight--;
      results.push({ task, status: res.statusCode, body: res.body });
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return peak;
}

describe('a storm of WeChat Pay notifications', () => {
  it('applies each payment exactly once and refuses every conflicting transaction id', async () => {
    const random = rng(20261120);
    const shuffle = <T>(xs: T[]) => {
      for (let i = xs.length - 1; i > 0; i--) {
        const j = random(i + 1);
        [xs[i], xs[j]] = [xs[j]!, xs[i]!];
      }
      return xs;
    };
    const genuine = (order: Order): Task => ({ order, transactionId: order.transactionId, conflicting: false });
    const rounds: Task[][] = Array.from({ length: ROUNDS }, () => []);
    for (const o of orders) {
      if (o.late) for (let r = LATE_FROM_ROUND; r < ROUNDS; r++) rounds[r]!.push(genuine(o), ...(r === LATE_FROM_ROUND ? [genuine(o)] : []));
      else {
        rounds[0]!.push(genuine(o), genuine(o));
        for (let r = 1; r < ROUNDS; r++) rounds[r]!.push(genuine(o));
      }
    }
    const onTime = orders.filter((o) => !o.late);
    const late = orders.filter((o) => o.late);
    for (let k = 0; k < CONFLICTS; k++) {
      // the first 20 reach late orders while they are still open (rounds 1–4); the rest any other order
      const target = k < 20 ? late[k % late.length]! : orders[random(ORDERS)]!;
      let victim = onTime[random(onTime.length)]!;
      while (victim === target) victim = onTime[random(onTime.length)]!;
      const round = k < 20 ? 1 + (k % (LATE_FROM_ROUND - 1)) : 1 + random(ROUNDS - 1);
      rounds[round]!.push({ order: target, transactionId: victim.transactionId, conflicting: true });
    }
    rounds.forEach(shuffle);

    const total = rounds.reduce((n, r) => n + r.length, 0);
    expect(total).toBeGreaterThanOrEqual(ORDERS * 10);
    expect(rounds.flat().filter((x) => x.conflicting)).toHaveLength(CONFLICTS);

    const started = performance.now();
    const results: { task: Task; status: number; body: string }[] = [];
    let peak = 0;
    for (const [i, round] of rounds.entries()) {
      const t0 = performance.now();
      peak = Math.max(peak, await runRound(round, results));
      if (process.env.STORM_DEBUG) console.log(`round ${i}: ${round.length} deliveries in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
    const seconds = (performance.now() - started) / 1000;
    console.log(`callback storm: ${total} deliveries for ${ORDERS} orders in ${seconds.toFixed(1)} s (${Math.round(total / seconds)}/s), up to ${peak} at once`);
    expect(peak).toBe(CONCURRENCY);

    // every genuine delivery acknowledged (204), every conflicting one refused (400)
    const unexpected = results.filter((r) => r.status !== (r.task.conflicting ? 400 : 204));
    expect(unexpected.slice(0, 5).map((r) => `${r.status} ${r.body}`)).toEqual([]);

    // exactly one payment per order, with its own transaction id and amount
    const payments = await handle.db.selectFrom('payment').select(['order_id', 'channel_txn_id', 'amount_fen']).where('channel', '=', 'wechatpay').execute();
    expect(payments).toHaveLength(ORDERS);
    const byOrder = new Map(payments.map((p) => [p.order_id, p]));
    for (const o of orders) expect(byOrder.get(o.id), o.outTradeNo).toMatchObject({ channel_txn_id: o.transactionId, amount_fen: o.amountFen });
    const unpaid = await handle.db.selectFrom('payment_order').select('out_trade_no').where('status', '<>', 'paid').execute();
    expect(unpaid).toEqual([]);

    // each conflicting delivery is one txn_conflict security event, and nothing else was logged
    const events = await handle.db.selectFrom('security_event').select(['kind', 'detail']).execute();
    expect(events).toHaveLength(CONFLICTS);
    expect(new Set(events.map((e) => e.kind))).toEqual(new Set(['txn_conflict']));

    // the ledger is sound and the WeChat clearing book holds exactly what was paid
    const report = await checkLedger(handle.db);
    expect(report.violations).toEqual([]);
    const clearing = await handle.db.selectFrom('ledger_balance').select((eb) => eb.fn.sum<string>('balance_fen').as('fen')).where('book', '=', 'clearing.wechatpay').executeTakeFirstOrThrow();
    const paid = orders.reduce((s, o) => s + o.amountFen, 0);
    expect(Number(clearing.fen)).toBe(paid);
  }, 180_000);
});
