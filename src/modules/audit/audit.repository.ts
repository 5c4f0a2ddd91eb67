import { sql } from 'kysely';
import { PREPARED } from '../../db/connect.js';
import { send, type Executor } from '../../db/tx.js';

export interface AuditEntry {
  actorId: number | null;
  actorName: string | null;
  action: string;
  entity?: string | null;
  entityId?: string | number | null;
  detail?: Record<string, unknown>;
  ip?: string | null;
}

export async function insertAudit(db: Executor, e: AuditEntry): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      actor_id: e.actorId,
      actor_name: e.actorName,
      action: e.action,
      entity: e.entity ?? null,
      entity_id: e.entityId == null ? null : String(e.entityId),
      detail: JSON.stringify(e.detail ?? {}),
      ip: e.ip ?? null,
    })
    .execute();
}

/** Several entries in one statement (a batch of requests committed together). */
export async function insertAudits(db: Executor, entries: readonly AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const col = <T>(f: (e: AuditEntry) => T) => entries.map(f);
  await send(
    db,
    sql`${sql.raw(PREPARED)}
    insert into audit_log (actor_id, actor_name, action, entity, entity_id, detail, ip)
    select * from unnest(${col((e) => e.actorId)}::bigint[], ${col((e) => e.actorName)}::text[], ${col((e) => e.action)}::text[], ${col((e) => e.entity ?? null)}::text[],
                         ${col((e) => (e.entityId == null ? null : String(e.entityId)))}::text[], ${col((e) => JSON.stringify(e.detail ?? {}))}::jsonb[], ${col((e) => e.ip ?? null)}::text[])`.compile(db),
  );
}

export interface AuditFilter {
  afterId: number;
  limit: number;
  action?: string | undefined;
  entity?: string | undefined;
  entityId?: string | undefined;
  actorId?: number | undefined;
}

export async function listAudit(db: Executor, f: AuditFilter) {
  let q = db
    .selectFrom('audit_log')
    .select(['id', 'at', 'actor_id', 'actor_name', 'action', 'entity', 'entity_id', 'detail', 'ip'])
    .where('id', '>', f.afterId);
  if (f.action) q = q.where('action', '=', f.action);
  if (f.entity) q = q.where('entity', '=', f.entity);
  if (f.entityId) q = q.where('entity_id', '=', f.entityId);
  if (f.actorId) q = q.where('actor_id', '=', f.actorId);
  return q.orderBy('id').limit(f.limit + 1).execute();
}
