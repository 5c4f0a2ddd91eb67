import type { FieldError } from '../../../shared/errors.js';
import type { CompiledAgentPrices, CompiledCatalogue } from '../../tariffs/index.js';

/**
 * Before a run starts: every tariff code its accounts use has a published version in effect for the
 * period, and the period's agent-purchase table is published when any of them needs it (RULES §3). A run
 * started without them would only fill the review with refusals.
 */
export function missingTariffs(codes: readonly string[], catalogue: CompiledCatalogue, agentPrices: CompiledAgentPrices, period: string): FieldError[] {
  const errors: FieldError[] = [];
  let needsPrices = false;
  for (const code of codes) {
    const version = catalogue.at(code, period);
    if (!version) errors.push({ field: 'period', message: `tariff ${code} has no published version in effect in ${period}` });
    else if (version.needsAgentPrices) needsPrices = true;
  }
  if (needsPrices && !agentPrices.forMonth(period)) errors.push({ field: 'period', message: `the agent-purchase price table for ${period} is not published` });
  return errors;
}
