import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../src/config.js';
import type { DatabaseHandle } from '../../src/db/connect.js';
import { handleAck } from '../../src/modules/feecontrol/index.js';
import { checkLedger } from '../../src/modules/ledger/index.js';
import { applyPayment, applyPayments } from '../../src/modules/payments/index.js';
import { seedTariffDefaults } from '../../src/modules/tariffs/index.js';
import { amiTopic, connectMqtt } from '../../src/platform/mqtt.js';
import type { Clock } from '../../src/shared/clock.js';
import { startHeadEnd, type HeadEnd, type HeadEndOptions } from '../../src/workflows/ami-sim.js';
import { feeControlDeps, startFeeControl, type FeeControlService } from '../../src/workflows/fee-control.js';
import { seedCounty, type Fixture } from '../fixtures/county.js';
import { createTestDatabase } from '../support/db.js';

/**
 * The command lifecycle against a misbehaving head-end (issue 18 items 7 and 11, DESIGN §7): answers sent
 * twice, answers to commands Granary never sent, a late answer to a disconnection after the reconnection was
 * staged, a failure then a success, and silence — sent again after the wait, escalated after the last
 * attempt. The wait is 1 s and three attempts (GRANARY_COMMAND_ACK_SECONDS, GRANARY_COMMAND_ATTEMPTS); the
 * clock runs in real time from 2026-11-20 10:00 Asia/Shanghai, so the waits are real.
 */
const TODAY = '2026-11-20';
const BASE = new Date(`${TODAY}T10:00:00+08:00`).getTime();
const started = Date.now();
const clock: Clock = { now: () => new Date(BASE + (Date.now() - started)) };
const mqttUrl = process.env.GRANARY_TEST_MQTT_URL;
const prefix = `t-acks-${randomBytes(4).toString('hex')}`;
const TOPUP_FEN = 10_000;

let handle: DatabaseHandle;
let fx: Fixture;
let config: Config;
let service: FeeControlService;
let spy: MqttClient;
/** every message on the prefix's cmd and ack topics, with when it was seen */
const wire: { at: number; meterNo: string; leaf: string; body: { commandId: string; action?: string; status?: string } }[] = [];
const logs: string[] = [];
let headEnds: HeadEnd[] = [];

beforeAll(async () => {
  handle = await createTestDatabase();
  fx = await seedCounty(handle.db);
  await seedTariffDefaults(handle.db);
  config = loadConfig({
    GRANARY_HOME: '/tmp/granary-unused',
    LOG_LEVEL: 'silent',
    GRANARY_MQTT_PORT: '0',
    GRANARY_MQTT_PREFIX: prefix,
    GRANARY_COMMAND_ACK_SECONDS: '1',
    GRANARY_COMMAND_ATTEMPTS: '3',
    ...(mqttUrl ? { GRANARY_MQTT_URL: mqttUrl } : {}),
  });
  service = await startFeeControl({ handle, config, clock, log: (m) => logs.push(m) }, { jobs: false, tickMs: 50 });
  spy = await connectMqtt(service.brokerUrl, `granary-spy-${randomBytes(4).toString('hex')}`, { clean: true });
  spy.on('message', (topic, payload) => {
    const parts = topic.split('/');
    let body: (typeof wire)[number]['body'];
    try {
      body = JSON.parse(payload.toString('utf8'));
    } catch {
      body = { commandId: '' };
    }
    wire.push({ at: Date.now(), meterNo: parts[parts.length - 2]!, leaf: parts[parts.length - 1]!, body });
  });
  await spy.subscribeAsync([`${prefix}/ami/+/cmd`, `${prefix}/ami/+/ack`], { qos: 1 });
}, 60_000);

afterEach(async () => {
  for (const h of headEnds) await h.stop();
  headEnds = [];
});

afterAll(async () => {
  await spy?.endAsync();
  await service?.stop();
  await handle?.close();
});

async function headEnd(o: Omit<HeadEndOptions, 'url' | 'prefix'>): Promise<HeadEnd> {
  const h = await startHeadEnd({ url: service.brokerUrl, prefix, ...o });
  headEnds.push(h);
  return h;
}

async function stopHeadEnds() {
  for (const h of headEnds) await h.stop();
  headEnds = [];
}

/** n prepaid households with 300 kWh used this cycle and 100 元 topped up: due for disconnection today. */
async function dueHouseholds(tag: string, n: number): Promise<{ id: number; meterNo: string }[]> {
  const db = handle.db;
  await sql`insert into customer (customer_no, kind, name, station_id)
            select ${tag} || '-' || g, 'person', '客户' || ${tag} || g, ${fx.stations.A}::bigint from generate_series(1, ${n}::int) g`.execute(db);
  await sql`insert into account (account_no, customer_id, company_id, station_id, area_id, name, category, voltage_level, payment_mode, tariff_code, opened_on)
            select c.customer_no, c.id, ${fx.companyId}::bigint, ${fx.stations.A}::bigint, ${fx.areas.A1}::bigint, c.name, 'residential', '0.22kV', 'smart_prepaid',
                   'gansu.residential.tiered', date '2024-01-01'
              from customer c where c.customer_no like ${`${tag}-%`} order by c.id`.execute(db);
  await sql`insert into meter (account_id, meter_no, registers) select a.id, 'M' || a.account_no, array['total'] from account a where a.account_no like ${`${tag}-%`}`.execute(db);
  await sql`insert into cycle_read (account_id, meter_id, period, read_on, total)
            select m.account_id, m.id, '2026-10', date '2026-11-01', 1000 from meter m join account a on a.id = m.account_id where a.account_no like ${`${tag}-%`}`.execute(db);
  await sql`insert into daily_read (account_id, meter_id, read_on, total)
            select m.account_id, m.id, ${TODAY}::date, 1300 from meter m join account a on a.id = m.account_id where a.account_no like ${`${tag}-%`}`.execute(db);
  const { rows } = await sql<{ id: number; meter_no: string }>`
    select a.id, m.meter_no from account a join meter m on m.account_id = a.id where a.account_no like ${`${tag}-%`} order by a.id`.execute(db);
  await db.transaction().execute((trx) =>
    applyPayments(trx, rows.map((r) => ({ accountId: r.id, channel: 'counter' as const, channelTxnId: `${tag}-topup-${r.id}`, amountFen: TOPUP_FEN, paidAt: new Date('2026-11-01T09:00:00+08:00') }))),
  );
  // below zero since 11-10: the grace period is over (after the event consumer has seen the top-ups)
  await service.settle();
  await sql`insert into fee_control (account_id, state, below_zero_on)
            select id, 'pending', date '2026-11-10' from account where account_no like ${`${tag}-%`}`.execute(db);
  return rows.map((r) => ({ id: Number(r.id), meterNo: r.meter_no }));
}

/** A payment that lifts the account's available balance to 80 元 (above the warning amount). */
async function enough(accountId: number): Promise<number> {
  const { estimate_fen, prepaid } = (await sql<{ estimate_fen: number; prepaid: number }>`
    select f.estimate_fen::int, coalesce(-b.balance_fen, 0)::int as prepaid from fee_control f
      left join ledger_balance b on b.account_id = f.account_id and b.book = 'prepaid' where f.account_id = ${accountId}`.execute(handle.db)).rows[0]!;
  expect(estimate_fen).toBeGreaterThan(prepaid);
  return estimate_fen - prepaid + 8_000;
}

async function pay(accountId: number, amountFen: number, txn: string) {
  await handle.db.transaction().execute((trx) => applyPayment(trx, { accountId, channel: 'counter', channelTxnId: txn, amountFen, paidAt: clock.now() }));
}

async function commands(accountId: number) {
  return (await sql<{ command_id: string; action: string; state: string; attempts: number; last_error: string | null; latency_ms: number | null }>`
    select command_id, action, state, attempts, last_error, latency_ms from meter_command where account_id = ${accountId} order by id`.execute(handle.db)).rows;
}

async function stateOf(accountId: number): Promise<string> {
  return (await sql<{ state: string }>`select state from fee_control where account_id = ${accountId}`.execute(handle.db)).rows[0]!.state;
}

async function eventsOf(accountId: number): Promise<string[]> {
  return (await sql<{ kind: string }>`select kind from account_event where account_id = ${accountId} and kind like 'fee_control.%' order by seq`.execute(handle.db)).rows.map((r) => r.kind);
}

async function noticesOf(accountId: number): Promise<string[]> {
  return (await sql<{ kind: string }>`select kind from notification where account_id = ${accountId} and channel = 'app' order by id`.execute(handle.db)).rows.map((r) => r.kind);
}

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function settled() {
  await until('no command in flight', async () => (await sql<{ n: number }>`select count(*)::int as n from meter_command where state in ('staged', 'sent')`.execute(handle.db)).rows[0]!.n === 0);
  await service.settle();
}

async function publishAck(meterNo: string, body: unknown) {
  await spy.publishAsync(amiTopic(prefix, meterNo, 'ack'), typeof body === 'string' ? body : JSON.stringify(body), { qos: 1 });
}

describe('answers from a head-end that repeats, invents, reorders, fails and falls silent', () => {
  it('applies an answer sent twice once: one state change, one event, one notice per account', async () => {
    const homes = await dueHouseholds('DUP', 5);
    const h = await headEnd({ duplicateRate: 1, delayMs: { min: 5, max: 30 } });
    await service.runToday();
    await settled();
    for (const home of homes) {
      const [c] = await commands(home.id);
      expect(c).toMatchObject({ action: 'disconnect', state: 'done', attempts: 1 });
      expect(wire.filter((w) => w.leaf === 'ack' && w.body.commandId === c!.command_id)).toHaveLength(2);
      expect(h.relays.get(home.meterNo)).toBe(false);
      expect(await stateOf(home.id)).toBe('disconnected');
      expect(await eventsOf(home.id)).toEqual(['fee_control.disconnected']);
      expect(await noticesOf(home.id)).toEqual(['disconnected']);
    }
    // and back: a payment, a reconnection answered twice
    await pay(homes[0]!.id, await enough(homes[0]!.id), 'DUP-pay');
    await until('the reconnection', async () => (await commands(homes[0]!.id)).some((c) => c.action === 'reconnect' && c.state === 'done'));
    await settled();
    expect(h.relays.get(homes[0]!.meterNo)).toBe(true);
    expect(await eventsOf(homes[0]!.id)).toEqual(['fee_control.disconnected', 'fee_control.reconnecting', 'fee_control.normal']);
    expect(await noticesOf(homes[0]!.id)).toEqual(['disconnected', 'reconnected']);
    expect((await checkLedger(handle.db)).violations).toEqual([]);
  });

  it('ignores answers to commands it never sent, and malformed ones', async () => {
    const [home] = await dueHouseholds('UNK', 1);
    const before = await sql<{ n: number }>`select count(*)::int as n from account_event`.execute(handle.db);
    const h = await headEnd({ delayMs: { min: 5, max: 10 } });
    // answers out of nowhere, on a known meter and an unknown one, and garbage
    await publishAck(home!.meterNo, { commandId: randomUUID(), status: 'done', at: new Date().toISOString() });
    await publishAck(home!.meterNo, { commandId: randomUUID(), status: 'failed', error: 'relay stuck' });
    await publishAck('NO-SUCH-METER', { commandId: randomUUID(), status: 'done' });
    await publishAck(home!.meterNo, 'not json');
    await publishAck(home!.meterNo, { commandId: 'x'.repeat(65), status: 'done' });
    await publishAck(home!.meterNo, { commandId: randomUUID(), status: 'maybe' });
    await until('the malformed answers logged', async () => logs.filter((l) => l.includes('malformed')).length >= 3);
    expect(await sql<{ n: number }>`select count(*)::int as n from account_event`.execute(handle.db).then((r) => r.rows[0]!.n)).toBe(before.rows[0]!.n);
    expect(await commands(home!.id)).toEqual([]);
    expect(await stateOf(home!.id)).toBe('pending');
    const deps = feeControlDeps(config, clock, () => {});
    expect(await handleAck(handle.db, deps, { commandId: randomUUID(), status: 'done' }, { ackSeconds: 1, attempts: 3 }, clock.now())).toEqual({ outcome: 'ignored' });

    // and the real command still goes through
    await service.runToday();
    await settled();
    expect((await commands(home!.id)).map((c) => [c.action, c.state])).toEqual([['disconnect', 'done']]);
    expect(h.relays.get(home!.meterNo)).toBe(false);
    expect(logs.filter((l) => !l.includes('malformed'))).toEqual([]);
  });

  it('ignores a late answer to the disconnection once the reconnection is staged, and a failure after a success', async () => {
    const [home] = await dueHouseholds('LATE', 1);
    await headEnd({ delayMs: { min: 5, max: 10 } });
    await service.runToday();
    await settled();
    const [cut] = await commands(home!.id);
    expect(cut).toMatchObject({ action: 'disconnect', state: 'done' });
    const latency = cut!.latency_ms;
    await stopHeadEnds();

    // the customer pays; no head-end answers the reconnection yet (it is resent every wait)
    await pay(home!.id, await enough(home!.id), 'LATE-pay');
    await until('the reconnection sent', async () => (await commands(home!.id)).find((c) => c.action === 'reconnect' && c.state === 'sent'));
    expect(await stateOf(home!.id)).toBe('reconnecting');
    const eventsBefore = await eventsOf(home!.id);

    // the disconnection's answer again, late, then its failure, out of order
    await publishAck(home!.meterNo, { commandId: cut!.command_id, status: 'done', at: new Date().toISOString() });
    await publishAck(home!.meterNo, { commandId: cut!.command_id, status: 'failed', error: 'late' });
    await until('both late answers on the wire', async () => wire.filter((w) => w.leaf === 'ack' && w.body.commandId === cut!.command_id).length >= 3);
    await new Promise((r) => setTimeout(r, 300));
    expect(await stateOf(home!.id)).toBe('reconnecting');
    expect(await eventsOf(home!.id)).toEqual(eventsBefore);
    const [cutAfter, reconnect] = await commands(home!.id);
    expect(cutAfter).toMatchObject({ action: 'disconnect', state: 'done', attempts: 1, last_error: null, latency_ms: latency });
    expect(reconnect).toMatchObject({ action: 'reconnect', state: 'sent' });

    // the head-end comes back: the reconnection is answered (the resend), then a stale failure of it is ignored
    const h = await headEnd({ delayMs: { min: 5, max: 10 } });
    await settled();
    expect(await stateOf(home!.id)).toMatch(/^(normal|warned)$/);
    expect(h.relays.get(home!.meterNo)).toBe(true);
    await publishAck(home!.meterNo, { commandId: reconnect!.command_id, status: 'failed', error: 'stale' });
    await new Promise((r) => setTimeout(r, 300));
    expect((await commands(home!.id)).map((c) => [c.action, c.state])).toEqual([['disconnect', 'done'], ['reconnect', 'done']]);
    expect(await eventsOf(home!.id)).toEqual(['fee_control.disconnected', 'fee_control.reconnecting', 'fee_control.normal']);
    expect(logs.filter((l) => !l.includes('malformed'))).toEqual([]);
  });

  it('sends a failed command again after the back-off, and applies its success once', async () => {
    const [home] = await dueHouseholds('FAIL', 1);
    const failing = await headEnd({ failRate: 1, delayMs: { min: 5, max: 10 } });
    await service.runToday();
    const failed = await until('the failure applied', async () => (await commands(home!.id)).find((c) => c.state === 'staged' && c.attempts === 1 && c.last_error === 'relay did not move'));
    expect(failing.relays.has(home!.meterNo)).toBe(false);
    await stopHeadEnds();
    const working = await headEnd({ delayMs: { min: 5, max: 10 } });
    await settled();
    expect(await commands(home!.id)).toEqual([expect.objectContaining({ command_id: failed.command_id, action: 'disconnect', state: 'done', attempts: 2, last_error: null })]);
    const sends = wire.filter((w) => w.leaf === 'cmd' && w.body.commandId === failed.command_id);
    expect(sends).toHaveLength(2);
    expect(sends[1]!.at - sends[0]!.at).toBeGreaterThanOrEqual(900);
    expect(working.relays.get(home!.meterNo)).toBe(false);
    expect(await stateOf(home!.id)).toBe('disconnected');
    expect(await eventsOf(home!.id)).toEqual(['fee_control.disconnected']);
  });

  // a payment while the disconnection is out leaves it open (its answer decides); a `failed` answer puts it
  // back to `staged`, and the dispatcher calls it off instead of sending it again (the same for a resend
  // after no answer)
  it('does not send a disconnection again once the customer has paid: its failure ends it', async () => {
    const [home] = await dueHouseholds('PAIDFAIL', 1);
    // a head-end slow to answer: the disconnection is out when the customer pays
    await headEnd({ silentRate: 1 });
    await service.runToday();
    const cut = await until('the disconnection sent', async () => (await commands(home!.id)).find((c) => c.action === 'disconnect' && c.state === 'sent'));
    await pay(home!.id, await enough(home!.id), 'PAIDFAIL-pay');
    await until('the payment seen', async () => (await sql<{ p: number }>`select prepaid_fen::int as p from fee_control where account_id = ${home!.id}`.execute(handle.db)).rows[0]!.p > TOPUP_FEN);
    expect(await stateOf(home!.id)).toBe('pending'); // the disconnection cannot be called back: its answer decides
    await stopHeadEnds();
    // the head-end answers: the relay did not move
    await publishAck(home!.meterNo, { commandId: cut.command_id, status: 'failed', error: 'relay did not move' });
    const working = await headEnd({ delayMs: { min: 5, max: 10 } });
    await until('nothing in flight', async () => (await sql<{ n: number }>`select count(*)::int as n from meter_command where state in ('staged', 'sent')`.execute(handle.db)).rows[0]!.n === 0);
    await service.settle();
    // the customer has paid: the meter must not be cut now
    expect(working.received.filter((r) => r.meterNo === home!.meterNo).map((r) => r.message.action)).toEqual([]);
    expect(await stateOf(home!.id)).toMatch(/^(normal|warned)$/);
  });

  it('sends an unanswered command again after each wait and escalates it after the last attempt', async () => {
    const [home] = await dueHouseholds('SILENT', 1);
    const silent = await headEnd({ silentRate: 1 });
    await service.runToday();
    const escalated = await until('the escalation', async () => (await commands(home!.id)).find((c) => c.state === 'escalated'), 30_000);
    expect(escalated).toMatchObject({ action: 'disconnect', attempts: 3, last_error: 'no answer after 3 attempts' });
    const sends = wire.filter((w) => w.leaf === 'cmd' && w.body.commandId === escalated.command_id);
    expect(sends).toHaveLength(3);
    expect(silent.received.filter((r) => r.message.commandId === escalated.command_id)).toHaveLength(3);
    // back-off: the wait (1 s), then twice that
    expect(sends[1]!.at - sends[0]!.at).toBeGreaterThanOrEqual(900);
    expect(sends[2]!.at - sends[1]!.at).toBeGreaterThanOrEqual(1_900);
    // nothing was cut as far as Granary knows: a person takes over
    expect(await stateOf(home!.id)).toBe('pending');
    expect(await eventsOf(home!.id)).toEqual([]);
    // it stays escalated: not sent again
    await new Promise((r) => setTimeout(r, 1_500));
    expect(wire.filter((w) => w.leaf === 'cmd' && w.body.commandId === escalated.command_id)).toHaveLength(3);
  });
});
