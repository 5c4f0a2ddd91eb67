import { sql } from 'kysely';
import type { Executor } from '../../db/tx.js';

/** The only SQL of the Idempotency-Key store. */

/** A transaction-scoped lock on (scope, key): false when another transaction holds it (that request is in flight). */
export async function tryLockKey(db: Executor, scope: string, key: string): Promise<boolean> {
  const { rows } = await sql<{ locked: boolean }>`select pg_try_advisory_xact_lock(hashtextextended(${scope} || E'\\n' || ${key}, 7)) as locked`.execute(db);
  return rows[0]!.locked;
}

export async function findKey(db: Executor, scope: string, key: string) {
  return db.selectFrom('idempotency_key').select(['request_hash', 'status_code', 'response']).where('scope', '=', scope).where('key', '=', key).executeTakeFirst();
}

export async function insertKey(db: Executor, row: { scope: string; key: string; requestHash: string; statusCode: number; response: unknown }): Promise<void> {
  await db
    .insertInto('idempotency_key')
    .values({ scope: row.scope, key: row.key, request_hash: row.requestHash, status_code: row.statusCode, response: JSON.stringify(row.response) })
    .execute();
}
