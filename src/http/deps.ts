import type pg from 'pg';
import type { Config } from '../config.js';
import type { Db } from '../db/connect.js';
import type { Clock } from '../shared/clock.js';

/** What the HTTP app and the CLI are built from (the composition root fills it in). */
export interface AppDeps {
  db: Db;
  pool: pg.Pool;
  config: Config;
  clock: Clock;
  /** Folder of the built web UI; served at / when present. */
  webDir?: string | undefined;
}
