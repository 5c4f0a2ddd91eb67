import { createHash } from 'node:crypto';

/** Where money comes in. Each channel has its own clearing book (DESIGN §5): clearing.<channel>. */
export const CHANNELS = ['counter', 'wechatpay', 'alipay', 'gridapp', 'bank'] as const;
export type Channel = (typeof CHANNELS)[number];

export const ONLINE_CHANNELS = ['wechatpay', 'alipay', 'gridapp'] as const;
export type OnlineChannel = (typeof ONLINE_CHANNELS)[number];

export function isChannel(v: string): v is Channel {
  return (CHANNELS as readonly string[]).includes(v);
}

export function clearingBook(channel: Channel): string {
  return `clearing.${channel}`;
}

/**
 * A counter payment's channel transaction id, unique per cashier and Idempotency-Key: `CTR-<user>-<key>`
 * while that fits the 128 characters of an id, else `CTRH-<user>-<SHA-256 of the key>` (keys may be 200).
 */
export function counterTxnId(userId: number, key: string): string {
  const plain = `CTR-${userId}-${key}`;
  return plain.length <= 128 ? plain : `CTRH-${userId}-${createHash('sha256').update(key).digest('hex')}`;
}
