import type { FastifyInstance } from 'fastify';
import { sessionAuthenticator } from '../../modules/org/index.js';
import type { AppDeps } from '../../platform/deps.js';
import { refuseCrossSite, tokenOf } from '../../platform/request.js';

/** Every /api route requires a session unless its config says public (helpers for routes: platform/request.ts). */
export function registerAuth(app: FastifyInstance, deps: AppDeps): void {
  app.decorateRequest('actor', null);
  app.decorateRequest('sessionToken', null);
  const authenticate = sessionAuthenticator(deps.db, deps.clock);
  app.addHook('onRequest', async (request) => {
    if (!request.url.startsWith('/api/') || request.routeOptions.config?.public) return;
    const token = tokenOf(request);
    request.actor = await authenticate(token);
    request.sessionToken = token ?? null;
    refuseCrossSite(request);
  });
}
