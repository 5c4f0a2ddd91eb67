/** JSON schemas every module's routes share: an `:id` path parameter and cursor pagination (DESIGN §6). */
export const idParams = { type: 'object', required: ['id'], additionalProperties: false, properties: { id: { type: 'integer', minimum: 1 } } } as const;

export const pageQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { limit: { type: 'integer', minimum: 1, maximum: 500 }, cursor: { type: 'string', maxLength: 64 } },
} as const;

/** A list answer: `{items, nextCursor}` (null at the end) with items of the given schema. */
export const pageOf = (item: object) => ({ type: 'object', properties: { items: { type: 'array', items: item }, nextCursor: { type: ['string', 'null'] } } }) as const;
