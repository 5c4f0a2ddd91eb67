/**
 * What a refused channel callback is, as data. Every refusal becomes one `security_event` row (kind,
 * reason, detail) and a warn log line, and has no ledger effect. Kinds are a closed list so the
 * security log can be counted and alerted on by kind.
 */
export const ONLINE_CHANNELS = ['wechatpay', 'alipay', 'gridapp'] as const;
export type OnlineChannel = (typeof ONLINE_CHANNELS)[number];

export const REFUSAL_KINDS = [
  'malformed', // not the notification shape at all (missing header or field, unparsable body)
  'bad_signature', // signature missing or not valid for the configured key (incl. an unknown WeChat platform serial)
  'weak_sign_type', // Alipay sign_type other than RSA2
  'stale_timestamp', // outside the ±5 min window
  'replayed_nonce', // a nonce seen before on this channel
  'bad_ciphertext', // WeChat resource does not decrypt (wrong key, flipped tag, wrong associated data)
  'wrong_merchant', // mchid / appid / app_id / seller_id not ours
  'unpaid_status', // trade state is not a successful payment
  'unknown_order', // out_trade_no is not one of our orders
  'wrong_channel', // the order was opened for another channel
  'wrong_amount', // the amount paid is not the order's amount
  'order_already_paid', // the order was paid by another channel transaction
  'txn_conflict', // the channel transaction id was applied before with another amount or account
  'refund_notice', // a refund, or the close after one: never credited; acknowledged to the channel and kept for review
] as const;
export type RefusalKind = (typeof REFUSAL_KINDS)[number];

export class Refusal extends Error {
  constructor(
    readonly kind: RefusalKind,
    readonly reason: string,
    readonly detail: Record<string, unknown> = {},
  ) {
    super(`${kind}: ${reason}`);
    this.name = 'Refusal';
  }
}

/** A verified "the customer paid" notice, whatever channel it came from. */
export interface PaidNotice {
  channel: OnlineChannel;
  outTradeNo: string;
  channelTxnId: string;
  amountFen: number;
  paidAt: Date;
  /** The replay-protection nonce of the delivery (WeChat, grid app); Alipay has none. */
  nonce: string | null;
}

/** How far a callback's timestamp may be from our clock (both ways). */
export const TIMESTAMP_WINDOW_SECONDS = 300;

/** A Unix-seconds timestamp header within the window of `now`, or a refusal. */
export function checkTimestamp(text: string, now: Date, windowSeconds = TIMESTAMP_WINDOW_SECONDS): number {
  if (!/^[0-9]{1,12}$/.test(text)) throw new Refusal('malformed', 'timestamp is not Unix seconds', { timestamp: text.slice(0, 40) });
  const seconds = Number(text);
  const skew = Math.abs(now.getTime() / 1000 - seconds);
  if (skew > windowSeconds) throw new Refusal('stale_timestamp', `timestamp is ${Math.round(skew)} s away from now (window ±${windowSeconds} s)`, { timestamp: seconds });
  return seconds;
}

/** A nonce as the channels send it: printable ASCII, 1–64 characters. */
export function checkNonce(text: string): string {
  if (!/^[\x21-\x7e]{1,64}$/.test(text)) throw new Refusal('malformed', 'nonce missing or not 1–64 printable characters');
  return text;
}

/** A channel transaction id we can store (payment.channel_txn_id is 1–128 characters). */
export function checkTxnId(value: unknown, field: string): string {
  if (typeof value !== 'string' || !/^[\x21-\x7e]{1,128}$/.test(value)) throw new Refusal('malformed', `${field} missing or not 1–128 printable characters`);
  return value;
}

export function checkOutTradeNo(value: unknown, field: string): string {
  if (typeof value !== 'string' || !/^[0-9A-Za-z_\-|*]{1,64}$/.test(value)) throw new Refusal('malformed', `${field} missing or malformed`);
  return value;
}

/** A header value as one string (Node gives arrays for repeated headers: refuse those). */
export function headerOf(headers: Record<string, string | string[] | undefined>, name: string): string {
  const v = headers[name.toLowerCase()];
  if (typeof v !== 'string' || v === '') throw new Refusal('malformed', `header ${name} missing`);
  return v;
}

/**
 * Whether the channel is told the notification was received although nothing was credited: a genuine
 * refund notice is recorded for review, and the channel need not send it again.
 */
export function acknowledged(kind: RefusalKind): boolean {
  return kind === 'refund_notice';
}

/** The HTTP status a refusal answers with: 401 when the sender is not proven, 400 otherwise. */
export function refusalStatus(kind: RefusalKind): 400 | 401 {
  return kind === 'bad_signature' || kind === 'weak_sign_type' || kind === 'stale_timestamp' || kind === 'replayed_nonce' ? 401 : 400;
}
