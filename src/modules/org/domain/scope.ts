import type { Level, Role } from './roles.js';
import { ROLE_LEVEL } from './roles.js';

/** What part of the org tree a user sees and acts in (三级管控). */
export type Scope =
  | { level: 'company'; companyId: number }
  | { level: 'station'; companyId: number; stationId: number }
  | { level: 'area'; companyId: number; stationId: number; managerUserId: number };

export interface Actor {
  userId: number;
  username: string;
  displayName: string;
  role: Role;
  orgUnitId: number;
  scope: Scope;
}

/**
 * A user's scope from their role and org unit: company roles sit on the company unit, station and
 * area roles on a station unit (stationId); area managers are further narrowed to areas they manage.
 */
export function scopeFor(user: { id: number; role: Role; companyId: number; stationId: number | null }): Scope {
  const level: Level = ROLE_LEVEL[user.role];
  if (level === 'company') return { level, companyId: user.companyId };
  if (user.stationId == null) throw new Error(`user ${user.id} has role ${user.role} but no station`);
  if (level === 'station') return { level, companyId: user.companyId, stationId: user.stationId };
  return { level, companyId: user.companyId, stationId: user.stationId, managerUserId: user.id };
}

/** Who is acting, from where, at what time: passed from routes and commands into use cases. */
export interface Ctx {
  actor: Actor;
  ip: string | null;
  now: Date;
}

/** The audit fields of a context. */
export function auditBy(ctx: Ctx) {
  return { actorId: ctx.actor.userId, actorName: ctx.actor.username, ip: ctx.ip };
}
