/** JSON schemas of the payments API (validated by Fastify, listed in OpenAPI). */

const nullable = (type: string) => ({ type: [type, 'null'] }) as const;
const fen = { type: 'integer' } as const;

export { idParams, pageQuery } from '../../platform/schemas.js';

export const counterBody = {
  type: 'object',
  required: ['accountId', 'amountFen'],
  additionalProperties: false,
  properties: {
    accountId: { type: 'integer', minimum: 1 },
    amountFen: { type: 'integer', minimum: 1, maximum: 100_000_000_00, description: 'integer fen (1 元 = 100)' },
  },
} as const;

export const idempotencyHeaders = {
  type: 'object',
  properties: { 'idempotency-key': { type: 'string', description: 'required: the same key and body replays the first answer' } },
} as const;

const allocation = {
  type: 'object',
  properties: { lineNo: { type: 'integer' }, billId: nullable('integer'), period: nullable('string'), penaltyFen: fen, principalFen: fen, prepaidFen: fen },
} as const;

export const paymentSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    accountId: { type: 'integer' },
    accountNo: { type: 'string' },
    accountName: { type: 'string' },
    channel: { type: 'string' },
    channelTxnId: { type: 'string' },
    amountFen: fen,
    principalFen: fen,
    penaltyFen: fen,
    prepaidFen: fen,
    paidAt: { type: 'string' },
    businessDate: { type: 'string' },
    operatorName: nullable('string'),
    reversed: { type: 'boolean' },
    receiptNo: { type: 'string' },
    allocations: { type: 'array', items: allocation },
  },
} as const;

export const paymentPage = {
  type: 'object',
  properties: {
    items: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: { type: 'integer' },
          channel: { type: 'string' },
          channelTxnId: { type: 'string' },
          amountFen: fen,
          principalFen: fen,
          penaltyFen: fen,
          prepaidFen: fen,
          paidAt: { type: 'string' },
          businessDate: { type: 'string' },
          reversed: { type: 'boolean' },
          operatorName: nullable('string'),
          receiptNo: { type: 'string' },
        },
      },
    },
    nextCursor: nullable('string'),
  },
} as const;

export const statementQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { asOf: { type: 'string', format: 'date', description: 'business date (default today)' } },
} as const;

export const statementSchema = {
  type: 'object',
  properties: {
    accountId: { type: 'integer' },
    asOf: { type: 'string' },
    arrearsFen: fen,
    penaltyFen: fen,
    prepaidFen: fen,
    toPayFen: fen,
    openBills: {
      type: 'array',
      items: {
        type: 'object',
        properties: { billId: { type: 'integer' }, period: { type: 'string' }, dueOn: { type: 'string' }, principalDueFen: fen, principalOpenFen: fen, penaltyFen: fen, overdueDays: { type: 'integer' } },
      },
    },
    settlements: {
      type: 'array',
      items: {
        type: 'object',
        properties: { billId: { type: 'integer' }, principalPaidFen: fen, penaltyChargedFen: fen, penaltyPaidFen: fen, penaltyWaivedFen: fen, settledOn: nullable('string') },
      },
    },
  },
} as const;

export const approvalBody = {
  type: 'object',
  required: ['kind', 'reason'],
  additionalProperties: false,
  properties: {
    kind: { type: 'string', enum: ['payment.reversal', 'prepaid.refund', 'penalty.waiver'] },
    accountId: { type: 'integer', minimum: 1, description: 'refund and waiver' },
    paymentId: { type: 'integer', minimum: 1, description: 'reversal' },
    billId: { type: 'integer', minimum: 1, description: 'waiver' },
    amountFen: { type: 'integer', minimum: 1, maximum: 100_000_000_00, description: 'refund and waiver' },
    reason: { type: 'string', minLength: 2, maxLength: 500 },
  },
} as const;

export const decisionBody = {
  type: 'object',
  required: ['approve'],
  additionalProperties: false,
  properties: { approve: { type: 'boolean' }, note: { type: 'string', maxLength: 500 } },
} as const;

export const approvalQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { status: { type: 'string', enum: ['pending', 'approved', 'rejected'] }, limit: { type: 'integer', minimum: 1, maximum: 500 }, cursor: { type: 'string', maxLength: 64 } },
} as const;

const approval = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    kind: { type: 'string' },
    accountId: { type: 'integer' },
    accountNo: { type: 'string' },
    accountName: { type: 'string' },
    paymentId: nullable('integer'),
    billId: nullable('integer'),
    amountFen: fen,
    reason: { type: 'string' },
    status: { type: 'string' },
    requestedBy: { type: 'string' },
    requestedByRole: { type: 'string' },
    requestedAt: { type: 'string' },
    decidedBy: nullable('string'),
    decidedAt: nullable('string'),
    decisionNote: nullable('string'),
    mayDecide: { type: 'boolean' },
  },
} as const;

export const approvalSchema = approval;
export const approvalPage = { type: 'object', properties: { items: { type: 'array', items: approval }, nextCursor: nullable('string') } } as const;
