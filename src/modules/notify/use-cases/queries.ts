import type { NotifySettings } from '../../../config.js';
import type { Db } from '../../../db/connect.js';
import type { Executor } from '../../../db/tx.js';
import { forbidden } from '../../../shared/errors.js';
import { maskPhone } from '../../../shared/mask.js';
import { decodeCursor, toPage, type Page } from '../../../shared/pagination.js';
import { insertAudit } from '../../audit/index.js';
import { auditBy, can, type Ctx } from '../../org/index.js';
import type { NoticeChannel, NoticeKind, NotificationState } from '../domain/kinds.js';
import { listInScope, type NotificationRow } from '../notify.repository.js';
import type { DeliverResult, Notification, NotificationQuery } from '../notify.types.js';
import { deliverDue } from './deliver.js';

const iso = (v: Date | string | null) => (v === null ? null : new Date(v).toISOString());

/** A message as the API shows it: the phone masked wherever it could appear. */
export function viewOf(r: NotificationRow): Notification {
  const recipient = r.channel === 'sms' ? maskPhone(r.recipient)! : r.recipient;
  return {
    id: r.id,
    accountId: r.account_id,
    accountNo: r.account_no,
    accountName: r.account_name,
    kind: r.kind as NoticeKind,
    channel: r.channel as NoticeChannel,
    recipient,
    body: r.body,
    state: r.state as NotificationState,
    attempts: r.attempts,
    nextAttemptAt: iso(r.next_attempt_at),
    lastError: r.last_error !== null && r.channel === 'sms' && r.recipient !== '' ? r.last_error.replaceAll(r.recipient, recipient) : r.last_error,
    providerMessageId: r.provider_message_id,
    createdAt: iso(r.created_at)!,
    sentAt: iso(r.sent_at),
  };
}

/** The outbox of the accounts in the caller's scope, newest first (roles with notifications.view). */
export async function listNotifications(db: Executor, ctx: Ctx, q: NotificationQuery & { limit: number }): Promise<Page<Notification>> {
  if (!can(ctx.actor.role, 'notifications.view')) throw forbidden(`your role (${ctx.actor.role}) may not see notifications`);
  const rows = await listInScope(db, ctx.actor.scope, {
    accountId: q.accountId,
    kind: q.kind,
    channel: q.channel,
    state: q.state,
    beforeId: decodeCursor(q.cursor) || null,
    limit: q.limit + 1,
  });
  return toPage(rows.map(viewOf), q.limit);
}

/**
 * "Send now" (demonstrations, an operator after fixing a setting): deliverDue once for the caller's
 * company (feecontrol.manage, company-level roles), audited with what it did.
 */
export async function deliverNow(db: Db, settings: NotifySettings, ctx: Ctx, o: { limit?: number | undefined }): Promise<DeliverResult> {
  if (!can(ctx.actor.role, 'feecontrol.manage')) throw forbidden(`your role (${ctx.actor.role}) may not send notifications`);
  const result = await deliverDue(db, settings, { now: ctx.now, limit: o.limit, companyId: ctx.actor.scope.companyId });
  await insertAudit(db, { ...auditBy(ctx), action: 'notifications.deliver', entity: 'notification', detail: { ...result, limit: o.limit ?? null } });
  return result;
}
