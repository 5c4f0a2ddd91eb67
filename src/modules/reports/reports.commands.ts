import fs from 'node:fs';
import { finished } from 'node:stream/promises';
import { InvalidArgumentError, type Command } from 'commander';
import { loadConfig } from '../../config.js';
import type { Executor } from '../../db/tx.js';
import type { CommandDeps } from '../../platform/deps.js';
import { AppError } from '../../shared/errors.js';
import { yuanOf } from './domain/money.js';
import { accountCompany, billCompany, companies, findRegularBillId, findRunOfPeriod } from './reports.repository.js';
import { billPdf, readOnly } from './use-cases/bill-pdf.js';
import { runForSummary, writeRunSummary } from './use-cases/run-summary.js';

function period(value: string): string {
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(value)) throw new InvalidArgumentError('expected a month as YYYY-MM');
  return value;
}

function billId(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('expected a bill id');
  return n;
}

/**
 * `granary bill-pdf --account <accountNo> --period YYYY-MM -o file.pdf` (or `--bill <id>`) and
 * `granary bill-run-summary --period YYYY-MM -o file.xlsx`: the same documents as the API, printed by
 * the system for the whole company (the CLI runs on the server, as the bill run does).
 */
export function registerReportsCommands(program: Command, { withRuntime, progressReporter }: CommandDeps): void {
  program
    .command('bill-pdf')
    .description('print a bill as a PDF (电费通知单): the regular bill of an account and period, or any bill by id')
    .option('--account <accountNo>', 'account number (户号)')
    .option('--period <YYYY-MM>', 'the month billed', period)
    .option('--bill <id>', 'a bill id instead (e.g. a correction, 退补)', billId)
    .requiredOption('-o, --output <file.pdf>', 'where to write the PDF')
    .action(async (opts: { account?: string; period?: string; bill?: number; output: string }) => {
      if (!opts.bill && !(opts.account && opts.period)) throw new InvalidArgumentError('give --account and --period, or --bill');
      await withRuntime(loadConfig(), async (rt) => {
        const db = rt.handle.db;
        let id = opts.bill;
        let companyId: number;
        if (id) {
          const company = await billCompany(db, id);
          if (company === undefined) throw new AppError('NOT_FOUND', `no bill ${id}`);
          companyId = company;
        } else {
          const company = await accountCompany(db, opts.account!);
          if (company === undefined) throw new AppError('NOT_FOUND', `no account ${opts.account}`);
          companyId = company;
          id = await findRegularBillId(db, { level: 'company', companyId }, opts.account!, opts.period!);
          if (!id) throw new AppError('NOT_FOUND', `account ${opts.account} has no bill for ${opts.period} (run \`granary bill-run --period ${opts.period}\` first)`);
        }
        const pdf = await billPdf(db, { level: 'company', companyId }, id, rt.clock.now());
        fs.writeFileSync(opts.output, pdf.body);
        console.log(`wrote ${opts.output} (${Math.round(pdf.body.length / 1024)} KB): bill ${id}, account ${pdf.accountNo}, ${pdf.period}, ${yuanOf(pdf.totalFen, { grouped: true })} 元`);
      });
    });

  program
    .command('bill-run-summary')
    .description("write a bill run's summary as xlsx: totals by category, station and tariff, exceptions, and every bill (streamed)")
    .requiredOption('--period <YYYY-MM>', 'the month of the run', period)
    .requiredOption('-o, --output <file.xlsx>', 'where to write the workbook')
    .option('--company <code>', 'org unit code of the company (needed when the database holds more than one)')
    .action(async (opts: { period: string; output: string; company?: string }) => {
      await withRuntime(loadConfig(), async (rt) => {
        const db = rt.handle.db;
        const companyId = await chooseCompany(db, opts.company);
        const runId = await findRunOfPeriod(db, companyId, opts.period);
        if (!runId) throw new AppError('NOT_FOUND', `no bill run for ${opts.period} (start one with \`granary bill-run --period ${opts.period}\`)`);
        const scope = { level: 'company' as const, companyId };
        const run = await runForSummary(db, { role: 'system', scope }, runId);
        const out = fs.createWriteStream(opts.output);
        const report = progressReporter();
        const started = Date.now();
        const result = await readOnly(db, (trx) =>
          writeRunSummary(trx, scope, run, out, { now: rt.clock.now(), onProgress: (done, total) => report({ phase: 'bills', done, total: Math.max(total, done) }) }),
        );
        await finished(out);
        const seconds = ((Date.now() - started) / 1000).toFixed(1);
        const peakMiB = Math.round(process.resourceUsage().maxRSS / 1024);
        console.log(`wrote ${opts.output}: bill run ${run.period} (${run.status}), ${result.bills} bills, ${yuanOf(result.totalFen, { grouped: true })} 元 in ${seconds} s (peak RSS ${peakMiB} MiB)`);
      });
    });
}

async function chooseCompany(db: Executor, code: string | undefined): Promise<number> {
  const all = await companies(db);
  if (code) {
    const company = all.find((c) => c.code === code);
    if (!company) throw new AppError('NOT_FOUND', `no company with code ${code}`);
    return company.id;
  }
  if (all.length === 1) return all[0]!.id;
  if (all.length === 0) throw new AppError('NOT_FOUND', 'no company in this database (create the demo county with `granary demo`)');
  throw new AppError('VALIDATION', `this database holds ${all.length} companies: name one with --company (${all.map((c) => c.code).join(', ')})`);
}
