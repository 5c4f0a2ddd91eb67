/** Lockout after repeated failed logins: pure decision over the user's counters. */
export interface LockoutPolicy {
  threshold: number;
  minutes: number;
}

export function isLocked(lockedUntil: Date | null, now: Date): boolean {
  return lockedUntil != null && lockedUntil.getTime() > now.getTime();
}

/** After one more failure: the new failure count, and the lock end when the threshold is reached. */
export function afterFailure(failedLogins: number, policy: LockoutPolicy, now: Date): { failedLogins: number; lockedUntil: Date | null } {
  const count = failedLogins + 1;
  if (count >= policy.threshold) return { failedLogins: 0, lockedUntil: new Date(now.getTime() + policy.minutes * 60_000) };
  return { failedLogins: count, lockedUntil: null };
}
