import type { DatabaseHandle } from '../../../db/connect.js';
import { AppError } from '../../../shared/errors.js';
import { hashPassword } from '../../../shared/password.js';
import { insertAudit } from '../../audit/index.js';
import { demoCalendar } from '../domain/calendar.js';
import { planCounty } from '../domain/county.js';
import { DEMO_PASSES, newTally, type DemoInput, type TablePass } from '../domain/rows.js';
import {
  analyzeTables,
  beginLoad,
  commitLoad,
  copyRows,
  DatabaseNotEmpty,
  deferConstraints,
  kyselyOnClient,
  moveIdSequences,
  restoreDefinition,
  rollbackLoad,
} from '../simulator.repository.js';

export const DEMO_PASSWORD = 'granary-demo';
export const MAX_DEMO_ACCOUNTS = 10_000_000;

export interface DemoProgress {
  phase: string;
  done: number;
  total: number;
}

export interface CreateDemoOptions {
  accounts: number;
  seed: number;
  asOf: Date;
  onProgress?: (p: DemoProgress) => void;
}

export interface DemoSummary {
  accounts: number;
  seed: number;
  /** asOf's business date (Asia/Shanghai): daily reads end on it, cycle reads on the first of its month. */
  asOfDate: string;
  seconds: number;
  rows: Record<string, number>;
  phases: { phase: string; seconds: number }[];
}

/** The big tables get their foreign keys and indexes rebuilt after the load instead of maintained row by row. */
const DEFERRED_TABLES = ['customer', 'account', 'account_contact', 'meter', 'contract', 'cycle_read', 'daily_read'] as const;

/**
 * Creates the demo county (RULES §12) in an empty database: one transaction on one connection, every
 * table streamed with COPY, so a failure leaves nothing behind and memory stays flat at any size.
 */
export async function createDemoCounty(handle: DatabaseHandle, opts: CreateDemoOptions): Promise<DemoSummary> {
  checkOptions(opts);
  const started = performance.now();
  const input: DemoInput = { plan: planCounty(opts.accounts, opts.seed), cal: demoCalendar(opts.asOf), passwordHash: await hashPassword(DEMO_PASSWORD) };
  const report = opts.onProgress ?? (() => {});
  const phases: DemoSummary['phases'] = [];
  const timed = async (phase: string, work: () => Promise<void>) => {
    const t = performance.now();
    await work();
    phases.push({ phase, seconds: (performance.now() - t) / 1000 });
  };
  const rows: Record<string, number> = {};

  const client = await handle.pool.connect();
  try {
    await beginLoad(client).catch((err: unknown) => {
      if (err instanceof DatabaseNotEmpty) throw new AppError('CONFLICT', 'the database already has an organisation: the demo county is only created in an empty database (use `granary demo --reset` to start over)');
      throw err;
    });
    const deferred = await deferConstraints(client, DEFERRED_TABLES);
    for (const pass of DEMO_PASSES) {
      await timed(pass.phase, async () => {
        rows[pass.table] = await loadPass(client, pass, input, report);
      });
    }

    const restores = [...deferred.indexes, ...deferred.foreignKeys];
    await timed('indexes and keys', async () => {
      for (const [i, definition] of restores.entries()) {
        report({ phase: 'indexes and keys', done: i, total: restores.length });
        await restoreDefinition(client, definition);
      }
      report({ phase: 'indexes and keys', done: restores.length, total: restores.length });
    });
    await moveIdSequences(client, DEMO_PASSES.filter((p) => p.hasId).map((p) => p.table));
    await insertAudit(kyselyOnClient(client), {
      actorId: null,
      actorName: 'system',
      action: 'demo.create',
      entity: 'org_unit',
      entityId: 1,
      detail: { accounts: opts.accounts, seed: opts.seed, asOfDate: input.cal.asOfDate, rows },
    });
    await timed('analyze', async () => {
      report({ phase: 'analyze', done: 0, total: 1 });
      await analyzeTables(client, DEMO_PASSES.map((p) => p.table));
      report({ phase: 'analyze', done: 1, total: 1 });
    });
    await commitLoad(client);
  } catch (err) {
    await rollbackLoad(client).catch(() => {});
    throw err;
  } finally {
    client.release();
  }
  return { accounts: opts.accounts, seed: opts.seed, asOfDate: input.cal.asOfDate, seconds: (performance.now() - started) / 1000, rows, phases };
}

function checkOptions(opts: CreateDemoOptions): void {
  if (!Number.isInteger(opts.accounts) || opts.accounts < 1 || opts.accounts > MAX_DEMO_ACCOUNTS)
    throw new AppError('VALIDATION', `accounts must be a whole number from 1 to ${MAX_DEMO_ACCOUNTS}, got ${opts.accounts}`);
  if (!Number.isSafeInteger(opts.seed)) throw new AppError('VALIDATION', `seed must be an integer, got ${opts.seed}`);
  if (Number.isNaN(opts.asOf.getTime())) throw new AppError('VALIDATION', 'asOf is not a valid date');
}

/** Streams one table; progress is counted in accounts walked (or rows, for the small organisation tables). */
async function loadPass(client: Parameters<typeof copyRows>[0], pass: TablePass, input: DemoInput, report: (p: DemoProgress) => void): Promise<number> {
  const total = input.plan.accounts;
  const tally = newTally(pass.perAccount ? (t) => report({ phase: pass.phase, done: t.accounts, total }) : undefined);
  if (pass.perAccount) report({ phase: pass.phase, done: 0, total });
  await copyRows(client, pass.table, pass.columns, pass.chunks(input, tally));
  return tally.rows;
}
