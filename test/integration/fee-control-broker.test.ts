import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { DatabaseHandle } from '../../src/db/connect.js';
import { checkLedger } from '../../src/modules/ledger/index.js';
import { applyPayment, applyPayments } from '../../src/modules/payments/index.js';
import { seedTariffDefaults } from '../../src/modules/tariffs/index.js';
import { amiTopic, connectMqtt, startEmbeddedBroker, type EmbeddedBroker } from '../../src/platform/mqtt.js';
import type { Clock } from '../../src/shared/clock.js';
import { startHeadEnd, type HeadEnd } from '../../src/workflows/ami-sim.js';
import { startFeeControl, type FeeControlService } from '../../src/workflows/fee-control.js';
import { seedCounty, type Fixture } from '../fixtures/county.js';
import { createTestDatabase } from '../support/db.js';

/**
 * The broker goes away in the middle of the day's disconnections and comes back (issue 18 item 11): no
 * command is lost — each is answered and applied once, whatever was in flight when the broker died —
 * reconnections staged while it was away go out when it is back, and the head-end's frozen reads arrive.
 *
 * Embedded broker (GRANARY_TEST_MQTT_URL unset): an aedes broker this test starts on a fixed port, stopped
 * with commands in flight (its sessions and queued messages die with it) and started again on the same port.
 * A real broker (GRANARY_TEST_MQTT_URL, Mosquitto) cannot be restarted from here: the outage is the clients'
 * TCP relays dropping every connection and refusing new ones for the same time — to the clients the same.
 * Granary and the head-end each reach the broker through a relay of their own, so that one of them can also
 * be kept away while the other is back. Clients retry every 0.5 s; Granary sends an unanswered command again
 * after 1 s (GRANARY_COMMAND_ACK_SECONDS).
 */
const TODAY = '2026-11-20';
const BASE = new Date(`${TODAY}T10:00:00+08:00`).getTime();
const started = Date.now();
const clock: Clock = { now: () => new Date(BASE + (Date.now() - started)) };
const realBroker = process.env.GRANARY_TEST_MQTT_URL;
const prefix = `t-broker-${randomBytes(4).toString('hex')}`;
const TOPUP_FEN = 10_000;
const HOUSEHOLDS = 60;

/** A TCP relay on a fixed loopback port: down drops every connection and refuses new ones, up listens again. */
interface Relay {
  url: string;
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

async function relayTo(target: string): Promise<Relay> {
  const to = new URL(target);
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(to.port || 1883), to.hostname);
    sockets.add(client).add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream).pipe(client);
  });
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port));
    });
  const port = await listen(0);
  const dropAll = () => {
    for (const s of sockets) s.destroy();
    sockets.clear();
  };
  return {
    url: `mqtt://127.0.0.1:${port}`,
    async down() {
      const closed = new Promise<void>((r) => server.close(() => r()));
      dropAll();
      await closed;
    },
    async up() {
      await listen(port);
    },
    async close() {
      dropAll();
      if (server.listening) await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** The broker: the machine's, or an embedded one that can be stopped and started again on its port. */
interface Broker {
  url: string;
  /** stop and start again on the same port (embedded: a new broker, empty); null for a real broker */
  restart: ((pauseMs: number) => Promise<void>) | null;
  close(): Promise<void>;
}

async function theBroker(): Promise<Broker> {
  if (realBroker) return { url: realBroker, restart: null, close: async () => {} };
  let broker: EmbeddedBroker | null = await startEmbeddedBroker(0);
  const port = Number(new URL(broker.url).port);
  return {
    url: broker.url,
    async restart(pauseMs) {
      await broker?.close();
      broker = null;
      await new Promise((r) => setTimeout(r, pauseMs));
      broker = await startEmbeddedBroker(port);
    },
    async close() {
      await broker?.close();
    },
  };
}

let handle: DatabaseHandle;
let fx: Fixture;
let broker: Broker;
let granaryLink: Relay;
let headEndLink: Relay;
let service: FeeControlService;
let headEnd: HeadEnd;
const logs: string[] = [];

beforeAll(async () => {
  handle = await createTestDatabase();
  fx = await seedCounty(handle.db);
  await seedTariffDefaults(handle.db);
  broker = await theBroker();
  granaryLink = await relayTo(broker.url);
  headEndLink = await relayTo(broker.url);
  const config = loadConfig({
    GRANARY_HOME: '/tmp/granary-unused',
    LOG_LEVEL: 'silent',
    GRANARY_MQTT_URL: granaryLink.url,
    GRANARY_MQTT_PREFIX: prefix,
    GRANARY_COMMAND_ACK_SECONDS: '1',
    GRANARY_COMMAND_ATTEMPTS: '10',
  });
  service = await startFeeControl({ handle, config, clock, log: (m) => logs.push(m) }, { jobs: false, tickMs: 50 });
  headEnd = await startHeadEnd({ url: headEndLink.url, prefix, delayMs: { min: 100, max: 600 } });
}, 60_000);

afterAll(async () => {
  await headEnd?.stop();
  await service?.stop();
  await granaryLink?.close();
  await headEndLink?.close();
  await broker?.close();
  await handle?.close();
});

/** The outage: every connection dropped and refused for `pauseMs`; an embedded broker is restarted as well (empty). */
async function outage(pauseMs: number, meanwhile: () => Promise<void>) {
  await Promise.all([granaryLink.down(), headEndLink.down()]);
  await broker.restart?.(0);
  const until = Date.now() + pauseMs;
  await meanwhile();
  await new Promise((r) => setTimeout(r, Math.max(0, until - Date.now())));
  await Promise.all([granaryLink.up(), headEndLink.up()]);
}

/** Prepaid households that used 300 kWh this cycle on a 100 元 top-up, below zero since 11-10: due today. */
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
  await service.settle();
  await sql`insert into fee_control (account_id, state, below_zero_on) select id, 'pending', date '2026-11-10' from account where account_no like ${`${tag}-%`}`.execute(db);
  return rows.map((r) => ({ id: Number(r.id), meterNo: r.meter_no }));
}

async function counts() {
  return (await sql<{ state: string; n: number }>`select state, count(*)::int as n from meter_command group by state`.execute(handle.db)).rows.reduce<Record<string, number>>(
    (m, r) => ({ ...m, [r.state]: r.n }),
    {},
  );
}

async function readsStored(homes: readonly { id: number }[], from: string, to: string): Promise<number> {
  return (await sql<{ n: number }>`
    select count(*)::int as n from daily_read where read_on between ${from}::date and ${to}::date and account_id = any(${homes.map((h) => h.id)}::bigint[])`.execute(handle.db)).rows[0]!.n;
}

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const readsOf = (homes: readonly { meterNo: string }[], day: string, total: number) => homes.map((h) => ({ meterNo: h.meterNo, readOn: day, total: total.toFixed(2) }));

describe(`the broker ${realBroker ? '(the machine’s, every connection to it dropped and refused)' : '(embedded)'} stopped and restarted mid-run`, () => {
  let homes: { id: number; meterNo: string }[];

  it('loses no command: every one in flight, or staged while it was away, is answered and applied once', async () => {
    homes = await dueHouseholds('OUT', HOUSEHOLDS);
    // a few were cut yesterday; they pay while the broker is away
    const yesterday = await dueHouseholds('YDAY', 5);
    await sql`update fee_control set state = 'disconnected' where account_id = any(${yesterday.map((h) => h.id)}::bigint[])`.execute(handle.db);

    // the head-end reports 11-17's frozen reads; the day's run
    headEnd.publishReads(readsOf(homes, '2026-11-17', 1255));
    await service.runToday();
    // commands in flight: some answered, more out
    const atCut = await until('commands in flight', async () => {
      const c = await counts();
      return (c.done ?? 0) >= 5 && (c.sent ?? 0) >= 10 ? c : null;
    });
    let duringOutage: Record<string, number> = {};
    await outage(1_500, async () => {
      // while it is away: payments stage reconnections; unanswered commands wait past their resend time
      for (const h of yesterday) {
        await handle.db.transaction().execute((trx) => applyPayment(trx, { accountId: h.id, channel: 'counter', channelTxnId: `YDAY-pay-${h.id}`, amountFen: 30_000, paidAt: clock.now() }));
      }
      await until('the reconnections staged', async () => (await sql<{ n: number }>`select count(*)::int as n from meter_command where action = 'reconnect'`.execute(handle.db)).rows[0]!.n === yesterday.length);
      duringOutage = await counts();
    });
    expect(atCut.done ?? 0).toBeLessThan(HOUSEHOLDS);
    expect((duringOutage.staged ?? 0) + (duringOutage.sent ?? 0)).toBeGreaterThan(0);

    await until('every command answered', async () => {
      const c = await counts();
      return (c.staged ?? 0) + (c.sent ?? 0) === 0;
    });
    // and the head-end, back, reports the next day
    headEnd.publishReads(readsOf(homes, '2026-11-18', 1270));
    await until('the reads stored', async () => (await readsStored(homes, '2026-11-17', '2026-11-18')) === 2 * HOUSEHOLDS);
    await service.settle();
    expect(await counts()).toEqual({ done: HOUSEHOLDS + yesterday.length });

    // each command answered once and applied once; the relays are where Granary thinks they are
    for (const h of homes) {
      expect(headEnd.relays.get(h.meterNo), h.meterNo).toBe(false);
      expect((await sql<{ state: string }>`select state from fee_control where account_id = ${h.id}`.execute(handle.db)).rows[0]!.state).toBe('disconnected');
      expect((await sql<{ kind: string }>`select kind from account_event where account_id = ${h.id} and kind like 'fee_control.%'`.execute(handle.db)).rows.map((r) => r.kind)).toEqual(['fee_control.disconnected']);
    }
    for (const h of yesterday) {
      expect(headEnd.relays.get(h.meterNo), h.meterNo).toBe(true);
      expect((await sql<{ state: string }>`select state from fee_control where account_id = ${h.id}`.execute(handle.db)).rows[0]!.state).toMatch(/^(normal|warned)$/);
    }
    const ids = (await sql<{ command_id: string }>`select command_id from meter_command`.execute(handle.db)).rows.map((r) => r.command_id);
    const heard = new Set(headEnd.received.map((r) => r.message.commandId));
    expect(ids.filter((id) => !heard.has(id))).toEqual([]);
    expect((await checkLedger(handle.db)).violations).toEqual([]);
    // the clients' complaints while the broker was away are the only log lines
    expect(logs.filter((l) => !/mqtt/i.test(l))).toEqual([]);
  }, 120_000);

  // KNOWN DEFECT with the embedded broker (reported with issue 18; not in this test's files): aedes keeps
  // sessions in memory, so a restarted broker has no subscription of Granary's until Granary reconnects —
  // a reading the head-end sends in between (say its queue, flushed the moment it is back) is acknowledged
  // to the head-end and dropped, and nothing sends it again (commands are: Granary resends them). The
  // machine's Mosquitto keeps Granary's session (clean: false) and delivers it. `it.fails` with the embedded
  // broker until it keeps sessions (or reads are acknowledged end to end).
  (realBroker ? it : it.fails)('loses no read the head-end reports while Granary is still away after the outage', async () => {
    const reporter = await connectMqtt(headEndLink.url, `granary-reporter-${randomBytes(4).toString('hex')}`);
    try {
      await granaryLink.down();
      await broker.restart?.(0);
      // the head-end is back first: it reports 11-19 (its client waits for the relay, then sends)
      await until('the head-end reconnected', async () => reporter.connected);
      await Promise.all(readsOf(homes, '2026-11-19', 1285).map((r) => reporter.publishAsync(amiTopic(prefix, r.meterNo, 'reads'), JSON.stringify(r), { qos: 1 })));
      await granaryLink.up();
      await until('Granary reconnected', async () => {
        headEnd.publishReads(readsOf(homes.slice(0, 1), '2026-11-19', 1285));
        return (await readsStored(homes.slice(0, 1), '2026-11-19', '2026-11-19')) === 1;
      }, 10_000);
      await new Promise((r) => setTimeout(r, 500));
      await service.settle();
      expect(await readsStored(homes, '2026-11-19', '2026-11-19')).toBe(HOUSEHOLDS);
    } finally {
      await reporter.endAsync();
    }
  });
});
