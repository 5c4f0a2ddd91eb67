/**
 * The channels API's schemas (validated by Fastify, listed in OpenAPI) and, through `Static`, the types the
 * use cases return and the web app (the public payment page) imports. The channels' notify routes answer
 * in each channel's own format.
 */
import { Fen, Nullable, pageOf, pageQuery, StringEnum, Type, type Static, type TSchema } from '../../platform/schemas.js';
import { MAX_ORDER_FEN, ORDER_STATUSES } from './domain/order-terms.js';
import { ONLINE_CHANNELS, REFUSAL_KINDS } from './domain/refusal.js';

/** An object or null, kept as `type: ['object', 'null']` (not anyOf), as the API has always described it. */
function NullableObject<T extends TSchema>(schema: T, options: { description?: string } = {}) {
  return Type.Unsafe<Static<T> | null>({ ...schema, type: ['object', 'null'], ...options });
}

export const orderBody = Type.Object(
  {
    accountId: Type.Integer({ minimum: 1 }),
    amountFen: Fen({ minimum: 1, maximum: MAX_ORDER_FEN, description: 'amount to pay, fen' }),
    channel: StringEnum(ONLINE_CHANNELS),
  },
  { additionalProperties: false },
);
export type OrderInput = Static<typeof orderBody>;

/** The payment page's credential, instead of a session (listed under headers). */
export const payTokenHeaders = Type.Object({ 'x-pay-token': Type.Optional(Type.String({ description: 'from POST /pay/lookup; instead of a session' })) });

export const outTradeNoParams = Type.Object({ outTradeNo: Type.String({ pattern: '^[0-9A-Za-z_-]{1,64}$' }) }, { additionalProperties: false });
export type OutTradeNoParams = Static<typeof outTradeNoParams>;

/** The payment of a paid order, for a printed or shown receipt. */
export const orderReceiptSchema = Type.Object({
  paymentId: Type.Integer(),
  accountNo: Type.String(),
  maskedName: Type.String(),
  channel: StringEnum(ONLINE_CHANNELS),
  channelTxnId: Type.String(),
  amountFen: Fen(),
  principalFen: Fen(),
  penaltyFen: Fen(),
  prepaidFen: Fen(),
  paidAt: Type.String(),
  businessDate: Type.String(),
  reversed: Type.Boolean(),
});
export type OrderReceipt = Static<typeof orderReceiptSchema>;

export const orderSchema = Type.Object({
  id: Type.Integer(),
  outTradeNo: Type.String(),
  accountId: Type.Integer(),
  channel: StringEnum(ONLINE_CHANNELS),
  amountFen: Fen(),
  status: StringEnum(ORDER_STATUSES),
  createdAt: Type.String(),
  expiresAt: Type.String(),
  paidAt: Nullable(Type.String()),
  paymentId: Nullable(Type.Integer()),
  channelTxnId: Nullable(Type.String()),
  receipt: NullableObject(orderReceiptSchema, { description: 'the payment, once the channel has notified it (for a printed or shown receipt)' }),
  // optional properties are serialized after the required ones: listed last, as they are sent
  checkoutUrl: Type.Optional(Type.String({ description: 'demo mode: the sandbox checkout page of this order' })),
});
export type PaymentOrder = Static<typeof orderSchema>;

export const lookupBody = Type.Object(
  {
    accountNo: Type.String({ minLength: 1, maxLength: 32, description: 'the account number (户号) on the bill' }),
    name: Type.String({ minLength: 1, maxLength: 100, description: "the customer's full registered name" }),
  },
  { additionalProperties: false },
);
export type LookupInput = Static<typeof lookupBody>;

export const lookupBillSchema = Type.Object({
  billId: Type.Integer(),
  period: Type.String(),
  dueOn: Type.String(),
  principalDueFen: Fen(),
  principalOpenFen: Fen(),
  penaltyFen: Fen(),
});
export type LookupBill = Static<typeof lookupBillSchema>;

export const lookupSchema = Type.Object({
  accountId: Type.Integer(),
  accountNo: Type.String(),
  maskedName: Type.String({ description: "the customer's name as the page may show it: 张*明" }),
  arrearsFen: Fen(),
  penaltyFen: Fen(),
  prepaidFen: Fen(),
  toPayFen: Fen({ description: 'arrears + penalty as of today' }),
  openBills: Type.Array(lookupBillSchema),
  channels: Type.Array(StringEnum(ONLINE_CHANNELS), { description: 'the channels this server takes orders for' }),
  payToken: Type.String({ description: 'send as X-Pay-Token to open and read payment orders of this account' }),
  payTokenExpiresAt: Type.String(),
});
export type Lookup = Static<typeof lookupSchema>;

export const sandboxSchema = Type.Object({
  order: orderSchema,
  merchant: Type.String({ description: 'who the customer pays, as the channel would show it' }),
  delivery: NullableObject(Type.Object({ channel: StringEnum(ONLINE_CHANNELS), statusCode: Type.Integer(), answer: Type.String() }), {
    description: 'the signed notification delivered to our notify route, and its answer',
  }),
});
export type SandboxView = Static<typeof sandboxSchema>;

/**
 * The notify routes' refusal (WeChat Pay's expected shape; the grid app's too). An error answered as a
 * problem (413, 429 …) on these routes keeps only its code.
 */
export const failSchema = Type.Object({ code: Type.String(), message: Type.Optional(Type.String()) });

export const securityEventsQuery = Type.Object(
  { ...pageQuery.properties, kind: Type.Optional(StringEnum(REFUSAL_KINDS)), channel: Type.Optional(StringEnum(ONLINE_CHANNELS)) },
  { additionalProperties: false },
);
export type SecurityEventsQuery = Static<typeof securityEventsQuery>;

export const securityEventSchema = Type.Object({
  id: Type.Integer(),
  at: Type.String(),
  channel: StringEnum(ONLINE_CHANNELS),
  kind: StringEnum(REFUSAL_KINDS),
  reason: Type.String(),
  remoteAddr: Nullable(Type.String()),
  detail: Type.Unsafe<Record<string, unknown>>({ type: 'object', additionalProperties: true }),
});
export type SecurityEvent = Static<typeof securityEventSchema>;

export const securityEventsSchema = pageOf(securityEventSchema);
