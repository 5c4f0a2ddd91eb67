import { InvalidArgumentError, type Command } from 'commander';
import { loadConfig } from '../config.js';
import { createDemoCounty, databaseIsEmpty, demoLogins, dropApplicationSchema, DEMO_PASSWORD, type DemoSummary } from '../modules/simulator/index.js';
import { withRuntime } from '../runtime.js';
import { replayDemoHistory } from '../workflows/replay-demo-history.js';
import { prepareDatabase } from '../workflows/prepare-database.js';
import { progressReporter } from './progress.js';

interface DemoCommandOptions {
  accounts?: number;
  seed?: number;
  asOf?: Date;
  reset?: boolean;
  bills?: boolean;
}

function wholeNumber(value: string): number {
  const n = Number(value.replace(/_/g, ''));
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError('expected a whole number');
  return n;
}

/** A business date (Asia/Shanghai) as an instant at local noon, so it maps back to the same date. */
export function businessDateArgument(value: string): Date {
  const at = new Date(`${value}T12:00:00+08:00`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(at.getTime()) || at.toISOString().slice(0, 10) !== value)
    throw new InvalidArgumentError('expected a date as YYYY-MM-DD');
  return at;
}

/**
 * `granary demo`: the demo county in an empty database (or, with --reset, in a wiped one), then its history
 * replayed month by month — bills issued, then the payments up to the next issue — through the workflows.
 * Here rather than in the simulator module because it crosses modules.
 */
export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('create the demo county (RULES §12): org, staff, customers, accounts, meters, contracts, 24 months of reads, billed through the bill run and paid through the payments core, month by month')
    .option('--accounts <n>', 'number of accounts (default GRANARY_DEMO_ACCOUNTS or 20000)', wholeNumber)
    .option('--seed <n>', 'random seed: the same seed and as-of date give the same county (default GRANARY_DEMO_SEED or 1)', wholeNumber)
    .option('--as-of <date>', 'business date the history runs up to, YYYY-MM-DD (default today, Asia/Shanghai)', businessDateArgument)
    .option('--reset', 'drop ALL data in the database first, then migrate and create the county')
    .option('--no-bills', 'skip replaying the 24 months of history (bills and payments); the months can be billed later with `granary bill-run`, without payments')
    .action(async (opts: DemoCommandOptions) => {
      await runDemo(opts);
    });
}

async function runDemo(opts: DemoCommandOptions): Promise<void> {
  const config = loadConfig();
  await withRuntime(config, async (rt) => {
    if (opts.reset) {
      console.error('--reset: dropping every table of this database and migrating again');
      await dropApplicationSchema(rt.handle.pool);
      await prepareDatabase(rt.handle, rt.log);
    } else if (!(await databaseIsEmpty(rt.handle.db))) {
      throw new Error('this database already has data; `granary demo` only fills an empty database. Use `granary demo --reset` to wipe it first (all data is lost).');
    }
    const accounts = opts.accounts ?? config.demoAccounts;
    const seed = opts.seed ?? config.demoSeed;
    console.error(`creating the demo county: ${accounts} accounts, seed ${seed}`);
    const summary = await createDemoCounty(rt.handle, { accounts, seed, asOf: opts.asOf ?? rt.clock.now(), onProgress: progressReporter() });
    printSummary(summary);
    if (opts.bills !== false) {
      const history = await replayDemoHistory(rt.handle, { asOf: opts.asOf ?? rt.clock.now(), onProgress: progressReporter() });
      console.log(
        `replayed ${history.periods.length} months of history: bills of ${history.periods[0]} … ${history.periods.at(-1)} issued (prepaid settled at issue), ` +
          `${history.payments} payments of ${history.months[0]} … ${history.months.at(-1)} applied between the issues, in ${history.seconds.toFixed(1)} s ` +
          `(bill runs ${history.billingSeconds.toFixed(1)} s, payments ${history.paymentSeconds.toFixed(1)} s)`,
      );
    }
    console.log(`\ndemo logins (password "${DEMO_PASSWORD}"):`);
    for (const l of await demoLogins(rt.handle.db)) console.log(`  ${l.username.padEnd(24)} ${l.role.padEnd(16)} ${l.orgUnit}`);
  });
}

function printSummary(s: DemoSummary): void {
  console.log(`\ndemo county: ${s.accounts} accounts, seed ${s.seed}, history up to ${s.asOfDate}, ${s.seconds.toFixed(1)} s`);
  for (const [table, rows] of Object.entries(s.rows)) console.log(`  ${table.padEnd(18)} ${String(rows).padStart(12)}`);
  console.log('phases:');
  for (const p of s.phases) console.log(`  ${p.phase.padEnd(18)} ${p.seconds.toFixed(1).padStart(8)} s`);
}
