import { yuanOf } from '../../../shared/money.js';

/**
 * Reconciliation matching (对账), pure: a statement row against what the ledger holds for its channel
 * transaction id. The import use case does the same set-based in SQL (reconciliation.repository.ts);
 * these functions are its specification and what the tests pin down.
 */

export const ITEM_STATUSES = ['matched', 'channel_only', 'ledger_only', 'amount_mismatch'] as const;
export type ItemStatus = (typeof ITEM_STATUSES)[number];

export const RESOLUTIONS = ['accepted_statement', 'channel_error', 'written_off'] as const;
export type Resolution = (typeof RESOLUTIONS)[number];

/** What the ledger holds for a channel transaction id. */
export interface LedgerPayment {
  paymentId: number;
  accountId: number;
  amountFen: number;
  reversed: boolean;
}

/**
 * The ledger's side of a payment: its amount, or 0 once reversed (冲正) — the money the channel took is
 * then no longer on the customer's account, which is a difference to review like any other.
 */
export function ledgerSide(p: LedgerPayment): number {
  return p.reversed ? 0 : p.amountFen;
}

/**
 * A statement row whose transaction id is in the ledger: matched when the amounts agree, else
 * amount_mismatch (quarantined for review: nothing is applied or changed).
 */
export function classify(statementFen: number, ledger: LedgerPayment): 'matched' | 'amount_mismatch' {
  return ledgerSide(ledger) === statementFen ? 'matched' : 'amount_mismatch';
}

/** Where a statement row not in the ledger gets applied: a payment order (online channels) or an account (bank). */
export interface ApplyTarget {
  accountId: number;
  orderId: number | null;
}

export interface OrderForRow {
  id: number;
  accountId: number;
  channel: string;
  amountFen: number;
}

/**
 * Whether a channel-only row of an online channel can be applied to the order its out_trade_no names:
 * the order must exist, be of this channel and be for the amount the statement says (the same checks a
 * channel callback makes). Otherwise the reason it stays unapplied, for review.
 */
export function targetOfOrder(channel: string, row: { outTradeNo: string | null; amountFen: number }, order: OrderForRow | undefined): ApplyTarget | { reason: string } {
  if (!row.outTradeNo) return { reason: 'no out_trade_no on the statement row' };
  if (!order) return { reason: `no payment order ${row.outTradeNo}` };
  if (order.channel !== channel) return { reason: `payment order ${row.outTradeNo} is for ${order.channel}, not ${channel}` };
  if (order.amountFen !== row.amountFen) return { reason: `payment order ${row.outTradeNo} is for ${order.amountFen} fen, the statement says ${row.amountFen}` };
  return { accountId: order.accountId, orderId: order.id };
}

/** Why a row that could be applied was held for review instead: it credits more than the limit. */
export function heldReason(amountFen: number, limitFen: number): string {
  return `held for review: credits ${yuanOf(amountFen)} 元, above the ${yuanOf(limitFen)} 元 a statement may credit without review (GRANARY_RECON_REVIEW_ABOVE_YUAN)`;
}

/** The same for a bank line: the account its 户号 names. */
export function targetOfAccount(row: { accountNo: string | null }, accountId: number | undefined): ApplyTarget | { reason: string } {
  if (!row.accountNo) return { reason: 'no account number on the statement row' };
  if (accountId === undefined) return { reason: `no account ${row.accountNo}` };
  return { accountId, orderId: null };
}

/**
 * An item is an exception — a difference between ledger and statement that someone must look at — when
 * it is ledger_only, amount_mismatch, or channel_only without a payment (the row could not be applied).
 */
export function isException(item: { status: ItemStatus; paymentId: number | null }): boolean {
  return item.status === 'ledger_only' || item.status === 'amount_mismatch' || (item.status === 'channel_only' && item.paymentId === null);
}

/** Which resolutions fit which items: only exceptions are reviewed. */
export function resolutionProblem(item: { status: ItemStatus; paymentId: number | null; resolved: boolean }): string | null {
  if (item.resolved) return 'the item is already resolved';
  if (!isException(item)) return `a ${item.status.replace('_', '-')} item needs no review`;
  return null;
}

/**
 * I6 for one reconciled channel-day (src/modules/ledger/README.md): the ledger's Σ of non-reversed
 * payments, less the ledger side of the day's exception items, equals the statement's Σ less the
 * statement side of the same items. An item counts as an exception when it is flagged (ledger_only,
 * amount_mismatch, unapplied channel_only) or when its payment was reversed after it matched — resolved
 * or not: a resolution records why the difference is right, it does not make it vanish. What is left is
 * unexplained: the ledger changed on a reconciled day without the reconciliation knowing.
 */
export function unexplainedFen(day: { ledgerFen: number; statementFen: number; exceptionLedgerFen: number; exceptionStatementFen: number }): number {
  return day.ledgerFen - day.exceptionLedgerFen - (day.statementFen - day.exceptionStatementFen);
}
