import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { DatabaseHandle } from '../../src/db/connect.js';
import { loadRatingTariffs } from '../../src/modules/billing/index.js';
import { DEFAULT_POLICY, runFeeControl } from '../../src/modules/feecontrol/index.js';
import { seedTariffDefaults } from '../../src/modules/tariffs/index.js';
import { FixedClock } from '../../src/shared/clock.js';
import { feeControlDeps } from '../../src/workflows/fee-control.js';
import { seedCounty, type Fixture } from '../fixtures/county.js';
import { createTestDatabase } from '../support/db.js';

/**
 * Bulk disconnections (RULES §7): past the day's threshold per station the rest wait for two approvers; an
 * approval covers one disconnection and is used by it.
 */
let handle: DatabaseHandle;
let fx: Fixture;
const clock = new FixedClock(new Date('2026-11-10T10:00:00+08:00'));
const policy = { ...DEFAULT_POLICY, bulkAbove: 1 };

beforeAll(async () => {
  handle = await createTestDatabase();
  fx = await seedCounty(handle.db);
  await seedTariffDefaults(handle.db);
  await handle.db.updateTable('account').set({ opened_on: '2024-01-01' }).execute();
  // nothing prepaid, 20 kWh used since the cycle read of 11-01 (1300.50): available −10.20 元 each
  for (const key of ['A1', 'A2', 'B1'] as const)
    for (const day of ['2026-11-10', '2026-11-13', '2026-11-14'])
      await handle.db.insertInto('daily_read').values({ account_id: fx.accounts[key], meter_id: fx.meters[key], read_on: day, total: '1320.50' }).execute();
}, 60_000);

afterAll(async () => {
  await handle?.close();
});

async function run(day: string) {
  clock.set(new Date(`${day}T10:00:00+08:00`));
  const deps = feeControlDeps(loadConfig({ GRANARY_HOME: '/tmp/granary-unused' }), clock, () => {});
  return runFeeControl(handle.db, deps, { today: day, hour: 10, now: clock.now(), tariffs: await loadRatingTariffs(handle.db), policy });
}

const staged = async () =>
  (await sql<{ account_id: number }>`select account_id from meter_command where action = 'disconnect' order by account_id`.execute(handle.db)).rows.map((r) => Number(r.account_id));
const held = async (id: number) => (await sql<{ held_reason: string | null }>`select held_reason from fee_control where account_id = ${id}`.execute(handle.db)).rows[0]!.held_reason;

describe('bulk disconnections', () => {
  it('stages a station\'s disconnections up to the threshold and holds the rest for two approvers', async () => {
    expect((await run('2026-11-10')).byState.pending).toBe(3);
    const s = await run('2026-11-13');
    expect(s.disconnects).toBe(2);
    expect(await staged()).toEqual([fx.accounts.A1, fx.accounts.B1]);
    expect(await held(fx.accounts.A2)).toBe('bulk: more than 1 disconnections in the station today: needs two approvers');
  });

  it('an approval lets the held one go, once', async () => {
    const [u1, u2] = [fx.users.headA, fx.users.admin];
    await handle.db.insertInto('disconnect_approval').values({ account_id: fx.accounts.A2, reason: 'bulk', bulk: true, status: 'approved', first_by: u1, first_at: clock.now(), second_by: u2, second_at: clock.now() }).execute();
    // the head-end did the first two (as its answers would record them)
    await handle.db.updateTable('meter_command').set({ state: 'done' }).execute();
    await handle.db.updateTable('fee_control').set({ state: 'disconnected' }).where('account_id', 'in', [fx.accounts.A1, fx.accounts.B1]).execute();
    await run('2026-11-14');
    expect(await staged()).toEqual([fx.accounts.A1, fx.accounts.A2, fx.accounts.B1]);
    const approval = (await sql<{ status: string }>`select status from disconnect_approval where account_id = ${fx.accounts.A2}`.execute(handle.db)).rows[0]!;
    expect(approval.status).toBe('void');
  });
});
