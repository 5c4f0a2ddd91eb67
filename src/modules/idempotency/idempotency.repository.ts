import { sql } from 'kysely';
import { PREPARED } from '../../db/connect.js';
import type { Executor } from '../../db/tx.js';

/** The only SQL of the Idempotency-Key store. */

export interface StoredKey {
  request_hash: string;
  status_code: number;
  response: unknown;
}

/**
 * Takes a transaction-scoped lock on (scope, key) — false when another transaction holds it (that request
 * is in flight) — and reads the key's stored answer, in one round trip. The read's snapshot may predate a
 * first request that committed while we took the lock; the effect it guards must therefore be unique on
 * its own too (payments: the channel transaction id is derived from the key).
 */
export async function lockAndFindKey(db: Executor, scope: string, key: string): Promise<{ locked: boolean; stored: StoredKey | null }> {
  const { rows } = await sql<{ locked: boolean; stored: StoredKey | null }>`${sql.raw(PREPARED)}
    select pg_try_advisory_xact_lock(hashtextextended(${scope} || E'\\n' || ${key}, 7)) as locked,
           (select json_build_object('request_hash', request_hash, 'status_code', status_code, 'response', response)
              from idempotency_key where scope = ${scope} and key = ${key}) as stored`.execute(db);
  return rows[0]!;
}

export async function insertKey(db: Executor, row: { scope: string; key: string; requestHash: string; statusCode: number; response: unknown }): Promise<void> {
  await db
    .insertInto('idempotency_key')
    .values({ scope: row.scope, key: row.key, request_hash: row.requestHash, status_code: row.statusCode, response: JSON.stringify(row.response) })
    .execute();
}
