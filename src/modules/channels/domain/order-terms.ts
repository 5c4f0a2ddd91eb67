/**
 * What a payment order may be for and what state it can be in: pure constants, shared by the rules
 * (orders.ts), the API's schemas and, through them, the web app (which may not import node:crypto).
 */

/** Largest single online payment: 1,000,000 元. */
export const MAX_ORDER_FEN = 100_000_000;

/** An order's status as the API shows it: an open order past its expiry reads as expired. */
export const ORDER_STATUSES = ['open', 'expired', 'paid', 'closed'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];
