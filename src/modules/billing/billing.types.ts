/** JSON schemas of the billing API (validated by Fastify, listed in OpenAPI). */
import { billLinesViewProperties, presentedLineSchema, ratingUsageSchema } from '../tariffs/index.js';

const nullable = (type: string) => ({ type: [type, 'null'] }) as const;
const decimalText = { type: ['string', 'null'], description: 'exact decimal' } as const;

export { idParams, pageQuery } from '../../platform/schemas.js';

export const startRunBody = {
  type: 'object',
  required: ['period'],
  additionalProperties: false,
  properties: { period: { type: 'string', pattern: '^[0-9]{4}-(0[1-9]|1[0-2])$', description: 'the month to bill, YYYY-MM', examples: ['2026-10'] } },
} as const;

export const approveBody = {
  type: 'object',
  additionalProperties: false,
  properties: { note: { type: 'string', maxLength: 500 } },
} as const;

export const exceptionQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    kind: { type: 'string', pattern: '^[a-z_]{2,40}$' },
    blocking: { type: 'boolean' },
    stationId: { type: 'integer', minimum: 1 },
    accountId: { type: 'integer', minimum: 1 },
    limit: { type: 'integer', minimum: 1, maximum: 500 },
    cursor: { type: 'string', maxLength: 64 },
  },
} as const;

const progress = {
  type: 'object',
  properties: {
    phase: nullable('string'),
    done: { type: 'integer' },
    total: { type: 'integer' },
    percent: { type: 'number' },
    perSecond: nullable('integer'),
    etaSeconds: { ...nullable('integer'), description: 'seconds left at the speed of the phase so far' },
  },
} as const;

export const runSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    period: { type: 'string' },
    status: { type: 'string', enum: ['rating', 'review', 'approved', 'issuing', 'issued', 'failed'] },
    failedStatus: nullable('string'),
    error: nullable('string'),
    progress,
    counts: {
      type: 'object',
      properties: {
        accountsTotal: { type: 'integer' },
        accountsDone: { type: 'integer' },
        bills: { type: 'integer' },
        lines: { type: 'integer' },
        exceptions: { type: 'integer' },
        blockingExceptions: { type: 'integer', description: 'accounts with no bill in this run' },
        issuedBills: { type: 'integer' },
      },
    },
    totalFen: { type: 'integer', description: 'sum of the bills rated' },
    issuedFen: { type: 'integer', description: 'sum of the bills issued (posted to receivable)' },
    issueDate: nullable('string'),
    createdAt: nullable('string'),
    ratedAt: nullable('string'),
    approvedBy: nullable('integer'),
    approvedAt: nullable('string'),
    approvalNote: nullable('string'),
    issueStartedAt: nullable('string'),
    issuedAt: nullable('string'),
    timings: { type: 'object', additionalProperties: true },
    exceptionsByKind: { type: 'array', items: { type: 'object', properties: { kind: { type: 'string' }, blocking: { type: 'boolean' }, count: { type: 'integer' } } } },
  },
} as const;

export const runPage = { type: 'object', properties: { items: { type: 'array', items: runSchema }, nextCursor: nullable('string') } } as const;

export const exceptionSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    accountId: { type: 'integer' },
    accountNo: { type: 'string' },
    accountName: { type: 'string' },
    stationId: { type: 'integer' },
    areaId: { type: 'integer' },
    billId: nullable('integer'),
    kind: { type: 'string' },
    blocking: { type: 'boolean', description: 'true: the account has no bill in this run' },
    detail: { type: 'object', additionalProperties: true },
    resolved: { type: 'boolean' },
  },
} as const;

export const exceptionPage = { type: 'object', properties: { items: { type: 'array', items: exceptionSchema }, nextCursor: nullable('string') } } as const;

/** A stored line as presented (tariffs' presentBillLines): units, the part-month factor, and its lineNo. */
const lineSchema = {
  ...presentedLineSchema,
  properties: { lineNo: { type: 'integer' }, ...presentedLineSchema.properties },
} as const;

const billProperties = {
  id: { type: 'integer' },
  accountId: { type: 'integer' },
  period: { type: 'string' },
  billRunId: nullable('integer'),
  kind: { type: 'string', enum: ['regular', 'adjustment'] },
  status: { type: 'string', enum: ['draft', 'issued'] },
  tariffCode: { type: 'string' },
  tariffEffectiveFrom: nullable('string'),
  totalFen: { type: 'integer' },
  usage: {
    type: 'object',
    properties: { kwh: decimalText, peakKwh: decimalText, flatKwh: decimalText, valleyKwh: decimalText, kvarh: decimalText, maxDemandKw: decimalText, days: nullable('integer') },
  },
  flags: { type: 'object', properties: { estimated: { type: 'boolean' }, outlier: { type: 'boolean' }, rollover: { type: 'boolean' } } },
  createdAt: nullable('string'),
  issuedAt: nullable('string'),
  dueOn: nullable('string'),
  adjustsBillId: nullable('integer'),
  reason: nullable('string'),
} as const;

export const billSummarySchema = { type: 'object', properties: billProperties } as const;
export const billSchema = {
  type: 'object',
  properties: { ...billProperties, ...billLinesViewProperties, lines: { type: 'array', items: lineSchema }, adjustmentIds: { type: 'array', items: { type: 'integer' } } },
} as const;
export const billPage = { type: 'object', properties: { items: { type: 'array', items: billSummarySchema }, nextCursor: nullable('string') } } as const;

export const adjustmentBody = {
  type: 'object',
  required: ['reason'],
  additionalProperties: false,
  description: 'either usage (re-rate the period with corrected usage; the adjustment is the difference) or lines (signed amounts by hand)',
  properties: {
    reason: { type: 'string', minLength: 1, maxLength: 500 },
    usage: ratingUsageSchema,
    lines: {
      type: 'array',
      minItems: 1,
      maxItems: 20,
      items: {
        type: 'object',
        required: ['code', 'quantity', 'unitPrice'],
        additionalProperties: false,
        properties: {
          code: { type: 'string', pattern: '^[a-z]+(\\.[a-z0-9]+)*$', examples: ['energy.tier1'] },
          quantity: { type: 'string', pattern: '^-?[0-9]{1,12}(\\.[0-9]{1,4})?$', examples: ['-50.00'] },
          unitPrice: { type: 'string', pattern: '^-?[0-9]{1,6}(\\.[0-9]{1,10})?$', examples: ['0.5100'] },
        },
      },
    },
  },
} as const;
