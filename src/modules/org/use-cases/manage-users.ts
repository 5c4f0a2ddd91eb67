import type { Trx } from '../../../db/tx.js';
import { AppError, forbidden, invalid, notFound } from '../../../shared/errors.js';
import { hashPassword } from '../../../shared/password.js';
import { insertAudit } from '../../audit/index.js';
import { can, ROLE_LEVEL, type Role } from '../domain/roles.js';
import { auditBy, type Ctx } from '../domain/scope.js';
import { findOrgUnit, findUserById, insertUser, revokeUserSessions, updateUser } from '../org.repository.js';
import type { CreateUserInput, UpdateUserInput } from '../org.types.js';

/** Company-level roles sit on the company unit; station and area roles on a station of the actor's company. */
async function checkUnitFitsRole(trx: Trx, ctx: Ctx, role: Role, orgUnitId: number): Promise<void> {
  const unit = await findOrgUnit(trx, orgUnitId);
  const companyId = unit ? (unit.parent_id ?? unit.id) : null;
  if (!unit || companyId !== ctx.actor.scope.companyId) throw invalid('orgUnitId', 'no such org unit');
  const wanted = ROLE_LEVEL[role] === 'company' ? 'company' : 'station';
  if (unit.kind !== wanted) throw invalid('orgUnitId', `role ${role} belongs on a ${wanted} unit, not a ${unit.kind}`);
}

export async function createUser(trx: Trx, ctx: Ctx, input: CreateUserInput) {
  if (!can(ctx.actor.role, 'org.manage')) throw forbidden('only admins manage users');
  await checkUnitFitsRole(trx, ctx, input.role, input.orgUnitId);
  const id = await insertUser(trx, { ...input, passwordHash: await hashPassword(input.password) });
  await insertAudit(trx, { ...auditBy(ctx), action: 'user.create', entity: 'user', entityId: id, detail: { username: input.username, role: input.role, orgUnitId: input.orgUnitId } });
  return (await findUserById(trx, id))!;
}

export async function updateUserAccount(trx: Trx, ctx: Ctx, id: number, input: UpdateUserInput) {
  if (!can(ctx.actor.role, 'org.manage')) throw forbidden('only admins manage users');
  const user = await findUserById(trx, id);
  if (!user || user.company_id !== ctx.actor.scope.companyId) throw notFound('user');
  if (id === ctx.actor.userId && (input.status === 'disabled' || (input.role && input.role !== 'admin')))
    throw new AppError('CONFLICT', 'you cannot disable yourself or give up your own admin role');
  if (input.role !== undefined || input.orgUnitId !== undefined)
    await checkUnitFitsRole(trx, ctx, input.role ?? (user.role as Role), input.orgUnitId ?? user.org_unit_id);
  const { password, ...rest } = input;
  await updateUser(trx, id, { ...rest, ...(password !== undefined && { passwordHash: await hashPassword(password) }) }, ctx.now);
  // A disabled user or a new password ends every open session of that user.
  if (input.status === 'disabled' || password !== undefined) await revokeUserSessions(trx, id, ctx.now);
  await insertAudit(trx, { ...auditBy(ctx), action: 'user.update', entity: 'user', entityId: id, detail: { ...rest, passwordChanged: password !== undefined } });
  return (await findUserById(trx, id))!;
}
