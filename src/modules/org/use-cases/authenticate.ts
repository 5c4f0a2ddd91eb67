import type { Db } from '../../../db/connect.js';
import { AppError } from '../../../shared/errors.js';
import { tokenHash } from '../../../shared/password.js';
import { isRole } from '../domain/roles.js';
import { scopeFor, type Actor } from '../domain/scope.js';
import { findSessionUser } from '../org.repository.js';

/** Bearer token → the acting user with their scope; any doubt is 401. */
export async function authenticate(db: Db, token: string | undefined, now: Date): Promise<Actor> {
  if (!token) throw new AppError('UNAUTHENTICATED', 'sign in first (Authorization: Bearer <token>)');
  const user = await findSessionUser(db, tokenHash(token), now);
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
