import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { AppDeps, Runtime } from '../platform/deps.js';
import { buildApp } from './app.js';

export const WEB_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web/dist');

/** Builds the app on a runtime and listens on HOST:PORT. */
export async function listen(rt: Runtime, extra: Pick<AppDeps, 'wakeCommands'> = {}): Promise<FastifyInstance> {
  const app = await buildApp(
    { db: rt.handle.db, pool: rt.handle.pool, config: rt.config, clock: rt.clock, webDir: WEB_DIST, ...extra },
    { logger: { level: rt.config.logLevel } },
  );
  await app.listen({ port: rt.config.port, host: rt.config.host });
  return app;
}
