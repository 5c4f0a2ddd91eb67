import { yuanOf } from '../../shared/money.js';
import type { Command } from 'commander';
import { loadConfig } from '../../config.js';
import type { CommandDeps } from '../../platform/deps.js';
import { checkLedger } from './use-cases/check-ledger.js';

/** `granary ledger check`: the ledger invariants; exit code 1 on any violation, each printed. */
export function registerLedgerCommands(program: Command, { withRuntime }: CommandDeps): void {
  const ledger = program.command('ledger').description('the double-entry ledger (DESIGN §5)');
  ledger
    .command('check')
    .description('check invariants I1 (transfers balance), I2 (balances = Σ entries), I3 (a channel transaction applied at most once), I4 (append-only), I5 (integer fen), I6 (reconciled channel-days equal their statements); exit 1 on any violation')
    .action(async () => {
      const report = await withRuntime(loadConfig(), (rt) => checkLedger(rt.handle.db));
      for (const v of report.violations) console.log(`${v.invariant} ${v.message}`);
      for (const w of report.warnings) console.log(`${w.invariant} (warning) ${w.message}`);
      const yuan = yuanOf(report.receivableFen, { grouped: true });
      console.log(
        `${report.ok ? 'ledger OK' : `ledger check FAILED: ${report.violations.length} violation(s)`} — ${report.transfers} transfers, ${report.entries} entries, ${report.balances} balances, receivable ${yuan} 元 (${report.seconds.toFixed(1)} s)`,
      );
      // Thrown: main.ts prints the message and exits 1.
      if (!report.ok) throw new Error(`the ledger breaks its invariants in ${report.violations.length} place(s)`);
    });
}
