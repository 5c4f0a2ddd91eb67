/**
 * When a message that failed is tried again. A send that fails (the provider refused it, the network or
 * the provider was down) is due again after a back-off that grows with its attempts; after MAX_ATTEMPTS,
 * or a refusal that cannot change (an invalid number), it stays `failed` for good with its last error.
 */
export const MAX_ATTEMPTS = 5;

/** The wait after the 1st, 2nd, 3rd and 4th failed attempt: 1 min, 5 min, 30 min, 2 h (a message gives up within ~2.6 h). */
export const RETRY_DELAYS_MS = [60_000, 5 * 60_000, 30 * 60_000, 2 * 3600_000] as const;

/**
 * How long a claimed message may stay `sending`: a deliverer that died mid-send leaves it to be claimed
 * again after this (the provider may then have it twice: delivery is at least once, each message carrying
 * its id — OutId, messageId — so a receiver can tell).
 */
export const SENDING_LEASE_MS = 5 * 60_000;

/** When a message whose `attempts`-th attempt just failed is due again; null = no more attempts. */
export function nextAttemptAfterFailure(attempts: number, now: Date, permanent: boolean): Date | null {
  if (permanent || attempts >= MAX_ATTEMPTS) return null;
  const delay = RETRY_DELAYS_MS[Math.min(Math.max(attempts, 1), RETRY_DELAYS_MS.length) - 1]!;
  return new Date(now.getTime() + delay);
}
