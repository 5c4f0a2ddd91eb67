import { sql } from 'kysely';
import { PREPARED } from '../../db/connect.js';
import { send, type Executor } from '../../db/tx.js';
import { maskPersonalData } from '../../shared/mask.js';

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
      detail: JSON.stringify(maskPersonalData(e.detail ?? {})),
      ip: e.ip ?? null,
    })
    .execute();
}

/**
 * Several entries in one statement (a batch of requests committed together), passed as one JSON document:
 * JSON.stringify is native, where a text[] of JSON details is escaped element by element in JavaScript.
 */
export async function insertAudits(db: Executor, entries: readonly AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const rows = entries.map((e) => ({
    actor_id: e.actorId,
    actor_name: e.actorName,
    action: e.action,
    entity: e.entity ?? null,
    entity_id: e.entityId == null ? null : String(e.entityId),
    detail: maskPersonalData(e.detail ?? {}),
    ip: e.ip ?? null,
  }));
  await send(
    db,
    sql`${sql.raw(PREPARED)}
    insert into audit_log (actor_id, actor_name, action, entity, entity_id, detail, ip)
    select actor_id, actor_name, action, entity, entity_id, detail, ip
      from json_to_recordset(${JSON.stringify(rows)}::json) as x(actor_id bigint, actor_name text, action text, entity text, entity_id text, detail jsonb, ip text)`.compile(db),
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
