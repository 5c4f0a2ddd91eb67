import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/connect.js';
import { PipelinedTransactor } from '../../src/db/pipeline.js';
import { createTestDatabase } from '../support/db.js';

/** A connection lost while checked out (the embedded server stopped under a running job) must not crash the process. */
let handle: DatabaseHandle;

beforeAll(async () => {
  handle = await createTestDatabase();
});

afterAll(async () => {
  await handle?.close();
});

const terminate = (pid: number) => sql`select pg_terminate_backend(${pid})`.execute(handle.db);
const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

describe('a lost connection', () => {
  it('fails only the statement of a checked-out client; the pool serves the next one', async () => {
    const client = await handle.pool.connect();
    const { rows } = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
    await terminate(rows[0]!.pid);
    await settle(); // the 'error' event arrives here: unhandled, it would end the test process
    await expect(client.query('select 1')).rejects.toThrow();
    client.release(true);
    expect((await sql<{ one: number }>`select 1 as one`.execute(handle.db)).rows[0]!.one).toBe(1);
  });

  it('fails the pipelined transaction in flight, and the next one runs on a fresh connection', async () => {
    const pipelined = new PipelinedTransactor(handle.pool, 1);
    try {
      const lost = pipelined.transaction(async (trx) => {
        const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx);
        await terminate(rows[0]!.pid);
        await settle();
        await sql`select 1`.execute(trx);
      });
      await expect(lost).rejects.toThrow();
      const again = await pipelined.transaction(async (trx) => (await sql<{ one: number }>`select 1 as one`.execute(trx)).rows[0]!.one);
      expect(again).toBe(1);
    } finally {
      await pipelined.close();
    }
  });
});
