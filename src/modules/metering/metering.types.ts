/**
 * The metering API's schemas (validated by Fastify, listed in OpenAPI) and, through `Static`, the types
 * the use cases return and the web app imports.
 */
import type { TObject } from 'typebox';
import { idParams, Nullable, StringEnum, Type, type Static } from '../../platform/schemas.js';

export { idParams };

export const READ_KINDS = ['cycle', 'daily'] as const;
export type ReadKind = (typeof READ_KINDS)[number];

/** An object or null, kept as `type: ['object', 'null']` like `Nullable` does for primitives. */
const NullableObject = <T extends TObject>(schema: T, options: { description?: string } = {}) =>
  Type.Unsafe<Static<T> | null>({ ...schema, type: ['object', 'null'], ...options });

export const readsQuery = Type.Object(
  { kind: Type.Optional(StringEnum(READ_KINDS)), from: Type.Optional(Type.String({ format: 'date' })), to: Type.Optional(Type.String({ format: 'date' })) },
  { additionalProperties: false },
);
export type ReadsQuery = Static<typeof readsQuery>;

const decimal = Nullable(Type.String());

export const usageSchema = Type.Object({ total: Type.String(), peak: decimal, flat: decimal, valley: decimal, reactive: decimal });
export type Usage = Static<typeof usageSchema>;

/** A frozen read of one meter: register values as decimal strings. */
export const readSchema = Type.Object({
  meterId: Type.Integer(),
  meterNo: Type.String(),
  period: decimal,
  readOn: Type.String(),
  total: Type.String(),
  peak: decimal,
  flat: decimal,
  valley: decimal,
  reactive: decimal,
  maxDemand: decimal,
  estimated: Type.Boolean(),
  usage: NullableObject(usageSchema, { description: 'consumption since the previous read of the same meter: register difference × meter multiplier (kWh, kvarh)' }),
});
export type Read = Static<typeof readSchema>;

/** Every read of the range at once (no cursor). */
export const readList = Type.Object({ items: Type.Array(readSchema) });
