import type { Executor } from '../../../db/tx.js';
import { compileAgentPrices, compileCatalogue, compileTariffHistory, type CompiledAgentPrices, type CompiledCatalogue, type CompiledTariffHistory } from '../domain/index.js';
import { publishedDefinitions, publishedPriceDefinitions } from '../tariffs.repository.js';

/**
 * The published catalogue and price tables, compiled for rating (the bill run, quotes, impact). Drafts
 * are never included. Compile once per run and rate any number of accounts with the result.
 */
export async function loadCatalogue(db: Executor): Promise<CompiledCatalogue> {
  return compileCatalogue(await publishedDefinitions(db));
}

/** Every published month, or only the months asked for. */
export async function loadAgentPrices(db: Executor, months?: readonly string[]): Promise<CompiledAgentPrices> {
  return compileAgentPrices(await publishedPriceDefinitions(db, months));
}

/** The published versions of one code; undefined when it has none. */
export async function loadTariffHistory(db: Executor, code: string): Promise<CompiledTariffHistory | undefined> {
  const versions = await publishedDefinitions(db, code);
  return versions.length ? compileTariffHistory(versions) : undefined;
}
