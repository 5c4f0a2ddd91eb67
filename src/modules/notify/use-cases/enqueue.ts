import type { Executor } from '../../../db/tx.js';
import { NOTICE_CHANNELS, type NoticeChannel } from '../domain/kinds.js';
import { checkNotice, renderNotice, type Notice } from '../domain/templates.js';
import { insertNotices, type NoticeRow } from '../notify.repository.js';

/**
 * Queues notices in the caller's transaction, set-based: one statement for any count (the daily fee-control
 * run may queue 100,000), skipping dedupe keys already queued for the account and channel. Each notice
 * becomes an SMS to the account's primary contact phone (when it has one) and a grid-app push to its
 * account number; a channel that is not configured when deliverDue runs holds its messages in the outbox.
 * `channels` narrows that (default both). Every notice is checked first (checkNotice): a bad one throws an
 * AppError naming it and nothing is written. Returns how many notices were queued (a notice counts once
 * however many channels it went on; an unknown account id queues nothing).
 */
export async function enqueueNotices(trx: Executor, notices: readonly Notice[], now: Date, channels: readonly NoticeChannel[] = NOTICE_CHANNELS): Promise<number> {
  if (notices.length === 0) return 0;
  const rows: NoticeRow[] = notices.map((n) => {
    checkNotice(n);
    // the account number is filled in by the insert, from the account row (ACCOUNT_NO_SLOT): never the caller's
    const { accountNo: _ignored, ...params } = n.params;
    return { account_id: n.accountId, kind: n.kind, dedupe_key: n.dedupeKey, body: renderNotice(n.kind, params), params };
  });
  return insertNotices(trx, rows, channels, now);
}
