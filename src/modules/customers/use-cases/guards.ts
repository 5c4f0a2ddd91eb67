import type { Executor } from '../../../db/tx.js';
import { forbidden, invalid, notFound } from '../../../shared/errors.js';
import { can, type Ctx, type Permission } from '../../org/index.js';
import { findAccountInScope, findArea, findCustomerInScope } from '../customers.repository.js';

export function requirePermission(ctx: Ctx, permission: Permission, what: string): void {
  if (!can(ctx.actor.role, permission)) throw forbidden(`your role (${ctx.actor.role}) may not ${what}`);
}

/** The account when the actor may see it; 404 otherwise, so another subtree's objects stay invisible. */
export async function accountInScope(db: Executor, ctx: Ctx, id: number) {
  const account = await findAccountInScope(db, ctx.actor.scope, id);
  if (!account) throw notFound('account');
  return account;
}

export async function customerInScope(db: Executor, ctx: Ctx, id: number) {
  const customer = await findCustomerInScope(db, ctx.actor.scope, id);
  if (!customer) throw notFound('customer');
  return customer;
}

/** An area the actor may place accounts in: within their company, and their station unless company-level. */
export async function usableArea(db: Executor, ctx: Ctx, areaId: number) {
  const area = await findArea(db, areaId);
  const scope = ctx.actor.scope;
  const visible = area && area.company_id === scope.companyId && (scope.level === 'company' || area.station_id === scope.stationId);
  if (!area || !visible) throw invalid('areaId', 'no such transformer area in your scope');
  return area;
}
