import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../src/config.js';
import type { DatabaseHandle, Db } from '../../src/db/connect.js';
import { loadRatingTariffs } from '../../src/modules/billing/index.js';
import { dispatchDue, feeControlConsumer, handleAck, runFeeControl, type CommandMessage, type FeeControlDeps } from '../../src/modules/feecontrol/index.js';
import { checkLedger, consumeEvents } from '../../src/modules/ledger/index.js';
import { applyPayment, applyPayments } from '../../src/modules/payments/index.js';
import { seedTariffDefaults } from '../../src/modules/tariffs/index.js';
import { FixedClock } from '../../src/shared/clock.js';
import { startHeadEnd, type HeadEnd } from '../../src/workflows/ami-sim.js';
import { feeControlDeps, startFeeControl, type FeeControlService } from '../../src/workflows/fee-control.js';
import { seedCounty, type Fixture } from '../fixtures/county.js';
import { createTestDatabase } from '../support/db.js';

/**
 * Payments racing the daily fee-control run (issue 18 item 11, RULES §8.3): no meter is cut whose available
 * balance is ≥ 0 when its disconnect command commits, and every account that paid enough ends connected.
 *
 * Households use 300 kWh of November's cycle by 2026-11-20 and topped up 100 元: all are below zero. The first
 * run of the day puts them pending (grace period); each round then makes a group due (below zero since
 * 11-10) and runs the day again while payments — enough for some, too little for others — commit at random
 * moments around it. Each payment's transaction reads, just before its commit, the disconnect commands of
 * its account it can see: a command it cannot see committed after it, so the payment counts towards the
 * balance that command was decided on.
 */
const TODAY = '2026-11-20';
const clock = new FixedClock(new Date(`${TODAY}T10:00:00+08:00`));
const mqttUrl = process.env.GRANARY_TEST_MQTT_URL;
const prefix = `t-races-${randomBytes(4).toString('hex')}`;
const TOPUP_FEN = 10_000;

let handle: DatabaseHandle;
let fx: Fixture;
let config: Config;
let deps: FeeControlDeps;
let estimateFen: number;

interface Household {
  id: number;
  meterNo: string;
}

beforeAll(async () => {
  handle = await createTestDatabase();
  fx = await seedCounty(handle.db);
  await seedTariffDefaults(handle.db);
  config = loadConfig({ GRANARY_HOME: '/tmp/granary-unused', LOG_LEVEL: 'silent', GRANARY_MQTT_PORT: '0', GRANARY_MQTT_PREFIX: prefix, ...(mqttUrl ? { GRANARY_MQTT_URL: mqttUrl } : {}) });
  deps = feeControlDeps(config, clock, () => {});
}, 60_000);

afterAll(async () => {
  await handle?.close();
});

/** n prepaid households of station A with November's cycle read (1000.00) and today's frozen read, topped up 100 元. */
async function addHouseholds(tag: string, n: number): Promise<Household[]> {
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
  return rows.map((r) => ({ id: r.id, meterNo: r.meter_no }));
}

/** The day's run straight through the module (no dispatcher: staged commands stay staged). */
async function runDay(batch = 25) {
  return runFeeControl(handle.db, deps, { today: TODAY, hour: 10, now: clock.now(), tariffs: await loadRatingTariffs(handle.db), batch });
}

/** Makes accounts due for disconnection today: below zero since 11-10, the grace period long over. */
async function makeDue(ids: readonly number[]) {
  await sql`update fee_control set below_zero_on = date '2026-11-10' where account_id = any(${ids as number[]}::bigint[])`.execute(handle.db);
}

/** Applies a payment; returns the ids of the account's disconnect commands its transaction saw just before committing. */
async function payWitnessed(accountId: number, amountFen: number, txn: string, hold?: Promise<void>, applied?: () => void): Promise<number[]> {
  return handle.db.transaction().execute(async (trx) => {
    await applyPayment(trx, { accountId, channel: 'counter', channelTxnId: txn, amountFen, paidAt: clock.now() });
    applied?.();
    if (hold) await hold;
    const { rows } = await sql<{ id: number }>`select id from meter_command where account_id = ${accountId} and action = 'disconnect'`.execute(trx);
    return rows.map((r) => Number(r.id));
  });
}

/** The day's estimated charge of a household (all use the same 300 kWh): more than the top-up. */
async function estimateOf(accountId: number): Promise<number> {
  const fen = (await sql<{ estimate_fen: number }>`select estimate_fen::int from fee_control where account_id = ${accountId}`.execute(handle.db)).rows[0]!.estimate_fen;
  expect(fen).toBeGreaterThan(TOPUP_FEN);
  return fen;
}

async function commandsOf(db: Db, accountId: number) {
  return (await sql<{ id: number; command_id: string; action: string; state: string }>`
    select id, command_id, action, state from meter_command where account_id = ${accountId} order by id`.execute(db)).rows.map((r) => ({ ...r, id: Number(r.id) }));
}

async function stateOf(accountId: number) {
  return (await sql<{ state: string; available_fen: number }>`select state, available_fen::int from fee_control where account_id = ${accountId}`.execute(handle.db)).rows[0];
}

/** Waits until a statement of this database waits for a row lock (the run meeting a held row); its text. */
async function lockWaiter(pattern: RegExp, timeoutMs = 15_000): Promise<string> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const { rows } = await sql<{ query: string }>`
      select query from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and wait_event_type = 'Lock'`.execute(handle.db);
    const hit = rows.find((r) => pattern.test(r.query));
    if (hit) return hit.query;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`no statement matching ${pattern} waited for a lock within ${timeoutMs} ms`);
}

/** A transaction on its own connection holding rows `for update` until released. */
async function holdRows(query: string, params: unknown[]): Promise<{ release(): Promise<void> }> {
  const client: pg.PoolClient = await handle.pool.connect();
  await client.query('begin');
  const { rowCount } = await client.query(query, params);
  if (!rowCount) throw new Error(`nothing to hold: ${query}`);
  return {
    async release() {
      await client.query('commit');
      client.release();
    },
  };
}

describe('the daily run against a payment in flight, step by step', () => {
  let households: Household[];

  beforeAll(async () => {
    households = await addHouseholds('D', 4);
    const s = await runDay();
    expect(s.byState.pending).toBeGreaterThanOrEqual(4);
    estimateFen = await estimateOf(households[0]!.id);
  });

  it('decides on a balance that counts a payment committing while the run looks at its account', async () => {
    // The run must not read the balance, let the payment commit, and then commit a disconnection decided
    // without it. Hold the account's fee-control row so the run cannot commit its batch before the payment
    // has committed, and hold the payment open until the run has reached its account.
    const x = households[0]!;
    await makeDue([x.id]);
    const fcRow = await holdRows('select 1 from fee_control where account_id = $1 for update', [x.id]);
    let release!: () => void;
    const hold = new Promise<void>((r) => (release = r));
    let applied!: () => void;
    const isApplied = new Promise<void>((r) => (applied = r));
    const payment = payWitnessed(x.id, estimateFen - TOPUP_FEN + 3_000, 'D-pay-1', hold, applied);
    await isApplied;
    const run = runDay(50);
    try {
      // the run stops at the account held by the payment (or, were it not locked against payments, at the held row)
      await lockWaiter(/for share|insert into fee_control |from fee_control/i);
    } finally {
      release();
    }
    const seen = await payment;
    await new Promise((r) => setTimeout(r, 200));
    await fcRow.release();
    await run;
    const late = (await commandsOf(handle.db, x.id)).filter((c) => c.action === 'disconnect' && !seen.includes(c.id));
    expect(late).toEqual([]);
    expect((await stateOf(x.id))?.state).toMatch(/^(normal|warned)$/);
  });

  it('decides on the state an answer committed while the run was rating the account', async () => {
    // A disconnection sent earlier is answered `done` between the run's read of the accounts and its
    // decision on them: the run must see "disconnected", not stage a second cut over a stale "pending"
    // that a payment would then merely cancel, leaving the meter open.
    const y = households[1]!;
    await makeDue([y.id]);
    await runDay();
    const sent: { meterNo: string; message: CommandMessage }[] = [];
    await dispatchDue(handle.db, async (meterNo, message) => void sent.push({ meterNo, message }), { ackSeconds: 60, attempts: 5 }, () => clock.now());
    const cut = sent.find((s) => s.meterNo === y.meterNo);
    expect(cut?.message.action).toBe('disconnect');

    const estimateRow = await holdRows('select 1 from fee_estimate where account_id = $1 and read_on = $2 for update', [y.id, TODAY]);
    const run = runDay(50);
    try {
      await lockWaiter(/insert into fee_estimate/i);
      const answer = await handleAck(handle.db, deps, { commandId: cut!.message.commandId, status: 'done' }, { ackSeconds: 60, attempts: 5 }, clock.now());
      expect(answer.outcome).toBe('applied');
    } finally {
      await estimateRow.release();
    }
    await run;
    expect((await stateOf(y.id))?.state).toBe('disconnected');
    expect((await commandsOf(handle.db, y.id)).map((c) => [c.action, c.state])).toEqual([['disconnect', 'done']]);

    // paying now reconnects it
    await payWitnessed(y.id, estimateFen - TOPUP_FEN + 3_000, 'D-pay-2');
    await consumeEvents(handle.db, feeControlConsumer(deps));
    expect((await commandsOf(handle.db, y.id)).map((c) => [c.action, c.state])).toEqual([['disconnect', 'done'], ['reconnect', 'staged']]);
    expect((await stateOf(y.id))?.state).toBe('reconnecting');
    expect((await checkLedger(handle.db)).violations).toEqual([]);
  });
});

describe('payments racing the daily run, through the head-end over MQTT', () => {
  const ROUNDS = 4;
  const PER_ROUND = 40;
  let service: FeeControlService;
  let headEnd: HeadEnd;
  let groups: Household[][];
  const meterOf = new Map<number, string>();
  /** every payment: account, amount, the disconnect commands it saw before committing */
  const payments: { accountId: number; amountFen: number; seen: number[]; round: number }[] = [];
  /** what the service logged: failures of the dispatcher, the event consumer or an answer */
  const logs: string[] = [];

  beforeAll(async () => {
    groups = [];
    for (let k = 0; k < ROUNDS; k++) groups.push(await addHouseholds(`R${k}`, PER_ROUND));
    for (const h of groups.flat()) meterOf.set(h.id, h.meterNo);
    await runDay(); // all of them pending, held by the grace period
    estimateFen = await estimateOf(groups[0]![0]!.id);
    service = await startFeeControl({ handle, config, clock, log: (m) => logs.push(m) }, { jobs: false, tickMs: 50 });
    headEnd = await startHeadEnd({ url: service.brokerUrl, prefix, delayMs: { min: 5, max: 60 } });
    // the reconnection staged above went out before the head-end listened: it is sent again after its wait
    clock.advance(config.ami.ackSeconds * 1000 + 1000);
    await service.settle();
  }, 120_000);

  afterAll(async () => {
    await headEnd?.stop();
    await service?.stop();
  });

  it('never cuts a meter whose available balance is ≥ 0 when the command commits; whoever paid enough ends connected', async () => {
    const enough = estimateFen - TOPUP_FEN + 2_000;
    const tooLittle = Math.floor((estimateFen - TOPUP_FEN) / 2);
    let runMs = 400;
    for (let k = 0; k < ROUNDS; k++) {
      const group = groups[k]!;
      await makeDue(group.map((h) => h.id));
      const plans = group.map((h, i) => ({ h, amountFen: i % 5 < 2 ? enough : i % 5 === 2 ? tooLittle : 0 })).filter((p) => p.amountFen > 0);
      // some of those cut in an earlier round pay as well: their reconnections race this run too
      const earlier = groups.slice(0, k).flat().filter((h) => headEnd.relays.get(h.meterNo) === false).slice(0, 5);
      plans.push(...earlier.map((h) => ({ h, amountFen: enough })));
      const started = performance.now();
      const batch = [5, 13, 5_000, 40][k % 4]!;
      const run = (k % 4 === 2 ? service.runToday() : runDay(batch)).then(() => (runMs = Math.max(100, performance.now() - started)));
      const paid = plans.map(async (p, i) => {
        await new Promise((r) => setTimeout(r, Math.random() * runMs * 1.3));
        const seen = await payWitnessed(p.h.id, p.amountFen, `R${k}-pay-${i}-${p.h.id}`);
        payments.push({ accountId: p.h.id, amountFen: p.amountFen, seen, round: k });
      });
      await Promise.all([run, ...paid]);
      await service.settle();
      expect((await checkLedger(handle.db)).violations).toEqual([]);
    }
    await service.settle();
    const stuck = (await sql`select id, command_id, account_id, action, state, attempts, staged_at, sent_at from meter_command where state in ('staged', 'sent')`.execute(handle.db)).rows;
    expect(stuck, JSON.stringify({ stuck, heard: headEnd.received.filter((r) => stuck.some((c) => (c as { command_id: string }).command_id === r.message.commandId)), logs })).toEqual([]);

    // every disconnect command: the balance when it committed = top-up + the payments that committed before it
    const commands = (await sql<{ id: number; command_id: string; account_id: number; state: string }>`
      select id, command_id, account_id, state from meter_command where action = 'disconnect' order by id`.execute(handle.db)).rows.map((r) => ({ ...r, id: Number(r.id), account_id: Number(r.account_id) }));
    const reached = new Set(headEnd.received.filter((r) => r.message.action === 'disconnect').map((r) => r.message.commandId));
    const cutWhilePaid: unknown[] = [];
    for (const c of commands) {
      if (!meterOf.has(c.account_id)) continue;
      const before = payments.filter((p) => p.accountId === c.account_id && !p.seen.includes(c.id));
      const available = TOPUP_FEN + before.reduce((s, p) => s + p.amountFen, 0) - estimateFen;
      if (available >= 0) cutWhilePaid.push({ command: c, reachedHeadEnd: reached.has(c.command_id), available, payments: before });
    }
    expect(cutWhilePaid).toEqual([]);

    // whoever paid enough is connected: never cut, or cut before paying and reconnected
    const paidEnough = payments.filter((p) => p.amountFen === enough);
    for (const p of paidEnough) {
      expect(headEnd.relays.get(meterOf.get(p.accountId)!), `account ${p.accountId}`).not.toBe(false);
      expect((await stateOf(p.accountId))?.state, `account ${p.accountId}`).toMatch(/^(normal|warned)$/);
    }
    // and those who did not pay enough, or at all, are cut
    const due = groups.flat().filter((h) => !paidEnough.some((p) => p.accountId === h.id));
    for (const h of due) expect(headEnd.relays.get(h.meterNo), `account ${h.id}`).toBe(false);

    // the race happened both ways: payments that beat the run's decision, and payments after a cut
    const cutThenPaid = paidEnough.filter((p) => p.seen.length > 0);
    const neverCut = paidEnough.filter((p) => p.seen.length === 0);
    expect(cutThenPaid.length).toBeGreaterThan(0);
    expect(neverCut.length).toBeGreaterThan(0);
    expect(reached.size).toBeGreaterThan(due.length / 2);
    expect(logs).toEqual([]);
  }, 240_000);
});
