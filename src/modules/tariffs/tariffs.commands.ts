import { yuanOf as formatYuan } from '../../shared/money.js';
import fs from 'node:fs';
import type { Command } from 'commander';
import { loadConfig } from '../../config.js';
import type { CommandDeps } from '../../platform/deps.js';
import { AppError, type FieldError } from '../../shared/errors.js';
import type { QuoteResult } from './tariffs.types.js';
import { quote } from './use-cases/quote.js';

/** `granary quote <file.json>`: the POST /api/v1/quotes body from a file, the lines as a table. */
export function registerTariffCommands(program: Command, { withRuntime }: CommandDeps): void {
  program
    .command('quote')
    .description('rate a usage (试算) from a JSON file shaped like the POST /api/v1/quotes body; nothing is stored')
    .argument('<file>', 'JSON: {tariffCode | tariff, period, account, usage, agentPrices?}')
    .option('--json', 'print the result as JSON instead of a table')
    .action(async (file: string, opts: { json?: boolean }) => {
      const input = readQuoteFile(file);
      const result = await withRuntime(loadConfig(), (rt) => quote(rt.handle.db, input)).catch((err: unknown) => {
        throw err instanceof AppError ? new Error(describe(err)) : err;
      });
      console.log(opts.json ? JSON.stringify(result, null, 2) : formatQuote(result));
    });
}

/** The body as JSON; the quote itself checks all of it, as for the API. */
function readQuoteFile(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file}: ${(err as Error).message}`);
  }
}

function describe(err: AppError): string {
  const errors: FieldError[] = err.details.errors ?? [];
  return errors.length ? `cannot quote:\n${errors.map((e) => `  ${e.field}: ${e.message}`).join('\n')}` : err.message;
}

/** 12345 → "123.45", 175000000 → "1,750,000.00": exact, from integer fen. */
export const yuanOf = (fen: number): string => formatYuan(fen, { grouped: true });

const KIND_NAMES: Record<string, string> = { energy: 'energy charge', basic: 'basic charge', pf: 'power factor', funds: 'government funds', other: 'other' };

/** The lines with units and part-month factors, the subtotals per kind and the average price. */
export function formatQuote(r: QuoteResult): string {
  const head = ['line', 'quantity', 'unit price', 'factor', 'amount (元)'];
  const rows = r.lines.map((l) => [l.code, `${l.quantity} ${l.unit}`, `${l.unitPrice} ${l.priceUnit}`, l.factor?.text ?? '', yuanOf(l.amountFen)]);
  const subtotals = r.subtotals.map((s) => [`  ${KIND_NAMES[s.kind] ?? s.kind}`, '', '', '', yuanOf(s.amountFen)]);
  const total = ['total', `${r.kwh} kWh`, r.averagePrice === null ? '' : `${r.averagePrice} 元/kWh avg`, '', yuanOf(r.totalFen)];
  const all = [...rows, ...subtotals, total];
  const widths = head.map((h, i) => Math.max(h.length, ...all.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  const prices = r.agentPrices ? `, agent-purchase prices ${r.agentPrices.month} (${r.agentPrices.source})` : '';
  return [`${r.tariffCode} from ${r.tariffEffectiveFrom} — ${r.tariffName}; period ${r.period}${prices}`, '', line(head), rule, ...rows.map(line), rule, ...subtotals.map(line), line(total)].join('\n');
}
