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
 * `authenticate` for every request of a server: the session lookups of requests read in the same turn of
 * the event loop share one query (nothing is cached between turns, so a signed-out session is refused
 * on the next request).
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
    return actorOf(await users.load(tokenHash(token)));
  };
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
