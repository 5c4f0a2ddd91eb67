import { describe, expect, it } from 'vitest';
import { afterFailure, isLocked } from './lockout.js';

const policy = { threshold: 3, minutes: 15 };
const now = new Date('2026-01-01T00:00:00Z');

describe('lockout', () => {
  it('counts failures below the threshold without locking', () => {
    expect(afterFailure(0, policy, now)).toEqual({ failedLogins: 1, lockedUntil: null });
    expect(afterFailure(1, policy, now)).toEqual({ failedLogins: 2, lockedUntil: null });
  });
  it('locks for the policy minutes at the threshold and resets the counter', () => {
    const r = afterFailure(2, policy, now);
    expect(r.failedLogins).toBe(0);
    expect(r.lockedUntil?.toISOString()).toBe('2026-01-01T00:15:00.000Z');
  });
  it('is locked only until the lock end', () => {
    const until = new Date('2026-01-01T00:15:00Z');
    expect(isLocked(until, now)).toBe(true);
    expect(isLocked(until, until)).toBe(false);
    expect(isLocked(null, now)).toBe(false);
  });
});
