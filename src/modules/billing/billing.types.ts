/**
 * The billing API's schemas (validated by Fastify, listed in OpenAPI) and, through `Static`, the types
 * the use cases return and the web app imports. A bill with its lines and a correction's body take the
 * tariffs module's line schemas: they are in billing.lines.ts, which the web cannot type-check.
 */
import { Fen, idParams, Nullable, pageOf, pageQuery, StringEnum, Type, type Static } from '../../platform/schemas.js';

export { idParams, pageQuery };

export const BILL_RUN_STATUSES = ['rating', 'review', 'approved', 'issuing', 'issued', 'failed'] as const;
export type BillRunStatus = (typeof BILL_RUN_STATUSES)[number];
/** The phases that run in batches: a failed run failed in one of them and resumes there. */
export const BILL_RUN_PHASES = ['rating', 'issuing'] as const;
export type BillRunPhase = (typeof BILL_RUN_PHASES)[number];
export const BILL_KINDS = ['regular', 'adjustment'] as const;
export type BillKind = (typeof BILL_KINDS)[number];
export const BILL_STATUSES = ['draft', 'issued'] as const;
export type BillStatus = (typeof BILL_STATUSES)[number];

/** A response field of a closed set of strings, or null. */
const NullableEnum = <const T extends readonly string[]>(values: T, options: { description?: string } = {}) =>
  Type.Unsafe<T[number] | null>({ type: ['string', 'null'], enum: [...values, null], ...options });
/** A JSON object of any keys, typed as the keys the API promises. */
const OpenObject = <T extends Record<string, unknown>>(options: { description?: string } = {}) => Type.Unsafe<T>({ type: 'object', additionalProperties: true, ...options });

export const startRunBody = Type.Object(
  { period: Type.String({ pattern: '^[0-9]{4}-(0[1-9]|1[0-2])$', description: 'the month to bill, YYYY-MM', examples: ['2026-10'] }) },
  { additionalProperties: false },
);
export type StartRunInput = Static<typeof startRunBody>;

export const approveBody = Type.Object({ note: Type.Optional(Type.String({ maxLength: 500 })) }, { additionalProperties: false });
export type ApproveInput = Static<typeof approveBody>;

export const exceptionQuery = Type.Object(
  {
    kind: Type.Optional(Type.String({ pattern: '^[a-z_]{2,40}$' })),
    blocking: Type.Optional(Type.Boolean()),
    stationId: Type.Optional(Type.Integer({ minimum: 1 })),
    accountId: Type.Optional(Type.Integer({ minimum: 1 })),
    ...pageQuery.properties,
  },
  { additionalProperties: false },
);
export type ExceptionQuery = Static<typeof exceptionQuery>;

/** Progress of the phase under way, with an ETA from the speed since this process (re)started it. */
export const runProgressSchema = Type.Object({
  phase: NullableEnum(BILL_RUN_PHASES),
  done: Type.Integer(),
  total: Type.Integer(),
  percent: Type.Number(),
  perSecond: Nullable(Type.Integer()),
  etaSeconds: Nullable(Type.Integer({ description: 'seconds left at the speed of the phase so far' })),
});
export type BillRunProgress = Static<typeof runProgressSchema>;

export const runSchema = Type.Object({
  id: Type.Integer(),
  period: Type.String(),
  status: StringEnum(BILL_RUN_STATUSES),
  failedStatus: NullableEnum(BILL_RUN_PHASES, { description: 'the phase a failed run failed in (starting it again resumes there)' }),
  error: Nullable(Type.String()),
  progress: runProgressSchema,
  counts: Type.Object({
    accountsTotal: Type.Integer(),
    accountsDone: Type.Integer(),
    bills: Type.Integer(),
    lines: Type.Integer(),
    exceptions: Type.Integer(),
    blockingExceptions: Type.Integer({ description: 'accounts with no bill in this run' }),
    issuedBills: Type.Integer(),
  }),
  totalFen: Fen({ description: 'sum of the bills rated' }),
  issuedFen: Fen({ description: 'sum of the bills issued (posted to receivable)' }),
  issueDate: Nullable(Type.String()),
  createdAt: Nullable(Type.String()),
  ratedAt: Nullable(Type.String()),
  approvedBy: Nullable(Type.Integer()),
  approvedAt: Nullable(Type.String()),
  approvalNote: Nullable(Type.String()),
  issueStartedAt: Nullable(Type.String()),
  issuedAt: Nullable(Type.String()),
  timings: OpenObject<{ ratingSeconds?: number; issueSeconds?: number; [phase: string]: unknown }>({ description: 'seconds each phase took' }),
  exceptionsByKind: Type.Optional(
    Type.Array(Type.Object({ kind: Type.String(), blocking: Type.Boolean(), count: Type.Integer() }), { description: 'only on GET /bill-runs/:id and the answers of its POSTs' }),
  ),
});
export type BillRun = Static<typeof runSchema>;
export const runPage = pageOf(runSchema);

export const exceptionSchema = Type.Object({
  id: Type.Integer(),
  accountId: Type.Integer(),
  accountNo: Type.String(),
  accountName: Type.String(),
  stationId: Type.Integer(),
  areaId: Type.Integer(),
  billId: Nullable(Type.Integer()),
  kind: Type.String(),
  blocking: Type.Boolean({ description: 'true: the account has no bill in this run' }),
  detail: OpenObject<{ message?: string; [k: string]: unknown }>(),
  resolved: Type.Boolean(),
});
export type BillRunException = Static<typeof exceptionSchema>;
export const exceptionPage = pageOf(exceptionSchema);

const decimalText = Nullable(Type.String({ description: 'exact decimal' }));

/** A bill without its lines, as an account's list shows it. */
export const billSummarySchema = Type.Object({
  id: Type.Integer(),
  accountId: Type.Integer(),
  period: Type.String(),
  billRunId: Nullable(Type.Integer()),
  kind: StringEnum(BILL_KINDS),
  status: StringEnum(BILL_STATUSES),
  tariffCode: Type.String(),
  tariffEffectiveFrom: Nullable(Type.String()),
  totalFen: Fen(),
  usage: Type.Object({
    kwh: decimalText,
    peakKwh: decimalText,
    flatKwh: decimalText,
    valleyKwh: decimalText,
    kvarh: decimalText,
    maxDemandKw: decimalText,
    days: Nullable(Type.Integer()),
  }),
  flags: Type.Object({ estimated: Type.Boolean(), outlier: Type.Boolean(), rollover: Type.Boolean() }),
  createdAt: Nullable(Type.String()),
  issuedAt: Nullable(Type.String()),
  dueOn: Nullable(Type.String()),
  adjustsBillId: Nullable(Type.Integer()),
  reason: Nullable(Type.String()),
});
export type BillSummary = Static<typeof billSummarySchema>;
export const billPage = pageOf(billSummarySchema);
