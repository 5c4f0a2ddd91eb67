import type { Executor } from '../../../db/tx.js';
import { AppError, invalid } from '../../../shared/errors.js';
import { compileAgentPrices, compileTariff, rate, type CompiledAgentPrices, type CompiledTariff, type RatingResult } from '../domain/index.js';
import type { QuoteInput } from '../tariffs.types.js';
import { loadAgentPrices, loadTariffHistory } from './load-published.js';

export type QuoteResult = RatingResult & { tariffName: string; agentPrices: { month: string; source: 'published' | 'inline' } | null };

/**
 * 试算: a bill computed from a tariff and a usage with the same pure rating the bill run uses, and
 * nothing stored. A catalogue code takes the published version in effect in the period and that month's
 * published agent-purchase table; an inline `tariff` (and optionally inline `agentPrices`) quotes a
 * draft or a what-if. Every refusal is a 422 naming the field.
 */
export async function quote(db: Executor, input: QuoteInput): Promise<QuoteResult> {
  const tariff = await resolveTariff(db, input);
  const prices = tariff.needsAgentPrices ? await resolvePrices(db, input, tariff) : null;
  const result = rate({ tariff, agentPrices: prices?.table ?? null, period: input.period, account: input.account, usage: input.usage });
  return { ...result, tariffName: tariff.name, agentPrices: prices ? { month: input.period, source: prices.source } : null };
}

async function resolveTariff(db: Executor, input: QuoteInput): Promise<CompiledTariff> {
  const hasCode = input.tariffCode !== undefined;
  const hasInline = input.tariff !== undefined;
  if (hasCode === hasInline)
    throw new AppError('VALIDATION', 'tariffCode: give a catalogue code or an inline tariff (one of tariffCode, tariff)', {
      errors: [{ field: hasCode ? 'tariff' : 'tariffCode', message: hasCode ? 'give tariffCode or tariff, not both' : 'is required (or tariff)' }],
    });
  if (hasInline) {
    const v = compileTariff(input.tariff, 'tariff');
    if (v.effectiveFrom > `${input.period}-01`) throw invalid('period', `the inline tariff is effective from ${v.effectiveFrom}, after the start of ${input.period}`);
    return v;
  }
  const history = await loadTariffHistory(db, input.tariffCode!);
  if (!history) throw invalid('tariffCode', `no published tariff has the code ${input.tariffCode}`);
  const v = history.at(input.period);
  if (!v) throw invalid('period', `no version of ${input.tariffCode} is in effect in ${input.period} (the first starts ${history.versions[0]!.effectiveFrom})`);
  return v;
}

async function resolvePrices(db: Executor, input: QuoteInput, tariff: CompiledTariff): Promise<{ table: CompiledAgentPrices; source: 'published' | 'inline' }> {
  if (input.agentPrices !== undefined) return { table: compileAgentPrices(input.agentPrices, 'agentPrices'), source: 'inline' };
  const table = await loadAgentPrices(db, [input.period]);
  if (!table.forMonth(input.period))
    throw invalid('period', `${tariff.code} prices energy by agent purchase and no agent-purchase table is published for ${input.period} (give agentPrices inline for a what-if quote)`);
  return { table, source: 'published' };
}
