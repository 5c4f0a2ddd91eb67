import type { Executor } from '../../../db/tx.js';
import { GANSU_AGENT_PRICE_TABLES, GANSU_TARIFF_VERSIONS } from '../domain/index.js';
import { insertSeedPriceTables, insertSeedVersions } from '../tariffs.repository.js';

/**
 * Inserts the Gansu defaults (RULES §1–5) as published versions and monthly tables, recorded as made
 * by "seed". Idempotent: a version (code, effective date) or a month already present is left alone —
 * including one the marketing department published differently — so it can run at every start-up.
 */
export async function seedTariffDefaults(db: Executor, now: Date = new Date()): Promise<{ versions: number; priceTables: number }> {
  const versions = await insertSeedVersions(db, GANSU_TARIFF_VERSIONS, now);
  const priceTables = await insertSeedPriceTables(db, GANSU_AGENT_PRICE_TABLES, now);
  return { versions, priceTables };
}
