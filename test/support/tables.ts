import { sql } from 'kysely';
import type { Db } from '../../src/db/connect.js';

/**
 * Audit rows that reads write — signing in, and searching by a full phone number (audited as `pii.search`):
 * left out of the comparison, so a test that logs users in or searches on demand still "wrote nothing".
 */
export const READ_AUDIT_ACTIONS = ['auth.login', 'auth.login.failed', 'auth.locked', 'pii.search'] as const;

export type TableFingerprint = Record<string, { rows: number; md5: string }>;

/**
 * Row count and a content hash of every table in the public schema, so "nothing was written" covers inserts,
 * updates and deletes alike. audit_log is taken without those rows; user_session is taken as it is
 * (log users in before the first fingerprint).
 */
export async function fingerprintTables(db: Db): Promise<TableFingerprint> {
  const tables = await sql<{ name: string }>`
    select table_name as name from information_schema.tables
    where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`.execute(db);
  const out: TableFingerprint = {};
  for (const { name } of tables.rows) {
    const where = name === 'audit_log' ? sql`where t.action not in (${sql.join(READ_AUDIT_ACTIONS.map((a) => sql.lit(a)))})` : sql``;
    const row = await sql<{ rows: number; md5: string | null }>`
      select count(*)::int as rows, md5(coalesce(string_agg(t::text, E'\n' order by t::text), '')) as md5
      from ${sql.table(name)} t ${where}`.execute(db);
    out[name] = { rows: row.rows[0]!.rows, md5: row.rows[0]!.md5 ?? '' };
  }
  return out;
}
