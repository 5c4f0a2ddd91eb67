import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/connect.js';
import { streamLastCycleUsage, type LastCycleRow } from '../../src/modules/metering/index.js';
import { usageOfMeters } from '../../src/modules/tariffs/domain/impact.js';
import { seedCounty, type Fixture } from '../fixtures/county.js';
import { createTestDatabase } from '../support/db.js';

/**
 * The read the price-change impact streams: every active account of the scope exactly once, an account's
 * meters never split across batches, usage = latest two reads × multiplier, whatever the batch size.
 */

let handle: DatabaseHandle;
let fx: Fixture;
let twoMeters: number;

beforeAll(async () => {
  handle = await createTestDatabase();
  fx = await seedCounty(handle.db);
  const db = handle.db;
  // An account in A1 with two meters (×50 and ×1) and one closed account, which is left out.
  const customer = await db.insertInto('customer').values({ customer_no: 'C-2M', kind: 'organisation', name: '双表用户', station_id: fx.stations.A }).returning('id').executeTakeFirstOrThrow();
  const account = (no: string, status: 'active' | 'closed') =>
    db
      .insertInto('account')
      .values({ account_no: no, customer_id: customer.id, company_id: fx.companyId, station_id: fx.stations.A, area_id: fx.areas.A1, name: '双表用户', category: 'commercial', voltage_level: '10kV', payment_mode: 'postpaid', tariff_code: 'gansu.ci.single-part', status })
      .returning('id')
      .executeTakeFirstOrThrow();
  twoMeters = (await account('8800000010', 'active')).id;
  const closed = (await account('8800000011', 'closed')).id;
  for (const [accountId, no, multiplier] of [
    [twoMeters, 'MT-2M-A', '50'],
    [twoMeters, 'MT-2M-B', '1'],
    [closed, 'MT-CL', '1'],
  ] as const) {
    const m = await db.insertInto('meter').values({ account_id: accountId, meter_no: no, registers: ['total', 'peak', 'flat', 'valley', 'reactive'], multiplier }).returning('id').executeTakeFirstOrThrow();
    await db
      .insertInto('cycle_read')
      .values([
        { account_id: accountId, meter_id: m.id, period: '2026-09', read_on: '2026-10-01', total: '100.00', peak: '30.00', flat: '50.00', valley: '20.00', reactive: '10.00' },
        { account_id: accountId, meter_id: m.id, period: '2026-10', read_on: '2026-11-01', total: '110.01', peak: '33.00', flat: '55.01', valley: '22.00', reactive: '12.00' },
      ])
      .execute();
  }
});
afterAll(async () => {
  await handle?.close();
});

async function collect(batchSize: number, scope = { companyId: fx.companyId } as Parameters<typeof streamLastCycleUsage>[1]['scope'], tariffCodes?: string[]) {
  const batches: LastCycleRow[][] = [];
  for await (const b of streamLastCycleUsage(handle.db, { scope, batchSize, ...(tariffCodes && { tariffCodes }) })) batches.push(b);
  return batches;
}

describe('streamLastCycleUsage', () => {
  it('gives every active account once, meters together, at any batch size', async () => {
    const whole = (await collect(1000)).flat();
    for (const size of [1, 2, 3]) {
      const batches = await collect(size);
      for (const b of batches) expect(new Set(b.map((r) => r.account_id)).size).toBeLessThanOrEqual(size);
      const seen = batches.map((b) => [...new Set(b.map((r) => r.account_id))]);
      expect(new Set(seen.flat()).size).toBe(seen.flat().length); // no account in two batches
      expect(batches.flat()).toEqual(whole);
    }
    expect([...new Set(whole.map((r) => r.account_id))]).toEqual([fx.accounts.A1, fx.accounts.A2, fx.accounts.B1, twoMeters]);
  });

  it('usage is the difference of the latest two reads × multiplier, summed over the meters', async () => {
    const rows = (await collect(1000)).flat().filter((r) => r.account_id === twoMeters);
    expect(rows.map((r) => [r.kwh, r.peak, r.flat, r.valley, r.kvarh])).toEqual([
      ['500.50', '150.00', '250.50', '100.00', '100.00'], // 10.01 × 50
      ['10.01', '3.00', '5.01', '2.00', '2.00'],
    ]);
    expect(usageOfMeters(rows)).toEqual({ period: '2026-10', usage: { kwh: '510.51', kwhByPeriod: { peak: '153.00', flat: '255.51', valley: '102.00' }, kvarh: '102.00' } });
    const household = (await collect(1000)).flat().find((r) => r.account_id === fx.accounts.A1)!;
    expect(household).toMatchObject({ period: '2026-10', kwh: '150.25', peak: null, agent_multiplier: '1.00', tariff_code: 'gansu.residential.tiered' });
  });

  it('narrows to a station, an area manager and tariff codes', async () => {
    const ids = (bs: LastCycleRow[][]) => [...new Set(bs.flat().map((r) => r.account_id))];
    expect(ids(await collect(2, { companyId: fx.companyId, stationId: fx.stations.B }))).toEqual([fx.accounts.B1]);
    expect(ids(await collect(2, { companyId: fx.companyId, stationId: fx.stations.A, managerUserId: fx.users.amA1 }))).toEqual([fx.accounts.A1, twoMeters]);
    expect(ids(await collect(2, { companyId: fx.companyId }, ['gansu.ci.single-part']))).toEqual([twoMeters]);
    expect(await collect(2, { companyId: fx.companyId }, [])).toEqual([]);
    expect(await collect(2, { companyId: 1_999_999_999 })).toEqual([]);
  });
});
