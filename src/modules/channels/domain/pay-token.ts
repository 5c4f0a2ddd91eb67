import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The customer payment page's pass (X-Pay-Token): after a customer proved they know an account number
 * and its customer's name (POST /pay/lookup), the token lets that page create payment orders for that
 * one account and read them, for a short while. Stateless: `pt1.<accountId>.<expires, Unix s>.<mac>`,
 * mac = base64url HMAC-SHA256 of the first three parts with the pay-token secret.
 */
export const PAY_TOKEN_SECONDS = 30 * 60;

function macOf(secret: Buffer, payload: string): Buffer {
  return createHmac('sha256', secret).update(payload, 'utf8').digest();
}

export function issuePayToken(secret: Buffer, accountId: number, now: Date, ttlSeconds = PAY_TOKEN_SECONDS): { token: string; expiresAt: Date } {
  const expires = Math.floor(now.getTime() / 1000) + ttlSeconds;
  const payload = `pt1.${accountId}.${expires}`;
  return { token: `${payload}.${macOf(secret, payload).toString('base64url')}`, expiresAt: new Date(expires * 1000) };
}

/** The account id a token names, or null when it is malformed, forged or expired. */
export function verifyPayToken(secret: Buffer, token: string | undefined, now: Date): number | null {
  const m = token ? /^(pt1\.([1-9][0-9]{0,15})\.([0-9]{1,12}))\.([A-Za-z0-9_-]{43})$/.exec(token) : null;
  if (!m) return null;
  const given = Buffer.from(m[4]!, 'base64url');
  const expected = macOf(secret, m[1]!);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  if (Number(m[3]) * 1000 <= now.getTime()) return null;
  const accountId = Number(m[2]);
  return Number.isSafeInteger(accountId) ? accountId : null;
}
