import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { loadConfig } from '../../config.js';
import type { CommandDeps } from '../../platform/deps.js';
import { yuanOf } from '../../shared/money.js';
import { isReconChannel, RECON_CHANNELS, type ReconChannel } from './domain/statements.js';
import type { ReconciliationFlows } from './use-cases/flows.js';
import type { ImportResult } from './reconciliation.types.js';
import { systemOperator } from './use-cases/operator.js';

function channelOption(value: string): ReconChannel {
  if (!isReconChannel(value)) throw new InvalidArgumentError(`expected one of ${RECON_CHANNELS.join(', ')}`);
  return value;
}

/**
 * `granary reconcile --channel wechatpay --file bill.csv`: imports a statement as the system and prints the
 * summary. `flows` comes from `workflows/` (cli/index.ts).
 */
export function registerReconciliationCommands(program: Command, { withRuntime }: CommandDeps, flows: Pick<ReconciliationFlows, 'importStatement'>): void {
  program
    .command('reconcile')
    .description('reconcile a channel statement (对账) against the ledger: matched / channel-only (applied once) / ledger-only / amount mismatch; the same file twice changes nothing')
    .requiredOption('--channel <channel>', `the statement's channel: ${RECON_CHANNELS.join(', ')}`, channelOption)
    .requiredOption('--file <path>', 'the statement file as downloaded (CSV; UTF-8 or GBK)')
    .option('--bank <code>', "bank statements: the bank's code, as in its debit files (ICBC, ABC …)")
    .option('--json', 'print the result as JSON')
    .action(async (opts: { channel: ReconChannel; file: string; bank?: string; json?: boolean }) => {
      const body = await readFile(opts.file);
      const result = await withRuntime(loadConfig(), (rt) => flows.importStatement({ pool: rt.handle.pool, reviewAboveFen: rt.config.reconReviewAboveFen }, systemOperator(rt.clock.now(), 'cli'), { channel: opts.channel, fileName: path.basename(opts.file), body, bank: opts.bank }));
      console.log(opts.json ? JSON.stringify(result, null, 2) : summaryText(result));
    });
}

export function summaryText(r: ImportResult): string {
  const c = r.counts;
  return [
    `${r.replayed ? 'already imported' : 'imported'} ${r.channel} statement ${r.fileName} (import ${r.importId}, sha256 ${r.sha256.slice(0, 12)}…)${r.replayed ? ': nothing changed' : ''}`,
    `  days:               ${r.days.length ? r.days.join(', ') : '—'}`,
    `  statement:          ${r.rows} payments, ${yuanOf(r.statementFen, { grouped: true })} 元; ${r.refunds.count} refunds (${yuanOf(r.refunds.fen, { grouped: true })} 元) noted; ${r.skipped} rows without money`,
    `  matched:            ${c.matched}`,
    `  channel only:       ${c.channelOnlyApplied} applied now, ${c.channelOnlyUnapplied} not applied (for review; ${c.heldForReview} held above the review limit)`,
    `  ledger only:        ${c.ledgerOnly} (flagged)`,
    `  amount mismatch:    ${c.amountMismatch} (quarantined for review)`,
    `  already reconciled: ${c.alreadyReconciled}`,
  ].join('\n');
}
