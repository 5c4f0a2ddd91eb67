import type { Transaction } from 'kysely';
import type { Db } from './connect.js';
import type { DB } from './schema.js';

export type Trx = Transaction<DB>;
/** Repositories take either the database or a transaction as their first argument. */
export type Executor = Db | Trx;

/** The caller owns the transaction: routes, commands and workflows open it here and pass it down. */
export function inTransaction<T>(db: Db, work: (trx: Trx) => Promise<T>): Promise<T> {
  return db.transaction().execute(work);
}
