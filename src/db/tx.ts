import { CompiledQuery, type Compilable, type Transaction } from 'kysely';
import { PREPARED, type Db } from './connect.js';
import type { DB } from './schema.js';

export type Trx = Transaction<DB>;
/** Repositories take either the database or a transaction as their first argument. */
export type Executor = Db | Trx;

/** The caller owns the transaction: routes, commands and workflows open it here and pass it down. */
export function inTransaction<T>(db: Db, work: (trx: Trx) => Promise<T>): Promise<T> {
  return db.transaction().execute(work);
}

/**
 * Runs a query built with Kysely as a prepared statement (see PREPARED): for hot queries with a fixed
 * shape, asked on every request, whose planning would cost more than their execution.
 */
export async function executePrepared<R>(db: Executor, query: Compilable<R>): Promise<R[]> {
  const compiled = query.compile();
  const result = await db.executeQuery<R>(CompiledQuery.raw(`${PREPARED} ${compiled.sql}`, [...compiled.parameters]));
  return result.rows;
}
