import type pg from 'pg';
import type { Config } from '../config.js';
import type { Db, DatabaseHandle } from '../db/connect.js';
import type { Clock } from '../shared/clock.js';

/** What the HTTP app and each module's routes are built from (the composition root fills it in). */
export interface AppDeps {
  db: Db;
  pool: pg.Pool;
  config: Config;
  clock: Clock;
  /** Folder of the built web UI; served at / when present. */
  webDir?: string | undefined;
  /** Meter commands were staged: the running fee-control dispatcher publishes them soon (absent: at its next tick, or when one starts). */
  wakeCommands?: (() => void) | undefined;
}

/** A started Granary: config, migrated and seeded database, and clock (`runtime.ts` starts one). */
export interface Runtime {
  config: Config;
  handle: DatabaseHandle;
  clock: Clock;
  log: (message: string) => void;
}

/** One step of a long command, for a progress display. */
export interface Progress {
  phase: string;
  done: number;
  total: number;
}

/** What `cli/index.ts` hands each module's `register…Commands`: modules never import the CLI or the runtime. */
export interface CommandDeps {
  /** Starts a runtime on the config, runs the work on it, and always closes it. */
  withRuntime<T>(config: Config, work: (rt: Runtime) => Promise<T>): Promise<T>;
  /** A new progress display: a bar with ETA on a terminal, a line per phase otherwise. */
  progressReporter(): (p: Progress) => void;
}
