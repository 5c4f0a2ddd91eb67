import type { NotifySettings } from '../../../config.js';
import type { Db } from '../../../db/connect.js';
import { maskPhone } from '../../../shared/mask.js';
import { NOTICE_CHANNELS } from '../domain/kinds.js';
import { nextAttemptAfterFailure, SENDING_LEASE_MS } from '../domain/retry.js';
import { claimDue, holdPending, recordResults, type ClaimedMessage, type SendResult } from '../notify.repository.js';
import type { DeliverResult } from '../notify.types.js';
import { sendersOf, type Senders } from './senders.js';

/** Messages claimed per round (one claim, their sends, one update of their states). */
export const DELIVERY_BATCH = 200;
/** Sends in flight at once. */
export const DELIVERY_CONCURRENCY = 8;
/** What one call sends at most unless told. */
export const DEFAULT_DELIVERY_LIMIT = 5_000;

export interface DeliverOptions {
  now: Date;
  limit?: number | undefined;
  fetch?: typeof fetch | undefined;
  /** only this company's accounts (the "send now" of a company-level user); default every company */
  companyId?: number | undefined;
}

/**
 * Sends what is due — queued messages, failed ones whose back-off is over, and any whose sender died
 * mid-send — in rounds of DELIVERY_BATCH: claim (each row `sending`, attempts + 1), send, record each
 * message's state (`sent` with the provider's id, or `failed` with its error and the time of its next
 * attempt, none after MAX_ATTEMPTS). Messages of a channel that is not configured become `held`: they stay
 * in the outbox, unsent (the demo shows them). Settings that are half given or malformed throw (sendersOf).
 * Never in a transaction of its own: each claim and each record is one statement, and nothing is held
 * locked while the providers answer.
 */
export async function deliverDue(db: Db, settings: NotifySettings, opts: DeliverOptions): Promise<DeliverResult> {
  return deliverWith(db, sendersOf(settings), opts);
}

export async function deliverWith(db: Db, senders: Senders, opts: DeliverOptions): Promise<DeliverResult> {
  const now = opts.now;
  const f = opts.fetch ?? fetch;
  const configured = NOTICE_CHANNELS.filter((c) => senders[c]);
  const unconfigured = NOTICE_CHANNELS.filter((c) => !senders[c]);
  const held = await holdPending(db, unconfigured, now, opts.companyId);
  let sent = 0;
  let failed = 0;
  let left = opts.limit ?? DEFAULT_DELIVERY_LIMIT;
  while (left > 0 && configured.length > 0) {
    const size = Math.min(left, DELIVERY_BATCH);
    const batch = await claimDue(db, { now, channels: configured, limit: size, leaseUntil: new Date(now.getTime() + SENDING_LEASE_MS), companyId: opts.companyId });
    left -= batch.length;
    const results = await inParallel(batch, DELIVERY_CONCURRENCY, (m) => sendOne(senders, m, now, f));
    await recordResults(db, results, now);
    for (const r of results) {
      if (r.state === 'sent') sent++;
      else failed++;
    }
    if (batch.length < size) break;
  }
  return { sent, failed, held };
}

async function sendOne(senders: Senders, m: ClaimedMessage, now: Date, f: typeof fetch): Promise<SendResult> {
  const outcome = await senders[m.channel]!(m, { now, fetch: f });
  if (outcome.ok) return { id: m.id, state: 'sent', nextAttemptAt: null, error: null, providerMessageId: outcome.providerMessageId };
  return { id: m.id, state: 'failed', nextAttemptAt: nextAttemptAfterFailure(m.attempts, now, outcome.permanent), error: withoutPhone(outcome.error, m), providerMessageId: null };
}

/** A provider's error text as kept: the recipient's number, should the provider quote it, masked. */
function withoutPhone(error: string, m: ClaimedMessage): string {
  return m.channel === 'sms' && m.recipient ? error.replaceAll(m.recipient, maskPhone(m.recipient)!) : error;
}

/** `work` over the items with at most `width` at a time; results in the items' order. */
async function inParallel<T, R>(items: readonly T[], width: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, lane));
  return out;
}
