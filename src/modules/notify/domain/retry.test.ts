import { describe, expect, it } from 'vitest';
import { MAX_ATTEMPTS, nextAttemptAfterFailure, RETRY_DELAYS_MS } from './retry.js';

describe('back-off', () => {
  const now = new Date('2026-11-20T02:00:00Z');
  const after = (attempts: number, permanent = false) => {
    const at = nextAttemptAfterFailure(attempts, now, permanent);
    return at === null ? null : (at.getTime() - now.getTime()) / 60_000;
  };

  it('waits 1, 5, 30, 120 minutes after the 1st to 4th failure, then gives up', () => {
    expect([1, 2, 3, 4].map((n) => after(n))).toEqual([1, 5, 30, 120]);
    expect(after(MAX_ATTEMPTS)).toBeNull();
    expect(after(MAX_ATTEMPTS + 3)).toBeNull();
    expect(RETRY_DELAYS_MS).toHaveLength(MAX_ATTEMPTS - 1);
  });

  it('gives up at once on a refusal that cannot change', () => {
    expect(after(1, true)).toBeNull();
  });
});
