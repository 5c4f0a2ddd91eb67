import type { Trx } from '../../../db/tx.js';
import { forbidden, invalid, notFound } from '../../../shared/errors.js';
import { insertAudit } from '../../audit/index.js';
import { can } from '../domain/roles.js';
import { auditBy, type Ctx } from '../domain/scope.js';
import { findAreaInScope, findOrgUnit, findUserById, insertArea, insertOrgUnit, updateArea } from '../org.repository.js';
import type { CreateAreaInput, CreateStationInput, UpdateAreaInput } from '../org.types.js';

function requireOrgManager(ctx: Ctx): void {
  if (!can(ctx.actor.role, 'org.manage')) throw forbidden('only admins change the organisation');
}

export async function createStation(trx: Trx, ctx: Ctx, input: CreateStationInput) {
  requireOrgManager(ctx);
  const unit = await insertOrgUnit(trx, { parentId: ctx.actor.scope.companyId, kind: 'station', ...input });
  await insertAudit(trx, { ...auditBy(ctx), action: 'org.station.create', entity: 'org_unit', entityId: unit.id, detail: input });
  return unit;
}

/** An area manager must work at the area's station. */
async function checkManager(trx: Trx, managerUserId: number | null | undefined, stationId: number): Promise<void> {
  if (managerUserId == null) return;
  const m = await findUserById(trx, managerUserId);
  if (!m || m.role !== 'area_manager' || m.station_id !== stationId) throw invalid('managerUserId', 'must be an area manager of the same station');
}

export async function createArea(trx: Trx, ctx: Ctx, input: CreateAreaInput) {
  requireOrgManager(ctx);
  const station = await findOrgUnit(trx, input.stationId);
  if (!station || station.kind !== 'station' || station.parent_id !== ctx.actor.scope.companyId) throw invalid('stationId', 'no such station');
  await checkManager(trx, input.managerUserId, input.stationId);
  const { id } = await insertArea(trx, { ...input, managerUserId: input.managerUserId ?? null, capacityKva: input.capacityKva ?? null });
  await insertAudit(trx, { ...auditBy(ctx), action: 'org.area.create', entity: 'transformer_area', entityId: id, detail: input });
  return (await findAreaInScope(trx, ctx.actor.scope, id))!;
}

export async function updateAreaDetails(trx: Trx, ctx: Ctx, id: number, patch: UpdateAreaInput) {
  requireOrgManager(ctx);
  const area = await findAreaInScope(trx, ctx.actor.scope, id);
  if (!area) throw notFound('transformer area');
  await checkManager(trx, patch.managerUserId, area.station_id);
  await updateArea(trx, id, patch);
  await insertAudit(trx, { ...auditBy(ctx), action: 'org.area.update', entity: 'transformer_area', entityId: id, detail: patch });
  return (await findAreaInScope(trx, ctx.actor.scope, id))!;
}
