import pg from 'pg';
import { kyselyOnClient, survivesLostConnections, type Db } from './connect.js';
import { inTransaction, type Executor } from './tx.js';

/** Runs work in one transaction: committed when work resolves, rolled back when it throws. */
export interface Transactor {
  transaction<T>(work: (trx: Executor) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Transactions as Kysely runs them: each statement waits for the answer to the one before. */
export function plainTransactor(db: Db): Transactor {
  return { transaction: (work) => inTransaction(db, work), close: async () => {} };
}

/** The pg client behind a pipelined executor (see `send` in tx.ts). */
const clients = new WeakMap<object, PipelinedClient>();

export function pipelinedClientOf(db: Executor): PipelinedClient | undefined {
  return clients.get(db);
}

/**
 * Transactions on connections in PostgreSQL's pipeline mode (node-postgres `pipeline: true`): statements
 * sent one after another without waiting are written together and run in the order sent, so a hot path
 * that knows its next statements pays one round trip for several. Under load a round trip costs far more
 * than PostgreSQL's work for a short statement: the answer waits for Node's event loop, busy with other
 * requests. Statements sent with `send` (tx.ts) go out at once; anything else run through the executor
 * (Kysely's `execute`) works too, queued behind them.
 *
 * The connections are a pool of their own, with the main pool's settings: COPY and cursors (bank files,
 * exports) cannot run in pipeline mode. Isolation and locking are those of any transaction — a statement
 * sent after a lock runs after the lock is granted, and in READ COMMITTED sees what committed before it ran.
 *
 * They never scan a table whole (`enable_seqscan=off`; their statements look rows up by key): a prepared
 * statement's plan made while a table is still empty — a new system, the key table at the start of a
 * benchmark — would otherwise scan it, and keep scanning it as it grows. Their prepared statements are
 * planned once per connection (`plan_cache_mode=force_generic_plan`): PostgreSQL would otherwise plan a
 * statement with array parameters again on every call, and planning was a quarter of a counter batch's
 * time in PostgreSQL (the payment context read alone 0.7 ms). A statement prepared here must have one
 * good plan whatever the tables' sizes: each of its lookups matched by one index only (see migration 008).
 */
export class PipelinedTransactor implements Transactor {
  private readonly pool: pg.Pool;
  private readonly executors = new WeakMap<pg.PoolClient, Db>();

  constructor(base: pg.Pool, size: number) {
    const options = [base.options.options, '-c enable_seqscan=off -c plan_cache_mode=force_generic_plan'].filter(Boolean).join(' ');
    this.pool = new pg.Pool({ ...base.options, max: size, pipeline: true, options } as pg.PoolConfig);
    survivesLostConnections(this.pool);
  }

  async transaction<T>(work: (trx: Executor) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      const trx = this.executorOf(client);
      const pipe = clients.get(trx)!;
      pipe.begin();
      let result: T;
      try {
        result = await work(trx);
      } catch (error) {
        await pipe.finish(false).catch((e: Error) => (broken = e));
        throw error;
      }
      await pipe.finish(true).catch((e: Error) => {
        broken = e;
        throw e;
      });
      return result;
    } finally {
      client.release(broken);
    }
  }

  close(): Promise<void> {
    return this.pool.end();
  }

  private executorOf(client: pg.PoolClient): Db {
    let db = this.executors.get(client);
    if (!db) {
      db = kyselyOnClient(client);
      this.executors.set(client, db);
      clients.set(db, new PipelinedClient(client));
    }
    return db;
  }
}

/**
 * Sends a statement at once. The statements sent in one turn of the event loop leave in one write (the
 * socket is corked until the next tick) instead of one system call each.
 */
export class PipelinedClient {
  private corked = false;
  private opened: Promise<unknown> | null = null;
  private committing: Promise<string> | null = null;

  constructor(private readonly client: pg.PoolClient) {}

  query<R>(text: string, values: readonly unknown[]): Promise<R[]> {
    this.cork();
    return this.client.query(text, values as unknown[]).then((r) => r.rows as R[]);
  }

  begin(): void {
    this.committing = null;
    this.cork();
    this.opened = this.client.query('begin');
    this.opened.catch(() => {}); // a failed BEGIN fails the statements behind it: the work sees it
  }

  /** COMMIT sent behind everything sent so far (see commitSent). */
  sendCommit(): void {
    if (this.committing) return;
    this.cork();
    this.committing = this.client.query('commit').then((r) => r.command);
    this.committing.catch(() => {});
  }

  /**
   * Ends the transaction: commits (COMMIT sent now unless already sent, and it must have committed), or
   * rolls back — unless COMMIT was already sent, which then stands or fell with the statements before it.
   */
  async finish(commit: boolean): Promise<void> {
    await this.opened;
    // PostgreSQL answers COMMIT in a failed transaction with ROLLBACK, not an error
    const command = await (this.committing ?? this.client.query(commit ? 'commit' : 'rollback').then((r) => r.command));
    if (commit && command !== 'COMMIT') throw new Error(`the transaction was rolled back (${command})`);
  }

  private cork(): void {
    if (this.corked) return;
    const stream = (this.client as unknown as { connection?: { stream?: { cork?: () => void; uncork?: () => void } } }).connection?.stream;
    if (!stream?.cork || !stream.uncork) return;
    this.corked = true;
    stream.cork();
    process.nextTick(() => {
      this.corked = false;
      stream.uncork!();
    });
  }
}

/**
 * Sends COMMIT now, behind the statements already sent, on a pipelined transaction — saving the round
 * trip the commit would take after them; elsewhere nothing (the transaction commits when the work
 * returns). Call it once everything the transaction is to do has been sent and nothing left may change
 * that: should one of those statements fail, PostgreSQL turns the COMMIT into a rollback and the
 * transaction fails as a whole, but a decision taken in Node after this cannot undo it.
 */
export function commitSent(trx: Executor): void {
  clients.get(trx)?.sendCommit();
}
