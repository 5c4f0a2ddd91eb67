import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { createPool, ensureDatabase, freePort, startEmbedded, type EmbeddedServer } from '../../src/db/connect.js';
import { migrate } from '../../src/db/migrate.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
    pgTemplate: string;
  }
}


/**
 * One PostgreSQL for the whole run: the machine's when GRANARY_TEST_DATABASE_URL names one (an admin URL),
 * otherwise an embedded one in a temp folder. A migrated template database is cloned per test file.
 */
export default async function setup(project: TestProject) {
  let embedded: EmbeddedServer | null = null;
  let home: string | null = null;
  let adminUrl = process.env.GRANARY_TEST_DATABASE_URL;
  if (!adminUrl) {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'granary-test-'));
    fs.chmodSync(home, 0o755);
    embedded = await startEmbedded({ home, pgPort: await freePort(), database: 'postgres' });
    adminUrl = embedded.adminUrl;
  }
  const template = `granary_tpl_${process.pid}`;
  await ensureDatabase(adminUrl, template);
  const url = new URL(adminUrl);
  url.pathname = `/${template}`;
  const pool = createPool(url.toString(), 2);
  await migrate(pool);
  await pool.end();

  project.provide('pgAdminUrl', adminUrl);
  project.provide('pgTemplate', template);

  return async () => {
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    const dbs = await admin.query<{ datname: string }>(`select datname from pg_database where datname like $1`, [`granary_%_${process.pid}%`]);
    for (const { datname } of dbs.rows) await admin.query(`drop database if exists ${admin.escapeIdentifier(datname)} with (force)`);
    await admin.end();
    if (embedded) await embedded.stop();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  };
}
