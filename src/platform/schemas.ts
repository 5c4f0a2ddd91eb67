/**
 * The request and response schemas' building blocks (DESIGN §6). A schema is written once with TypeBox:
 * it is the JSON Schema Fastify validates and documents, and `Static<typeof schema>` is the TypeScript
 * type the server returns and the web app imports. Response objects list every property as required,
 * so a route that leaves one out fails its tests instead of the browser.
 */
import { Type, type Static, type TSchema } from 'typebox';

export { Type, type Static, type TSchema };

/** Integer fen (1 元 = 100). */
export const Fen = (options: { description?: string; minimum?: number; maximum?: number } = {}) => Type.Integer(options);

/** A primitive or null, kept as `type: [t, 'null']` (not anyOf) so serialization stays fast. */
export function Nullable<T extends TSchema>(schema: T) {
  const type = (schema as { type?: string }).type;
  if (typeof type !== 'string') throw new Error('Nullable takes a primitive schema');
  return Type.Unsafe<Static<T> | null>({ ...schema, type: [type, 'null'] });
}

/** String members of a closed set, typed as their union. */
export const StringEnum = <const T extends readonly string[]>(values: T, options: { description?: string } = {}) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });

export const idParams = Type.Object({ id: Type.Integer({ minimum: 1 }) }, { additionalProperties: false });

export const pageQuery = Type.Object(
  { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })), cursor: Type.Optional(Type.String({ maxLength: 64 })) },
  { additionalProperties: false },
);

/** A list answer: `{items, nextCursor}` (null at the end) with items of the given schema. */
export const pageOf = <T extends TSchema>(item: T) => Type.Object({ items: Type.Array(item), nextCursor: Nullable(Type.String()) });

/** The list answer's type for an item type. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
