import { forbidden } from '../../../shared/errors.js';
import type { Ctx } from '../../org/index.js';
import { mayPayments, type PaymentPermission } from '../domain/permissions.js';

export function requirePayments(ctx: Ctx, permission: PaymentPermission, what: string): void {
  if (!mayPayments(ctx.actor.role, permission)) throw forbidden(`your role (${ctx.actor.role}) may not ${what}`);
}
