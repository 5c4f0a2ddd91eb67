/**
 * The reconciliation API's schemas (validated by Fastify, listed in OpenAPI) and, through `Static`, the
 * types the use cases return and the web app imports. Statement uploads are raw file bodies.
 */
import { Fen, idParams, Nullable, pageOf, pageQuery, StringEnum, Type, type Static } from '../../platform/schemas.js';
import { ITEM_STATUSES, RESOLUTIONS, type Resolution } from './domain/matching.js';
import { RECON_CHANNELS } from './domain/statements.js';

export { idParams };

/** The channels a statement can be imported for (the counter has none: its cash is counted at the till). */
const reconChannel = () => StringEnum(RECON_CHANNELS, { description: 'wechatpay · alipay · gridapp · bank' });
const date = Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$', format: 'date' });

export const importQuery = Type.Object(
  {
    channel: reconChannel(),
    fileName: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'the file name to record (default: statement.csv)' })),
    bank: Type.Optional(Type.String({ pattern: '^[A-Z][A-Z0-9_]{1,15}$', description: "bank statements: the bank's code, as in its debit files (ICBC, ABC, CCB, BOC, RCC …)" })),
  },
  { additionalProperties: false },
);
export type ImportQuery = Static<typeof importQuery>;

/** Counts of an import's rows by what became of them. */
export const importCountsSchema = Type.Object({
  matched: Type.Integer(),
  amountMismatch: Type.Integer(),
  channelOnlyApplied: Type.Integer({ description: 'on the statement, not in the ledger: applied now, exactly once' }),
  channelOnlyUnapplied: Type.Integer({ description: 'on the statement, not in the ledger, and not applied (no order/account to apply it to, or held): for review' }),
  heldForReview: Type.Integer({ description: 'of those, rows that credit more than GRANARY_RECON_REVIEW_ABOVE_YUAN: accepting one at review applies it' }),
  ledgerOnly: Type.Integer(),
  alreadyReconciled: Type.Integer({ description: 'rows an earlier statement already reconciled (left as they were)' }),
});
export type ImportCounts = Static<typeof importCountsSchema>;

export const importResult = Type.Object({
  importId: Type.Integer(),
  replayed: Type.Boolean({ description: 'true: this file was imported before; its result is returned and nothing changed' }),
  channel: StringEnum(RECON_CHANNELS),
  fileName: Type.String(),
  sha256: Type.String(),
  rows: Type.Integer({ description: 'successful trades on the statement' }),
  statementFen: Fen(),
  refunds: Type.Object({ count: Type.Integer(), fen: Fen() }, { description: 'refund rows, counted (matched in a later issue)' }),
  skipped: Type.Integer({ description: 'rows that moved no money (closed trades, failed debits)' }),
  days: Type.Array(Type.String()),
  counts: importCountsSchema,
});
export type ImportResult = Static<typeof importResult>;

export const daysQuery = Type.Object({ channel: Type.Optional(reconChannel()), from: date, to: date }, { additionalProperties: false });
export type DaysQuery = Static<typeof daysQuery>;

/** One channel-day of the report. */
export const dayRow = Type.Object({
  channel: StringEnum(RECON_CHANNELS),
  date: Type.String(),
  statementCount: Type.Integer(),
  statementFen: Fen(),
  ledgerCount: Type.Integer(),
  ledgerFen: Fen({ description: 'Σ of the non-reversed payments of the channel-day in the ledger' }),
  matched: Type.Integer(),
  channelOnly: Type.Integer(),
  ledgerOnly: Type.Integer(),
  amountMismatch: Type.Integer(),
  unresolved: Type.Integer({ description: 'exceptions not yet reviewed' }),
});
export type DayRow = Static<typeof dayRow>;

/** The whole report at once (a range is at most 366 days): the list envelope, never a next page. */
export const daysPage = Type.Object({ items: Type.Array(dayRow), nextCursor: Type.Null() });
export type DaysPage = Static<typeof daysPage>;

export const dayParams = Type.Object({ channel: reconChannel(), date }, { additionalProperties: false });
export type DayParams = Static<typeof dayParams>;

export const itemsQuery = Type.Object(
  {
    status: Type.Optional(StringEnum(ITEM_STATUSES)),
    unresolved: Type.Optional(Type.Boolean({ description: 'only exceptions not yet reviewed' })),
    ...pageQuery.properties,
  },
  { additionalProperties: false },
);
export type ItemsQuery = Static<typeof itemsQuery>;

export const itemSchema = Type.Object({
  id: Type.Integer(),
  channel: StringEnum(RECON_CHANNELS),
  date: Type.String(),
  channelTxnId: Type.String(),
  outTradeNo: Nullable(Type.String()),
  status: StringEnum(ITEM_STATUSES),
  exception: Type.Boolean({ description: 'a difference to review (ledger-only, amount mismatch, or a channel-only row that could not be applied)' }),
  statementFen: Nullable(Fen()),
  ledgerFen: Nullable(Fen()),
  paymentId: Nullable(Type.Integer()),
  accountId: Nullable(Type.Integer()),
  accountNo: Nullable(Type.String()),
  accountName: Nullable(Type.String()),
  importId: Nullable(Type.Integer()),
  statementLine: Nullable(Type.Integer()),
  reason: Nullable(Type.String()),
  held: Type.Boolean({ description: 'credits more than the review limit: accepting the statement applies it' }),
  resolved: Type.Boolean(),
  resolution: Type.Unsafe<Resolution | null>({ type: ['string', 'null'], enum: [...RESOLUTIONS, null] }),
  resolutionNote: Nullable(Type.String()),
  resolvedBy: Nullable(Type.Integer()),
  resolvedAt: Nullable(Type.String({ format: 'date-time' })),
});
export type ReconItem = Static<typeof itemSchema>;

export const itemsPage = pageOf(itemSchema);

export const resolveBody = Type.Object(
  {
    resolution: StringEnum(RESOLUTIONS, {
      description:
        'accepted_statement: the statement is right and the ledger side was corrected through the payments flow (reversal 冲正); channel_error: the statement is wrong and the channel was asked to correct it; written_off: the difference is accepted as it is',
    }),
    note: Type.String({ minLength: 2, maxLength: 500 }),
  },
  { additionalProperties: false },
);
export type ResolveInput = Static<typeof resolveBody>;

export const xlsxResponse = {
  200: {
    description: 'the channel-day report as a workbook (sheet 对账日报), streamed',
    content: { 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { schema: { type: 'string', format: 'binary' } } },
  },
} as const;
