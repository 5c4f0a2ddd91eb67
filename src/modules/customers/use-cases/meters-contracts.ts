import type { Executor, Trx } from '../../../db/tx.js';
import { invalid, notFound } from '../../../shared/errors.js';
import { insertAudit } from '../../audit/index.js';
import { auditBy, type Ctx } from '../../org/index.js';
import type { Contract, ContractInput, CreateContractInput, CreateMeterInput, Meter, MeterInput } from '../customers.types.js';
import { presentContract, presentMeter } from '../domain/present.js';
import { findAccountInScope, findContract, findMeter, insertContract, insertMeter, updateContract, updateMeter, type ContractValues } from '../customers.repository.js';
import { accountInScope, requirePermission } from './guards.js';

export async function addMeter(trx: Trx, ctx: Ctx, input: CreateMeterInput): Promise<Meter> {
  requirePermission(ctx, 'customers.write', 'install meters');
  await accountInScope(trx, ctx, input.accountId);
  const id = await insertMeter(trx, {
    account_id: input.accountId,
    meter_no: input.meterNo,
    registers: input.registers,
    multiplier: input.multiplier ?? '1',
    smart: input.smart ?? true,
    ...(input.installedOn && { installed_on: input.installedOn }),
  });
  await insertAudit(trx, { ...auditBy(ctx), action: 'meter.create', entity: 'meter', entityId: id, detail: { ...input } });
  return presentMeter((await findMeter(trx, id))!);
}

/** A meter is visible exactly when its account is. */
async function meterInScope(trx: Executor, ctx: Ctx, id: number) {
  const meter = await findMeter(trx, id);
  if (!meter || !(await findAccountInScope(trx, ctx.actor.scope, meter.account_id))) throw notFound('meter');
  return meter;
}

export async function getMeter(trx: Executor, ctx: Ctx, id: number): Promise<Meter> {
  return presentMeter(await meterInScope(trx, ctx, id));
}

export async function changeMeter(trx: Trx, ctx: Ctx, id: number, input: MeterInput): Promise<Meter> {
  requirePermission(ctx, 'customers.write', 'change meters');
  await meterInScope(trx, ctx, id);
  await updateMeter(trx, id, input);
  await insertAudit(trx, { ...auditBy(ctx), action: 'meter.update', entity: 'meter', entityId: id, detail: { ...input } });
  return presentMeter((await findMeter(trx, id))!);
}

function contractValues(input: ContractInput): Partial<ContractValues> {
  return {
    ...(input.kind !== undefined && { kind: input.kind }),
    ...(input.signedOn !== undefined && { signed_on: input.signedOn }),
    ...(input.startsOn !== undefined && { starts_on: input.startsOn }),
    ...(input.endsOn !== undefined && { ends_on: input.endsOn }),
    ...(input.dueDay !== undefined && { due_day: input.dueDay }),
    ...(input.terms !== undefined && { terms: JSON.stringify(input.terms) }),
  };
}

/** A contract cannot end before it starts (the table's check says the same, without naming the field). */
function checkDates(startsOn: string, endsOn: string | null | undefined): void {
  if (endsOn != null && endsOn < startsOn) throw invalid('endsOn', `must not be before startsOn (${startsOn})`);
}

export async function addContract(trx: Trx, ctx: Ctx, input: CreateContractInput): Promise<Contract> {
  requirePermission(ctx, 'customers.write', 'sign contracts');
  await accountInScope(trx, ctx, input.accountId);
  checkDates(input.startsOn, input.endsOn);
  const id = await insertContract(trx, input.accountId, {
    contract_no: input.contractNo,
    kind: input.kind,
    signed_on: input.signedOn,
    starts_on: input.startsOn,
    ends_on: input.endsOn ?? null,
    due_day: input.dueDay ?? null,
    terms: JSON.stringify(input.terms ?? {}),
  });
  await insertAudit(trx, { ...auditBy(ctx), action: 'contract.create', entity: 'contract', entityId: id, detail: { contractNo: input.contractNo, accountId: input.accountId } });
  return presentContract((await findContract(trx, id))!);
}

async function contractInScope(trx: Executor, ctx: Ctx, id: number) {
  const contract = await findContract(trx, id);
  if (!contract || !(await findAccountInScope(trx, ctx.actor.scope, contract.account_id))) throw notFound('contract');
  return contract;
}

export async function getContract(trx: Executor, ctx: Ctx, id: number): Promise<Contract> {
  return presentContract(await contractInScope(trx, ctx, id));
}

export async function changeContract(trx: Trx, ctx: Ctx, id: number, input: ContractInput): Promise<Contract> {
  requirePermission(ctx, 'customers.write', 'change contracts');
  const current = await contractInScope(trx, ctx, id);
  checkDates(input.startsOn ?? current.starts_on, input.endsOn === undefined ? current.ends_on : input.endsOn);
  await updateContract(trx, id, contractValues(input));
  await insertAudit(trx, { ...auditBy(ctx), action: 'contract.update', entity: 'contract', entityId: id, detail: { fields: Object.keys(input) } });
  return presentContract((await findContract(trx, id))!);
}
