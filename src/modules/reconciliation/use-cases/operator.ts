import { forbidden } from '../../../shared/errors.js';
import { can, type Ctx, type PermissionOf, type Role, type Scope } from '../../org/index.js';

/** Who reconciles: a signed-in user (API) or the system (CLI `granary reconcile`), which sees the whole database. */
export interface Operator {
  userId: number | null;
  name: string;
  role: Role | 'system';
  /** Null for the system. */
  scope: Scope | null;
  ip: string | null;
  now: Date;
}

export function operatorOf(ctx: Ctx): Operator {
  const a = ctx.actor;
  return { userId: a.userId, name: a.username, role: a.role, scope: a.scope, ip: ctx.ip, now: ctx.now };
}

export function systemOperator(now: Date, name = 'system'): Operator {
  return { userId: null, name, role: 'system', scope: null, ip: null, now };
}

export function requireReconciliation(op: Operator, permission: PermissionOf<'reconciliation'>, what: string): void {
  if (op.role !== 'system' && !can(op.role, permission)) throw forbidden(`your role (${op.role}) may not ${what}`);
}

export function auditActor(op: Operator) {
  return { actorId: op.userId, actorName: op.name, ip: op.ip };
}
