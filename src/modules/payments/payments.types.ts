/**
 * The payments API's schemas (validated by Fastify, listed in OpenAPI) and, through `Static`, the types
 * the use cases return and the web app imports.
 */
import { Fen, idParams, Nullable, pageOf, pageQuery, StringEnum, Type, type Static } from '../../platform/schemas.js';
import { CHANNELS } from './domain/channels.js';

export { idParams, pageQuery };

export const APPROVAL_KINDS = ['payment.reversal', 'prepaid.refund', 'penalty.waiver'] as const;
export type ApprovalKind = (typeof APPROVAL_KINDS)[number];
export const APPROVAL_STATUSES = ['pending', 'approved', 'rejected'] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];

const MAX_FEN = 100_000_000_00;

export const counterBody = Type.Object(
  { accountId: Type.Integer({ minimum: 1 }), amountFen: Fen({ minimum: 1, maximum: MAX_FEN, description: 'integer fen (1 元 = 100)' }) },
  { additionalProperties: false },
);
export type CounterPayment = Static<typeof counterBody>;

export const idempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ description: 'required: the same key and body replays the first answer' })),
});

export const allocationSchema = Type.Object({
  lineNo: Type.Integer(),
  billId: Nullable(Type.Integer()),
  period: Nullable(Type.String()),
  penaltyFen: Fen(),
  principalFen: Fen(),
  prepaidFen: Fen(),
});
export type Allocation = Static<typeof allocationSchema>;

/** A payment as an account's list shows it. */
export const paymentSummarySchema = Type.Object({
  id: Type.Integer(),
  channel: StringEnum(CHANNELS),
  channelTxnId: Type.String(),
  amountFen: Fen(),
  principalFen: Fen(),
  penaltyFen: Fen(),
  prepaidFen: Fen(),
  paidAt: Type.String(),
  businessDate: Type.String(),
  reversed: Type.Boolean(),
  operatorName: Nullable(Type.String()),
  receiptNo: Type.String({ description: 'the number printed on the receipt' }),
});
export type PaymentSummary = Static<typeof paymentSummarySchema>;

/** One payment and where its money went: what the receipt prints. */
export const paymentSchema = Type.Object({
  ...paymentSummarySchema.properties,
  accountId: Type.Integer(),
  accountNo: Type.String(),
  accountName: Type.String(),
  allocations: Type.Array(allocationSchema),
});
export type Payment = Static<typeof paymentSchema>;

export const paymentPage = pageOf(paymentSummarySchema);

export const statementQuery = Type.Object(
  { asOf: Type.Optional(Type.String({ format: 'date', description: 'business date (default today)' })) },
  { additionalProperties: false },
);

export const openBillSchema = Type.Object({
  billId: Type.Integer(),
  period: Type.String(),
  dueOn: Type.String(),
  principalDueFen: Fen(),
  principalOpenFen: Fen(),
  penaltyFen: Fen({ description: 'penalty open on the statement day: charged and not paid or waived, plus what has accrued since' }),
  overdueDays: Type.Integer(),
});
export type OpenBill = Static<typeof openBillSchema>;

export const settlementSchema = Type.Object({
  billId: Type.Integer(),
  principalPaidFen: Fen(),
  penaltyChargedFen: Fen(),
  penaltyPaidFen: Fen(),
  penaltyWaivedFen: Fen(),
  settledOn: Nullable(Type.String()),
});
export type Settlement = Static<typeof settlementSchema>;

/** An account's position on a day; `toPayFen` (arrears + penalty) settles every open bill, prepaid shown beside it. */
export const accountStatementSchema = Type.Object({
  accountId: Type.Integer(),
  asOf: Type.String(),
  arrearsFen: Fen(),
  penaltyFen: Fen(),
  prepaidFen: Fen(),
  toPayFen: Fen(),
  openBills: Type.Array(openBillSchema),
});
export type AccountStatement = Static<typeof accountStatementSchema>;

/** The statement with every bill that money or a waiver has reached. */
export const statementSchema = Type.Object({ ...accountStatementSchema.properties, settlements: Type.Array(settlementSchema) });
export type Statement = Static<typeof statementSchema>;

export const approvalBody = Type.Object(
  {
    kind: StringEnum(APPROVAL_KINDS),
    accountId: Type.Optional(Type.Integer({ minimum: 1, description: 'refund and waiver' })),
    paymentId: Type.Optional(Type.Integer({ minimum: 1, description: 'reversal' })),
    billId: Type.Optional(Type.Integer({ minimum: 1, description: 'waiver' })),
    amountFen: Type.Optional(Fen({ minimum: 1, maximum: MAX_FEN, description: 'refund and waiver' })),
    reason: Type.String({ minLength: 2, maxLength: 500 }),
  },
  { additionalProperties: false },
);
export type ApprovalInput = Static<typeof approvalBody>;

export const decisionBody = Type.Object({ approve: Type.Boolean(), note: Type.Optional(Type.String({ maxLength: 500 })) }, { additionalProperties: false });
export type Decision = Static<typeof decisionBody>;

export const approvalQuery = Type.Object(
  { status: Type.Optional(StringEnum(APPROVAL_STATUSES)), ...pageQuery.properties },
  { additionalProperties: false },
);

export const approvalSchema = Type.Object({
  id: Type.Integer(),
  kind: StringEnum(APPROVAL_KINDS),
  accountId: Type.Integer(),
  accountNo: Type.String(),
  accountName: Type.String(),
  paymentId: Nullable(Type.Integer()),
  billId: Nullable(Type.Integer()),
  amountFen: Fen(),
  reason: Type.String(),
  status: StringEnum(APPROVAL_STATUSES),
  requestedBy: Type.String(),
  requestedByRole: Type.String(),
  requestedAt: Type.String(),
  decidedBy: Nullable(Type.String()),
  decidedAt: Nullable(Type.String()),
  decisionNote: Nullable(Type.String()),
  mayDecide: Type.Optional(Type.Boolean({ description: 'only in lists: you may approve or reject it (one level above the requester, not your own)' })),
});
export type Approval = Static<typeof approvalSchema>;
export const approvalPage = pageOf(approvalSchema);
