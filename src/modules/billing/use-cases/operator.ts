import { forbidden } from '../../../shared/errors.js';
import { can, type Ctx, type PermissionOf, type Role, type Scope } from '../../org/index.js';

/** Who acts on billing: a signed-in user (API) or the system (CLI, the background runner). */
export interface Operator {
  userId: number | null;
  name: string;
  role: Role | 'system';
  companyId: number;
  /** Null for the system, which acts on the whole company. */
  scope: Scope | null;
  ip: string | null;
  now: Date;
}

export function operatorOf(ctx: Ctx): Operator {
  const a = ctx.actor;
  return { userId: a.userId, name: a.username, role: a.role, companyId: a.scope.companyId, scope: a.scope, ip: ctx.ip, now: ctx.now };
}

export function systemOperator(companyId: number, now: Date, name = 'system'): Operator {
  return { userId: null, name, role: 'system', companyId, scope: null, ip: null, now };
}

export function requireBilling(op: Operator, permission: PermissionOf<'billing'>, what: string): void {
  if (op.role !== 'system' && !can(op.role, permission)) throw forbidden(`your role (${op.role}) may not ${what}`);
}

export function auditActor(op: Operator) {
  return { actorId: op.userId, actorName: op.name, ip: op.ip };
}
