import { forbidden } from '../../../shared/errors.js';
import { can, type Ctx, type PermissionOf } from '../../org/index.js';

export function requirePayments(ctx: Ctx, permission: PermissionOf<'payments'>, what: string): void {
  if (!can(ctx.actor.role, permission)) throw forbidden(`your role (${ctx.actor.role}) may not ${what}`);
}
