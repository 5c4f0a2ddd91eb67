/** The audit log API's schemas (validated by Fastify, listed in OpenAPI) and, through `Static`, their types. */
import { MAX_LIMIT } from '../../shared/pagination.js';
import { Nullable, pageOf, pageQuery, Type, type Static } from '../../platform/schemas.js';

export const auditQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_LIMIT })),
    cursor: pageQuery.properties.cursor,
    action: Type.Optional(Type.String({ maxLength: 64 })),
    entity: Type.Optional(Type.String({ maxLength: 64 })),
    entityId: Type.Optional(Type.String({ maxLength: 64 })),
    actorId: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
);
export type AuditQuery = Static<typeof auditQuery>;

export const auditItemSchema = Type.Object({
  id: Type.Integer(),
  at: Type.String({ format: 'date-time' }),
  actorId: Nullable(Type.Integer()),
  actorName: Nullable(Type.String()),
  action: Type.String(),
  entity: Nullable(Type.String()),
  entityId: Nullable(Type.String()),
  detail: Type.Unsafe<Record<string, unknown>>({ type: 'object', additionalProperties: true, description: 'personal data masked' }),
  ip: Nullable(Type.String()),
});
export type AuditItem = Static<typeof auditItemSchema>;

export const auditPage = pageOf(auditItemSchema);
export type AuditPage = Static<typeof auditPage>;
