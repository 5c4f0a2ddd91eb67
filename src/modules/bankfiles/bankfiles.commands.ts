import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { InvalidArgumentError, type Command } from 'commander';
import { loadConfig } from '../../config.js';
import type { Db } from '../../db/connect.js';
import type { CommandDeps } from '../../platform/deps.js';
import { AppError } from '../../shared/errors.js';
import { yuanOf } from '../../shared/money.js';
import { listCompanies } from './bankfiles.repository.js';
import { BANK_CODE } from './domain/debit-file.js';
import { DEFAULT_STEP_SIZE, type BankFileFlows, type ImportProgress } from './use-cases/import-bank-file.js';
import { systemOperator } from './use-cases/operator.js';
import { detailOf, resultChunks } from './use-cases/queries.js';
import type { BankBatchDetail } from './bankfiles.types.js';

interface ImportOptions {
  bank: string;
  file: string;
  result?: string;
  company?: string;
  stepSize?: number;
}

function wholeNumber(value: string): number {
  const n = Number(value.replace(/_/g, ''));
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number ≥ 1');
  return n;
}

function bankCode(value: string): string {
  if (!BANK_CODE.test(value)) throw new InvalidArgumentError('a bank code: upper-case letters, digits and _ (2–16), e.g. ICBC');
  return value;
}

/**
 * `granary bank-file import --bank ICBC --file path.csv [--result out.csv]`: imports a bank debit result
 * file (代扣回盘) with a progress bar, prints what became of its lines, and writes the result file.
 * The same file again prints the earlier result and changes nothing; a file whose import was interrupted
 * is finished from where it stopped. `flows` comes from `workflows/` (cli/index.ts).
 */
export function registerBankFileCommands(program: Command, { withRuntime, progressReporter }: CommandDeps, flows: BankFileFlows): void {
  const bankFile = program.command('bank-file').description('bank debit files (代扣): import a bank’s result file, write the result of each line');
  bankFile
    .command('import')
    .description('import a bank debit result file (CSV: bank_txn_id,account_no,amount,debit_date,status,bank_message; UTF-8 or GB 18030) and post its debited lines as payments')
    .requiredOption('--bank <code>', "the bank's code, e.g. ICBC", bankCode)
    .requiredOption('--file <path>', 'the file the bank returned')
    .option('--result <path>', 'write the result file there (one line per input line: accepted or rejected with the reason)')
    .option('--company <code>', 'org unit code of the company (needed when the database holds more than one)')
    .option('--step-size <n>', `lines per posting step, one transaction each (default ${DEFAULT_STEP_SIZE})`, wholeNumber)
    .action(async (opts: ImportOptions) => {
      await withRuntime(loadConfig(), async (rt) => {
        const companyId = await chooseCompany(rt.handle.db, opts.company);
        const op = systemOperator(companyId, rt.clock.now(), 'cli');
        const report = progressReporter();
        const onProgress = (p: ImportProgress) => report({ phase: p.phase, done: Math.round(p.done), total: p.total });
        const result = await flows.importBankFile(rt.handle, op, { bank: opts.bank, fileName: path.basename(opts.file), path: opts.file }, { stepSize: opts.stepSize, onProgress, now: () => new Date() });
        const detail = await detailOf(rt.handle.db, result.batch);
        printSummary(detail, result.outcome, result.timings);
        if (opts.result) {
          await pipeline(Readable.from(resultChunks(rt.handle.db, result.batch)), fs.createWriteStream(opts.result));
          console.log(`result file: ${opts.result} (${detail.lines} lines)`);
        }
      });
    });
}

async function chooseCompany(db: Db, code: string | undefined): Promise<number> {
  const companies = await listCompanies(db);
  if (code) {
    const company = companies.find((c) => c.code === code);
    if (!company) throw new AppError('NOT_FOUND', `no company with code ${code}`);
    return company.id;
  }
  if (companies.length === 1) return companies[0]!.id;
  if (companies.length === 0) throw new AppError('NOT_FOUND', 'no company in this database (create the demo county with `granary demo`)');
  throw new AppError('VALIDATION', `this database holds ${companies.length} companies: name one with --company (${companies.map((c) => c.code).join(', ')})`);
}

const yuan = (fen: number) => yuanOf(fen, { grouped: true });

function printSummary(d: BankBatchDetail, outcome: string, t: { readSeconds: number; checkSeconds: number; postSeconds: number; seconds: number }): void {
  const how = outcome === 'replayed' ? `imported before (batch ${d.id}, ${d.postedAt ?? ''}): nothing changed` : `${outcome === 'resumed' ? 'finished' : 'posted'} as batch ${d.id}`;
  console.log(`${d.bank} ${d.fileName}: ${how}`);
  console.log(`  ${d.lines} lines: ${d.accepted} accepted (${yuan(d.acceptedFen)} 元), ${d.rejected} rejected; business date ${d.businessDate}; ${d.encoding}`);
  const a = d.allocation;
  console.log(`  spread: ${yuan(a.principalFen)} 元 to bills, ${yuan(a.penaltyFen)} 元 to penalties, ${yuan(a.prepaidFen)} 元 to prepaid balances`);
  for (const r of d.rejectedByReason) console.log(`  rejected ${r.reason.padEnd(20)} ${r.lines}`);
  if (outcome !== 'replayed') console.log(`  ${t.seconds.toFixed(1)} s (read ${t.readSeconds.toFixed(1)} s, check ${t.checkSeconds.toFixed(1)} s, post ${t.postSeconds.toFixed(1)} s)`);
}
