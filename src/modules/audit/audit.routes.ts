import type { FastifyInstance } from 'fastify';
import { decodeCursor, DEFAULT_LIMIT, toPage } from '../../shared/pagination.js';
import { forbidden } from '../../shared/errors.js';
import { can } from '../org/index.js';
import type { AppDeps } from '../../platform/deps.js';
import { listAudit } from './audit.repository.js';
import { auditPage, auditQuery, type AuditItem, type AuditPage, type AuditQuery } from './audit.types.js';
import { actorOf } from '../../platform/request.js';

export async function auditRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  app.get<{ Querystring: AuditQuery }>(
    '/audit',
    {
      schema: {
        tags: ['audit'],
        summary: 'The append-only audit log (admin, auditor)',
        querystring: auditQuery,
        response: { 200: auditPage },
      },
    },
    async (request): Promise<AuditPage> => {
      const actor = actorOf(request);
      if (!can(actor.role, 'audit.read')) throw forbidden('only admins and auditors read the audit log');
      const limit = request.query.limit ?? DEFAULT_LIMIT;
      const rows = await listAudit(deps.db, { ...request.query, afterId: decodeCursor(request.query.cursor), limit });
      const page = toPage(rows, limit);
      return { nextCursor: page.nextCursor, items: page.items.map(auditItemOf) };
    },
  );
}

function auditItemOf(r: Awaited<ReturnType<typeof listAudit>>[number]): AuditItem {
  return {
    id: r.id,
    at: new Date(r.at).toISOString(),
    actorId: r.actor_id,
    actorName: r.actor_name,
    action: r.action,
    entity: r.entity,
    entityId: r.entity_id,
    detail: r.detail as Record<string, unknown>,
    ip: r.ip,
  };
}
