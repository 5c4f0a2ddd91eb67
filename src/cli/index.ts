import { Command } from 'commander';
import { loadConfig } from '../config.js';
import { migrate } from '../db/migrate.js';
import { listen } from '../http/server.js';
import { ensureAdmin } from '../modules/org/index.js';
import { createDemoCounty, databaseIsEmpty, demoLogins, DEMO_PASSWORD } from '../modules/simulator/index.js';
import { registerTariffCommands } from '../modules/tariffs/index.js';
import { registerBillingCommands } from '../modules/billing/index.js';
import { registerBankFileCommands } from '../modules/bankfiles/index.js';
import { registerLedgerCommands } from '../modules/ledger/index.js';
import { registerReportsCommands } from '../modules/reports/index.js';
import { registerReconciliationCommands } from '../modules/reconciliation/index.js';
import { registerMeteringCommands } from '../modules/metering/index.js';
import { registerNotifyCommands } from '../modules/notify/index.js';
import type { Runtime } from '../platform/deps.js';
import { startRuntime, withRuntime } from '../runtime.js';
import { replayDemoHistory } from '../workflows/replay-demo-history.js';
import { prepaidAtIssue } from '../workflows/issue-bills.js';
import { importStatement } from '../workflows/import-statement.js';
import { importBankFile } from '../workflows/import-bank-file.js';
import { registerDemoCommand } from './demo.js';
import { registerFeeControlCommands, startServerFeeControl } from './fee-control.js';
import type { FeeControlService } from '../workflows/fee-control.js';
import { commandDeps } from './deps.js';
import { progressReporter } from './progress.js';

/** Mounts each module's commands on one `granary` program, handing them the runtime and progress display. */
export async function runCli(argv: string[]): Promise<void> {
  const program = new Command('granary').description('Granary (颗粒归仓): electricity billing and fee collection');

  program
    .command('serve')
    .description('migrate, create the demo county or the admin user on an empty database, and serve API + web UI')
    .option('--demo', 'demo mode: an empty database gets the demo county and demo users (same as GRANARY_DEMO=1)')
    .action(async (opts: { demo?: boolean }) => {
      const config = loadConfig();
      if (opts.demo) config.demo = true;
      await serve(config);
    });

  program
    .command('migrate')
    .description('apply the database migrations not yet applied')
    .action(async () => {
      await withRuntime(loadConfig(), async (rt) => {
        const applied = await migrate(rt.handle.pool);
        console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
      });
    });

  registerDemoCommand(program);
  registerFeeControlCommands(program);
  registerBillingCommands(program, commandDeps, { prepaidAtIssue });
  registerBankFileCommands(program, commandDeps, { importBankFile });
  registerLedgerCommands(program, commandDeps);
  registerTariffCommands(program, commandDeps);
  registerReportsCommands(program, commandDeps);
  registerReconciliationCommands(program, commandDeps, { importStatement });
  registerMeteringCommands(program, commandDeps);
  registerNotifyCommands(program, commandDeps);
  await program.parseAsync(argv);
}

async function serve(config: ReturnType<typeof loadConfig>): Promise<void> {
  const rt = await startRuntime(config);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.error(`\n${signal}: stopping Granary…`);
    await app?.close().catch(() => {});
    await fee?.headEnd?.stop().catch(() => {});
    await fee?.service.stop().catch(() => {});
    await rt.handle.close();
    console.error('stopped; the data stays for the next start');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  let app: Awaited<ReturnType<typeof listen>> | undefined;
  let fee: Awaited<ReturnType<typeof startServerFeeControl>> | undefined;
  try {
    if (config.demo && (await databaseIsEmpty(rt.handle.db))) {
      console.error(`creating the demo county (${config.demoAccounts} accounts, seed ${config.demoSeed}) — first start only`);
      await createDemoCounty(rt.handle, { accounts: config.demoAccounts, seed: config.demoSeed, asOf: rt.clock.now(), onProgress: progressReporter() });
    } else {
      await ensureAdmin(rt.handle.db, config.adminPassword);
    }
    fee = await startServerFeeControl(rt);
    app = await listen(rt, { wakeCommands: fee.service.wake });
  } catch (err) {
    await fee?.headEnd?.stop().catch(() => {});
    await fee?.service.stop().catch(() => {});
    await rt.handle.close();
    throw err;
  }
  const url = `http://${config.host === '0.0.0.0' || config.host === '127.0.0.1' ? 'localhost' : config.host}:${config.port}`;
  console.log(`\nGranary is running at ${url}  (API docs: ${url}/docs)`);
  if (config.demo) {
    console.log(`demo logins (password "${DEMO_PASSWORD}"):`);
    for (const line of groupLogins(await demoLogins(rt.handle.db))) console.log(`  ${line}`);
  }
  console.log('Ctrl-C stops Granary (and its embedded database).');
  if (config.demo) billHistoryInBackground(rt, fee.service);
}

/**
 * The demo's 24 months are replayed after the server is up, so the login page does not wait for them: month
 * by month, the bills issued through the real bill run, then the payments up to the next issue through the
 * payments core; progress is in the log and in the bill-run console. Resumes across restarts.
 */
function billHistoryInBackground(rt: Runtime, fee: FeeControlService): void {
  replayDemoHistory(rt.handle, {
    asOf: rt.clock.now(),
    onProgress: (p) => {
      if (p.period) console.error(`demo history: ${p.period} ${p.billed ? 'billed and issued' : 'issued before'}, ${p.payments ?? 0} payments replayed up to the next issue (${Math.round((100 * p.done) / Math.max(1, p.total))}%)`);
    },
  })
    // then the last week's fee control, so the demo's prepaid households are warned, pending or cut as of today
    .then(() => fee.runLastDays(7))
    .then((s) => console.error(`demo fee control: ${s.accounts} prepaid accounts: ${JSON.stringify(s.byState)}, ${s.notices} notices, ${s.disconnects} disconnections`))
    .catch((err: unknown) => console.error(`demo history stopped: ${err instanceof Error ? err.message : String(err)}`));
}

/** One line per company user, one line per station (head, cashier, area managers), so the list fits a screen. */
function groupLogins(logins: { username: string; role: string; orgUnit: string }[]): string[] {
  const lines: string[] = [];
  const stations = new Map<string, string[]>();
  for (const l of logins) {
    const [station, who] = l.username.split('.');
    if (!who) lines.push(`${l.username.padEnd(12)} ${l.role}`);
    else stations.set(`${station} ${l.orgUnit}`, [...(stations.get(`${station} ${l.orgUnit}`) ?? []), who]);
  }
  for (const [station, who] of stations) {
    const [code] = station.split(' ');
    const managers = who.filter((w) => w.startsWith('am'));
    lines.push(`${station.padEnd(22)} ${code}.head  ${code}.cashier  ${code}.${managers[0]} … ${code}.${managers.at(-1)} (area managers)`);
  }
  return lines;
}
