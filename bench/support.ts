import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { createPool, freePort, kyselyFor, startEmbedded, type DatabaseHandle, type EmbeddedServer } from '../src/db/connect.js';
import { migrate } from '../src/db/migrate.js';

/**
 * Throwaway databases for a benchmark: on the server DATABASE_URL names (fresh databases created and
 * dropped there), or on an embedded PostgreSQL under a temporary GRANARY_HOME removed afterwards.
 */
export interface ThrowawayServer {
  description: string;
  /** A new, migrated database on the server. */
  database(label: string): Promise<DatabaseHandle>;
  /** Drops the databases, stops an embedded server and removes its home. */
  close(): Promise<void>;
}


export async function throwawayServer(): Promise<ThrowawayServer> {
  let embedded: EmbeddedServer | null = null;
  let home: string | null = null;
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'granary-bench-'));
    // As root the embedded server runs as the `postgres` user, which must reach its data directory.
    fs.chmodSync(home, 0o755);
    embedded = await startEmbedded({ home, pgPort: await freePort(), database: 'postgres' });
    adminUrl = embedded.adminUrl;
  }
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  const version = (await admin.query<{ v: string }>(`select current_setting('server_version') as v`)).rows[0]!.v;
  const created: string[] = [];
  const handles: DatabaseHandle[] = [];
  return {
    description: `PostgreSQL ${version} (${embedded ? 'embedded' : 'DATABASE_URL'})`,
    async database(label) {
      const name = `granary_bench_${process.pid}_${label}`;
      await admin.query(`drop database if exists ${admin.escapeIdentifier(name)}`);
      await admin.query(`create database ${admin.escapeIdentifier(name)}`);
      created.push(name);
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      const pool = createPool(url.toString(), 4);
      // Dropping the database at the end terminates idle connections; that is expected, not a crash.
      pool.on('error', () => {});
      await migrate(pool);
      const db = kyselyFor(pool);
      let closed: Promise<void> | null = null;
      const handle: DatabaseHandle = { db, pool, url: url.toString(), embedded: embedded !== null, close: () => (closed ??= db.destroy()) };
      handles.push(handle);
      return handle;
    },
    async close() {
      for (const h of handles) await h.close().catch(() => {});
      for (const name of created) await admin.query(`drop database if exists ${admin.escapeIdentifier(name)} with (force)`).catch(() => {});
      await admin.end().catch(() => {});
      if (embedded) await embedded.stop().catch(() => {});
      if (home) fs.rmSync(home, { recursive: true, force: true });
    },
  };
}

export function machineDescription(): string {
  const cpus = os.cpus();
  // The load average tells a reader whether other work shared the machine during the run.
  const load = os.loadavg().map((l) => l.toFixed(1)).join(' ');
  return `${cpus.length} × ${cpus[0]?.model.trim() ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}, load average ${load}`;
}

export function peakRssMiB(): number {
  // resourceUsage().maxRSS is in kilobytes.
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

/** A floor table: its rows, as a query over the benchmarked database (the whole table when absent). */
export interface FloorSource {
  table: string;
  query?: string;
}

/** COPY the rows a run wrote out to one file per table under dir. */
export async function copyOut(pool: pg.Pool, dir: string, sources: readonly FloorSource[]): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  const client = await pool.connect();
  try {
    for (const f of sources) {
      files[f.table] = path.join(dir, `${f.table}.copy`);
      await pipeline(client.query(copyTo(`copy ${f.query ? `(${f.query})` : f.table} to stdout`)), fs.createWriteStream(files[f.table]!));
    }
  } finally {
    client.release();
  }
  return files;
}

/**
 * COPY each file into its table of a fresh database (same indexes, keys and triggers), in one transaction,
 * after `prelude` (rows the floor's rows refer to that the run did not write).
 */
export async function copyIn(db: DatabaseHandle, files: Record<string, string>, prelude?: string): Promise<{ seconds: number; perTable: Record<string, number> }> {
  const client = await db.pool.connect();
  const perTable: Record<string, number> = {};
  const started = performance.now();
  try {
    await client.query('begin');
    if (prelude) await client.query(prelude);
    for (const [table, file] of Object.entries(files)) {
      const t = performance.now();
      await pipeline(fs.createReadStream(file, { highWaterMark: 1 << 20 }), client.query(copyFrom(`copy ${table} from stdin`)));
      perTable[table] = (performance.now() - t) / 1000;
    }
    await client.query('commit');
  } catch (err) {
    await client.query('rollback').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
  return { seconds: (performance.now() - started) / 1000, perTable };
}
