import type { Executor } from '../../../db/tx.js';
import { loadAgentPrices, loadCatalogue, type CompiledAgentPrices, type CompiledCatalogue } from '../../tariffs/index.js';

export interface RatingTariffs {
  catalogue: CompiledCatalogue;
  agentPrices: CompiledAgentPrices;
}

/**
 * THE one place billing gets its tariffs from: the published catalogue and agent-purchase tables
 * (migration 002), compiled once per drive of a run (rating is ~1 µs a bill that way). Before the
 * catalogue was persisted this compiled the Gansu defaults instead — swapping the source is this one line.
 */
export async function loadRatingTariffs(db: Executor): Promise<RatingTariffs> {
  return { catalogue: await loadCatalogue(db), agentPrices: await loadAgentPrices(db) };
}
