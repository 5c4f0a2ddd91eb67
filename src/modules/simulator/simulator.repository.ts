import { Kysely, PostgresDialect, sql } from 'kysely';
import type pg from 'pg';
import type { Db } from '../../db/connect.js';
import { copyInto } from '../../db/copy.js';
import type { DB } from '../../db/schema.js';

/** The only place with SQL for the simulator: bulk loading the demo county and reading back its logins. */

/** "Empty" means no organisation yet: every demo table hangs off org_unit, so none of them has rows either. */
export async function databaseIsEmpty(db: Db): Promise<boolean> {
  const row = await db.selectFrom('org_unit').select(sql<boolean>`true`.as('present')).limit(1).executeTakeFirst();
  return row === undefined;
}

const ROLE_ORDER = sql`case u.role when 'admin' then 0 when 'company_manager' then 1 when 'marketing' then 2 when 'auditor' then 3
  when 'station_head' then 4 when 'cashier' then 5 else 6 end`;

/** Users in the order a demo visitor wants them: company roles first, then station by station. */
export async function listLogins(db: Db): Promise<{ username: string; role: string; orgUnit: string }[]> {
  return db
    .selectFrom('app_user as u')
    .innerJoin('org_unit as ou', 'ou.id', 'u.org_unit_id')
    .select(['u.username', 'u.role', 'ou.name as orgUnit'])
    .where('u.status', '=', 'active')
    .orderBy(sql`ou.parent_id nulls first`)
    .orderBy('ou.id')
    .orderBy(ROLE_ORDER)
    .orderBy('u.id')
    .execute();
}

/** Drops every table, type and function of the application, for `granary demo --reset`; migrations run again after. */
export async function dropApplicationSchema(pool: pg.Pool): Promise<void> {
  await pool.query('drop schema public cascade');
  await pool.query('create schema public');
}

/** A Kysely bound to one pooled client, so other modules' repositories can join the bulk-load transaction. */
export function kyselyOnClient(client: pg.PoolClient): Db {
  const pool = {
    connect: async () => ({ query: client.query.bind(client), release: () => {} }),
    end: async () => {},
  };
  return new Kysely<DB>({ dialect: new PostgresDialect({ pool: pool as unknown as pg.Pool }) });
}

export class DatabaseNotEmpty extends Error {}

/**
 * Opens the load transaction. The exclusive lock on org_unit makes a second, concurrent load wait here
 * and then find the database no longer empty.
 */
export async function beginLoad(client: pg.PoolClient): Promise<void> {
  await client.query('begin');
  await client.query('lock table org_unit in exclusive mode');
  const present = await client.query('select 1 from org_unit limit 1');
  if (present.rowCount) throw new DatabaseNotEmpty('the database already has an organisation');
  // Sorting for the index builds at the end is faster with room in memory (local to this transaction).
  await client.query(`set local maintenance_work_mem = '512MB'`);
}

export async function commitLoad(client: pg.PoolClient): Promise<void> {
  await client.query('commit');
}

export async function rollbackLoad(client: pg.PoolClient): Promise<void> {
  await client.query('rollback');
}

export async function copyRows(client: pg.PoolClient, table: string, columns: readonly string[], chunks: Iterable<string> | AsyncIterable<string>): Promise<void> {
  await copyInto(client, table, columns, chunks);
}

/** A constraint or index taken off for the load, with the statement that puts it back. */
export interface DeferredDefinition {
  table: string;
  name: string;
  restore: string;
}

export interface DeferredConstraints {
  indexes: DeferredDefinition[];
  foreignKeys: DeferredDefinition[];
}

/**
 * Takes foreign keys and indexes off the tables about to be filled (PostgreSQL's advice for populating a
 * database): per-row foreign-key checks cost ~4× the COPY itself, and one sorted index build beats
 * millions of index inserts. Indexes another table's foreign key depends on stay. Everything is restored,
 * under the same names and definitions, by restoreConstraints in the same transaction.
 */
export async function deferConstraints(client: pg.PoolClient, tables: readonly string[]): Promise<DeferredConstraints> {
  const foreignKeys = (
    await client.query<DeferredDefinition>(
      `select conrelid::regclass::text as table, conname as name,
              format('alter table %s add constraint %I %s', conrelid::regclass, conname, pg_get_constraintdef(oid)) as restore
         from pg_constraint
        where contype = 'f' and conrelid = any($1::regclass[])
        order by conrelid::regclass::text, conname`,
      [tables],
    )
  ).rows;
  for (const fk of foreignKeys) await client.query(`alter table ${fk.table} drop constraint ${client.escapeIdentifier(fk.name)}`);

  const indexes = (
    await client.query<DeferredDefinition & { constraint: string | null }>(
      `select i.indrelid::regclass::text as table, ic.relname as name, con.conname as constraint,
              case when con.oid is null then pg_get_indexdef(i.indexrelid)
                   else format('alter table %s add constraint %I %s', i.indrelid::regclass, con.conname, pg_get_constraintdef(con.oid)) end as restore
         from pg_index i
         join pg_class ic on ic.oid = i.indexrelid
         left join pg_constraint con on con.conindid = i.indexrelid and con.conrelid = i.indrelid and con.contype in ('p', 'u', 'x')
        where i.indrelid = any($1::regclass[])
          and not exists (select 1 from pg_constraint f where f.contype = 'f' and f.conindid = i.indexrelid)
        order by i.indrelid::regclass::text, ic.relname`,
      [tables],
    )
  ).rows;
  for (const ix of indexes) {
    if (ix.constraint) await client.query(`alter table ${ix.table} drop constraint ${client.escapeIdentifier(ix.constraint)}`);
    else await client.query(`drop index ${client.escapeIdentifier(ix.name)}`);
  }
  return { indexes: indexes.map(({ table, name, restore }) => ({ table, name, restore })), foreignKeys };
}

/** Indexes (with primary keys and unique constraints) first, since the foreign keys need them; each call restores one. */
export async function restoreDefinition(client: pg.PoolClient, definition: DeferredDefinition): Promise<void> {
  await client.query(definition.restore);
}

/** Moves each table's identity sequence past the ids the load assigned explicitly. */
export async function moveIdSequences(client: pg.PoolClient, tables: readonly string[]): Promise<void> {
  for (const table of tables) {
    await client.query(`select setval(pg_get_serial_sequence($1, 'id'), coalesce(max(id), 1), max(id) is not null) from ${table}`, [table]);
  }
}

/** Planner statistics, so the first queries on a fresh county do not guess. */
export async function analyzeTables(client: pg.PoolClient, tables: readonly string[]): Promise<void> {
  await client.query(`analyze ${tables.join(', ')}`);
}
