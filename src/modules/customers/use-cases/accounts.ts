import type { Executor, Trx } from '../../../db/tx.js';
import { insertAudit } from '../../audit/index.js';
import { auditBy, can, type Ctx } from '../../org/index.js';
import type { Account, AccountInput, AccountSummary, ContactInput, CreateAccountInput } from '../customers.types.js';
import type { Page } from '../../../platform/schemas.js';
import { assertConsistentAccount } from '../domain/account-rules.js';
import { phoneMatchOf } from '../domain/phone-search.js';
import { MASKED, presentAccount, presentSummary, type Reveal } from '../domain/present.js';
import {
  findAccountSummary,
  findCustomer,
  insertAccount,
  listContacts,
  listContracts,
  listMeters,
  replaceContacts,
  searchAccounts,
  updateAccount,
  type AccountSearch,
  type AccountValues,
} from '../customers.repository.js';
import { toPage } from '../../../shared/pagination.js';
import { accountInScope, customerInScope, requirePermission, usableArea } from './guards.js';
import { AppError } from '../../../shared/errors.js';

/** Accounts in scope matching the search; a search by a full phone number (allowed roles only) is audited. */
export async function findAccounts(db: Executor, ctx: Ctx, search: AccountSearch): Promise<Page<AccountSummary>> {
  const phone = phoneMatchOf(search.q?.trim() ?? '', can(ctx.actor.role, 'pii.phone'));
  const page = toPage(await searchAccounts(db, ctx.actor.scope, { ...search, phone }), search.limit);
  if (phone === 'full') await auditPhoneSearch(db, ctx, 'account', search.q!, page.items.length);
  return { items: page.items.map(presentSummary), nextCursor: page.nextCursor };
}

/** `pii.search`: who searched by a full phone number (masked in the entry) and how many rows it found. */
export async function auditPhoneSearch(db: Executor, ctx: Ctx, entity: 'account' | 'customer', q: string, found: number): Promise<void> {
  await insertAudit(db, { ...auditBy(ctx), action: 'pii.search', entity, entityId: null, detail: { phone: q.trim(), found } });
}

/**
 * One account with its customer, contacts, meters and contracts. Personal data stays masked unless the
 * caller asks (`unmask`) and the role may see it; every unmasked view is audited.
 */
export async function getAccount(db: Executor, ctx: Ctx, id: number, unmask = false): Promise<Account> {
  const account = await accountInScope(db, ctx, id);
  const canUnmask = can(ctx.actor.role, 'pii.phone') || can(ctx.actor.role, 'pii.idNumber');
  const reveal: Reveal = unmask ? { phone: can(ctx.actor.role, 'pii.phone'), idNumber: can(ctx.actor.role, 'pii.idNumber') } : MASKED;
  if (unmask && !canUnmask) throw new AppError('FORBIDDEN', `your role (${ctx.actor.role}) may not see unmasked personal data`);
  const [summary, customer, contacts, meters, contracts] = await Promise.all([
    findAccountSummary(db, ctx.actor.scope, id),
    findCustomer(db, account.customer_id),
    listContacts(db, id),
    listMeters(db, id),
    listContracts(db, id),
  ]);
  if (unmask) await insertAudit(db, { ...auditBy(ctx), action: 'pii.view', entity: 'account', entityId: id, detail: { phone: reveal.phone, idNumber: reveal.idNumber } });
  return presentAccount(summary!, account, { customer: customer!, contacts, meters, contracts }, reveal, canUnmask);
}

function accountValues(input: AccountInput): Partial<AccountValues> {
  const v: Partial<AccountValues> = {};
  const set = <K extends keyof AccountValues>(key: K, value: AccountValues[K] | undefined) => {
    if (value !== undefined) v[key] = value;
  };
  set('name', input.name);
  set('address', input.address);
  set('category', input.category);
  set('voltage_level', input.voltageLevel);
  set('payment_mode', input.paymentMode);
  set('tariff_code', input.tariffCode);
  set('pf_standard', input.pfStandard);
  set('capacity_kva', input.capacityKva);
  set('contract_demand_kw', input.contractDemandKw);
  set('basic_charge_basis', input.basicChargeBasis);
  set('agent_multiplier', input.agentMultiplier);
  set('shared_meter', input.sharedMeter);
  set('is_important', input.isImportant);
  set('is_medical', input.isMedical);
  set('is_heating_company', input.isHeatingCompany);
  set('is_vulnerable', input.isVulnerable);
  set('behaviour_profile', input.behaviourProfile);
  set('status', input.status);
  return v;
}

function shapeOf(v: Partial<AccountValues>) {
  return {
    category: String(v.category),
    paymentMode: String(v.payment_mode),
    tariffCode: String(v.tariff_code),
    pfStandard: v.pf_standard == null ? null : String(v.pf_standard),
    capacityKva: v.capacity_kva == null ? null : String(v.capacity_kva),
    contractDemandKw: v.contract_demand_kw == null ? null : String(v.contract_demand_kw),
    basicChargeBasis: v.basic_charge_basis ?? null,
    sharedMeter: Boolean(v.shared_meter),
    isHeatingCompany: Boolean(v.is_heating_company),
  };
}

function contactRows(contacts: ContactInput[]) {
  const rows = contacts.map((c, i) => ({ name: c.name, phone: c.phone ?? null, role: c.role ?? 'owner', is_primary: c.isPrimary ?? i === 0 }));
  if (rows.filter((r) => r.is_primary).length > 1) throw new AppError('VALIDATION', 'contacts: only one contact can be primary', { errors: [{ field: 'contacts', message: 'only one primary' }] });
  return rows;
}

export async function createAccount(trx: Trx, ctx: Ctx, input: CreateAccountInput): Promise<Account> {
  requirePermission(ctx, 'customers.write', 'open accounts');
  await customerInScope(trx, ctx, input.customerId);
  const area = await usableArea(trx, ctx, input.areaId);
  const values = { ...accountValues(input) };
  assertConsistentAccount(shapeOf(values));
  const contacts = contactRows(input.contacts ?? []);
  const id = await insertAccount(trx, {
    ...(values as AccountValues),
    account_no: input.accountNo,
    customer_id: input.customerId,
    company_id: area.company_id!,
    station_id: area.station_id,
    area_id: area.id,
    ...(input.openedOn && { opened_on: input.openedOn }),
  });
  await replaceContacts(trx, id, contacts);
  await insertAudit(trx, { ...auditBy(ctx), action: 'account.create', entity: 'account', entityId: id, detail: { accountNo: input.accountNo, customerId: input.customerId, areaId: input.areaId } });
  return getAccount(trx, ctx, id);
}

export async function updateAccountDetails(trx: Trx, ctx: Ctx, id: number, input: AccountInput): Promise<Account> {
  requirePermission(ctx, 'customers.write', 'change accounts');
  const current = await accountInScope(trx, ctx, id);
  const values = accountValues(input);
  if (input.areaId !== undefined && input.areaId !== current.area_id) {
    const area = await usableArea(trx, ctx, input.areaId);
    Object.assign(values, { area_id: area.id, station_id: area.station_id });
  }
  assertConsistentAccount(shapeOf({ ...current, ...values }));
  await updateAccount(trx, id, values, ctx.now);
  await insertAudit(trx, { ...auditBy(ctx), action: 'account.update', entity: 'account', entityId: id, detail: { ...input } });
  return getAccount(trx, ctx, id);
}

export async function setContacts(trx: Trx, ctx: Ctx, id: number, contacts: ContactInput[]): Promise<Account> {
  requirePermission(ctx, 'contacts.write', 'change contacts');
  await accountInScope(trx, ctx, id);
  await replaceContacts(trx, id, contactRows(contacts));
  await insertAudit(trx, { ...auditBy(ctx), action: 'account.contacts.replace', entity: 'account', entityId: id, detail: { count: contacts.length } });
  return getAccount(trx, ctx, id);
}
