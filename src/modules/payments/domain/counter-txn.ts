import { createHash } from 'node:crypto';

/**
 * A counter payment's channel transaction id, unique per cashier and Idempotency-Key: `CTR-<user>-<key>`
 * while that fits the 128 characters of an id, else `CTRH-<user>-<SHA-256 of the key>` (keys may be 200).
 */
export function counterTxnId(userId: number, key: string): string {
  const plain = `CTR-${userId}-${key}`;
  return plain.length <= 128 ? plain : `CTRH-${userId}-${createHash('sha256').update(key).digest('hex')}`;
}
