/** JSON schemas of the bank debit file API (validated by Fastify, listed in OpenAPI). */
import { REJECT_REASON_CODES } from './domain/reasons.js';

const nullable = (type: string) => ({ type: [type, 'null'] }) as const;

export { idParams, pageQuery } from '../../platform/schemas.js';


export const importQuery = {
  type: 'object',
  required: ['bank'],
  additionalProperties: false,
  properties: {
    bank: { type: 'string', pattern: '^[A-Z][A-Z0-9_]{1,15}$', description: "the bank's code (ICBC, ABC, CCB, BOC, RCC …)", examples: ['ICBC'] },
    fileName: { type: 'string', minLength: 1, maxLength: 200, description: 'the name the bank gave the file (shown in lists)', examples: ['ICBC_DK_20261120.csv'] },
  },
} as const;

const batchProperties = {
  id: { type: 'integer' },
  bank: { type: 'string' },
  fileName: { type: 'string' },
  sha256: { type: 'string', description: "the file's sha256: the same file imported again answers this batch" },
  encoding: { type: 'string', enum: ['utf-8', 'gb18030'] },
  businessDate: { type: 'string', format: 'date', description: 'the latest debit date of the posted lines (Asia/Shanghai)' },
  status: { type: 'string', enum: ['posting', 'posted'], description: 'posting: lines 1..postedThrough are final (a crash interrupted it; import the file again to finish)' },
  lines: { type: 'integer' },
  postedThrough: { type: 'integer' },
  accepted: { type: 'integer' },
  rejected: { type: 'integer' },
  acceptedFen: { type: 'integer' },
  createdBy: nullable('integer'),
  createdAt: { type: 'string', format: 'date-time' },
  postedAt: { type: ['string', 'null'], format: 'date-time' },
  seconds: nullable('number'),
} as const;

export const batchSchema = { type: 'object', properties: batchProperties } as const;

export const batchDetailSchema = {
  type: 'object',
  properties: {
    ...batchProperties,
    allocation: {
      type: 'object',
      description: "how the accepted lines' money was spread over bills (principal, penalty) and the prepaid balance",
      properties: { payments: { type: 'integer' }, principalFen: { type: 'integer' }, penaltyFen: { type: 'integer' }, prepaidFen: { type: 'integer' } },
    },
    rejectedByReason: {
      type: 'array',
      items: { type: 'object', properties: { reason: { type: 'string', enum: REJECT_REASON_CODES }, lines: { type: 'integer' } } },
    },
  },
} as const;

export const importResponse = {
  type: 'object',
  properties: {
    outcome: { type: 'string', enum: ['created', 'resumed', 'replayed'], description: 'replayed: this file was posted before and nothing changed' },
    batch: batchDetailSchema,
  },
} as const;

export const batchPage = { type: 'object', properties: { items: { type: 'array', items: batchSchema }, nextCursor: nullable('string') } } as const;
