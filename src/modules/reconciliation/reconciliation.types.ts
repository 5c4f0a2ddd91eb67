/** JSON schemas of the reconciliation API (validated by Fastify, listed in OpenAPI). Statement uploads are raw file bodies. */
import { ITEM_STATUSES, RESOLUTIONS } from './domain/matching.js';
import { RECON_CHANNELS } from './domain/statements.js';

/** The channels a statement can be imported for (the counter has none: its cash is counted at the till). */
const RECONCILIATION_CHANNELS_SCHEMA = { type: 'string', enum: [...RECON_CHANNELS], description: 'wechatpay · alipay · gridapp · bank' } as const;
const nullable = (type: string) => ({ type: [type, 'null'] }) as const;
const date = { type: 'string', pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$', format: 'date' } as const;

export const importQuery = {
  type: 'object',
  required: ['channel'],
  additionalProperties: false,
  properties: {
    channel: RECONCILIATION_CHANNELS_SCHEMA,
    fileName: { type: 'string', minLength: 1, maxLength: 200, description: 'the file name to record (default: statement.csv)' },
    bank: { type: 'string', pattern: '^[A-Z][A-Z0-9_]{1,15}$', description: "bank statements: the bank's code, as in its debit files (ICBC, ABC, CCB, BOC, RCC …)" },
  },
} as const;

const counts = {
  type: 'object',
  properties: {
    matched: { type: 'integer' },
    amountMismatch: { type: 'integer' },
    channelOnlyApplied: { type: 'integer', description: 'on the statement, not in the ledger: applied now, exactly once' },
    channelOnlyUnapplied: { type: 'integer', description: 'on the statement, not in the ledger, and not applied (no order/account to apply it to, or held): for review' },
    heldForReview: { type: 'integer', description: 'of those, rows that credit more than GRANARY_RECON_REVIEW_ABOVE_YUAN: accepting one at review applies it' },
    ledgerOnly: { type: 'integer' },
    alreadyReconciled: { type: 'integer', description: 'rows an earlier statement already reconciled (left as they were)' },
  },
} as const;

export const importResult = {
  type: 'object',
  properties: {
    importId: { type: 'integer' },
    replayed: { type: 'boolean', description: 'true: this file was imported before; its result is returned and nothing changed' },
    channel: { type: 'string' },
    fileName: { type: 'string' },
    sha256: { type: 'string' },
    rows: { type: 'integer', description: 'successful trades on the statement' },
    statementFen: { type: 'integer' },
    refunds: { type: 'object', properties: { count: { type: 'integer' }, fen: { type: 'integer' } }, description: 'refund rows, counted (matched in a later issue)' },
    skipped: { type: 'integer', description: 'rows that moved no money (closed trades, failed debits)' },
    days: { type: 'array', items: { type: 'string' } },
    counts,
  },
} as const;

export const daysQuery = {
  type: 'object',
  required: ['from', 'to'],
  additionalProperties: false,
  properties: { channel: RECONCILIATION_CHANNELS_SCHEMA, from: date, to: date },
} as const;

export const dayRow = {
  type: 'object',
  properties: {
    channel: { type: 'string' },
    date: { type: 'string' },
    statementCount: { type: 'integer' },
    statementFen: { type: 'integer' },
    ledgerCount: { type: 'integer' },
    ledgerFen: { type: 'integer', description: 'Σ of the non-reversed payments of the channel-day in the ledger' },
    matched: { type: 'integer' },
    channelOnly: { type: 'integer' },
    ledgerOnly: { type: 'integer' },
    amountMismatch: { type: 'integer' },
    unresolved: { type: 'integer', description: 'exceptions not yet reviewed' },
  },
} as const;

export const daysPage = { type: 'object', properties: { items: { type: 'array', items: dayRow }, nextCursor: { type: 'null' } } } as const;

export const dayParams = {
  type: 'object',
  required: ['channel', 'date'],
  additionalProperties: false,
  properties: { channel: RECONCILIATION_CHANNELS_SCHEMA, date },
} as const;

export const itemsQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: { type: 'string', enum: [...ITEM_STATUSES] },
    unresolved: { type: 'boolean', description: 'only exceptions not yet reviewed' },
    limit: { type: 'integer', minimum: 1, maximum: 500 },
    cursor: { type: 'string', maxLength: 64 },
  },
} as const;

export const itemSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    channel: { type: 'string' },
    date: { type: 'string' },
    channelTxnId: { type: 'string' },
    outTradeNo: nullable('string'),
    status: { type: 'string', enum: [...ITEM_STATUSES] },
    exception: { type: 'boolean', description: 'a difference to review (ledger-only, amount mismatch, or a channel-only row that could not be applied)' },
    statementFen: nullable('integer'),
    ledgerFen: nullable('integer'),
    paymentId: nullable('integer'),
    accountId: nullable('integer'),
    accountNo: nullable('string'),
    accountName: nullable('string'),
    importId: nullable('integer'),
    statementLine: nullable('integer'),
    reason: nullable('string'),
    held: { type: 'boolean', description: 'credits more than the review limit: accepting the statement applies it' },
    resolved: { type: 'boolean' },
    resolution: { type: ['string', 'null'], enum: [...RESOLUTIONS, null] },
    resolutionNote: nullable('string'),
    resolvedBy: nullable('integer'),
    resolvedAt: { type: ['string', 'null'], format: 'date-time' },
  },
} as const;

export const itemsPage = { type: 'object', properties: { items: { type: 'array', items: itemSchema }, nextCursor: nullable('string') } } as const;

export const itemParams = { type: 'object', required: ['id'], additionalProperties: false, properties: { id: { type: 'integer', minimum: 1 } } } as const;

export const resolveBody = {
  type: 'object',
  required: ['resolution', 'note'],
  additionalProperties: false,
  properties: {
    resolution: {
      type: 'string',
      enum: [...RESOLUTIONS],
      description:
        'accepted_statement: the statement is right and the ledger side was corrected through the payments flow (reversal 冲正); channel_error: the statement is wrong and the channel was asked to correct it; written_off: the difference is accepted as it is',
    },
    note: { type: 'string', minLength: 2, maxLength: 500 },
  },
} as const;

export const xlsxResponse = {
  200: {
    description: 'the channel-day report as a workbook (sheet 对账日报), streamed',
    content: { 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { schema: { type: 'string', format: 'binary' } } },
  },
} as const;

export interface ResolveInput {
  resolution: (typeof RESOLUTIONS)[number];
  note: string;
}
