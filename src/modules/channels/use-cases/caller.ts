import type { Executor } from '../../../db/tx.js';
import { AppError, forbidden, notFound } from '../../../shared/errors.js';
import { findAccountInScope } from '../../customers/index.js';
import { can, type Ctx } from '../../org/index.js';

/**
 * Who asks about payment orders: a signed-in staff member (their scope decides which accounts), or the
 * public payment page holding a pay token for exactly one account. Anything the caller may not see
 * answers as if it did not exist (404).
 */
export type Caller = { kind: 'staff'; ctx: Ctx } | { kind: 'payer'; accountId: number; ip: string | null };

/** The account when the caller may see it; 404 otherwise. */
export async function visibleAccount(db: Executor, caller: Caller, accountId: number): Promise<void> {
  if (caller.kind === 'payer') {
    if (caller.accountId !== accountId) throw notFound('account');
    return;
  }
  if (!(await findAccountInScope(db, caller.ctx.actor.scope, accountId))) throw notFound('account');
}

export function requireOrderRole(caller: Caller): void {
  if (caller.kind === 'staff' && !can(caller.ctx.actor.role, 'channels.openOrder')) throw forbidden(`your role (${caller.ctx.actor.role}) may not open payment orders`);
}

export const unauthenticatedPayer = () => new AppError('UNAUTHENTICATED', 'the pay token is invalid or expired: look the account up again (POST /api/v1/pay/lookup)');
