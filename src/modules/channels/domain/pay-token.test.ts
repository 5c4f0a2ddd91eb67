import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { issuePayToken, PAY_TOKEN_SECONDS, verifyPayToken } from './pay-token.js';

const secret = randomBytes(32);
const now = new Date('2026-11-20T02:00:00Z');

describe('pay token', () => {
  it('names its account until it expires', () => {
    const { token, expiresAt } = issuePayToken(secret, 42, now);
    expect(token).toMatch(/^pt1\.42\.\d+\.[A-Za-z0-9_-]{43}$/);
    expect(expiresAt.getTime() - now.getTime()).toBe(PAY_TOKEN_SECONDS * 1000);
    expect(verifyPayToken(secret, token, now)).toBe(42);
    expect(verifyPayToken(secret, token, new Date(expiresAt.getTime() - 1))).toBe(42);
    expect(verifyPayToken(secret, token, expiresAt)).toBeNull();
  });

  it('refuses forged, altered and foreign tokens', () => {
    const { token } = issuePayToken(secret, 42, now);
    const [v, , exp, mac] = token.split('.');
    expect(verifyPayToken(secret, `${v}.43.${exp}.${mac}`, now)).toBeNull();
    expect(verifyPayToken(secret, `${v}.42.${Number(exp) + 3600}.${mac}`, now)).toBeNull();
    expect(verifyPayToken(randomBytes(32), token, now)).toBeNull();
    // the MAC's first character: its last one carries padding bits, and A→B there may change no byte
    const altered = `${v}.42.${exp}.${mac!.startsWith('A') ? 'B' : 'A'}${mac!.slice(1)}`;
    expect(verifyPayToken(secret, altered, now)).toBeNull();
    for (const bad of [undefined, '', 'pt1', 'pt1.42', `${token}.x`, token.replace('pt1', 'pt2')]) expect(verifyPayToken(secret, bad, now)).toBeNull();
  });
});
