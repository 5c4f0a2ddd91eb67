/**
 * The metering API's schemas (validated by Fastify, listed in OpenAPI) and, through `Static`, the types
 * the use cases return and the web app imports.
 */
import type { TObject } from 'typebox';
import { idParams, Nullable, StringEnum, Type, type Static } from '../../platform/schemas.js';
import { FLAG_REASONS, REFUSAL_REASONS } from './domain/read-rules.js';

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

// ---- daily reads in: POST /reads ---------------------------------------------------------------

/** Reads per batch the API takes (a head-end's or a file's batch); larger sets go in several batches. */
export const MAX_BATCH_READS = 50_000;

const register = (description: string) => Type.Union([Type.String({ maxLength: 64 }), Type.Number()], { description });
const touRegister = (description: string) => Type.Optional(Type.Union([Type.String({ maxLength: 64 }), Type.Number(), Type.Null()], { description }));

/** One read as sent. Values are judged per read (a bad date or a negative register refuses that read only). */
export const incomingReadSchema = Type.Object(
  {
    meterNo: Type.String({ minLength: 1, maxLength: 64, description: 'the meter number (meter.meter_no)' }),
    readOn: Type.String({ maxLength: 64, description: 'the day at whose 00:00 the registers were frozen, YYYY-MM-DD' }),
    total: register('total active energy register, kWh: a decimal ≥ 0 with at most 2 places ("12345.67" or 12345.67)'),
    peak: touRegister('time-of-use registers: all three or none; they must sum to total within 0.01'),
    flat: touRegister('see peak'),
    valley: touRegister('see peak'),
  },
  { additionalProperties: false },
);

/** The body once read: JSON (one read or an array) and NDJSON (a read per line) both become this list. */
export const readsBody = Type.Array(incomingReadSchema, { maxItems: MAX_BATCH_READS });

export const READ_SOURCES = ['ami', 'import', 'manual'] as const;
export const readsImportQuery = Type.Object(
  { source: Type.Optional(StringEnum(READ_SOURCES, { description: 'how the reads came: ami (the head-end), import (a file; the default), manual' })) },
  { additionalProperties: false },
);
export type ReadsImportQuery = Static<typeof readsImportQuery>;

const judgement = <R extends readonly string[]>(reasons: R) =>
  Type.Object({
    index: Type.Integer({ description: "the read's position in the batch, from 0" }),
    meterNo: Type.String(),
    readOn: Type.String(),
    reason: StringEnum(reasons),
    detail: Type.String(),
  });

/** What became of a batch: received = accepted + duplicates + refused. */
export const batchResultSchema = Type.Object({
  received: Type.Integer(),
  accepted: Type.Integer({ description: 'reads written (the flagged ones among them)' }),
  duplicates: Type.Integer({ description: 'reads already stored with the same registers (or repeated in the batch): counted, not written again' }),
  refused: Type.Array(judgement(REFUSAL_REASONS), { description: 'reads not written, each with its reason' }),
  flagged: Type.Array(judgement(FLAG_REASONS), { description: 'reads written that a person should look at' }),
});
export type BatchResult = Static<typeof batchResultSchema>;
