import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import client from 'prom-client';
import { AppError } from '../../shared/errors.js';
import { tokenHash } from '../../shared/password.js';
import { sendProblem } from './problem.js';

/**
 * Prometheus metrics at /metrics: process defaults plus request counts and durations per route. They tell
 * an outsider which routes are used and how busy the company is, so they are not public: with `token`
 * set, a scraper presents it as a bearer token (from any address); without one, only this machine may
 * read them. Behind a reverse proxy on the same machine every request comes from loopback: set a token,
 * or do not pass /metrics through.
 */
export function registerMetrics(app: FastifyInstance, token: string | undefined): void {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: 'granary_' });
  const duration = new client.Histogram({
    name: 'granary_http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    duration.labels(request.method, route, String(reply.statusCode)).observe(reply.elapsedTime / 1000);
  });
  app.get('/metrics', { config: { public: true }, schema: { hide: true } }, async (request, reply) => {
    const refusal = metricsRefusal(request, token);
    if (refusal) return sendProblem(reply, refusal);
    reply.type(registry.contentType);
    return registry.metrics();
  });
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

function metricsRefusal(request: FastifyRequest, token: string | undefined): AppError | null {
  if (token === undefined) {
    return LOOPBACK.has(request.ip) ? null : new AppError('FORBIDDEN', 'metrics are served to this machine only; set GRANARY_METRICS_TOKEN to scrape them from elsewhere');
  }
  const header = request.headers.authorization;
  const given = header?.startsWith('Bearer ') ? header.slice(7).trim() : '';
  return sameSecret(given, token) ? null : new AppError('UNAUTHENTICATED', 'metrics need the bearer token set in GRANARY_METRICS_TOKEN');
}

/** Compares digests (the sessions' tokenHash), so the time taken tells nothing about the token, its length included. */
function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(Buffer.from(tokenHash(given)), Buffer.from(tokenHash(expected)));
}
