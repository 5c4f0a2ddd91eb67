import type { DatabaseHandle } from '../../../db/connect.js';
import { AppError } from '../../../shared/errors.js';
import { hashPassword } from '../../../shared/password.js';
import { insertAudit } from '../../audit/index.js';
import { demoCalendar } from '../domain/calendar.js';
import { planCounty } from '../domain/county.js';
import { DEMO_PASSES, newTally, type DemoInput, type Tally } from '../domain/rows.js';
import { kyselyOnClient } from '../../../db/connect.js';
import { loadTables, type LoadProgress, type LoadStep } from './load-tables.js';

export const DEMO_PASSWORD = 'granary-demo';
export const MAX_DEMO_ACCOUNTS = 10_000_000;

export type DemoProgress = LoadProgress;

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
export const DEFERRED_TABLES = ['customer', 'account', 'account_contact', 'meter', 'contract', 'cycle_read', 'daily_read'] as const;

/**
 * Creates the demo county (RULES §12) in an empty database: one transaction on one connection, every
 * table streamed with COPY, so a failure leaves nothing behind and memory stays flat at any size.
 */
export async function createDemoCounty(handle: DatabaseHandle, opts: CreateDemoOptions): Promise<DemoSummary> {
  checkOptions(opts);
  const started = performance.now();
  const input: DemoInput = { plan: planCounty(opts.accounts, opts.seed), cal: demoCalendar(opts.asOf), passwordHash: await hashPassword(DEMO_PASSWORD) };
  const report = opts.onProgress ?? (() => {});
  const tallies = new Map<string, Tally>();
  const steps: LoadStep[] = DEMO_PASSES.map((pass) => {
    const total = input.plan.accounts;
    const tally = newTally(pass.perAccount ? (t) => report({ phase: pass.phase, done: t.accounts, total }) : undefined);
    tallies.set(pass.table, tally);
    return { phase: pass.phase, table: pass.table, columns: pass.columns, hasId: pass.hasId, chunks: pass.chunks(input, tally) };
  });
  const rowCounts = () => Object.fromEntries([...tallies].map(([table, t]) => [table, t.rows]));
  const phases = await loadTables(handle, steps, {
    deferTables: DEFERRED_TABLES,
    report,
    beforeCommit: (client) =>
      insertAudit(kyselyOnClient(client), {
        actorId: null,
        actorName: 'system',
        action: 'demo.create',
        entity: 'org_unit',
        entityId: 1,
        detail: { accounts: opts.accounts, seed: opts.seed, asOfDate: input.cal.asOfDate, rows: rowCounts() },
      }),
  });
  return { accounts: opts.accounts, seed: opts.seed, asOfDate: input.cal.asOfDate, seconds: (performance.now() - started) / 1000, rows: rowCounts(), phases };
}

function checkOptions(opts: CreateDemoOptions): void {
  if (!Number.isInteger(opts.accounts) || opts.accounts < 1 || opts.accounts > MAX_DEMO_ACCOUNTS)
    throw new AppError('VALIDATION', `accounts must be a whole number from 1 to ${MAX_DEMO_ACCOUNTS}, got ${opts.accounts}`);
  if (!Number.isSafeInteger(opts.seed)) throw new AppError('VALIDATION', `seed must be an integer, got ${opts.seed}`);
  if (Number.isNaN(opts.asOf.getTime())) throw new AppError('VALIDATION', 'asOf is not a valid date');
}
