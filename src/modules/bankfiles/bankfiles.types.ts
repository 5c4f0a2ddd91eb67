/**
 * The bank debit file API's schemas (validated by Fastify, listed in OpenAPI) and, through `Static`, the
 * types the use cases return and the web app imports. Uploads are raw file bodies.
 */
import { Fen, idParams, Nullable, pageOf, pageQuery, StringEnum, Type, type Static } from '../../platform/schemas.js';
import { TEXT_ENCODINGS } from './domain/encoding.js';
import { REJECT_REASON_CODES } from './domain/reasons.js';

export { idParams, pageQuery };

export const BATCH_STATUSES = ['posting', 'posted'] as const;
export type BatchStatus = (typeof BATCH_STATUSES)[number];
/** created: a new file, posted now · resumed: a file a crash had left half-posted, finished now · replayed: posted before, nothing changed. */
export const IMPORT_OUTCOMES = ['created', 'resumed', 'replayed'] as const;
export type ImportOutcome = (typeof IMPORT_OUTCOMES)[number];

export const importQuery = Type.Object(
  {
    bank: Type.String({ pattern: '^[A-Z][A-Z0-9_]{1,15}$', description: "the bank's code (ICBC, ABC, CCB, BOC, RCC …)", examples: ['ICBC'] }),
    fileName: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'the name the bank gave the file (shown in lists)', examples: ['ICBC_DK_20261120.csv'] })),
  },
  { additionalProperties: false },
);
export type ImportQuery = Static<typeof importQuery>;

/** A batch (one imported file) as the API shows it. */
export const batchSchema = Type.Object({
  id: Type.Integer(),
  bank: Type.String(),
  fileName: Type.String(),
  sha256: Type.String({ description: "the file's sha256: the same file imported again answers this batch" }),
  encoding: StringEnum(TEXT_ENCODINGS),
  businessDate: Type.String({ format: 'date', description: 'the latest debit date of the posted lines (Asia/Shanghai)' }),
  status: StringEnum(BATCH_STATUSES, { description: 'posting: lines 1..postedThrough are final (a crash interrupted it; import the file again to finish)' }),
  lines: Type.Integer(),
  postedThrough: Type.Integer(),
  accepted: Type.Integer(),
  rejected: Type.Integer(),
  acceptedFen: Fen(),
  createdBy: Nullable(Type.Integer()),
  createdAt: Type.String({ format: 'date-time' }),
  postedAt: Nullable(Type.String({ format: 'date-time' })),
  seconds: Nullable(Type.Number()),
});
export type BankBatch = Static<typeof batchSchema>;

/** The batch with how its money was spread and why lines were rejected. */
export const batchDetailSchema = Type.Object({
  ...batchSchema.properties,
  allocation: Type.Object(
    { payments: Type.Integer(), principalFen: Fen(), penaltyFen: Fen(), prepaidFen: Fen() },
    { description: "how the accepted lines' money was spread over bills (principal, penalty) and the prepaid balance" },
  ),
  rejectedByReason: Type.Array(Type.Object({ reason: StringEnum(REJECT_REASON_CODES), lines: Type.Integer() })),
});
export type BankBatchDetail = Static<typeof batchDetailSchema>;

export const importResponse = Type.Object({
  outcome: StringEnum(IMPORT_OUTCOMES, { description: 'replayed: this file was posted before and nothing changed' }),
  batch: batchDetailSchema,
});
export type ImportResponse = Static<typeof importResponse>;

export const batchPage = pageOf(batchSchema);
