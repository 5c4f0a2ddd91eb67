import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/connect.js';
import { ANSWERS_PER_TURN, GroupCommit, type ItemResult } from '../../src/db/group-commit.js';
import { commitSent, PipelinedTransactor, plainTransactor, type Transactor } from '../../src/db/pipeline.js';
import { send, type Executor } from '../../src/db/tx.js';
import { createTestDatabase } from '../support/db.js';

/** The group commit under the counter: batching, per-item refusals, and a failing batch retried item by item. */
let handle: DatabaseHandle;
let pipelined: PipelinedTransactor;

beforeAll(async () => {
  handle = await createTestDatabase();
  await sql`create table gc_probe (variant text not null, id int not null, batch_size int not null, primary key (variant, id))`.execute(handle.db);
  pipelined = new PipelinedTransactor(handle.pool, 2);
});

afterAll(async () => {
  await pipelined?.close();
  await handle?.close();
});

// Inserts every item not refused (negative ids are refused) in one statement, recording the batch size.
const workFor =
  (variant: string) =>
  async (trx: Executor, ids: number[]): Promise<ItemResult<number>[]> => {
    const accepted = ids.filter((id) => id >= 0);
    await sql`insert into gc_probe (variant, id, batch_size) select ${variant}, unnest(${accepted}::int[]), ${ids.length}::int`.execute(trx);
    return ids.map((id) => (id >= 0 ? { ok: true, value: id * 2 } : { ok: false, error: new Error(`refused ${id}`) }));
  };

const rows = async (variant: string) =>
  (await sql<{ id: number; batch_size: number }>`select id, batch_size from gc_probe where variant = ${variant} order by id`.execute(handle.db)).rows;

describe.each([
  ['plain', () => plainTransactor(handle.db)],
  ['pipelined', () => pipelined as Transactor],
])('group commit on %s transactions', (variant, transactor) => {
  const work = workFor(variant);

  it('commits requests arriving together in shared transactions, answering each its own', async () => {
    const gc = new GroupCommit(transactor(), work, { maxBatch: 8, maxInFlight: 2 });
    const ids = Array.from({ length: 40 }, (_, i) => i + 1);
    const results = await Promise.allSettled([...ids, -1, -2].map((id) => gc.submit(id)));
    expect(results.slice(0, 40).map((r) => (r.status === 'fulfilled' ? r.value : r.reason))).toEqual(ids.map((id) => id * 2));
    expect(results.slice(40).map((r) => (r.status === 'rejected' ? String(r.reason) : 'fulfilled'))).toEqual(['Error: refused -1', 'Error: refused -2']);
    const written = await rows(variant);
    expect(written.map((r) => r.id)).toEqual(ids);
    // batches are bounded and, under this burst, hold more than one item
    expect(Math.max(...written.map((r) => r.batch_size))).toBeLessThanOrEqual(8);
    expect(gc.stats().batches).toBeLessThan(gc.stats().items);
  });

  it('runs every item of a failing batch again alone, so only the item at fault fails', async () => {
    const gc = new GroupCommit(transactor(), work, { maxBatch: 16, maxInFlight: 1 });
    // 5 is already in the table (first test): its batch's insert fails on the primary key
    const ids = [101, 102, 5, 103, 104];
    const results = await Promise.allSettled(ids.map((id) => gc.submit(id)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect(String((results[2] as PromiseRejectedResult).reason)).toMatch(/duplicate key|unique/);
    const written = (await rows(variant)).filter((r) => r.id > 100);
    expect(written.map((r) => r.id)).toEqual([101, 102, 103, 104]);
  });

  it('refuses nonsense options', () => {
    expect(() => new GroupCommit(transactor(), work, { maxBatch: 0, maxInFlight: 1 })).toThrow(/at least 1/);
  });
});

describe('pipelined transactions', () => {
  const insert = (trx: Executor, id: number) => send(trx, sql`insert into gc_probe (variant, id, batch_size) values ('pipe', ${id}, 0)`.compile(trx));
  const count = (trx: Executor) => send<{ n: number }>(trx, sql<{ n: number }>`select count(*)::int as n from gc_probe where variant = 'pipe'`.compile(trx));

  it('let the next batch of a group commit send its statements before the last batch is answered', async () => {
    const events: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const gc = new GroupCommit(
      pipelined,
      async (trx: Executor, ids: number[]) => {
        events.push(`work ${ids.join(',')}`);
        if (ids.includes(201)) await held;
        return workFor('pipelined-order')(trx, ids);
      },
      { maxBatch: 8, maxInFlight: 1 },
    );
    const first = gc.submit(201).then((v) => events.push(`answered ${v / 2}`));
    await new Promise((r) => setTimeout(r, 20)); // 201's batch is in flight
    const rest = [202, 203].map((id) => gc.submit(id).then((v) => events.push(`answered ${v / 2}`)));
    release();
    await Promise.all([first, ...rest]);
    // 202 and 203 queued behind 201 form the next batch, which starts before 201 is answered
    expect(events).toEqual(['work 201', 'work 202,203', 'answered 201', 'answered 202', 'answered 203']);
  });

  // A batch whose answers wait on the next one: 501 is in flight while 502 queues behind it; 502's work
  // waits on `gate` before it calls `sent`.
  const heldBehind = (holdAnswersMs: number) => {
    const answered: number[] = [];
    let open!: () => void;
    let letFirstEnd!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const firstMayEnd = new Promise<void>((r) => (letFirstEnd = r));
    let secondStarted!: () => void;
    const second = new Promise<void>((r) => (secondStarted = r));
    const work = workFor(`held-${holdAnswersMs}`);
    const gc = new GroupCommit(
      pipelined,
      async (trx: Executor, ids: number[], sent: () => void) => {
        if (ids.includes(501)) await firstMayEnd;
        else {
          secondStarted();
          await gate;
          sent();
        }
        return work(trx, ids);
      },
      { maxBatch: 8, maxInFlight: 1, holdAnswersMs },
    );
    const done = [501, 502].map((id) => gc.submit(id).then(() => answered.push(id)));
    letFirstEnd();
    return { answered, open, second, done: Promise.all(done) };
  };

  it("hold a batch's answers until the next batch has sent its last statements", async () => {
    const { answered, open, second, done } = heldBehind(60_000);
    await second;
    await new Promise((r) => setTimeout(r, 30));
    const before = [...answered]; // 501 committed, but 502 has not sent yet
    open();
    await done;
    expect(before).toEqual([]);
    expect(answered).toEqual([501, 502]);
  });

  it('answer a held batch after holdAnswersMs when the next one is slow to send (a lock wait)', async () => {
    const { answered, open, second, done } = heldBehind(10);
    await second;
    await new Promise((r) => setTimeout(r, 200));
    const before = [...answered]; // 502 still waits on its gate
    open();
    await done;
    expect(before).toEqual([501]);
    expect(answered).toEqual([501, 502]);
  });

  it(`answer a batch ANSWERS_PER_TURN (${ANSWERS_PER_TURN}) at a time, in separate turns of the event loop`, async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const work = workFor('pipelined-turns');
    const gc = new GroupCommit(pipelined, async (trx: Executor, ids: number[]) => (ids.includes(300) && (await held), work(trx, ids)), { maxBatch: 16, maxInFlight: 1 });
    const blocker = gc.submit(300); // in flight: what comes next queues as one batch
    const ids = Array.from({ length: 3 * ANSWERS_PER_TURN }, (_, i) => 301 + i);
    let turn = 0;
    let done = false;
    const answered: number[] = [];
    const answers = ids.map((id) => gc.submit(id).then(() => (answered[id - 301] = turn)));
    const tick = () => setImmediate(() => (turn++, done || tick()));
    tick();
    release();
    await Promise.all([blocker, ...answers]);
    done = true;
    expect(gc.stats()).toMatchObject({ batches: 2, items: ids.length + 1 });
    // three turns, ANSWERS_PER_TURN answers each, in order
    const groups = [...new Set(answered)].map((t) => answered.filter((x) => x === t).length);
    expect(groups).toEqual([ANSWERS_PER_TURN, ANSWERS_PER_TURN, ANSWERS_PER_TURN]);
    expect(answered).toEqual([...answered].sort((x, y) => x - y));
  });

  it('run statements sent together in the order sent, in one transaction', async () => {
    const seen = await pipelined.transaction(async (trx) => {
      const [, , after] = await Promise.all([insert(trx, 1), insert(trx, 2), count(trx)]);
      return after[0]!.n;
    });
    expect(seen).toBe(2);
    expect((await rows('pipe')).map((r) => r.id)).toEqual([1, 2]);
  });

  it('roll back every statement sent when one of them fails, and the connection serves the next', async () => {
    await expect(pipelined.transaction((trx) => Promise.all([insert(trx, 3), insert(trx, 1), insert(trx, 4)]))).rejects.toThrow(/duplicate key/);
    expect((await rows('pipe')).map((r) => r.id)).toEqual([1, 2]);
    await pipelined.transaction((trx) => insert(trx, 5));
    expect((await rows('pipe')).map((r) => r.id)).toEqual([1, 2, 5]);
  });

  it('commit with a COMMIT sent behind the statements, unless one of them failed', async () => {
    const failing = pipelined.transaction(async (trx) => {
      const sent = Promise.all([insert(trx, 6), insert(trx, 1)]);
      commitSent(trx);
      await sent;
    });
    await expect(failing).rejects.toThrow(/duplicate key/);
    expect((await rows('pipe')).map((r) => r.id)).toEqual([1, 2, 5]);
    await pipelined.transaction(async (trx) => {
      const sent = insert(trx, 7);
      commitSent(trx);
      await sent;
    });
    expect((await rows('pipe')).map((r) => r.id)).toEqual([1, 2, 5, 7]);
  });

  it('never scan a table whole, and plan a prepared statement once (counter-plans.test.ts checks such plans)', async () => {
    const settings = await pipelined.transaction((trx) =>
      send<{ seq: string; cache: string }>(trx, sql<{ seq: string; cache: string }>`select current_setting('enable_seqscan') as seq, current_setting('plan_cache_mode') as cache`.compile(trx)),
    );
    expect(settings[0]).toEqual({ seq: 'off', cache: 'force_generic_plan' });
  });

  it('fail a transaction whose work swallowed a failed statement: PostgreSQL rolled it back', async () => {
    const swallowing = pipelined.transaction(async (trx) => {
      await insert(trx, 8);
      await insert(trx, 1).catch(() => {});
    });
    await expect(swallowing).rejects.toThrow(/rolled back/);
    expect((await rows('pipe')).map((r) => r.id)).toEqual([1, 2, 5, 7]);
  });
});
