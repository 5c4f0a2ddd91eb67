/**
 * The closed lists of the notification outbox. Pure data with no imports, so the web app can take the
 * values (filters, colours) as they are.
 */

/** What a notice is about (RULES §8.3): the five customer notices of prepaid fee control. */
export const NOTICE_KINDS = ['balance_low', 'days_left', 'pending_disconnection', 'disconnected', 'reconnected'] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

/** How a message goes out: an SMS to the account's primary contact phone, or a push through the grid's app (网上国网). */
export const NOTICE_CHANNELS = ['sms', 'app'] as const;
export type NoticeChannel = (typeof NOTICE_CHANNELS)[number];

/**
 * A message's delivery state. queued → sending → sent; a failed send is `failed` and, while attempts
 * remain, due again after a back-off; `held` = no channel configured, kept in the outbox unsent.
 */
export const NOTIFICATION_STATES = ['queued', 'sending', 'sent', 'failed', 'held'] as const;
export type NotificationState = (typeof NOTIFICATION_STATES)[number];

export function isNoticeKind(value: string): value is NoticeKind {
  return (NOTICE_KINDS as readonly string[]).includes(value);
}
