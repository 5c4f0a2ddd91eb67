import { createHash, randomBytes } from 'node:crypto';
import argon2 from 'argon2';

/** argon2id password hashes with the library's defaults (memory-hard; OWASP-level parameters). */
export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, { type: argon2.argon2id });
}

export function verifyPassword(hash: string, password: string): Promise<boolean> {
  return argon2.verify(hash, password).catch(() => false);
}

/** A new bearer token (shown to the client once) and the hash that is stored. */
export function newToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: tokenHash(token) };
}

export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export const MIN_PASSWORD_LENGTH = 10;
