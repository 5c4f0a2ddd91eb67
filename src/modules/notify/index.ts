/** Notifications (通知): the outbox of customer notices, Aliyun SMS and the grid app's push. The public surface. */
import type { NotifySettings } from '../../config.js';
import type { Db } from '../../db/connect.js';
import type { Executor } from '../../db/tx.js';
import type { Notice } from './domain/templates.js';
import { deliverDue as deliver } from './use-cases/deliver.js';
import { enqueueNotices as enqueue } from './use-cases/enqueue.js';

export { NOTICE_KINDS, NOTICE_CHANNELS, NOTIFICATION_STATES, type NoticeKind, type NoticeChannel, type NotificationState } from './domain/kinds.js';
export { NOTICE_TEMPLATES, renderNotice, type Notice } from './domain/templates.js';
export { parseTemplateMapping } from './domain/aliyun-sms.js';
export { sendersOf } from './use-cases/senders.js';
export { notifyRoutes } from './notify.routes.js';
export { registerNotifyCommands } from './notify.commands.js';
export type { DeliverResult, Notification } from './notify.types.js';

/**
 * Queues notices in the caller's transaction, set-based (one statement for any count — the daily run may
 * queue 100,000), skipping dedupe keys already queued; recipient = the account's primary contact phone
 * (and the grid-app push, held in the outbox while GRANARY_GRIDAPP_PUSH_URL is not set). Returns how many
 * notices were queued. pending_disconnection and disconnected need `params.payUrl` (the pay page,
 * `config.notify.payPageUrl`); see domain/templates.ts for what each kind needs.
 */
export function enqueueNotices(trx: Executor, notices: readonly Notice[], now: Date): Promise<number> {
  return enqueue(trx, notices, now);
}

/**
 * Sends what is due (queued, or failed and due for retry with back-off), records each message's state;
 * without a configured channel the message stays `held` (visible in the outbox page).
 */
export function deliverDue(db: Db, settings: NotifySettings, opts: { now: Date; limit?: number; fetch?: typeof fetch }): Promise<{ sent: number; failed: number; held: number }> {
  return deliver(db, settings, opts);
}
