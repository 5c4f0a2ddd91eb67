import fs from 'node:fs';
import { InvalidArgumentError, type Command } from 'commander';
import { loadConfig } from '../../config.js';
import type { CommandDeps } from '../../platform/deps.js';
import { csvCell } from '../../shared/csv.js';
import { AppError } from '../../shared/errors.js';
import type { RegisterValue } from './domain/read-rules.js';
import { MAX_BATCH_READS, READ_SOURCES } from './metering.types.js';
import type { ReadSource } from './use-cases/ingest-reads.js';
import { importReadsFile, type ReadsFileResult } from './use-cases/import-reads-file.js';

interface ImportOptions {
  refused?: string;
  source: ReadSource;
  batchSize?: number;
}

function batchSize(value: string): number {
  const n = Number(value.replace(/_/g, ''));
  if (!Number.isSafeInteger(n) || n < 1 || n > 1_000_000) throw new InvalidArgumentError('expected a whole number from 1 to 1,000,000');
  return n;
}

function source(value: string): ReadSource {
  if (!(READ_SOURCES as readonly string[]).includes(value)) throw new InvalidArgumentError(`one of ${READ_SOURCES.join(', ')}`);
  return value as ReadSource;
}

/**
 * `granary reads import <file.csv> [--refused out.csv]`: daily frozen reads from a CSV file through the
 * same rules as the API (use-cases/import-reads-file.ts), with a progress bar; prints what became of the
 * rows and, when some were refused, writes them with their reasons to a CSV file.
 */
export function registerMeteringCommands(program: Command, { withRuntime, progressReporter }: CommandDeps): void {
  const reads = program.command('reads').description('meter reads: import daily frozen reads (日冻结) from a file');
  reads
    .command('import')
    .description('import a CSV file of daily reads: a header line with meter_no,read_on,total and optionally peak,flat,valley (UTF-8); one transaction for the file')
    .argument('<file>', 'the CSV file')
    .option('--refused <path>', 'where to write the refused rows with their reasons (default: <file>.refused.csv, written only when some are refused)')
    .option('--source <source>', `how the reads came: ${READ_SOURCES.join(', ')}`, source, 'import' as ReadSource)
    .option('--batch-size <n>', `reads judged and written per statement (default ${MAX_BATCH_READS.toLocaleString('en')})`, batchSize)
    .action(async (file: string, opts: ImportOptions) => {
      if (!fs.existsSync(file)) throw new AppError('NOT_FOUND', `no file ${file}`);
      await withRuntime(loadConfig(), async (rt) => {
        const result = await importReadsFile(rt.handle.pool, file, {
          source: opts.source,
          batchSize: opts.batchSize,
          audit: { actorId: null, actorName: 'cli', ip: null },
          now: rt.clock.now(),
          onProgress: progressReporter(),
        });
        printSummary(file, result);
        if (result.refused.length) {
          const out = opts.refused ?? `${file.replace(/\.csv$/i, '')}.refused.csv`;
          fs.writeFileSync(out, refusedCsv(result));
          console.log(`refused rows: ${out}`);
        }
      });
    });
}

const count = (n: number) => n.toLocaleString('en');

function printSummary(file: string, r: ReadsFileResult): void {
  const rate = r.seconds > 0 ? ` (${count(Math.round(r.rows / r.seconds))} reads/s)` : '';
  console.log(`${file}: ${count(r.rows)} rows in ${r.batches} batch${r.batches === 1 ? '' : 'es'}, ${r.seconds.toFixed(1)} s${rate}`);
  console.log(`  accepted ${count(r.accepted)}${r.flagged.length ? ` (${count(r.flagged.length)} flagged)` : ''}, duplicates ${count(r.duplicates)}, refused ${count(r.refused.length)}`);
  for (const [what, list] of [['refused', r.refused], ['flagged', r.flagged]] as const) {
    const byReason = new Map<string, number>();
    for (const j of list) byReason.set(j.reason, (byReason.get(j.reason) ?? 0) + 1);
    for (const [reason, n] of [...byReason].sort((a, b) => b[1] - a[1])) console.log(`  ${what} ${reason.padEnd(18)} ${count(n)}`);
  }
}

const cell = (v: RegisterValue | null | undefined) => csvCell(v === undefined || v === null ? null : String(v));

/** The refused rows: their line in the file, their cells as read, the reason and its detail; every cell escaped. */
export function refusedCsv(r: Pick<ReadsFileResult, 'refused'>): string {
  const lines = ['line,meter_no,read_on,total,peak,flat,valley,reason,detail'];
  for (const j of r.refused) {
    const x = j.read;
    lines.push([String(j.line), cell(x.meterNo), cell(x.readOn), cell(x.total), cell(x.peak), cell(x.flat), cell(x.valley), j.reason, csvCell(j.detail)].join(','));
  }
  return `${lines.join('\n')}\n`;
}
