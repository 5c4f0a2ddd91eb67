import type pg from 'pg';
import type { DatabaseHandle } from '../../../db/connect.js';
import { inClientTransaction } from '../../../db/tx.js';
import { AppError } from '../../../shared/errors.js';
import {
  analyzeTables,
  copyRows,
  DatabaseNotEmpty,
  deferConstraints,
  lockForLoad,
  moveIdSequences,
  restoreDefinition,
} from '../simulator.repository.js';

export interface LoadProgress {
  phase: string;
  done: number;
  total: number;
}

/** One table to fill: its COPY text arrives lazily in chunks (generated, or read back from a file). */
export interface LoadStep {
  phase: string;
  table: string;
  columns: readonly string[];
  /** The rows carry explicit ids, so the identity sequence must be moved past them afterwards. */
  hasId: boolean;
  chunks: Iterable<string> | AsyncIterable<string>;
}

export interface LoadOptions {
  /** Tables whose foreign keys and indexes are rebuilt after the load instead of maintained row by row. */
  deferTables: readonly string[];
  report?: (p: LoadProgress) => void;
  /** Runs in the transaction after the data and before the commit (e.g. an audit entry). */
  beforeCommit?: (client: pg.PoolClient) => Promise<void>;
}

export type PhaseTimes = { phase: string; seconds: number }[];

/**
 * Fills tables of an empty database in one transaction on one connection: COPY per table, then the
 * deferred indexes and keys, identity sequences and statistics. A failure rolls everything back.
 * The demo county uses it, and so does its benchmark's floor (the same text, pre-encoded), so the
 * two differ only in generating the text.
 */
export async function loadTables(handle: DatabaseHandle, steps: readonly LoadStep[], opts: LoadOptions): Promise<PhaseTimes> {
  const report = opts.report ?? (() => {});
  const phases: PhaseTimes = [];
  const timed = async (phase: string, work: () => Promise<void>) => {
    const t = performance.now();
    await work();
    phases.push({ phase, seconds: (performance.now() - t) / 1000 });
  };
  await inClientTransaction(handle.pool, async (client) => {
    await lockForLoad(client).catch((err: unknown) => {
      if (err instanceof DatabaseNotEmpty)
        throw new AppError('CONFLICT', 'the database already has an organisation: the demo county is only created in an empty database (use `granary demo --reset` to start over)');
      throw err;
    });
    const deferred = await deferConstraints(client, opts.deferTables);
    for (const step of steps) await timed(step.phase, () => copyRows(client, step.table, step.columns, step.chunks));

    const restores = [...deferred.indexes, ...deferred.foreignKeys];
    await timed('indexes and keys', async () => {
      for (const [i, definition] of restores.entries()) {
        report({ phase: 'indexes and keys', done: i, total: restores.length });
        await restoreDefinition(client, definition);
      }
      report({ phase: 'indexes and keys', done: restores.length, total: restores.length });
    });
    await moveIdSequences(client, steps.filter((s) => s.hasId).map((s) => s.table));
    await opts.beforeCommit?.(client);
    await timed('analyze', async () => {
      report({ phase: 'analyze', done: 0, total: 1 });
      await analyzeTables(client, steps.map((s) => s.table));
      report({ phase: 'analyze', done: 1, total: 1 });
    });
  });
  return phases;
}
