import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { DatabaseHandle } from '../../src/db/connect.js';
import { checkLedger } from '../../src/modules/ledger/index.js';
import { applyPayment } from '../../src/modules/payments/index.js';
import { seedTariffDefaults } from '../../src/modules/tariffs/index.js';
import { FixedClock } from '../../src/shared/clock.js';
import { projectedReads, startHeadEnd, type HeadEnd } from '../../src/workflows/ami-sim.js';
import { startFeeControl, type FeeControlService } from '../../src/workflows/fee-control.js';
import { seedCounty, type Fixture } from '../fixtures/county.js';
import { createTestDatabase } from '../support/db.js';

/**
 * A month of smart prepaid fee control on a fixed clock (issue 18, RULES §8): a household tops up 100 元 and
 * uses 20 kWh a day; the daily run warns, puts it pending, disconnects after the grace period through the
 * simulated head-end over MQTT; a payment reconnects it at once. The ledger check passes after each step.
 */
let handle: DatabaseHandle;
let fx: Fixture;
let service: FeeControlService;
let headEnd: HeadEnd;
const clock = new FixedClock(new Date('2026-11-02T10:00:00+08:00'));
const mqttUrl = process.env.GRANARY_TEST_MQTT_URL;

beforeAll(async () => {
  handle = await createTestDatabase();
  fx = await seedCounty(handle.db);
  await seedTariffDefaults(handle.db);
  await handle.db.updateTable('account').set({ opened_on: '2024-01-01' }).execute();
  // the cycle read of 2026-10 (1300.50 on 11-01) starts November's cycle; 20 kWh a day after it
  const rows = Array.from({ length: 20 }, (_, i) => ({ day: `2026-11-${String(i + 2).padStart(2, '0')}`, total: (1300.5 + 20 * (i + 1)).toFixed(2) }));
  for (const r of rows) await handle.db.insertInto('daily_read').values({ account_id: fx.accounts.A1, meter_id: fx.meters.A1, read_on: r.day, total: r.total }).execute();
  await pay(10_000, 'TOPUP-1', '2026-11-01T09:00:00+08:00');
  const config = loadConfig({ GRANARY_HOME: '/tmp/granary-unused', LOG_LEVEL: 'silent', GRANARY_MQTT_PORT: '0', GRANARY_MQTT_PREFIX: `t${process.pid}`, GRANARY_COMMAND_ACK_SECONDS: '2', ...(mqttUrl ? { GRANARY_MQTT_URL: mqttUrl } : {}) });
  service = await startFeeControl({ handle, config, clock, log: () => {} }, { jobs: false, tickMs: 100 });
  headEnd = await startHeadEnd({ url: service.brokerUrl, prefix: config.ami.topicPrefix, delayMs: { min: 10, max: 50 } });
}, 60_000);

afterAll(async () => {
  await headEnd?.stop();
  await service?.stop();
  await handle?.close();
});

async function pay(amountFen: number, txn: string, at: string) {
  await handle.db.transaction().execute((trx) => applyPayment(trx, { accountId: fx.accounts.A1, channel: 'counter', channelTxnId: txn, amountFen, paidAt: new Date(at) }));
}

async function position() {
  return (await sql<{ state: string; available_fen: number; estimate_fen: number; below_zero_on: string | null; held_reason: string | null }>`
    select state, available_fen::int, estimate_fen::int, below_zero_on::text, held_reason from fee_control where account_id = ${fx.accounts.A1}`.execute(handle.db)).rows[0]!;
}

async function runOn(day: string) {
  clock.set(new Date(`${day}T10:00:00+08:00`));
  await service.runToday();
  await service.settle();
  expect((await checkLedger(handle.db)).violations).toEqual([]);
  return position();
}

const notices = async () => (await sql<{ kind: string }>`select kind from notification where account_id = ${fx.accounts.A1} and channel = 'sms' order by id`.execute(handle.db)).rows.map((r) => r.kind);
const events = async () => (await sql<{ kind: string }>`select kind from account_event where account_id = ${fx.accounts.A1} and kind like 'fee_control.%' order by seq`.execute(handle.db)).rows.map((r) => r.kind);

describe('a month of smart prepaid fee control', () => {
  it('estimates each day through the rating engine: tiers cumulative within the cycle', async () => {
    expect(await runOn('2026-11-02')).toMatchObject({ state: 'normal', estimate_fen: 1020, available_fen: 8980 });
  });

  it('warns at the warning amount, once', async () => {
    expect(await runOn('2026-11-06')).toMatchObject({ state: 'warned', estimate_fen: 5100, available_fen: 4900 });
    expect(await runOn('2026-11-07')).toMatchObject({ state: 'warned' });
    expect(await notices()).toEqual(['balance_low']);
  });

  it('goes pending below zero and holds the disconnection for the grace period', async () => {
    // 200 kWh: 160 × 0.51 + 40 × 0.56 = 104.00 元
    expect(await runOn('2026-11-11')).toMatchObject({ state: 'pending', estimate_fen: 10400, available_fen: -400, below_zero_on: '2026-11-11', held_reason: 'grace period until 2026-11-14' });
    expect(await notices()).toEqual(['balance_low', 'pending_disconnection']);
    expect(headEnd.received).toEqual([]);
  });

  it('disconnects through the head-end after the grace period', async () => {
    const p = await runOn('2026-11-14');
    expect(p.state).toBe('disconnected');
    expect(headEnd.relays.get('MT-A1')).toBe(false);
    expect(headEnd.received.map((r) => r.message.action)).toEqual(['disconnect']);
    expect(await notices()).toEqual(['balance_low', 'pending_disconnection', 'disconnected']);
  });

  it('reconnects as soon as a payment lifts the available balance above zero', async () => {
    clock.set(new Date('2026-11-14T15:00:00+08:00'));
    await pay(10_000, 'TOPUP-2', '2026-11-14T15:00:00+08:00');
    await service.settle();
    expect((await position()).state).toMatch(/normal|warned/);
    expect(headEnd.relays.get('MT-A1')).toBe(true);
    expect(await events()).toEqual(['fee_control.warned', 'fee_control.pending', 'fee_control.disconnected', 'fee_control.reconnecting', 'fee_control.normal']);
    expect((await checkLedger(handle.db)).violations).toEqual([]);
    const cmds = (await sql<{ action: string; state: string; latency_ms: number | null }>`select action, state, latency_ms from meter_command where account_id = ${fx.accounts.A1} order by id`.execute(handle.db)).rows;
    expect(cmds.map((c) => [c.action, c.state])).toEqual([['disconnect', 'done'], ['reconnect', 'done']]);
  });

  it('ingests the frozen reads the head-end publishes over MQTT, projected from each meter\'s recent use', async () => {
    clock.set(new Date('2026-11-23T00:10:00+08:00'));
    const reads = await projectedReads(handle.db, '2026-11-23');
    const a1 = reads.filter((r) => r.meterNo === 'MT-A1');
    // A1's last read is 11-21 at 1700.50 after 20 kWh a day
    expect(a1).toEqual([
      { meterNo: 'MT-A1', readOn: '2026-11-22', total: '1720.50', peak: null, flat: null, valley: null },
      { meterNo: 'MT-A1', readOn: '2026-11-23', total: '1740.50', peak: null, flat: null, valley: null },
    ]);
    headEnd.publishReads([...a1, { meterNo: 'MT-A1', readOn: '2026-11-24', total: '1.00' }]);
    await new Promise((r) => setTimeout(r, 400));
    await service.settle();
    const rows = (await sql<{ read_on: string; total: string; source: string }>`
      select read_on::text, total::text, source from daily_read where meter_id = ${fx.meters.A1} and read_on >= '2026-11-22' order by read_on`.execute(handle.db)).rows;
    // the read of tomorrow is refused (a future day, and backwards): only the two real ones are in
    expect(rows).toEqual([
      { read_on: '2026-11-22', total: '1720.50', source: 'ami' },
      { read_on: '2026-11-23', total: '1740.50', source: 'ami' },
    ]);
  });
});
