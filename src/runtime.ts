import type { Config } from './config.js';
import { openDatabase, type DatabaseHandle } from './db/connect.js';
import { prepareDatabase } from './workflows/prepare-database.js';
import { systemClock, type Clock } from './shared/clock.js';

/** A started Granary: config, migrated and seeded database, and clock. Commands and the server are built on it. */
export interface Runtime {
  config: Config;
  handle: DatabaseHandle;
  clock: Clock;
  log: (message: string) => void;
}

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
