import { sql } from 'kysely';
import { PREPARED } from '../../db/connect.js';
import { send, type Executor } from '../../db/tx.js';

/** The only SQL of the Idempotency-Key store. */

export interface StoredKey {
  request_hash: string;
  status_code: number;
  response: unknown;
}

/**
 * Takes a transaction-scoped lock on each (scope, key) — false when another transaction holds it (that
 * request is in flight) — and reads each key's stored answer, in one round trip, in input order. The
 * read's snapshot may predate a first request that committed while we took the lock; the effect a key
 * guards must therefore be unique on its own too (payments: the channel transaction id is derived from
 * the key).
 */
export function lockAndFindKeys(db: Executor, keys: readonly { scope: string; key: string }[]): Promise<{ locked: boolean; stored: StoredKey | null }[]> {
  return send(
    db,
    sql<{ locked: boolean; stored: StoredKey | null }>`${sql.raw(PREPARED)}
    select pg_try_advisory_xact_lock(hashtextextended(x.scope || E'\\n' || x.key, 7)) as locked,
           (select json_build_object('request_hash', k.request_hash, 'status_code', k.status_code, 'response', k.response)
              from idempotency_key k where k.scope = x.scope and k.key = x.key) as stored
      from unnest(${keys.map((k) => k.scope)}::text[], ${keys.map((k) => k.key)}::text[]) with ordinality x(scope, key, i)
     order by x.i`.compile(db),
  );
}

export interface NewKey {
  scope: string;
  key: string;
  requestHash: string;
  statusCode: number;
  response: unknown;
}

/** The keys of a batch in one statement, passed as one JSON document (see insertAudits: no per-element escaping). */
export async function insertKeys(db: Executor, rows: readonly NewKey[]): Promise<void> {
  if (rows.length === 0) return;
  const doc = rows.map((r) => ({ scope: r.scope, key: r.key, request_hash: r.requestHash, status_code: r.statusCode, response: r.response }));
  await send(
    db,
    sql`${sql.raw(PREPARED)}
    insert into idempotency_key (scope, key, request_hash, status_code, response)
    select scope, key, request_hash, status_code, response
      from json_to_recordset(${JSON.stringify(doc)}::json) as x(scope text, key text, request_hash text, status_code int, response jsonb)`.compile(db),
  );
}
