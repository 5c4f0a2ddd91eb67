import { yuanOf as formatYuan } from '../../shared/money.js';
import fs from 'node:fs';
import Ajv from 'ajv';
import type { Command } from 'commander';
import { loadConfig } from '../../config.js';
import { withRuntime } from '../../runtime.js';
import { AppError, type FieldError } from '../../shared/errors.js';
import { quoteBody, type QuoteInput } from './tariffs.types.js';
import { quote, type QuoteResult } from './use-cases/quote.js';

/** `granary quote <file.json>`: the POST /api/v1/quotes body from a file, the lines as a table. */
export function registerTariffCommands(program: Command): void {
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

const validateBody = new Ajv.default({ allErrors: true, strict: false }).compile(quoteBody);

/** The same shape checks as the API, before a database is started. */
function readQuoteFile(file: string): QuoteInput {
  let body: unknown;
  try {
    body = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file}: ${(err as Error).message}`);
  }
  if (!validateBody(body)) {
    const errors = (validateBody.errors ?? []).map((e) => {
      const extra = e.params as { additionalProperty?: string; missingProperty?: string };
      const field = [e.instancePath.replace(/^\//, '').replace(/\//g, '.'), extra.additionalProperty ?? extra.missingProperty].filter(Boolean).join('.');
      return { field: field || 'body', message: extra.additionalProperty ? 'unknown field' : (e.message ?? 'invalid') };
    });
    throw new Error(describe(new AppError('VALIDATION', 'invalid quote', { errors })));
  }
  return body as QuoteInput;
}

function describe(err: AppError): string {
  const errors: FieldError[] = err.details.errors ?? [];
  return errors.length ? `cannot quote:\n${errors.map((e) => `  ${e.field}: ${e.message}`).join('\n')}` : err.message;
}

/** 12345 → "123.45", 175000000 → "1,750,000.00": exact, from integer fen. */
export const yuanOf = (fen: number): string => formatYuan(fen, { grouped: true });

export function formatQuote(r: QuoteResult): string {
  const head = ['line', 'quantity', 'unit price', 'amount (元)'];
  const rows = r.lines.map((l) => [l.code, l.quantity, l.unitPrice, yuanOf(l.amountFen)]);
  const total = ['total', '', '', yuanOf(r.totalFen)];
  const widths = head.map((h, i) => Math.max(h.length, ...[...rows, total].map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  const prices = r.agentPrices ? `, agent-purchase prices ${r.agentPrices.month} (${r.agentPrices.source})` : '';
  return [`${r.tariffCode} from ${r.tariffEffectiveFrom} — ${r.tariffName}; period ${r.period}${prices}`, '', line(head), rule, ...rows.map(line), rule, line(total)].join('\n');
}
