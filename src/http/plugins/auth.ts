import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../../shared/errors.js';
import { sessionAuthenticator } from '../../modules/org/use-cases/authenticate.js';
import type { Actor, Ctx } from '../../modules/org/domain/scope.js';
import type { AppDeps } from '../deps.js';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
    sessionToken: string | null;
  }
  interface FastifyContextConfig {
    /** Routes that need no session: health, login, docs, channel callbacks. */
    public?: boolean;
  }
}

export const SESSION_COOKIE = 'granary_session';

/** The session token of a request: the bearer header, else the session cookie. */
export function tokenOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice(7).trim() || undefined;
  return request.cookies?.[SESSION_COOKIE] || undefined;
}

/** Every /api route requires a session unless its config says public. */
export function registerAuth(app: FastifyInstance, deps: AppDeps): void {
  app.decorateRequest('actor', null);
  app.decorateRequest('sessionToken', null);
  const authenticate = sessionAuthenticator(deps.db, deps.clock);
  app.addHook('onRequest', async (request) => {
    if (!request.url.startsWith('/api/') || request.routeOptions.config?.public) return;
    const token = tokenOf(request);
    request.actor = await authenticate(token);
    request.sessionToken = token ?? null;
  });
}

export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw new AppError('UNAUTHENTICATED', 'sign in first');
  return request.actor;
}

/** The use-case context of a request: actor, client address, and the injected clock's now. */
export function ctxOf(request: FastifyRequest, deps: AppDeps): Ctx {
  return { actor: actorOf(request), ip: request.ip ?? null, now: deps.clock.now() };
}
