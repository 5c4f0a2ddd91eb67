import type { Executor, Trx } from '../../../db/tx.js';
import { invalid } from '../../../shared/errors.js';
import { toPage } from '../../../shared/pagination.js';
import { insertAudit } from '../../audit/index.js';
import { auditBy, can, type Ctx } from '../../org/index.js';
import type { CreateCustomerInput, Customer, CustomerInput } from '../customers.types.js';
import type { Page } from '../../../platform/schemas.js';
import { MASKED, presentCustomer } from '../domain/present.js';
import { findStation, insertCustomer, searchCustomers, updateCustomer, type CustomerValues } from '../customers.repository.js';
import { customerInScope, requirePermission } from './guards.js';
import { auditPhoneSearch } from './accounts.js';
import { phoneMatchOf } from '../domain/phone-search.js';
import { AppError } from '../../../shared/errors.js';

const canUnmaskOf = (ctx: Ctx) => can(ctx.actor.role, 'pii.phone') || can(ctx.actor.role, 'pii.idNumber');

export async function findCustomers(db: Executor, ctx: Ctx, f: { afterId: number; limit: number; q?: string | undefined }): Promise<Page<Customer>> {
  const phone = phoneMatchOf(f.q?.trim() ?? '', can(ctx.actor.role, 'pii.phone'));
  const page = toPage(await searchCustomers(db, ctx.actor.scope, { ...f, phone }), f.limit);
  if (phone === 'full') await auditPhoneSearch(db, ctx, 'customer', f.q!, page.items.length);
  return { items: page.items.map((c) => presentCustomer(c, MASKED, canUnmaskOf(ctx))), nextCursor: page.nextCursor };
}

export async function getCustomer(db: Executor, ctx: Ctx, id: number, unmask = false): Promise<Customer> {
  const customer = await customerInScope(db, ctx, id);
  if (!unmask) return presentCustomer(customer, MASKED, canUnmaskOf(ctx));
  if (!canUnmaskOf(ctx)) throw new AppError('FORBIDDEN', `your role (${ctx.actor.role}) may not see unmasked personal data`);
  const reveal = { phone: can(ctx.actor.role, 'pii.phone'), idNumber: can(ctx.actor.role, 'pii.idNumber') };
  await insertAudit(db, { ...auditBy(ctx), action: 'pii.view', entity: 'customer', entityId: id, detail: reveal });
  return presentCustomer(customer, reveal, true);
}

/** A station the actor may register customers at. */
async function usableStation(db: Executor, ctx: Ctx, stationId: number) {
  const station = await findStation(db, stationId);
  const scope = ctx.actor.scope;
  if (!station || station.parent_id !== scope.companyId || (scope.level !== 'company' && station.id !== scope.stationId))
    throw invalid('stationId', 'no such station in your scope');
}

function customerValues(input: CustomerInput): Partial<CustomerValues> {
  return {
    ...(input.kind !== undefined && { kind: input.kind }),
    ...(input.name !== undefined && { name: input.name }),
    ...(input.idNumber !== undefined && { id_number: input.idNumber }),
    ...(input.phone !== undefined && { phone: input.phone }),
    ...(input.address !== undefined && { address: input.address }),
    ...(input.stationId !== undefined && { station_id: input.stationId }),
  };
}

export async function createCustomer(trx: Trx, ctx: Ctx, input: CreateCustomerInput): Promise<Customer> {
  requirePermission(ctx, 'customers.write', 'register customers');
  await usableStation(trx, ctx, input.stationId);
  const id = await insertCustomer(trx, {
    customer_no: input.customerNo,
    kind: input.kind,
    name: input.name,
    id_number: input.idNumber ?? null,
    phone: input.phone ?? null,
    address: input.address ?? null,
    station_id: input.stationId,
  });
  await insertAudit(trx, { ...auditBy(ctx), action: 'customer.create', entity: 'customer', entityId: id, detail: { customerNo: input.customerNo } });
  return getCustomer(trx, ctx, id);
}

export async function updateCustomerDetails(trx: Trx, ctx: Ctx, id: number, input: CustomerInput): Promise<Customer> {
  requirePermission(ctx, 'customers.write', 'change customers');
  await customerInScope(trx, ctx, id);
  if (input.stationId !== undefined) await usableStation(trx, ctx, input.stationId);
  await updateCustomer(trx, id, customerValues(input), ctx.now);
  // Personal data is not copied into the audit detail: only which fields changed.
  await insertAudit(trx, { ...auditBy(ctx), action: 'customer.update', entity: 'customer', entityId: id, detail: { fields: Object.keys(input) } });
  return getCustomer(trx, ctx, id);
}
