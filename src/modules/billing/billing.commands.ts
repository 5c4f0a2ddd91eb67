import { yuanOf } from '../../shared/money.js';
import { InvalidArgumentError, type Command } from 'commander';
import { loadConfig } from '../../config.js';
import type { CommandDeps } from '../../platform/deps.js';
import { AppError } from '../../shared/errors.js';
import { companyByCode, exceptionCounts, findRun, listCompanies, type BillRunRow } from './billing.repository.js';
import { DEFAULT_BATCH_SIZE, DEFAULT_ISSUE_BATCH_SIZE, driveBillRun, type BillingFlows } from './use-cases/drive-bill-run.js';
import { systemOperator, type Operator } from './use-cases/operator.js';
import { approveBillRun, startIssue } from './use-cases/review-bill-run.js';
import { startBillRun } from './use-cases/start-bill-run.js';

interface BillRunOptions {
  period: string;
  approve?: boolean;
  issue?: boolean;
  asOf?: Date;
  company?: string;
  batchSize?: number;
  throttleMs?: number;
}

function wholeNumber(value: string): number {
  const n = Number(value.replace(/_/g, ''));
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number');
  return n;
}

function businessDay(value: string): Date {
  const at = new Date(`${value}T12:00:00+08:00`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(at.getTime())) throw new InvalidArgumentError('expected a date as YYYY-MM-DD');
  return at;
}

/**
 * `granary bill-run --period YYYY-MM [--approve] [--issue]`: rates the period in the foreground with a
 * progress bar and ETA (resuming where an earlier, interrupted run stopped), prints a summary and the
 * exceptions by kind; --approve approves it, --issue issues it (posts to the ledger). `flows` comes from
 * `workflows/` (cli/index.ts).
 */
export function registerBillingCommands(program: Command, { withRuntime, progressReporter }: CommandDeps, flows: BillingFlows): void {
  program
    .command('bill-run')
    .description('monthly bill run (电费发行): validate reads, rate every account, write bills; resumable; --approve, --issue')
    .requiredOption('--period <YYYY-MM>', 'the month to bill')
    .option('--approve', 'approve the run after rating (审核)')
    .option('--issue', 'issue the approved run: post every bill to receivable (发行)')
    .option('--as-of <date>', 'business date of the run, YYYY-MM-DD (issue date and due dates; default today, Asia/Shanghai)', businessDay)
    .option('--company <code>', 'org unit code of the company (needed when the database holds more than one)')
    .option('--batch-size <n>', `account ids per batch (default ${DEFAULT_BATCH_SIZE} rating, ${DEFAULT_ISSUE_BATCH_SIZE} issuing)`, wholeNumber)
    .option('--throttle-ms <n>', 'pause between batches, to leave room on a busy server', wholeNumber)
    .action(async (opts: BillRunOptions) => {
      await withRuntime(loadConfig(), async (rt) => {
        const companyId = await chooseCompany(rt.handle.db, opts.company);
        const op = systemOperator(companyId, opts.asOf ?? rt.clock.now(), 'cli');
        const drive = (runId: number) =>
          driveBillRun({ db: rt.handle.db, pool: rt.handle.pool, prepaidAtIssue: flows.prepaidAtIssue }, runId, { batchSize: opts.batchSize, issueBatchSize: opts.batchSize, throttleMs: opts.throttleMs, onProgress: progressOf(progressReporter()), now: () => new Date() });

        let { run, created } = await startBillRun(rt.handle.db, op, opts.period);
        console.error(`${created ? 'started' : 'found'} bill run ${run.id} for ${run.period}: ${run.status}`);
        if (run.status === 'rating') run = await drive(run.id);
        await printSummary(rt.handle.db, run);
        if (opts.approve && run.status === 'review') {
          run = await approveBillRun(rt.handle.db, op, run.id, 'approved from the command line');
          console.log(`approved bill run ${run.id}`);
        }
        if (opts.issue) run = await issue(rt.handle.db, op, run, drive);
      });
    });
}

async function issue(db: Parameters<typeof startIssue>[0], op: Operator, run: BillRunRow, drive: (id: number) => Promise<BillRunRow>): Promise<BillRunRow> {
  if (run.status === 'issued') {
    console.log(`bill run ${run.period} was issued on ${run.issue_date}: nothing to do`);
    return run;
  }
  if (run.status !== 'approved' && run.status !== 'issuing' && !(run.status === 'failed' && run.failed_status === 'issuing'))
    throw new AppError('CONFLICT', `bill run ${run.period} is ${run.status}: approve it first (--approve)`);
  const issuing = await startIssue(db, op, run.id);
  const done = await drive(issuing.id);
  console.log(`issued ${done.issued_bills} bills, ${yuan(done.issued_fen)} 元 to receivable on ${done.issue_date} (${String(done.timings.issueSeconds ?? '?')} s)`);
  return done;
}

async function chooseCompany(db: Parameters<typeof listCompanies>[0], code: string | undefined): Promise<number> {
  if (code) {
    const company = await companyByCode(db, code);
    if (!company) throw new AppError('NOT_FOUND', `no company with code ${code}`);
    return company.id;
  }
  const companies = await listCompanies(db);
  if (companies.length === 1) return companies[0]!.id;
  if (companies.length === 0) throw new AppError('NOT_FOUND', 'no company in this database (create the demo county with `granary demo`)');
  throw new AppError('VALIDATION', `this database holds ${companies.length} companies: name one with --company (${companies.map((c) => c.code).join(', ')})`);
}

/** A progress bar per phase (rating: accounts; issuing: bills) with rate and ETA. */
function progressOf(report: ReturnType<CommandDeps['progressReporter']>): (run: BillRunRow) => void {
  return (run) => {
    if (run.status === 'rating') report({ phase: 'rating', done: run.accounts_done, total: run.accounts_total });
    else if (run.status === 'issuing') report({ phase: 'issuing', done: run.issued_bills, total: run.bills });
  };
}

const yuan = (fen: number) => yuanOf(fen, { grouped: true });

async function printSummary(db: Parameters<typeof findRun>[0], run: BillRunRow): Promise<void> {
  const kinds = await exceptionCounts(db, run.id);
  const seconds = run.timings.ratingSeconds;
  console.log(
    `bill run ${run.period} (${run.status}): ${run.accounts_done}/${run.accounts_total} accounts, ${run.bills} bills, ${run.lines} lines, ${yuan(run.total_fen)} 元` +
      (seconds ? ` — rated in ${String(seconds)} s (${Math.round(run.accounts_done / Number(seconds))} accounts/s)` : ''),
  );
  if (kinds.length) {
    console.log(`exceptions: ${run.exceptions} (${run.blocking_exceptions} accounts without a bill)`);
    for (const k of kinds) console.log(`  ${k.blocking ? 'no bill ' : 'review  '} ${k.kind.padEnd(24)} ${k.count}`);
  }
}
