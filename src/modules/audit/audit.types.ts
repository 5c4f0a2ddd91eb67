export const auditItemSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    at: { type: 'string', format: 'date-time' },
    actorId: { type: ['integer', 'null'] },
    actorName: { type: ['string', 'null'] },
    action: { type: 'string' },
    entity: { type: ['string', 'null'] },
    entityId: { type: ['string', 'null'] },
    detail: { type: 'object', additionalProperties: true },
    ip: { type: ['string', 'null'] },
  },
} as const;
