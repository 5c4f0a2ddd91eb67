import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/connect.js';
import { FixedClock } from '../../src/shared/clock.js';
import { seedCounty, type Fixture, type FixtureUser } from '../fixtures/county.js';
import { buildTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase } from '../support/db.js';
import { fingerprintTables } from '../support/tables.js';

/**
 * POST /api/v1/reads (issue 18): JSON and NDJSON batches, the per-batch result with each refusal's reason,
 * a batch that cannot be read writing nothing, the permission, and the company's meters only.
 */

const api = '/api/v1';
// 2026-12-10 12:00 in Shanghai: reads up to 2026-12-10 are not in the future
const clock = new FixedClock(new Date('2026-12-10T04:00:00Z'));

let handle: DatabaseHandle;
let t: TestApp;
let fx: Fixture;
/** A meter of another company (its own org tree, account and meter). */
const OTHER_METER = 'MT-Z1';

beforeAll(async () => {
  handle = await createTestDatabase();
  fx = await seedCounty(handle.db);
  await otherCompanyMeter();
  // a meter with time-of-use registers and one taken out, on account A1
  await handle.db.insertInto('meter').values({ account_id: fx.accounts.A1, meter_no: 'MT-A1T', registers: ['total', 'peak', 'flat', 'valley'] }).execute();
  await handle.db.insertInto('meter').values({ account_id: fx.accounts.A2, meter_no: 'MT-OLD', registers: ['total'], status: 'removed' }).execute();
  t = await buildTestApp(handle, { clock });
  for (const u of ['admin', 'marketing', 'headA', 'auditor', 'cashierA', 'amA1', 'manager'] as const) await t.tokenFor(u);
});
afterAll(async () => {
  await t?.app.close();
  await handle?.close();
});

async function otherCompanyMeter(): Promise<void> {
  const db = handle.db;
  const company = await db.insertInto('org_unit').values({ parent_id: null, kind: 'company', code: 'otherco', name: '别的公司' }).returning('id').executeTakeFirstOrThrow();
  const station = await db.insertInto('org_unit').values({ parent_id: company.id, kind: 'station', code: 'stz', name: '丙所' }).returning('id').executeTakeFirstOrThrow();
  const area = await db.insertInto('transformer_area').values({ code: 'Z1', name: 'Z1台区', station_id: station.id }).returning('id').executeTakeFirstOrThrow();
  const customer = await db.insertInto('customer').values({ customer_no: 'C-Z1', kind: 'person', name: '客户Z1', station_id: station.id }).returning('id').executeTakeFirstOrThrow();
  const account = await db
    .insertInto('account')
    .values({ account_no: '9900000001', customer_id: customer.id, company_id: company.id, station_id: station.id, area_id: area.id, name: '客户Z1', category: 'residential', voltage_level: '0.22kV', payment_mode: 'smart_prepaid', tariff_code: 'gansu.residential.tiered' })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db.insertInto('meter').values({ account_id: account.id, meter_no: OTHER_METER, registers: ['total'] }).execute();
}

const post = (user: FixtureUser, payload: string, contentType = 'application/json', query = '') =>
  t.as(user, { method: 'POST', url: `${api}/reads${query}`, payload, headers: { 'content-type': contentType } });
const ndjson = (reads: object[]) => reads.map((r) => JSON.stringify(r)).join('\n');

async function dailyReads(meterNo: string) {
  const { rows } = await sql<{ read_on: string; total: string; peak: string | null; source: string }>`
    select d.read_on, d.total, d.peak, d.source from daily_read d join meter m on m.id = d.meter_id where m.meter_no = ${meterNo} order by d.read_on`.execute(handle.db);
  return rows;
}

describe('POST /reads', () => {
  it('takes a JSON array: writes the good reads, lists the refused with their reasons', async () => {
    const res = await post(
      'marketing',
      JSON.stringify([
        { meterNo: 'MT-A1', readOn: '2026-12-01', total: '1500.00' },
        { meterNo: 'MT-A1', readOn: '2026-12-02', total: 1510.5 },
        { meterNo: 'MT-A2', readOn: '2026-12-01', total: '800' },
        { meterNo: 'MT-NOPE', readOn: '2026-12-01', total: '1' },
        { meterNo: 'MT-A1T', readOn: '2026-12-01', total: '100.00', peak: '30.00', flat: '40.00', valley: '30.00' },
        { meterNo: 'MT-A1T', readOn: '2026-12-02', total: '110.00', peak: '33.00', flat: '44.00', valley: '30.00' }, // 106.99 ≠ 110
        { meterNo: 'MT-A2', readOn: '2026-12-11', total: '900' },
        { meterNo: 'MT-A2', readOn: '2026-12-02', total: '-1' },
        { meterNo: 'MT-OLD', readOn: '2026-12-01', total: '5' },
      ]),
    );
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ received: 9, accepted: 4, duplicates: 0, flagged: [] });
    expect(body.refused.map((r: { index: number; reason: string }) => [r.index, r.reason])).toEqual([
      [3, 'unknown_meter'],
      [5, 'tou_mismatch'],
      [6, 'future_date'],
      [7, 'invalid_register'],
      [8, 'meter_removed'],
    ]);
    expect(body.refused[0]).toEqual({ index: 3, meterNo: 'MT-NOPE', readOn: '2026-12-01', reason: 'unknown_meter', detail: 'no meter MT-NOPE' });
    expect(await dailyReads('MT-A1')).toEqual([
      { read_on: '2026-12-01', total: '1500.00', peak: null, source: 'import' },
      { read_on: '2026-12-02', total: '1510.50', peak: null, source: 'import' },
    ]);
    expect(await dailyReads('MT-A1T')).toEqual([{ read_on: '2026-12-01', total: '100.00', peak: '30.00', source: 'import' }]);
    // and the account's daily reads show them with the usage between
    const listed = (await t.as('headA', { method: 'GET', url: `${api}/accounts/${fx.accounts.A1}/reads?kind=daily&from=2026-12-01` })).json();
    expect(listed.items.filter((i: { meterNo: string }) => i.meterNo === 'MT-A1').map((i: { total: string; usage: { total: string } | null }) => [i.total, i.usage?.total ?? null])).toEqual([
      ['1500.00', null],
      ['1510.50', '10.50'],
    ]);
  });

  it('takes one JSON object, and NDJSON: duplicates counted, backwards, conflicts and jumps refused, high use flagged', async () => {
    const single = await post('admin', JSON.stringify({ meterNo: 'MT-A2', readOn: '2026-12-02', total: '810.00' }), 'application/json; charset=utf-8', '?source=manual');
    expect(single.statusCode, single.body).toBe(200);
    expect(single.json()).toEqual({ received: 1, accepted: 1, duplicates: 0, refused: [], flagged: [] });
    expect((await dailyReads('MT-A2')).at(-1)).toMatchObject({ read_on: '2026-12-02', source: 'manual' });

    const res = await post(
      'marketing',
      ndjson([
        { meterNo: 'MT-A1', readOn: '2026-12-02', total: '1510.50' }, // stored just so: a duplicate
        { meterNo: 'MT-A1', readOn: '2026-12-01', total: '1499' }, // stored otherwise: conflicting
        { meterNo: 'MT-A1', readOn: '2026-12-03', total: '1505' }, // below 12-02: backwards
        { meterNo: 'MT-A2', readOn: '2026-12-03', total: '1200' }, // 390 kWh in a day on a household meter: impossible
        { meterNo: 'MT-A2', readOn: '2026-12-04', total: '1010' }, // 200 kWh since 12-02, 100 a day: accepted
        { meterNo: 'MT-A2', readOn: '2026-12-05', total: '1200' }, // 190 in a day: over half of 316.8 → flagged
        { meterNo: OTHER_METER, readOn: '2026-12-01', total: '1' }, // another company's meter: unknown here
        { meterNo: 'MT-A1', readOn: '2026-12-04', total: '1520' }, // judged against 12-02 (12-03 was refused)
        { meterNo: 'MT-A1', readOn: '2026-12-04', total: '1520.00' }, // the same again in the batch: a duplicate
      ]),
      'application/x-ndjson',
      '?source=ami',
    );
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ received: 9, accepted: 3, duplicates: 2 });
    expect(body.refused.map((r: { index: number; reason: string }) => [r.index, r.reason])).toEqual([
      [1, 'conflicting'],
      [2, 'backwards'],
      [3, 'impossible_jump'],
      [6, 'unknown_meter'],
    ]);
    expect(body.refused[0].detail).toBe('a different read of 2026-12-01 is stored (total 1500.00)');
    expect(body.refused[1].detail).toBe('total 1505.00 is below 1510.50 read on 2026-12-02');
    expect(body.refused[2].detail).toMatch(/^390\.00 kWh a day since 2026-12-02: more than the 316\.80 kWh a day/);
    expect(body.refused[3]).toEqual({ index: 6, meterNo: OTHER_METER, readOn: '2026-12-01', reason: 'unknown_meter', detail: `no meter ${OTHER_METER}` });
    // two different reads of one meter and day in a batch: neither is trusted
    const twice = await post('marketing', ndjson([{ meterNo: 'MT-A1', readOn: '2026-12-05', total: '1530' }, { meterNo: 'MT-A1', readOn: '2026-12-05', total: '1531' }]), 'application/x-ndjson');
    expect(twice.json().refused.map((r: { reason: string; detail: string }) => [r.reason, r.detail])).toEqual([
      ['conflicting', 'the batch carries different reads of meter MT-A1 for 2026-12-05'],
      ['conflicting', 'the batch carries different reads of meter MT-A1 for 2026-12-05'],
    ]);
    expect(body.flagged).toEqual([{ index: 5, meterNo: 'MT-A2', readOn: '2026-12-05', reason: 'high_use', detail: expect.stringMatching(/^190\.00 kWh a day since 2026-12-04/) }]);
    expect((await dailyReads('MT-A2')).map((r) => [r.read_on, r.total, r.source])).toEqual([
      ['2026-12-01', '800.00', 'import'],
      ['2026-12-02', '810.00', 'manual'],
      ['2026-12-04', '1010.00', 'ami'],
      ['2026-12-05', '1200.00', 'ami'],
    ]);
    expect(await dailyReads(OTHER_METER)).toEqual([]);
    // a backwards read against a stored one
    const back = await post('marketing', JSON.stringify({ meterNo: 'MT-A2', readOn: '2026-12-06', total: '1199.99' }));
    expect(back.json().refused).toEqual([{ index: 0, meterNo: 'MT-A2', readOn: '2026-12-06', reason: 'backwards', detail: 'total 1199.99 is below 1200.00 read on 2026-12-05' }]);
  });

  it('audits each batch with its counts', async () => {
    const { rows } = await sql<{ actor_name: string; detail: { source: string; received: number; accepted: number; refused: Record<string, number> } }>`
      select actor_name, detail from audit_log where action = 'reads.import' order by id`.execute(handle.db);
    expect(rows.map((r) => [r.actor_name, r.detail.source, r.detail.received, r.detail.accepted])).toEqual([
      ['marketing', 'import', 9, 4],
      ['admin', 'manual', 1, 1],
      ['marketing', 'ami', 9, 3],
      ['marketing', 'import', 2, 0],
      ['marketing', 'import', 1, 0],
    ]);
    expect(rows[2]!.detail.refused).toEqual({ backwards: 1, conflicting: 1, impossible_jump: 1, unknown_meter: 1 });
  });

  it('refuses a batch that cannot be read whole, and writes nothing', async () => {
    const before = await fingerprintTables(handle.db);
    const good = { meterNo: 'MT-A1', readOn: '2026-12-09', total: '1600' };
    const cases: { payload: string; type?: string; status: number; field?: string }[] = [
      { payload: `${JSON.stringify(good)}\n{"meterNo":"MT-A2","readOn":"2026-12-09",`, type: 'application/x-ndjson', status: 422, field: 'line 2' },
      { payload: JSON.stringify([good, { meterNo: 'MT-A2', readOn: '2026-12-09' }]), status: 422, field: '1.total' },
      { payload: JSON.stringify([good, { ...good, meterNo: 'MT-A2', reactive: '5' }]), status: 422, field: '1.reactive' },
      { payload: JSON.stringify([good, { ...good, meterNo: 42 }]), status: 422, field: '1.meterNo' },
      { payload: JSON.stringify([good, 'MT-A2']), status: 422, field: '1' },
      { payload: '', status: 422, field: 'body' },
      { payload: JSON.stringify(Array.from({ length: 50_001 }, () => good)), status: 422 },
      { payload: JSON.stringify(good), type: 'text/csv', status: 415 },
    ];
    for (const c of cases) {
      const res = await post('marketing', c.payload, c.type ?? 'application/json');
      expect(res.statusCode, `${c.payload.slice(0, 80)}: ${res.body.slice(0, 300)}`).toBe(c.status);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      if (c.field) expect(res.json().errors.map((e: { field: string }) => e.field)).toContain(c.field);
    }
    // over the body limit (16 MiB)
    const huge = await post('marketing', JSON.stringify([{ ...good, meterNo: 'x'.repeat(60) }]).padEnd(17 * 2 ** 20, ' '));
    expect(huge.statusCode).toBe(413);
    expect(await fingerprintTables(handle.db)).toEqual(before);
  });

  it('takes 50,000 reads in one batch', async () => {
    const reads = Array.from({ length: 50_000 }, (_, i) => ({ meterNo: i % 2 ? 'MT-B1' : `MT-X${i}`, readOn: '2026-12-01', total: '1' }));
    const res = await post('admin', ndjson(reads), 'application/x-ndjson');
    expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ received: 50_000, accepted: 1, duplicates: 24_999 });
    expect(body.refused).toHaveLength(25_000);
  });

  it('needs reads.import: other roles get 403 and write nothing; no session 401', async () => {
    const before = await fingerprintTables(handle.db);
    const payload = JSON.stringify({ meterNo: 'MT-A1', readOn: '2026-12-09', total: '1600' });
    for (const user of ['headA', 'auditor', 'cashierA', 'amA1', 'manager'] as const) {
      const res = await post(user, payload);
      expect(res.statusCode, `${user}: ${res.body}`).toBe(403);
    }
    const anonymous = await t.app.inject({ method: 'POST', url: `${api}/reads`, payload, headers: { 'content-type': 'application/json' } });
    expect(anonymous.statusCode).toBe(401);
    expect(await fingerprintTables(handle.db)).toEqual(before);
  });
});
