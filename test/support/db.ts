import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { createPool, ensureDatabase, kyselyFor, type DatabaseHandle } from '../../src/db/connect.js';

/** A fresh, migrated database for one test file (a clone of the run's template). Close it in afterAll. */
export async function createTestDatabase(): Promise<DatabaseHandle> {
  const adminUrl = inject('pgAdminUrl');
  const template = inject('pgTemplate');
  const pid = template.replace('granary_tpl_', '');
  const name = `granary_t_${pid}_${randomBytes(4).toString('hex')}`;
  await ensureDatabase(adminUrl, name, template);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const pool = createPool(url.toString(), 10);
  const db = kyselyFor(pool);
  return {
    db,
    pool,
    url: url.toString(),
    embedded: false,
    async close() {
      await db.destroy();
    },
  };
}
