import { sql, type SelectQueryBuilder } from 'kysely';
import type { DB } from '../../db/schema.js';
import { executePrepared, type Executor } from '../../db/tx.js';
import { escapeLike } from '../../shared/text.js';
import type { Scope } from '../org/index.js';
import type { PhoneMatch } from './domain/phone-search.js';

/** The only place with SQL for customers, accounts, contacts, meters and contracts. */

type AccountQuery<O> = SelectQueryBuilder<DB & { a: DB['account']; s: DB['org_unit']; t: DB['transformer_area'] }, 'a' | 's' | 't', O>;

/** Narrows an account query to the scope: company → its accounts; station → its accounts; area manager → their areas. */
function inScope<O>(q: AccountQuery<O>, scope: Scope): AccountQuery<O> {
  if (scope.level === 'company') return q.where('a.company_id', '=', scope.companyId);
  if (scope.level === 'station') return q.where('a.station_id', '=', scope.stationId);
  return q.where('a.station_id', '=', scope.stationId).where('t.manager_user_id', '=', scope.managerUserId);
}

function accountsWithOrg(db: Executor) {
  return db
    .selectFrom('account as a')
    .innerJoin('org_unit as s', 's.id', 'a.station_id')
    .innerJoin('transformer_area as t', 't.id', 'a.area_id');
}

/**
 * Accounts (as `a`, with station `s` and area `t` joined) that the scope may see: the one scope rule for
 * accounts, for this module and for others that query account-owned rows (reports).
 */
export function accountsInScope(db: Executor, scope: Scope) {
  return inScope(accountsWithOrg(db), scope);
}

const summaryColumns = [
  'a.id',
  'a.account_no',
  'a.name',
  'a.customer_id',
  'a.category',
  'a.voltage_level',
  'a.payment_mode',
  'a.tariff_code',
  'a.status',
  'a.station_id',
  's.name as station_name',
  'a.area_id',
  't.name as area_name',
] as const;

function withSummary(db: Executor) {
  return accountsWithOrg(db)
    .leftJoin('app_user as m', 'm.id', 't.manager_user_id')
    .select(summaryColumns)
    .select([
      'm.display_name as manager_name',
      (eb) =>
        eb
          .selectFrom('account_contact as c')
          .select('c.phone')
          .whereRef('c.account_id', '=', 'a.id')
          .orderBy('c.is_primary', 'desc')
          .orderBy('c.id')
          .limit(1)
          .as('phone'),
      (eb) => eb.selectFrom('meter as mt').select('mt.meter_no').whereRef('mt.account_id', '=', 'a.id').where('mt.status', '=', 'active').orderBy('mt.id').limit(1).as('meter_no'),
    ]);
}

export type AccountSummaryRow = Awaited<ReturnType<typeof searchAccounts>>[number];

export interface AccountSearch {
  afterId: number;
  limit: number;
  q?: string | undefined;
  stationId?: number | undefined;
  areaId?: number | undefined;
  managerUserId?: number | undefined;
  category?: string | undefined;
  paymentMode?: string | undefined;
  customerId?: number | undefined;
  /** how the text may match phone numbers (domain/phone-search.ts); none when not given */
  phone?: PhoneMatch;
}

/** A phone column matching the search: the whole number, or its last four digits. */
function phoneMatches(column: 'cq.phone' | 'cu.phone', text: string, match: PhoneMatch) {
  if (match === 'full') return sql<boolean>`${sql.ref(column)} = ${text}`;
  if (match === 'last4') return sql<boolean>`right(${sql.ref(column)}, 4) = ${text}`;
  return sql<boolean>`false`;
}

/** Text search: account no. prefix, name (account or customer) containing it, exact meter no., phone as `phone` allows. */
export async function searchAccounts(db: Executor, scope: Scope, f: AccountSearch) {
  let q = inScope(withSummary(db), scope).where('a.id', '>', f.afterId);
  if (f.stationId) q = q.where('a.station_id', '=', f.stationId);
  if (f.areaId) q = q.where('a.area_id', '=', f.areaId);
  if (f.managerUserId) q = q.where('t.manager_user_id', '=', f.managerUserId);
  if (f.category) q = q.where('a.category', '=', f.category);
  if (f.paymentMode) q = q.where('a.payment_mode', '=', f.paymentMode);
  if (f.customerId) q = q.where('a.customer_id', '=', f.customerId);
  const text = f.q?.trim();
  const phone = f.phone ?? 'none';
  if (text) {
    const like = escapeLike(text);
    q = q.where((eb) =>
      eb.or([
        eb('a.account_no', 'like', `${like}%`),
        eb('a.name', 'like', `%${like}%`),
        eb.exists(eb.selectFrom('meter as mq').select(sql`1`.as('one')).whereRef('mq.account_id', '=', 'a.id').where('mq.meter_no', '=', text)),
        eb.exists(eb.selectFrom('account_contact as cq').select(sql`1`.as('one')).whereRef('cq.account_id', '=', 'a.id').where(phoneMatches('cq.phone', text, phone))),
        eb.exists(
          eb
            .selectFrom('customer as cu')
            .select(sql`1`.as('one'))
            .whereRef('cu.id', '=', 'a.customer_id')
            .where((w) => w.or([w('cu.name', 'like', `%${like}%`), phoneMatches('cu.phone', text, phone), w('cu.customer_no', '=', text)])),
        ),
      ]),
    );
  }
  return q.orderBy('a.id').limit(f.limit + 1).execute();
}

export async function findAccountSummary(db: Executor, scope: Scope, id: number) {
  return inScope(withSummary(db), scope).where('a.id', '=', id).executeTakeFirst();
}

/** The full account row when it is within the scope; undefined (→ 404) otherwise. */
export async function findAccountInScope(db: Executor, scope: Scope, id: number) {
  return inScope(accountsWithOrg(db), scope).selectAll('a').where('a.id', '=', id).executeTakeFirst();
}

/** Of the given accounts, those the scope may see (number and name), in one query for a batch. */
export async function findAccountsInScope(db: Executor, scope: Scope, ids: readonly number[]) {
  return executePrepared(db, inScope(accountsWithOrg(db), scope).select(['a.id', 'a.account_no', 'a.name']).where(sql<boolean>`a.id = any(${ids as number[]}::bigint[])`));
}

export async function findCustomer(db: Executor, id: number) {
  return db.selectFrom('customer').selectAll().where('id', '=', id).executeTakeFirst();
}

/** A customer is in scope when its home station is, or when it has an account in scope. */
export async function findCustomerInScope(db: Executor, scope: Scope, id: number) {
  let q = db.selectFrom('customer as cu').innerJoin('org_unit as hs', 'hs.id', 'cu.station_id').selectAll('cu').where('cu.id', '=', id);
  if (scope.level === 'company') q = q.where('hs.parent_id', '=', scope.companyId);
  else
    q = q.where((eb) =>
      eb.or([
        ...(scope.level === 'station' ? [eb('cu.station_id', '=', scope.stationId)] : []),
        eb.exists(
          inScope(accountsWithOrg(db), scope)
            .select(sql`1`.as('one'))
            .where('a.customer_id', '=', sql.ref<number>('cu.id')),
        ),
      ]),
    );
  return q.executeTakeFirst();
}

/** Lists the customers findCustomerInScope would return: home station in scope, or an account in scope. */
export async function searchCustomers(db: Executor, scope: Scope, f: { afterId: number; limit: number; q?: string | undefined; phone?: PhoneMatch }) {
  let q = db.selectFrom('customer as cu').innerJoin('org_unit as hs', 'hs.id', 'cu.station_id').selectAll('cu').where('cu.id', '>', f.afterId);
  if (scope.level === 'company') q = q.where('hs.parent_id', '=', scope.companyId);
  else
    q = q.where((eb) =>
      eb.or([
        ...(scope.level === 'station' ? [eb('cu.station_id', '=', scope.stationId)] : []),
        eb.exists(inScope(accountsWithOrg(db), scope).select(sql`1`.as('one')).where('a.customer_id', '=', sql.ref<number>('cu.id'))),
      ]),
    );
  const text = f.q?.trim();
  if (text) {
    const like = escapeLike(text);
    q = q.where((eb) => eb.or([eb('cu.name', 'like', `%${like}%`), eb('cu.customer_no', 'like', `${like}%`), phoneMatches('cu.phone', text, f.phone ?? 'none')]));
  }
  return q.orderBy('cu.id').limit(f.limit + 1).execute();
}

export async function listContacts(db: Executor, accountId: number) {
  return db.selectFrom('account_contact').selectAll().where('account_id', '=', accountId).orderBy('is_primary', 'desc').orderBy('id').execute();
}

export async function listMeters(db: Executor, accountId: number) {
  return db.selectFrom('meter').selectAll().where('account_id', '=', accountId).orderBy('id').execute();
}

export async function listContracts(db: Executor, accountId: number) {
  return db.selectFrom('contract').selectAll().where('account_id', '=', accountId).orderBy('id').execute();
}

export async function findArea(db: Executor, id: number) {
  return db
    .selectFrom('transformer_area as t')
    .innerJoin('org_unit as s', 's.id', 't.station_id')
    .select(['t.id', 't.station_id', 't.manager_user_id', 's.parent_id as company_id'])
    .where('t.id', '=', id)
    .executeTakeFirst();
}

export async function findStation(db: Executor, id: number) {
  return db.selectFrom('org_unit').selectAll().where('id', '=', id).where('kind', '=', 'station').executeTakeFirst();
}

export interface CustomerValues {
  customer_no: string;
  kind: 'person' | 'organisation';
  name: string;
  id_number: string | null;
  phone: string | null;
  address: string | null;
  station_id: number;
}

export async function insertCustomer(db: Executor, v: CustomerValues): Promise<number> {
  return (await db.insertInto('customer').values(v).returning('id').executeTakeFirstOrThrow()).id;
}

export async function updateCustomer(db: Executor, id: number, v: Partial<CustomerValues>, now: Date): Promise<void> {
  await db.updateTable('customer').set({ ...v, updated_at: now }).where('id', '=', id).execute();
}

export type AccountValues = Omit<import('kysely').Insertable<DB['account']>, 'id' | 'created_at' | 'updated_at'>;

export async function insertAccount(db: Executor, v: AccountValues): Promise<number> {
  return (await db.insertInto('account').values(v).returning('id').executeTakeFirstOrThrow()).id;
}

export async function updateAccount(db: Executor, id: number, v: Partial<AccountValues>, now: Date): Promise<void> {
  await db.updateTable('account').set({ ...v, updated_at: now }).where('id', '=', id).execute();
}

export async function replaceContacts(db: Executor, accountId: number, contacts: { name: string; phone: string | null; role: string; is_primary: boolean }[]): Promise<void> {
  await db.deleteFrom('account_contact').where('account_id', '=', accountId).execute();
  if (contacts.length) await db.insertInto('account_contact').values(contacts.map((c) => ({ ...c, account_id: accountId }))).execute();
}

export async function insertMeter(db: Executor, v: { account_id: number; meter_no: string; registers: string[]; multiplier: string; smart: boolean; installed_on?: string }): Promise<number> {
  return (await db.insertInto('meter').values(v).returning('id').executeTakeFirstOrThrow()).id;
}

export async function findMeter(db: Executor, id: number) {
  return db.selectFrom('meter').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function updateMeter(db: Executor, id: number, v: { registers?: string[]; multiplier?: string; smart?: boolean; status?: 'active' | 'removed' }): Promise<void> {
  await db.updateTable('meter').set(v).where('id', '=', id).execute();
}

export interface ContractValues {
  contract_no: string;
  kind: string;
  signed_on: string;
  starts_on: string;
  ends_on: string | null;
  due_day: number | null;
  terms: string;
}

export async function insertContract(db: Executor, accountId: number, v: ContractValues): Promise<number> {
  return (await db.insertInto('contract').values({ ...v, account_id: accountId }).returning('id').executeTakeFirstOrThrow()).id;
}

export async function findContract(db: Executor, id: number) {
  return db.selectFrom('contract').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function updateContract(db: Executor, id: number, v: Partial<ContractValues>): Promise<void> {
  await db.updateTable('contract').set(v).where('id', '=', id).execute();
}
