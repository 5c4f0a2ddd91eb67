import type { Config } from './config.js';
import { openDatabase } from './db/connect.js';
import type { Runtime } from './platform/deps.js';
import { prepareDatabase } from './workflows/prepare-database.js';
import { systemClock } from './shared/clock.js';

/** Config → database (embedded or DATABASE_URL) → migrations and defaults: what commands and the server run on. */
export async function startRuntime(config: Config, log: (m: string) => void = (m) => console.error(m)): Promise<Runtime> {
  const handle = await openDatabase({ databaseUrl: config.databaseUrl, home: config.home, pgPort: config.pgPort, log, poolSize: 20 });
  try {
    await prepareDatabase(handle, log);
  } catch (err) {
    await handle.close();
    throw err;
  }
  return { config, handle, clock: systemClock, log };
}

/** Runs work on a runtime and always closes it (stopping the embedded database cleanly). */
export async function withRuntime<T>(config: Config, work: (rt: Runtime) => Promise<T>): Promise<T> {
  const rt = await startRuntime(config);
  try {
    return await work(rt);
  } finally {
    await rt.handle.close();
  }
}
