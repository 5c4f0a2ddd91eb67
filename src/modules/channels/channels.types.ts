import { pageOf, pageQuery } from '../../platform/schemas.js';
/** JSON schemas of the channels API (validated by Fastify, listed in OpenAPI). */
import { MAX_ORDER_FEN } from './domain/orders.js';
import { ONLINE_CHANNELS, REFUSAL_KINDS } from './domain/refusal.js';

const nullable = (type: string) => ({ type: [type, 'null'] }) as const;

export const orderBody = {
  type: 'object',
  required: ['accountId', 'amountFen', 'channel'],
  additionalProperties: false,
  properties: {
    accountId: { type: 'integer', minimum: 1 },
    amountFen: { type: 'integer', minimum: 1, maximum: MAX_ORDER_FEN, description: 'amount to pay, fen' },
    channel: { type: 'string', enum: [...ONLINE_CHANNELS] },
  },
} as const;

export const outTradeNoParams = {
  type: 'object',
  required: ['outTradeNo'],
  additionalProperties: false,
  properties: { outTradeNo: { type: 'string', pattern: '^[0-9A-Za-z_-]{1,64}$' } },
} as const;

const receipt = {
  type: ['object', 'null'],
  description: 'the payment, once the channel has notified it (for a printed or shown receipt)',
  properties: {
    paymentId: { type: 'integer' },
    accountNo: { type: 'string' },
    maskedName: { type: 'string' },
    channel: { type: 'string' },
    channelTxnId: { type: 'string' },
    amountFen: { type: 'integer' },
    principalFen: { type: 'integer' },
    penaltyFen: { type: 'integer' },
    prepaidFen: { type: 'integer' },
    paidAt: { type: 'string' },
    businessDate: { type: 'string' },
    reversed: { type: 'boolean' },
  },
} as const;

export const orderSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    outTradeNo: { type: 'string' },
    accountId: { type: 'integer' },
    channel: { type: 'string', enum: [...ONLINE_CHANNELS] },
    amountFen: { type: 'integer' },
    status: { type: 'string', enum: ['open', 'expired', 'paid', 'closed'] },
    createdAt: { type: 'string' },
    expiresAt: { type: 'string' },
    paidAt: nullable('string'),
    paymentId: nullable('integer'),
    channelTxnId: nullable('string'),
    checkoutUrl: { type: 'string', description: 'demo mode: the sandbox checkout page of this order' },
    receipt,
  },
} as const;

export const lookupBody = {
  type: 'object',
  required: ['accountNo', 'name'],
  additionalProperties: false,
  properties: {
    accountNo: { type: 'string', minLength: 1, maxLength: 32, description: 'the account number (户号) on the bill' },
    name: { type: 'string', minLength: 1, maxLength: 100, description: "the customer's full registered name" },
  },
} as const;

export const lookupSchema = {
  type: 'object',
  properties: {
    accountId: { type: 'integer' },
    accountNo: { type: 'string' },
    maskedName: { type: 'string' },
    arrearsFen: { type: 'integer' },
    penaltyFen: { type: 'integer' },
    prepaidFen: { type: 'integer' },
    toPayFen: { type: 'integer', description: 'arrears + penalty as of today' },
    openBills: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          billId: { type: 'integer' },
          period: { type: 'string' },
          dueOn: { type: 'string' },
          principalDueFen: { type: 'integer' },
          principalOpenFen: { type: 'integer' },
          penaltyFen: { type: 'integer' },
        },
      },
    },
    channels: { type: 'array', items: { type: 'string' }, description: 'the channels this server takes orders for' },
    payToken: { type: 'string', description: 'send as X-Pay-Token to open and read payment orders of this account' },
    payTokenExpiresAt: { type: 'string' },
  },
} as const;

export const sandboxSchema = {
  type: 'object',
  properties: {
    order: orderSchema,
    merchant: { type: 'string', description: 'who the customer pays, as the channel would show it' },
    delivery: {
      type: ['object', 'null'],
      description: 'the signed notification delivered to our notify route, and its answer',
      properties: { channel: { type: 'string' }, statusCode: { type: 'integer' }, answer: { type: 'string' } },
    },
  },
} as const;

/** The notify routes' refusal (WeChat Pay's expected shape; the grid app's too). */
export const failSchema = { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } } as const;

export const securityEventsQuery = {
  ...pageQuery,
  properties: { ...pageQuery.properties, kind: { type: 'string', enum: [...REFUSAL_KINDS] }, channel: { type: 'string', enum: [...ONLINE_CHANNELS] } },
} as const;

export const securityEventsSchema = pageOf({
  type: 'object',
  properties: {
    id: { type: 'integer' },
    at: { type: 'string' },
    channel: { type: 'string' },
    kind: { type: 'string' },
    reason: { type: 'string' },
    remoteAddr: nullable('string'),
    detail: { type: 'object', additionalProperties: true },
  },
});
