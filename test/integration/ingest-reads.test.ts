import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/connect.js';
import { ingestReads, ingestReadsBulk, type BatchResult, type IncomingRead } from '../../src/modules/metering/index.js';
import { seedCounty, type Fixture } from '../fixtures/county.js';
import { createTestDatabase } from '../support/db.js';

/**
 * The bulk path (chunks judged while PostgreSQL reads the next chunks' context on a second connection,
 * accepted reads written by COPY) gives exactly what the plain path (one chunk, INSERT) gives.
 */

const NOW = new Date('2026-12-10T04:00:00Z');
let handle: DatabaseHandle;
let fx: Fixture;
const METERS = 30;

beforeAll(async () => {
  handle = await createTestDatabase();
  fx = await seedCounty(handle.db);
  // two identical sets of meters, P and Q, each with stored reads on 12-01, 12-02 and 12-05
  for (const set of ['P', 'Q']) {
    for (let i = 0; i < METERS; i++) {
      const tou = i % 3 === 0;
      const m = await handle.db
        .insertInto('meter')
        .values({ account_id: fx.accounts.A1, meter_no: `${set}-${i}`, registers: tou ? ['total', 'peak', 'flat', 'valley'] : ['total'], multiplier: i % 7 === 0 ? '20' : '1' })
        .returning('id')
        .executeTakeFirstOrThrow();
      for (const [day, total] of [['2026-12-01', 1000], ['2026-12-02', 1010], ['2026-12-05', 1040]] as const) {
        await handle.db
          .insertInto('daily_read')
          .values({ account_id: fx.accounts.A1, meter_id: m.id, read_on: day, total: String(total + i), ...(tou && { peak: String(total * 0.3), flat: String(total * 0.4 + i), valley: String(total * 0.3) }), source: 'ami' })
          .execute();
      }
    }
  }
});
afterAll(async () => {
  await handle?.close();
});

/** A mixed batch for one set: new days, late reads filling the gap, duplicates, conflicts, backwards, jumps, unknown meters. */
function batch(set: string): IncomingRead[] {
  const out: IncomingRead[] = [];
  for (let i = 0; i < METERS; i++) {
    const meterNo = `${set}-${i}`;
    const tou = i % 3 === 0;
    const reg = (total: number) => (tou ? { total: (total + i).toFixed(2), peak: (total * 0.3).toFixed(2), flat: (total * 0.4 + i).toFixed(2), valley: (total * 0.3).toFixed(2) } : { total: (total + i).toFixed(2) });
    out.push({ meterNo, readOn: '2026-12-06', ...reg(1050 + (i % 4)) }); // next day
    if (i % 2 === 0) out.push({ meterNo, readOn: '2026-12-03', ...reg(1020) }); // a late read in the gap
    if (i % 5 === 0) out.push({ meterNo, readOn: '2026-12-04', ...reg(1045) }); // above the stored 12-05: backwards
    if (i % 4 === 1) out.push({ meterNo, readOn: '2026-12-02', ...reg(1010) }); // stored already: duplicate
    if (i % 6 === 2) out.push({ meterNo, readOn: '2026-12-01', ...reg(999) }); // stored otherwise: conflicting
    if (i % 9 === 4) out.push({ meterNo, readOn: '2026-12-07', ...reg(1450) }); // 400 a day: impossible (× 20 or not)
    if (i % 8 === 3) out.push({ meterNo, readOn: '2026-12-06', total: '1052' }); // a second, different read of 12-06
  }
  out.push({ meterNo: `${set}-none`, readOn: '2026-12-06', total: '1' });
  // shuffle deterministically, so meters' reads are spread over the batch
  return out.map((r, k) => ({ r, key: (k * 7919) % 1009 })).sort((a, b) => a.key - b.key).map((x) => x.r);
}

const stored = async (set: string) =>
  (
    await sql<{ meter_no: string; read_on: string; total: string; peak: string | null; source: string }>`
      select m.meter_no, d.read_on, d.total, d.peak, d.source from daily_read d join meter m on m.id = d.meter_id
      where m.meter_no like ${`${set}-%`} order by m.meter_no, d.read_on`.execute(handle.db)
  ).rows.map((r) => ({ ...r, meter_no: r.meter_no.slice(2) }));

const strip = (r: BatchResult) => ({
  ...r,
  refused: r.refused.map((j) => ({ ...j, meterNo: j.meterNo.slice(2), detail: j.detail.replace(/\b[PQ]-/g, '') })),
  flagged: r.flagged.map((j) => ({ ...j, meterNo: j.meterNo.slice(2) })),
});

describe('ingestReadsBulk', () => {
  it('judges in chunks over two connections exactly as in one', async () => {
    const plain = await ingestReads(handle.db, batch('P'), { source: 'import', now: NOW });
    const bulk = await ingestReadsBulk(handle.pool, batch('Q'), { source: 'import', now: NOW, chunkReads: 7 });
    expect(plain.refused.map((r) => r.reason).sort()).toEqual(expect.arrayContaining(['backwards', 'conflicting', 'impossible_jump', 'unknown_meter']));
    expect(plain.duplicates).toBeGreaterThan(0);
    expect(plain.accepted).toBeGreaterThan(METERS);
    expect(strip(bulk)).toEqual(strip(plain));
    expect(await stored('Q')).toEqual(await stored('P'));
  });

  it('writes by COPY exactly the values INSERT writes', async () => {
    const reads = (set: string) =>
      Array.from({ length: 1200 }, (_, k) => ({ meterNo: `${set}-${k % METERS}`, readOn: `2026-11-${String(1 + Math.floor(k / METERS)).padStart(2, '0')}`, total: '0' })).filter((r) => r.readOn <= '2026-11-30');
    // days before every stored read, rising by a few hundredths: '0.05', '12.30' … each must come back as written
    const values = (rs: { meterNo: string; readOn: string; total: string }[]) => rs.map((r) => ({ ...r, total: ((Number(r.readOn.slice(8)) * 123 + 5) / 100).toFixed(2) }));
    const p = await ingestReads(handle.db, values(reads('P')), { now: NOW, chunkReads: 100_000 });
    const q = await ingestReadsBulk(handle.pool, values(reads('Q')), { now: NOW, chunkReads: 600 });
    expect(q).toEqual(p);
    expect(q.accepted).toBe(900);
    const rows = await stored('Q');
    expect(rows).toEqual(await stored('P'));
    expect(rows.filter((r) => r.meter_no === '1').slice(0, 3).map((r) => [r.read_on, r.total, r.source])).toEqual([
      ['2026-11-01', '1.28', 'ami'],
      ['2026-11-02', '2.51', 'ami'],
      ['2026-11-03', '3.74', 'ami'],
    ]);
  });

  it('finds the latest read however old (not only the recent ones the batch scan covers)', async () => {
    const m = await handle.db.insertInto('meter').values({ account_id: fx.accounts.A2, meter_no: 'G-1', registers: ['total'] }).returning('id').executeTakeFirstOrThrow();
    await handle.db.insertInto('daily_read').values({ account_id: fx.accounts.A2, meter_id: m.id, read_on: '2026-10-20', total: '500', source: 'ami' }).execute();
    const back = await ingestReadsBulk(handle.pool, [{ meterNo: 'G-1', readOn: '2026-12-08', total: '499.99' }, { meterNo: 'P-1', readOn: '2026-12-08', total: '1100' }], { now: NOW });
    expect(back.refused.map((r) => [r.meterNo, r.reason, r.detail])).toEqual([['G-1', 'backwards', 'total 499.99 is below 500.00 read on 2026-10-20']]);
    const ok = await ingestReadsBulk(handle.pool, [{ meterNo: 'G-1', readOn: '2026-12-08', total: '900' }], { now: NOW });
    expect(ok).toMatchObject({ accepted: 1, refused: [], flagged: [] }); // 400 kWh over 49 days
  });
});
