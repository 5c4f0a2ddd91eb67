import DataLoader from 'dataloader';
import type { Db } from '../../../db/connect.js';
import type { Clock } from '../../../shared/clock.js';
import { AppError } from '../../../shared/errors.js';
import { tokenHash } from '../../../shared/password.js';
import { isRole } from '../domain/roles.js';
import { scopeFor, type Actor } from '../domain/scope.js';
import { findSessionUsers } from '../org.repository.js';

type SessionUser = Awaited<ReturnType<typeof findSessionUsers>>[number];

/** Bearer token → the acting user with their scope; any doubt is 401. */
export async function authenticate(db: Db, token: string | undefined, now: Date): Promise<Actor> {
  if (!token) throw unauthenticated();
  const [user] = await findSessionUsers(db, [tokenHash(token)], now);
  return actorOf(user);
}

/**
 * How long a session's actor is taken from memory before the database is asked again. Under load one
 * cashier's token comes several hundred times a second, and asking every time cost each request a query
 * and a round trip before its work could start. Within this process, signing out and changes to a user
 * take effect at once (forgetSession, forgetUserSessions); a change made elsewhere (another process, SQL
 * by hand) within this long.
 */
export const SESSION_REUSE_MS = 1000;

interface Remembered {
  actor: Actor;
  /** the session's own end (user_session.expires_at), by the server's clock */
  expiresAt: number;
  /** performance.now() after which the database is asked again */
  until: number;
}

/** Actors of recently looked-up sessions by token hash, for every server in this process. */
const remembered = new Map<string, Remembered>();
/** Bumped by every forget: a lookup that began before it must not remember what it read. */
let generation = 0;

/** Signed out: the session is refused on its next request (call after the revocation committed). */
export function forgetSession(token: string): void {
  generation++;
  remembered.delete(tokenHash(token));
}

/** A user changed (role, unit, status, password): their sessions are looked up again (call after commit). */
export function forgetUserSessions(userId: number): void {
  generation++;
  for (const [hash, r] of remembered) if (r.actor.userId === userId) remembered.delete(hash);
}

/**
 * `authenticate` for every request of a server: a session looked up in the last SESSION_REUSE_MS is
 * reused, and the lookups of requests read in the same turn of the event loop share one query.
 */
export function sessionAuthenticator(db: Db, clock: Clock): (token: string | undefined) => Promise<Actor> {
  const users = new DataLoader<string, SessionUser | undefined>(
    async (hashes) => {
      const rows = await findSessionUsers(db, hashes, clock.now());
      const byHash = new Map(rows.map((r) => [r.token_hash, r]));
      return hashes.map((h) => byHash.get(h));
    },
    { cache: false, batchScheduleFn: (dispatch) => setImmediate(dispatch), maxBatchSize: 256 },
  );
  return async (token) => {
    if (!token) throw unauthenticated();
    const hash = tokenHash(token);
    const hit = remembered.get(hash);
    if (hit && performance.now() < hit.until && clock.now().getTime() < hit.expiresAt) return hit.actor;
    const asked = generation;
    const user = await users.load(hash);
    const actor = actorOf(user);
    if (asked === generation) remember(hash, actor, user!.expires_at);
    return actor;
  };
}

function remember(hash: string, actor: Actor, expiresAt: Date): void {
  const now = performance.now();
  // Tokens come and go: drop what has lapsed before the map grows large.
  if (remembered.size >= 10_000) for (const [h, r] of remembered) if (r.until <= now) remembered.delete(h);
  remembered.set(hash, { actor, expiresAt: expiresAt.getTime(), until: now + SESSION_REUSE_MS });
}

const unauthenticated = () => new AppError('UNAUTHENTICATED', 'sign in first (Authorization: Bearer <token>)');

function actorOf(user: SessionUser | undefined): Actor {
  if (!user) throw new AppError('UNAUTHENTICATED', 'session expired or signed out; sign in again');
  if (user.status !== 'active' || !isRole(user.role)) throw new AppError('UNAUTHENTICATED', 'user no longer active');
  return {
    userId: user.id,
    username: user.username,
    displayName: user.display_name,
    role: user.role,
    orgUnitId: user.org_unit_id,
    scope: scopeFor({ id: user.id, role: user.role, companyId: user.company_id, stationId: user.station_id }),
  };
}
