import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance } from 'fastify';
import helmet from 'helmet';
import { sql } from 'kysely';
import { auditRoutes } from '../modules/audit/index.js';
import { customersRoutes } from '../modules/customers/index.js';
import { meteringRoutes } from '../modules/metering/index.js';
import { orgRoutes } from '../modules/org/index.js';
import { tariffsRoutes } from '../modules/tariffs/index.js';
import { billingRoutes } from '../modules/billing/index.js';
import { bankFilesRoutes } from '../modules/bankfiles/index.js';
import { reportsRoutes } from '../modules/reports/index.js';
import { reconciliationRoutes } from '../modules/reconciliation/index.js';
import { paymentsRoutes } from '../modules/payments/index.js';
import { channelsRoutes } from '../modules/channels/index.js';
import { ledgerRoutes } from '../modules/ledger/index.js';
import { notifyRoutes } from '../modules/notify/index.js';
import { feeControlRoutes } from '../modules/feecontrol/index.js';
import { runFeeControlToday } from '../workflows/fee-control.js';
import { AppError } from '../shared/errors.js';
import type { AppDeps } from '../platform/deps.js';
import { prepaidAtIssue } from '../workflows/issue-bills.js';
import { receiveChannelPayment } from '../workflows/receive-channel-payment.js';
import { importStatement, resolveStatementItem } from '../workflows/import-statement.js';
import { importBankFile } from '../workflows/import-bank-file.js';
import { measurePriceImpact } from '../workflows/measure-price-impact.js';
import { logSerializers } from './log.js';
import { registerAuth } from './plugins/auth.js';
import { registerMetrics } from './plugins/metrics.js';
import { registerProblemHandlers, sendProblem } from './plugins/problem.js';
import { registerValidators } from './plugins/validation.js';

export interface BuildOptions {
  logger?: boolean | object;
}

/** Builds the whole HTTP app from its dependencies. Never listens: server.ts does, tests use inject(). */
export async function buildApp(deps: AppDeps, opts: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    // the request log masks personal query values (http/log.ts)
    logger: opts.logger ? { ...(opts.logger === true ? {} : opts.logger), serializers: logSerializers } : false,
    bodyLimit: deps.config.bodyLimit,
    trustProxy: trustProxyOption(deps.config.trustProxy),
    requestIdHeader: 'x-request-id',
  });
  registerValidators(app);
  registerProblemHandlers(app);

  registerSecurityHeaders(app);
  await app.register(cookie);
  // Every address is limited, loopback too (behind a proxy, set GRANARY_TRUST_PROXY so the client's address counts).
  await app.register(rateLimit, { max: deps.config.rateLimitPerMinute, timeWindow: '1 minute' });
  await app.register(swagger, {
    openapi: {
      info: { title: 'Granary API', description: 'Granary (颗粒归仓): electricity billing and fee collection', version: '1' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());

  registerAuth(app, deps);
  registerMetrics(app, deps.config.metricsToken);

  app.get('/healthz', { config: { public: true }, schema: { tags: ['health'], security: [] } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { config: { public: true }, schema: { tags: ['health'], security: [] } }, async (_request, reply) => {
    try {
      await sql`select 1`.execute(deps.db);
      return { status: 'ready' };
    } catch {
      return sendProblem(reply, new AppError('UNAVAILABLE', 'database not reachable'));
    }
  });

  await app.register(
    async (api) => {
      await orgRoutes(api, deps);
      await customersRoutes(api, deps);
      await meteringRoutes(api, deps);
      await auditRoutes(api, deps);
      await billingRoutes(api, deps, { prepaidAtIssue });
      await bankFilesRoutes(api, deps, { importBankFile });
      await reconciliationRoutes(api, deps, { importStatement, resolveItem: resolveStatementItem });
      await tariffsRoutes(api, deps, { measurePriceImpact });
      await reportsRoutes(api, deps);
      await paymentsRoutes(api, deps);
      await channelsRoutes(api, deps, { receivePayment: receiveChannelPayment });
      await ledgerRoutes(api, deps);
      await notifyRoutes(api, deps);
      await feeControlRoutes(api, deps, { runToday: () => runFeeControlToday(deps) });
    },
    { prefix: '/api/v1' },
  );

  registerWebUi(app, deps.webDir);
  return app;
}

/** GRANARY_TRUST_PROXY for Fastify: a hop count becomes "trust the nearest N addresses". */
function trustProxyOption(setting: boolean | number | string): boolean | string | ((address: string, hop: number) => boolean) {
  return typeof setting === 'number' ? (_address, hop) => hop < setting : setting;
}

/**
 * The built React app at /. Files are looked up on each request (a rebuilt web/dist is served without a
 * restart); any other GET outside /api that does not name a file gets index.html, so client-side
 * routes survive a reload, while a missing asset is a plain 404 rather than HTML posing as JavaScript.
 */
function registerWebUi(app: FastifyInstance, webDir: string | undefined): void {
  const index = webDir ? path.join(webDir, 'index.html') : null;
  if (webDir && index && fs.existsSync(index)) {
    app.register(fastifyStatic, { root: path.resolve(webDir), wildcard: true, index: ['index.html'] });
  }
  app.setNotFoundHandler((request, reply) => {
    const pathname = request.url.split('?')[0]!;
    const isPage = request.method === 'GET' && !pathname.startsWith('/api/') && !path.extname(pathname);
    if (isPage && index && fs.existsSync(index)) return reply.type('text/html').send(fs.createReadStream(index));
    return sendProblem(reply, new AppError('NOT_FOUND', `no route ${request.method} ${pathname}`));
  });
}

export const HELMET_OPTIONS: Parameters<typeof helmet>[0] = {
  contentSecurityPolicy: {
    directives: { 'script-src': ["'self'"], 'style-src': ["'self'", "'unsafe-inline'"], 'img-src': ["'self'", 'data:'] },
  },
};

/**
 * Helmet's security headers on every response, worked out once. With this policy they are the same on every
 * response (no nonce), but helmet builds them anew for each (the policy string joined again: ~5% of a
 * counter payment's Node time). A policy that varies per request must go back to running helmet per request.
 */
function registerSecurityHeaders(app: FastifyInstance): void {
  const headers = Object.entries(securityHeaders(HELMET_OPTIONS));
  app.addHook('onRequest', (_request, reply, done) => {
    for (const [name, value] of headers) reply.raw.setHeader(name, value);
    done();
  });
}

/** The headers helmet sets with these options, read off one run against a stand-in response. */
export function securityHeaders(options: Parameters<typeof helmet>[0]): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader: (name: string, value: string) => void (headers[name] = value),
    removeHeader: (name: string) => void delete headers[name],
  };
  let failure: unknown;
  helmet(options)({} as IncomingMessage, response as unknown as ServerResponse, (error?: unknown) => (failure = error));
  if (failure) throw failure;
  return headers;
}
