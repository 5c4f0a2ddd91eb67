import type { FastifyInstance } from 'fastify';
import { decodeCursor, DEFAULT_LIMIT, MAX_LIMIT, toPage } from '../../shared/pagination.js';
import { forbidden } from '../../shared/errors.js';
import { can } from '../org/index.js';
import type { AppDeps } from '../../platform/deps.js';
import { listAudit } from './audit.repository.js';
import { auditItemSchema } from './audit.types.js';
import { actorOf } from '../../platform/request.js';

export async function auditRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  app.get<{ Querystring: { limit?: number; cursor?: string; action?: string; entity?: string; entityId?: string; actorId?: number } }>(
    '/audit',
    {
      schema: {
        tags: ['audit'],
        summary: 'The append-only audit log (admin, auditor)',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            limit: { type: 'integer', minimum: 1, maximum: MAX_LIMIT },
            cursor: { type: 'string', maxLength: 64 },
            action: { type: 'string', maxLength: 64 },
            entity: { type: 'string', maxLength: 64 },
            entityId: { type: 'string', maxLength: 64 },
            actorId: { type: 'integer', minimum: 1 },
          },
        },
        response: { 200: { type: 'object', properties: { items: { type: 'array', items: auditItemSchema }, nextCursor: { type: ['string', 'null'] } } } },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      if (!can(actor.role, 'audit.read')) throw forbidden('only admins and auditors read the audit log');
      const limit = request.query.limit ?? DEFAULT_LIMIT;
      const rows = await listAudit(deps.db, { ...request.query, afterId: decodeCursor(request.query.cursor), limit });
      const page = toPage(rows, limit);
      return {
        nextCursor: page.nextCursor,
        items: page.items.map((r) => ({ id: r.id, at: r.at, actorId: r.actor_id, actorName: r.actor_name, action: r.action, entity: r.entity, entityId: r.entity_id, detail: r.detail, ip: r.ip })),
      };
    },
  );
}
