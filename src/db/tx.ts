import { CompiledQuery, type Compilable, type Transaction } from 'kysely';
import type pg from 'pg';
import { kyselyOnClient, PREPARED, type Db } from './connect.js';
import { pipelinedClientOf } from './pipeline.js';
import type { DB } from './schema.js';

export type Trx = Transaction<DB>;
/** Repositories take either the database or a transaction as their first argument. */
export type Executor = Db | Trx;

/** The caller owns the transaction: routes, commands and workflows open it here and pass it down. */
export function inTransaction<T>(db: Db, work: (trx: Trx) => Promise<T>): Promise<T> {
  return db.transaction().execute(work);
}

/** `inTransaction` in a read-only snapshot (repeatable read): a dry run sees one state and cannot write. */
export function inSnapshot<T>(db: Db, work: (trx: Trx) => Promise<T>): Promise<T> {
  return db.transaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute(work);
}

/**
 * The bulk variant of `inTransaction`, for work that needs the client itself (COPY, session temp tables):
 * begin on `source` — a client the caller holds, or one checked out of the pool for this and released
 * after — run `work` with the client and a Kysely over it, commit; roll back if it throws.
 */
export async function inClientTransaction<T>(source: pg.Pool | pg.PoolClient, work: (client: pg.PoolClient, trx: Db) => Promise<T>): Promise<T> {
  const held = 'release' in source;
  const client = held ? source : await source.connect();
  try {
    await client.query('begin');
    try {
      const result = await work(client, kyselyOnClient(client));
      await client.query('commit');
      return result;
    } catch (err) {
      await client.query('rollback').catch(() => {});
      throw err;
    }
  } finally {
    if (!held) client.release();
  }
}

/**
 * Runs a compiled statement and gives its rows. On a pipelined transaction (pipeline.ts) it is sent before
 * this returns, so statements sent one after another without awaiting share a round trip, in the order of
 * the calls; elsewhere it queues behind the executor's earlier statements as usual. Repositories use it for
 * the statements of hot paths that are sent together.
 */
export function send<R>(db: Executor, query: CompiledQuery<R>): Promise<R[]> {
  const client = pipelinedClientOf(db);
  if (client) return client.query<R>(query.sql, query.parameters);
  return db.executeQuery(query).then((r) => r.rows);
}

/**
 * Runs `first` and then `second` (each sending its statement with `send`): on a pipelined transaction both
 * are sent at once and share a round trip; elsewhere `second` starts when `first` has its answer (an
 * executor over one client — a COPY session's — must not be given two statements at once).
 */
export async function inSequence<A, B>(db: Executor, first: () => Promise<A>, second: () => Promise<B>): Promise<[A, B]> {
  if (pipelinedClientOf(db)) return Promise.all([first(), second()]);
  const a = await first();
  return [a, await second()];
}

/**
 * The PREPARED marker on a pipelined transaction, whose connections plan a prepared statement once and
 * never scan a table whole (pipeline.ts); nothing elsewhere, where a read whose plan depends on table
 * sizes is better planned on every call (see PREPARED).
 */
export function preparedWhenPipelined(db: Executor): string {
  return pipelinedClientOf(db) ? PREPARED : '';
}

/**
 * Runs a query built with Kysely as a prepared statement (see PREPARED): for hot queries with a fixed
 * shape, asked on every request, whose planning would cost more than their execution. Sent as `send` does.
 */
export function executePrepared<R>(db: Executor, query: Compilable<R>): Promise<R[]> {
  const compiled = query.compile();
  return send(db, CompiledQuery.raw(`${PREPARED} ${compiled.sql}`, [...compiled.parameters]) as CompiledQuery<R>);
}
