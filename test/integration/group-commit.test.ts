import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/connect.js';
import { GroupCommit, type ItemResult } from '../../src/db/group-commit.js';
import type { Trx } from '../../src/db/tx.js';
import { createTestDatabase } from '../support/db.js';

/** The group commit under the counter: batching, per-item refusals, and a failing batch retried item by item. */
let handle: DatabaseHandle;

beforeAll(async () => {
  handle = await createTestDatabase();
  await sql`create table gc_probe (id int primary key, batch_size int not null)`.execute(handle.db);
});

afterAll(async () => {
  await handle?.close();
});

// Inserts every item not refused (negative ids are refused) in one statement, recording the batch size.
async function work(trx: Trx, ids: number[]): Promise<ItemResult<number>[]> {
  const accepted = ids.filter((id) => id >= 0);
  await sql`insert into gc_probe (id, batch_size) select unnest(${accepted}::int[]), ${ids.length}::int`.execute(trx);
  return ids.map((id) => (id >= 0 ? { ok: true, value: id * 2 } : { ok: false, error: new Error(`refused ${id}`) }));
}

const rows = async () => (await sql<{ id: number; batch_size: number }>`select id, batch_size from gc_probe order by id`.execute(handle.db)).rows;

describe('group commit', () => {
  it('commits requests arriving together in shared transactions, answering each its own', async () => {
    const gc = new GroupCommit(handle.db, work, { maxBatch: 8, maxInFlight: 2 });
    const ids = Array.from({ length: 40 }, (_, i) => i + 1);
    const results = await Promise.allSettled([...ids, -1, -2].map((id) => gc.submit(id)));
    expect(results.slice(0, 40).map((r) => (r.status === 'fulfilled' ? r.value : r.reason))).toEqual(ids.map((id) => id * 2));
    expect(results.slice(40).map((r) => (r.status === 'rejected' ? String(r.reason) : 'fulfilled'))).toEqual(['Error: refused -1', 'Error: refused -2']);
    const written = await rows();
    expect(written.map((r) => r.id)).toEqual(ids);
    // batches are bounded and, under this burst, hold more than one item
    expect(Math.max(...written.map((r) => r.batch_size))).toBeLessThanOrEqual(8);
    expect(gc.stats().batches).toBeLessThan(gc.stats().items);
  });

  it('runs every item of a failing batch again alone, so only the item at fault fails', async () => {
    const gc = new GroupCommit(handle.db, work, { maxBatch: 16, maxInFlight: 1 });
    // 5 is already in the table (first test): its batch's insert fails on the primary key
    const ids = [101, 102, 5, 103, 104];
    const results = await Promise.allSettled(ids.map((id) => gc.submit(id)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect(String((results[2] as PromiseRejectedResult).reason)).toMatch(/duplicate key|unique/);
    const written = (await rows()).filter((r) => r.id > 100);
    expect(written.map((r) => r.id)).toEqual([101, 102, 103, 104]);
  });

  it('refuses nonsense options', () => {
    expect(() => new GroupCommit(handle.db, work, { maxBatch: 0, maxInFlight: 1 })).toThrow(/at least 1/);
  });
});
