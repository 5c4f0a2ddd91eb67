import type { Executor } from '../../../db/tx.js';
import { AppError, type FieldError } from '../../../shared/errors.js';
import {
  checkQuoteShape,
  checkRatingInput,
  compileAgentPrices,
  compileTariff,
  presentBillLines,
  rate,
  validateAgentPriceTable,
  validateTariffVersion,
  type CompiledAgentPrices,
  type CompiledTariff,
  type RatingAccount,
  type RatingUsage,
} from '../domain/index.js';
import type { QuoteInput, QuoteResult } from '../tariffs.types.js';
import { loadAgentPrices, loadTariffHistory } from './load-published.js';

/**
 * 试算: a bill computed from a tariff and a usage with the same pure rating the bill run uses, and
 * nothing stored. A catalogue code takes the published version in effect in the period and that month's
 * published agent-purchase table; an inline `tariff` (and optionally inline `agentPrices`) quotes a
 * draft or a what-if. A refusal is one 422 listing every problem (shape, tariff, prices, usage, account).
 */
export async function quote(db: Executor, body: unknown): Promise<QuoteResult> {
  const errors = checkQuoteShape(body);
  const input = (typeof body === 'object' && body !== null ? body : {}) as QuoteInput;
  const periodOk = !errors.some((e) => e.field === 'period');
  const tariff = await resolveTariff(db, input, periodOk, errors);
  let inlinePrices: CompiledAgentPrices | undefined;
  if (input.agentPrices !== undefined) {
    const problems = validateAgentPriceTable(input.agentPrices, 'agentPrices');
    if (problems.length) errors.push(...problems);
    else inlinePrices = compileAgentPrices(input.agentPrices, 'agentPrices');
  }
  const period = periodOk ? input.period : '';
  errors.push(...checkRatingInput(periodOk ? tariff : null, period, input.account as RatingAccount, input.usage as RatingUsage).errors);
  if (errors.length) fail(errors);

  const prices = tariff!.needsAgentPrices ? await resolvePrices(db, input, tariff!, inlinePrices) : null;
  const result = rate({ tariff: tariff!, agentPrices: prices?.table ?? null, period, account: input.account, usage: input.usage });
  return { ...result, ...presentBillLines(result.lines), tariffName: tariff!.name, agentPrices: prices ? { month: period, source: prices.source } : null };
}

function fail(errors: FieldError[]): never {
  throw new AppError('VALIDATION', errors.map((e) => `${e.field}: ${e.message}`).join('; '), { errors });
}

/** The tariff to rate with, or null with its problems added (the rating check then skips what depends on it). */
async function resolveTariff(db: Executor, input: QuoteInput, periodOk: boolean, errors: FieldError[]): Promise<CompiledTariff | null> {
  if (input.tariff !== undefined && input.tariffCode === undefined) {
    const problems = validateTariffVersion(input.tariff, 'tariff');
    if (problems.length) {
      errors.push(...problems);
      return null;
    }
    const v = compileTariff(input.tariff, 'tariff');
    if (periodOk && v.effectiveFrom > `${input.period}-01`)
      errors.push({ field: 'period', code: 'tariff_not_in_effect', message: `the inline tariff is effective from ${v.effectiveFrom}, after the start of ${input.period}`, params: { from: v.effectiveFrom } });
    return v;
  }
  if (typeof input.tariffCode !== 'string' || errors.some((e) => e.field === 'tariffCode' || e.field === 'tariff')) return null;
  const history = await loadTariffHistory(db, input.tariffCode);
  if (!history) {
    errors.push({ field: 'tariffCode', code: 'unknown_tariff', message: `no published tariff has the code ${input.tariffCode}` });
    return null;
  }
  if (!periodOk) return null;
  const v = history.at(input.period);
  if (!v) {
    const from = history.versions[0]!.effectiveFrom;
    errors.push({ field: 'period', code: 'tariff_not_in_effect', message: `no version of ${input.tariffCode} is in effect in ${input.period} (the first starts ${from})`, params: { from } });
    return null;
  }
  return v;
}

async function resolvePrices(db: Executor, input: QuoteInput, tariff: CompiledTariff, inline: CompiledAgentPrices | undefined): Promise<{ table: CompiledAgentPrices; source: 'published' | 'inline' }> {
  if (inline) return { table: inline, source: 'inline' };
  const table = await loadAgentPrices(db, [input.period]);
  if (!table.forMonth(input.period))
    fail([
      {
        field: 'period',
        code: 'agent_prices_missing',
        message: `${tariff.code} prices energy by agent purchase and no agent-purchase table is published for ${input.period} (give agentPrices inline for a what-if quote)`,
      },
    ]);
  return { table, source: 'published' };
}
