import { randomBytes } from 'node:crypto';
import { businessDate } from '../../../shared/business-time.js';
import { maskPersonName } from '../../../shared/mask.js';
import type { OrderStatus } from './order-terms.js';

/** Payment orders (支付订单), pure rules. */

/** How long an order may be paid: the channel's own order should time out no later. */
export const DEFAULT_ORDER_MINUTES = 30;

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 without padding. */
export function base32(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

/**
 * `GR` + the Asia/Shanghai date (yyyymmdd) + 16 base32 characters of 80 random bits: 26 characters,
 * within every channel's 32-character limit, unguessable, and sortable by day in statements.
 */
export function newOutTradeNo(now: Date, random: Uint8Array = randomBytes(10)): string {
  return `GR${businessDate(now).replace(/-/g, '')}${base32(random).slice(0, 16)}`;
}

export const OUT_TRADE_NO_PATTERN = '^GR[0-9]{8}[A-Z2-7]{16}$';

/**
 * The name check of the public payment page: the customer types the customer's full name as it is
 * registered (the page shows it masked, 张*明). Compared after Unicode NFKC (full-width → half-width)
 * with all white space removed, so "张 明" and "张明" are the same; otherwise exact.
 */
export function nameMatches(given: string, registered: string): boolean {
  const norm = (s: string) => s.normalize('NFKC').replace(/\s+/gu, '');
  const g = norm(given);
  return g.length > 0 && g === norm(registered);
}

/** The name the payment page shows: a person's masked (张*明), an organisation's as registered. */
export function maskedNameOf(name: string, kind: string): string {
  return kind === 'organisation' ? name : maskPersonName(name);
}

export function orderExpiry(now: Date, minutes = DEFAULT_ORDER_MINUTES): Date {
  return new Date(now.getTime() + minutes * 60_000);
}

/** What an order's status reads as at `now`: an open order past its expiry is shown as expired. */
export function orderState(o: { status: string; expires_at: Date }, now: Date): OrderStatus {
  if (o.status === 'open' && o.expires_at.getTime() <= now.getTime()) return 'expired';
  return o.status as Exclude<OrderStatus, 'expired'>;
}
