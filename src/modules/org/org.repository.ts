import { sql } from 'kysely';
import { executePrepared, type Executor } from '../../db/tx.js';
import { escapeLike } from '../../shared/text.js';
import type { Scope } from './domain/scope.js';

/** The only place with SQL for org units, users, sessions and transformer areas. */

const userColumns = [
  'u.id',
  'u.username',
  'u.display_name',
  'u.role',
  'u.org_unit_id',
  'u.phone',
  'u.status',
  'u.failed_logins',
  'u.locked_until',
  'u.created_at',
] as const;

/** A user with the company and station their org unit sits in. */
function usersWithUnits(db: Executor) {
  return db
    .selectFrom('app_user as u')
    .innerJoin('org_unit as ou', 'ou.id', 'u.org_unit_id')
    .select(userColumns)
    .select([
      sql<number>`coalesce(ou.parent_id, ou.id)`.as('company_id'),
      sql<number | null>`case when ou.kind = 'station' then ou.id end`.as('station_id'),
      'ou.name as org_unit_name',
      'ou.name_en as org_unit_name_en',
    ]);
}

export type UserRecord = Awaited<ReturnType<typeof findUserById>> & {};

export async function findUserByUsername(db: Executor, username: string) {
  return usersWithUnits(db).select('u.password_hash').where('u.username', '=', username).executeTakeFirst();
}

export async function findUserById(db: Executor, id: number) {
  return usersWithUnits(db).where('u.id', '=', id).executeTakeFirst();
}

/**
 * Counts one more failed login in the row itself and returns the count before it: parallel failures each
 * count (the row stays locked until the caller's transaction ends, so the next one sees this one).
 */
export async function countFailedLogin(db: Executor, userId: number): Promise<number> {
  const row = await db
    .updateTable('app_user')
    .set((eb) => ({ failed_logins: eb('failed_logins', '+', 1) }))
    .where('id', '=', userId)
    .returning('failed_logins')
    .executeTakeFirstOrThrow();
  return row.failed_logins - 1;
}

export async function setLoginCounters(db: Executor, userId: number, failedLogins: number, lockedUntil: Date | null): Promise<void> {
  await db.updateTable('app_user').set({ failed_logins: failedLogins, locked_until: lockedUntil }).where('id', '=', userId).execute();
}

/** Clears the failure count on a successful login unless a lock took hold meanwhile; false when locked. */
export async function clearFailedLogins(db: Executor, userId: number, now: Date): Promise<boolean> {
  const row = await db
    .updateTable('app_user')
    .set({ failed_logins: 0, locked_until: null })
    .where('id', '=', userId)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

export async function insertSession(db: Executor, tokenHash: string, userId: number, expiresAt: Date): Promise<void> {
  await db.insertInto('user_session').values({ token_hash: tokenHash, user_id: userId, expires_at: expiresAt }).execute();
}

/**
 * The users of live sessions, with their units and the token hash that found them, in one prepared query
 * (every API request asks this; requests arriving together share it).
 */
export async function findSessionUsers(db: Executor, tokenHashes: readonly string[], now: Date) {
  return executePrepared(
    db,
    usersWithUnits(db)
      .innerJoin('user_session as us', 'us.user_id', 'u.id')
      .select(['us.token_hash', 'us.expires_at'])
      .where(sql<boolean>`us.token_hash = any(${tokenHashes as string[]}::text[])`)
      .where('us.revoked_at', 'is', null)
      .where('us.expires_at', '>', now),
  );
}

export async function revokeSession(db: Executor, tokenHash: string, now: Date): Promise<void> {
  await db.updateTable('user_session').set({ revoked_at: now }).where('token_hash', '=', tokenHash).where('revoked_at', 'is', null).execute();
}

export async function revokeUserSessions(db: Executor, userId: number, now: Date): Promise<void> {
  await db.updateTable('user_session').set({ revoked_at: now }).where('user_id', '=', userId).where('revoked_at', 'is', null).execute();
}

export async function countUsers(db: Executor): Promise<number> {
  const row = await db.selectFrom('app_user').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function findCompany(db: Executor) {
  return db.selectFrom('org_unit').selectAll().where('kind', '=', 'company').orderBy('id').executeTakeFirst();
}

export async function insertOrgUnit(db: Executor, unit: { parentId: number | null; kind: 'company' | 'station'; code: string; name: string; nameEn?: string | null }) {
  return db
    .insertInto('org_unit')
    .values({ parent_id: unit.parentId, kind: unit.kind, code: unit.code, name: unit.name, name_en: unit.nameEn ?? null })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findOrgUnit(db: Executor, id: number) {
  return db.selectFrom('org_unit').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function insertUser(
  db: Executor,
  u: { username: string; displayName: string; role: string; orgUnitId: number; phone?: string | null; passwordHash: string },
): Promise<number> {
  const row = await db
    .insertInto('app_user')
    .values({ username: u.username, display_name: u.displayName, role: u.role, org_unit_id: u.orgUnitId, phone: u.phone ?? null, password_hash: u.passwordHash })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function updateUser(
  db: Executor,
  id: number,
  patch: { displayName?: string; phone?: string | null; status?: 'active' | 'disabled'; passwordHash?: string; role?: string; orgUnitId?: number },
  now: Date,
): Promise<void> {
  await db
    .updateTable('app_user')
    .set({
      ...(patch.displayName !== undefined && { display_name: patch.displayName }),
      ...(patch.phone !== undefined && { phone: patch.phone }),
      ...(patch.status !== undefined && { status: patch.status }),
      ...(patch.role !== undefined && { role: patch.role }),
      ...(patch.orgUnitId !== undefined && { org_unit_id: patch.orgUnitId }),
      ...(patch.passwordHash !== undefined && { password_hash: patch.passwordHash, failed_logins: 0, locked_until: null }),
      updated_at: now,
    })
    .where('id', '=', id)
    .execute();
}

/** Users visible in a scope: company sees all of its users; a station its own; an area manager only themself. */
export async function listUsers(db: Executor, scope: Scope, f: { afterId: number; limit: number; role?: string | undefined; q?: string | undefined }) {
  let q = usersWithUnits(db).where('u.id', '>', f.afterId);
  if (scope.level === 'station') q = q.where('u.org_unit_id', '=', scope.stationId);
  if (scope.level === 'area') q = q.where('u.id', '=', scope.managerUserId);
  if (scope.level === 'company') q = q.where(sql<number>`coalesce(ou.parent_id, ou.id)`, '=', scope.companyId);
  if (f.role) q = q.where('u.role', '=', f.role);
  if (f.q) q = q.where((eb) => eb.or([eb('u.username', 'like', `${escapeLike(f.q!)}%`), eb('u.display_name', 'like', `%${escapeLike(f.q!)}%`)]));
  return q.orderBy('u.id').limit(f.limit + 1).execute();
}

export async function findUserInScope(db: Executor, scope: Scope, id: number) {
  const rows = await listUsers(db, scope, { afterId: id - 1, limit: 1 });
  return rows.find((u) => u.id === id);
}

/** Stations of the company visible in a scope, with their transformer areas (and managers). */
export async function listStations(db: Executor, scope: Scope) {
  let q = db.selectFrom('org_unit').selectAll().where('kind', '=', 'station').where('parent_id', '=', scope.companyId);
  if (scope.level !== 'company') q = q.where('id', '=', scope.stationId);
  return q.orderBy('id').execute();
}

export async function listAreas(db: Executor, scope: Scope, f: { stationId?: number | undefined; managerUserId?: number | undefined } = {}) {
  let q = db
    .selectFrom('transformer_area as a')
    .innerJoin('org_unit as s', 's.id', 'a.station_id')
    .leftJoin('app_user as m', 'm.id', 'a.manager_user_id')
    .select(['a.id', 'a.code', 'a.name', 'a.station_id', 'a.manager_user_id', 'a.capacity_kva', 'm.display_name as manager_name'])
    .where('s.parent_id', '=', scope.companyId);
  if (scope.level === 'station') q = q.where('a.station_id', '=', scope.stationId);
  if (scope.level === 'area') q = q.where('a.manager_user_id', '=', scope.managerUserId);
  if (f.stationId) q = q.where('a.station_id', '=', f.stationId);
  if (f.managerUserId) q = q.where('a.manager_user_id', '=', f.managerUserId);
  return q.orderBy('a.id').execute();
}

export async function findAreaInScope(db: Executor, scope: Scope, id: number) {
  const rows = await listAreas(db, scope);
  return rows.find((a) => a.id === id);
}

export async function insertArea(db: Executor, a: { code: string; name: string; stationId: number; managerUserId: number | null; capacityKva: string | null }) {
  return db
    .insertInto('transformer_area')
    .values({ code: a.code, name: a.name, station_id: a.stationId, manager_user_id: a.managerUserId, capacity_kva: a.capacityKva })
    .returning('id')
    .executeTakeFirstOrThrow();
}

export async function updateArea(db: Executor, id: number, patch: { name?: string; managerUserId?: number | null; capacityKva?: string | null }) {
  if (Object.keys(patch).length === 0) return;
  await db
    .updateTable('transformer_area')
    .set({
      ...(patch.name !== undefined && { name: patch.name }),
      ...(patch.managerUserId !== undefined && { manager_user_id: patch.managerUserId }),
      ...(patch.capacityKva !== undefined && { capacity_kva: patch.capacityKva }),
    })
    .where('id', '=', id)
    .execute();
}

export async function getSetting(db: Executor, key: string) {
  return db.selectFrom('app_setting').select('value').where('key', '=', key).executeTakeFirst();
}
