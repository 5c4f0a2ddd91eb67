import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { DatabaseHandle } from '../../src/db/connect.js';
import { checkLedger } from '../../src/modules/ledger/index.js';
import { applyPayment } from '../../src/modules/payments/index.js';
import { seedTariffDefaults } from '../../src/modules/tariffs/index.js';
import { FixedClock } from '../../src/shared/clock.js';
import { startHeadEnd, type HeadEnd } from '../../src/workflows/ami-sim.js';
import { startFeeControl, type FeeControlService } from '../../src/workflows/fee-control.js';
import { seedCounty, type Fixture } from '../fixtures/county.js';
import { createTestDatabase } from '../support/db.js';

/**
 * The guards before a disconnection (RULES §7, §8.5) on a fixed clock, through the daily run and the
 * simulated head-end: a heating company on purchase-before-use is not cut in the heating season without
 * company approval, and is cut once approved; out of season it follows the normal grace period; a blackout
 * day and night hours hold a disconnection that is due, and the next allowed run performs it.
 */
const clock = new FixedClock(new Date('2026-10-01T10:00:00+08:00'));
const mqttUrl = process.env.GRANARY_TEST_MQTT_URL;
const prefix = `t-guards-${randomBytes(4).toString('hex')}`;

let handle: DatabaseHandle;
let fx: Fixture;
let service: FeeControlService;
let headEnd: HeadEnd;

beforeAll(async () => {
  handle = await createTestDatabase();
  fx = await seedCounty(handle.db);
  await seedTariffDefaults(handle.db);
  const config = loadConfig({ GRANARY_HOME: '/tmp/granary-unused', LOG_LEVEL: 'silent', GRANARY_MQTT_PORT: '0', GRANARY_MQTT_PREFIX: prefix, ...(mqttUrl ? { GRANARY_MQTT_URL: mqttUrl } : {}) });
  service = await startFeeControl({ handle, config, clock, log: () => {} }, { jobs: false, tickMs: 50 });
  headEnd = await startHeadEnd({ url: service.brokerUrl, prefix, delayMs: { min: 5, max: 30 } });
}, 60_000);

afterAll(async () => {
  await headEnd?.stop();
  await service?.stop();
  await handle?.close();
});

type Registers = { total: number; peak?: number; flat?: number; valley?: number };

/** One account with its meter, a cycle read starting the cycle, daily frozen reads and a top-up. */
async function addAccount(a: {
  no: string;
  category: string;
  voltage: string;
  mode: 'smart_prepaid' | 'purchase_before_use';
  tariff: string;
  heating?: boolean;
  registers: string[];
  cycle: { period: string; readOn: string; read: Registers };
  daily: { day: string; read: Registers }[];
  topupFen: number;
}): Promise<{ id: number; meterNo: string }> {
  const db = handle.db;
  const customer = await db.insertInto('customer').values({ customer_no: a.no, kind: a.category === 'residential' ? 'person' : 'organisation', name: `客户${a.no}`, station_id: fx.stations.A }).returning('id').executeTakeFirstOrThrow();
  const account = await db
    .insertInto('account')
    .values({
      account_no: a.no,
      customer_id: customer.id,
      company_id: fx.companyId,
      station_id: fx.stations.A,
      area_id: fx.areas.A1,
      name: `客户${a.no}`,
      category: a.category,
      voltage_level: a.voltage,
      payment_mode: a.mode,
      tariff_code: a.tariff,
      is_heating_company: a.heating ?? false,
      opened_on: '2024-01-01',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const meterNo = `M${a.no}`;
  const meter = await db.insertInto('meter').values({ account_id: account.id, meter_no: meterNo, registers: a.registers }).returning('id').executeTakeFirstOrThrow();
  const regs = (r: Registers) => ({ total: String(r.total), peak: r.peak === undefined ? null : String(r.peak), flat: r.flat === undefined ? null : String(r.flat), valley: r.valley === undefined ? null : String(r.valley) });
  await db.insertInto('cycle_read').values({ account_id: account.id, meter_id: meter.id, period: a.cycle.period, read_on: a.cycle.readOn, ...regs(a.cycle.read) }).execute();
  for (const d of a.daily) await db.insertInto('daily_read').values({ account_id: account.id, meter_id: meter.id, read_on: d.day, ...regs(d.read) }).execute();
  await db.transaction().execute((trx) => applyPayment(trx, { accountId: account.id, channel: 'counter', channelTxnId: `${a.no}-topup`, amountFen: a.topupFen, paidAt: new Date(`${a.cycle.readOn}T09:00:00+08:00`) }));
  await service.settle();
  return { id: account.id, meterNo };
}

/** A heating company on purchase-before-use (10 kV, time-of-use), using 2,000 kWh a day from the cycle read. */
function heatingCompany(no: string, cycle: { period: string; readOn: string }, days: string[]) {
  const start = { total: 50_000, peak: 10_000, flat: 15_000, valley: 25_000 };
  return addAccount({
    no,
    category: 'heating',
    voltage: '10kV',
    mode: 'purchase_before_use',
    tariff: 'gansu.ci.single-part',
    heating: true,
    registers: ['total', 'peak', 'flat', 'valley'],
    cycle: { ...cycle, read: start },
    daily: days.map((day) => {
      const n = Math.round((Date.parse(day) - Date.parse(cycle.readOn)) / 86_400_000);
      return { day, read: { total: start.total + 2_000 * n, peak: start.peak + 200 * n, flat: start.flat + 600 * n, valley: start.valley + 1_200 * n } };
    }),
    topupFen: 100_000,
  });
}

async function runAt(localTime: string) {
  clock.set(new Date(`${localTime}+08:00`));
  await service.runToday();
  await service.settle();
  expect((await checkLedger(handle.db)).violations).toEqual([]);
}

async function positionOf(accountId: number) {
  return (await sql<{ state: string; available_fen: number; below_zero_on: string | null; held_reason: string | null }>`
    select state, available_fen::int, below_zero_on::text, held_reason from fee_control where account_id = ${accountId}`.execute(handle.db)).rows[0]!;
}

async function commandsOf(accountId: number) {
  return (await sql<{ action: string; state: string }>`select action, state from meter_command where account_id = ${accountId} order by id`.execute(handle.db)).rows.map((r) => `${r.action}:${r.state}`);
}

describe('guards before a disconnection', () => {
  it('out of the heating season, a heating company follows the normal grace period (1 day for non-residential)', async () => {
    const days = ['2026-10-05', '2026-10-06'];
    const h = await heatingCompany('HEAT-OCT', { period: '2026-09', readOn: '2026-10-01' }, days);
    await runAt('2026-10-05T10:00:00');
    const p = await positionOf(h.id);
    expect(p).toMatchObject({ state: 'pending', below_zero_on: '2026-10-05', held_reason: 'grace period until 2026-10-06' });
    expect(p.available_fen).toBeLessThan(0);
    expect(await commandsOf(h.id)).toEqual([]);
    await runAt('2026-10-06T10:00:00');
    expect(await positionOf(h.id)).toMatchObject({ state: 'disconnected' });
    expect(await commandsOf(h.id)).toEqual(['disconnect:done']);
    expect(headEnd.relays.get(h.meterNo)).toBe(false);
  });

  it('holds a due disconnection on a blackout day and in night hours; the next allowed run performs it', async () => {
    const household = await addAccount({
      no: 'BLACKOUT',
      category: 'residential',
      voltage: '0.22kV',
      mode: 'smart_prepaid',
      tariff: 'gansu.residential.tiered',
      registers: ['total'],
      cycle: { period: '2026-10', readOn: '2026-11-01', read: { total: 1000 } },
      daily: [
        { day: '2026-11-20', read: { total: 1300 } },
        { day: '2026-11-21', read: { total: 1315 } },
        { day: '2026-11-22', read: { total: 1330 } },
      ],
      topupFen: 10_000,
    });
    // below zero since 11-10: the grace period is long over
    await sql`insert into fee_control (account_id, state, below_zero_on) values (${household.id}, 'pending', date '2026-11-10')`.execute(handle.db);
    await handle.db.insertInto('blackout_day').values({ day: '2026-11-20', kind: 'holiday', note: '测试假日' }).execute();

    await runAt('2026-11-20T10:00:00');
    expect(await positionOf(household.id)).toMatchObject({ state: 'pending', held_reason: 'blackout day (holiday: 测试假日)' });
    await runAt('2026-11-21T21:00:00');
    expect(await positionOf(household.id)).toMatchObject({ state: 'pending', held_reason: 'night hours (20:00–8:00)' });
    await runAt('2026-11-22T06:30:00');
    expect(await positionOf(household.id)).toMatchObject({ state: 'pending', held_reason: 'night hours (20:00–8:00)' });
    expect(await commandsOf(household.id)).toEqual([]);
    expect(headEnd.relays.has(household.meterNo)).toBe(false);

    await runAt('2026-11-22T08:00:00');
    expect(await positionOf(household.id)).toMatchObject({ state: 'disconnected', held_reason: null });
    expect(await commandsOf(household.id)).toEqual(['disconnect:done']);
    expect(headEnd.relays.get(household.meterNo)).toBe(false);
  });

  it('in the heating season, never cuts a heating company without company approval, and cuts it once approved', async () => {
    const days = ['2026-12-10', '2026-12-11', '2026-12-12', '2026-12-13', '2026-12-14'];
    const h = await heatingCompany('HEAT-DEC', { period: '2026-11', readOn: '2026-12-01' }, days);
    await runAt('2026-12-10T10:00:00');
    expect(await positionOf(h.id)).toMatchObject({ state: 'pending', below_zero_on: '2026-12-10', held_reason: 'grace period until 2026-12-11' });
    for (const day of days.slice(1, 4)) {
      for (const hour of ['09:00', '15:00']) {
        await runAt(`${day}T${hour}:00`);
        expect(await positionOf(h.id)).toMatchObject({ state: 'pending', held_reason: 'heating season: needs company approval' });
      }
    }
    expect(await commandsOf(h.id)).toEqual([]);
    expect(headEnd.relays.has(h.meterNo)).toBe(false);

    // the company approves (a pending request is not enough)
    const approval = await handle.db
      .insertInto('disconnect_approval')
      .values({ account_id: h.id, reason: 'heating season: needs company approval', status: 'pending' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await runAt('2026-12-13T16:00:00');
    expect(await commandsOf(h.id)).toEqual([]);
    await handle.db.updateTable('disconnect_approval').set({ status: 'approved', first_by: fx.users.manager, first_at: clock.now() }).where('id', '=', approval.id).execute();
    await runAt('2026-12-14T10:00:00');
    expect(await positionOf(h.id)).toMatchObject({ state: 'disconnected' });
    expect(await commandsOf(h.id)).toEqual(['disconnect:done']);
    expect(headEnd.relays.get(h.meterNo)).toBe(false);
  });
});
