import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { loadConfig, type Config } from '../../src/config.js';
import type { DatabaseHandle } from '../../src/db/connect.js';
import { buildApp } from '../../src/http/app.js';
import { FixedClock, systemClock, type Clock } from '../../src/shared/clock.js';
import { TEST_PASSWORD, usernameOf, type FixtureUser } from '../fixtures/county.js';

export interface TestApp {
  app: FastifyInstance;
  config: Config;
  clock: Clock;
  /** A bearer token for a fixture user (logged in once, then cached). */
  tokenFor(user: FixtureUser): Promise<string>;
  /** inject() with the user's bearer token. */
  as(user: FixtureUser, opts: { method: string; url: string; payload?: unknown; headers?: Record<string, string> }): Promise<LightMyRequestResponse>;
}

export async function buildTestApp(handle: DatabaseHandle, opts: { clock?: FixedClock; env?: Record<string, string> } = {}): Promise<TestApp> {
  // every request of a test comes from 127.0.0.1: limits high unless a test sets its own
  const limits = { GRANARY_RATE_LIMIT: '1000000', GRANARY_LOGIN_RATE_LIMIT: '100000', GRANARY_PHONE_SEARCH_RATE_LIMIT: '100000' };
  const config = loadConfig({ GRANARY_HOME: '/tmp/granary-unused', LOG_LEVEL: 'silent', ...limits, ...opts.env });
  const clock = opts.clock ?? systemClock;
  const app = await buildApp({ db: handle.db, pool: handle.pool, config, clock });
  await app.ready();
  const tokens = new Map<FixtureUser, string>();
  const tokenFor = async (user: FixtureUser) => {
    const cached = tokens.get(user);
    if (cached) return cached;
    const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: usernameOf(user), password: TEST_PASSWORD } });
    if (res.statusCode !== 200) throw new Error(`login of ${user} failed: ${res.statusCode} ${res.body}`);
    const token = res.json().token as string;
    tokens.set(user, token);
    return token;
  };
  return {
    app,
    config,
    clock,
    tokenFor,
    async as(user, o) {
      const token = await tokenFor(user);
      return app.inject({ method: o.method as 'GET', url: o.url, payload: o.payload as object, headers: { authorization: `Bearer ${token}`, ...o.headers } });
    },
  };
}
