import type { FastifyRequest } from 'fastify';
import { AppError } from '../shared/errors.js';
import type { Actor, Ctx } from '../modules/org/index.js';
import type { AppDeps } from './deps.js';

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

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * CSRF defence: a browser sends the session cookie with any request, a page on another site's too. An
 * unsafe request that carries the cookie and no bearer header must come from the app's own origin:
 * `Sec-Fetch-Site: same-origin`, or without that header an `Origin` equal to this server's. Bearer
 * tokens are never sent by a browser on its own, so they need no check.
 */
export function crossSiteProblem(request: FastifyRequest): string | null {
  if (SAFE_METHODS.has(request.method) || !request.cookies?.[SESSION_COOKIE] || request.headers.authorization?.startsWith('Bearer ')) return null;
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined) return site === 'same-origin' ? null : `a ${String(site)} request may not use the session cookie`;
  const origin = request.headers.origin;
  if (origin === undefined) return 'a request using the session cookie must name its Origin';
  return origin === `${request.protocol}://${request.host}` ? null : `requests from ${origin} may not use the session cookie`;
}

/** After a session was found: 403 when the request used the cookie from another site (crossSiteProblem). */
export function refuseCrossSite(request: FastifyRequest): void {
  const crossSite = crossSiteProblem(request);
  if (crossSite) throw new AppError('FORBIDDEN', `cross-site request refused: ${crossSite}`);
}

export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw new AppError('UNAUTHENTICATED', 'sign in first');
  return request.actor;
}

/** The use-case context of a request: actor, client address, and the injected clock's now. */
export function ctxOf(request: FastifyRequest, deps: AppDeps): Ctx {
  return { actor: actorOf(request), ip: request.ip ?? null, now: deps.clock.now() };
}
