import type pg from 'pg';
import type { Db } from '../db/connect.js';
import { migrate } from '../db/migrate.js';
import { seedTariffDefaults } from '../modules/tariffs/index.js';

/**
 * Everything a database needs before Granary uses it: the migrations, then the reference data that
 * ships with the code (the Gansu tariff defaults). Idempotent; run at every start and after a reset.
 */
export async function prepareDatabase(handle: { db: Db; pool: pg.Pool }, log: (m: string) => void = () => {}): Promise<void> {
  await migrate(handle.pool, log);
  await seedTariffDefaults(handle.db);
}
