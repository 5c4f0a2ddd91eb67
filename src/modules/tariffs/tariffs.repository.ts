import { sql } from 'kysely';
import type { Executor } from '../../db/tx.js';
import type { Scope } from '../org/index.js';
import type { AgentPriceTable, TariffVersion } from './domain/index.js';
import type { PriceTableSource, Status } from './tariffs.types.js';

/** The only place with SQL for the tariff catalogue and the monthly agent-purchase price tables. */

export interface Author {
  userId: number | null;
  name: string;
}

// ---- tariff versions -------------------------------------------------------------------------

const versionColumns = [
  'id',
  'code',
  'effective_from',
  'kind',
  'name',
  'status',
  'created_by_name',
  'created_at',
  'published_by_name',
  'published_at',
] as const;

export type VersionRow = Awaited<ReturnType<typeof listVersions>>[number];
export type VersionWithDefinition = NonNullable<Awaited<ReturnType<typeof findVersion>>>;

export async function listVersions(db: Executor) {
  return db.selectFrom('tariff_version').select(versionColumns).orderBy('code').orderBy('effective_from').execute();
}

export async function findVersion(db: Executor, id: number) {
  return db.selectFrom('tariff_version').select(versionColumns).select('definition').where('id', '=', id).executeTakeFirst();
}

export async function findVersionAt(db: Executor, code: string, effectiveFrom: string) {
  return db.selectFrom('tariff_version').select(['id', 'status']).where('code', '=', code).where('effective_from', '=', effectiveFrom).executeTakeFirst();
}

export async function insertVersion(db: Executor, v: TariffVersion, status: Status, by: Author, now: Date): Promise<number> {
  const row = await db
    .insertInto('tariff_version')
    .values({
      code: v.code,
      effective_from: v.effectiveFrom,
      kind: v.kind,
      name: v.name,
      status,
      definition: JSON.stringify(v),
      created_by: by.userId,
      created_by_name: by.name,
      created_at: now,
      ...(status === 'published' && { published_by: by.userId, published_by_name: by.name, published_at: now }),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Replaces a draft's definition (the trigger refuses it for a published row). */
export async function replaceDraftVersion(db: Executor, id: number, v: TariffVersion, by: Author, now: Date): Promise<void> {
  await db
    .updateTable('tariff_version')
    .set({ name: v.name, kind: v.kind, definition: JSON.stringify(v), created_by: by.userId, created_by_name: by.name, created_at: now })
    .where('id', '=', id)
    .where('status', '=', 'draft')
    .execute();
}

/** Draft → published; false when it was not a draft any more (someone else was first). */
export async function markVersionPublished(db: Executor, id: number, by: Author, now: Date): Promise<boolean> {
  const r = await db
    .updateTable('tariff_version')
    .set({ status: 'published', published_by: by.userId, published_by_name: by.name, published_at: now })
    .where('id', '=', id)
    .where('status', '=', 'draft')
    .executeTakeFirst();
  return r.numUpdatedRows === 1n;
}

export async function deleteDraftVersion(db: Executor, id: number): Promise<boolean> {
  const r = await db.deleteFrom('tariff_version').where('id', '=', id).where('status', '=', 'draft').executeTakeFirst();
  return r.numDeletedRows === 1n;
}

export async function publishedDefinitions(db: Executor, code?: string): Promise<unknown[]> {
  let q = db.selectFrom('tariff_version').select('definition').where('status', '=', 'published');
  if (code !== undefined) q = q.where('code', '=', code);
  return (await q.orderBy('code').orderBy('effective_from').execute()).map((r) => r.definition);
}

/** Seeds published versions; a (code, effectiveFrom) already present is left as it is. Returns how many were added. */
export async function insertSeedVersions(db: Executor, versions: readonly TariffVersion[], now: Date): Promise<number> {
  if (!versions.length) return 0;
  const r = await db
    .insertInto('tariff_version')
    .values(
      versions.map((v) => ({
        code: v.code,
        effective_from: v.effectiveFrom,
        kind: v.kind,
        name: v.name,
        status: 'published' as const,
        definition: JSON.stringify(v),
        created_by_name: 'seed',
        created_at: now,
        published_by_name: 'seed',
        published_at: now,
      })),
    )
    .onConflict((oc) => oc.columns(['code', 'effective_from']).doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0n);
}

// ---- agent-purchase price tables ---------------------------------------------------------------

const tableColumns = ['id', 'month', 'status', 'source', 'late', 'created_by_name', 'created_at', 'published_by_name', 'published_at'] as const;

export type PriceTableRow = Awaited<ReturnType<typeof listPriceTables>>[number];
export type PriceTableWithDefinition = NonNullable<Awaited<ReturnType<typeof findPriceTable>>>;

export async function listPriceTables(db: Executor, f: { status?: Status | undefined; from?: string | undefined; to?: string | undefined }) {
  let q = db
    .selectFrom('agent_price_table')
    .select(tableColumns)
    .select(sql<number>`jsonb_array_length(definition->'rows')`.as('row_count'));
  if (f.status) q = q.where('status', '=', f.status);
  if (f.from) q = q.where('month', '>=', f.from);
  if (f.to) q = q.where('month', '<=', f.to);
  return q.orderBy('month', 'desc').orderBy('status').execute();
}

export async function findPriceTable(db: Executor, id: number) {
  return db.selectFrom('agent_price_table').select(tableColumns).select('definition').where('id', '=', id).executeTakeFirst();
}

export async function findPriceTablesOfMonth(db: Executor, month: string) {
  return db.selectFrom('agent_price_table').select(['id', 'status']).where('month', '=', month).execute();
}

export async function insertPriceTable(db: Executor, t: AgentPriceTable, source: PriceTableSource, by: Author, now: Date): Promise<number> {
  const row = await db
    .insertInto('agent_price_table')
    .values({ month: t.month, status: 'draft', definition: JSON.stringify(t), source, created_by: by.userId, created_by_name: by.name, created_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function replaceDraftPriceTable(db: Executor, id: number, t: AgentPriceTable, source: PriceTableSource, by: Author, now: Date): Promise<void> {
  await db
    .updateTable('agent_price_table')
    .set({ definition: JSON.stringify(t), source, created_by: by.userId, created_by_name: by.name, created_at: now })
    .where('id', '=', id)
    .where('status', '=', 'draft')
    .execute();
}

export async function markPriceTablePublished(db: Executor, id: number, t: AgentPriceTable, late: boolean, by: Author, now: Date): Promise<boolean> {
  const r = await db
    .updateTable('agent_price_table')
    .set({ status: 'published', definition: JSON.stringify(t), late, published_by: by.userId, published_by_name: by.name, published_at: now })
    .where('id', '=', id)
    .where('status', '=', 'draft')
    .executeTakeFirst();
  return r.numUpdatedRows === 1n;
}

export async function deleteDraftPriceTable(db: Executor, id: number): Promise<boolean> {
  const r = await db.deleteFrom('agent_price_table').where('id', '=', id).where('status', '=', 'draft').executeTakeFirst();
  return r.numDeletedRows === 1n;
}

export async function publishedPriceDefinitions(db: Executor, months?: readonly string[]): Promise<unknown[]> {
  let q = db.selectFrom('agent_price_table').select('definition').where('status', '=', 'published');
  if (months !== undefined) {
    if (!months.length) return [];
    q = q.where('month', 'in', [...months]);
  }
  return (await q.orderBy('month').execute()).map((r) => r.definition);
}

/** The latest published table before `month` (what a new month's draft is compared with). */
export async function previousPublishedPriceTable(db: Executor, month: string) {
  return db
    .selectFrom('agent_price_table')
    .select(['id', 'month', 'definition'])
    .where('status', '=', 'published')
    .where('month', '<', month)
    .orderBy('month', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export async function insertSeedPriceTables(db: Executor, tables: readonly AgentPriceTable[], now: Date): Promise<number> {
  if (!tables.length) return 0;
  const r = await db
    .insertInto('agent_price_table')
    .values(
      tables.map((t) => ({
        month: t.month,
        status: 'published' as const,
        definition: JSON.stringify(t),
        source: 'seed' as const,
        created_by_name: 'seed',
        created_at: now,
        published_by_name: 'seed',
        published_at: now,
      })),
    )
    .onConflict((oc) => oc.column('month').where('status', '=', 'published').doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0n);
}

// ---- the visit list of a price-change impact -----------------------------------------------------

/**
 * Who to visit about a price change: station, area, area manager and the primary contact's phone of
 * the given accounts, narrowed to the scope (an id outside it is simply not returned). One query for
 * the whole list. Reads customers' tables: the visit list is the only place tariffs need them.
 */
export async function visitDetails(db: Executor, scope: Scope, accountIds: readonly number[]) {
  if (!accountIds.length) return [];
  let q = db
    .selectFrom('account as a')
    .innerJoin('org_unit as s', 's.id', 'a.station_id')
    .innerJoin('transformer_area as t', 't.id', 'a.area_id')
    .leftJoin('app_user as m', 'm.id', 't.manager_user_id')
    .select(['a.id', 'a.account_no', 'a.name', 'a.category', 'a.tariff_code', 's.name as station_name', 't.name as area_name', 'm.display_name as manager_name'])
    .select((eb) =>
      eb
        .selectFrom('account_contact as c')
        .select('c.phone')
        .whereRef('c.account_id', '=', 'a.id')
        .orderBy('c.is_primary', 'desc')
        .orderBy('c.id')
        .limit(1)
        .as('phone'),
    )
    .where('a.id', 'in', [...accountIds])
    .where('a.company_id', '=', scope.companyId);
  if (scope.level !== 'company') q = q.where('a.station_id', '=', scope.stationId);
  if (scope.level === 'area') q = q.where('t.manager_user_id', '=', scope.managerUserId);
  return q.execute();
}
