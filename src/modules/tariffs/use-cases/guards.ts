import { forbidden } from '../../../shared/errors.js';
import { can, type Ctx, type Permission } from '../../org/index.js';
import type { Author } from '../tariffs.repository.js';

export function requirePermission(ctx: Ctx, permission: Permission, what: string): void {
  if (!can(ctx.actor.role, permission)) throw forbidden(`your role (${ctx.actor.role}) may not ${what}`);
}

/** Who the rows record as drafting or publishing: the user id and the name people read. */
export function authorOf(ctx: Ctx): Author {
  return { userId: ctx.actor.userId, name: ctx.actor.displayName };
}
