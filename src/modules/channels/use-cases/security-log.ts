import type { Executor } from '../../../db/tx.js';
import { forbidden } from '../../../shared/errors.js';
import { toPage, type Page } from '../../../shared/pagination.js';
import { can, type Ctx } from '../../org/index.js';
import type { OnlineChannel, RefusalKind } from '../domain/refusal.js';
import { listSecurityEvents } from '../channels.repository.js';
import type { SecurityEvent } from '../channels.types.js';

/** The channels' security log for review: refused callbacks and refund notices, oldest first. */
export async function readSecurityLog(db: Executor, ctx: Ctx, f: { afterId: number; limit: number; kind?: RefusalKind | undefined; channel?: OnlineChannel | undefined }): Promise<Page<SecurityEvent>> {
  if (!can(ctx.actor.role, 'channels.securityLog')) throw forbidden(`your role (${ctx.actor.role}) may not read the channels' security log`);
  const page = toPage(await listSecurityEvents(db, f), f.limit);
  return {
    items: page.items.map((e): SecurityEvent => ({ id: e.id, at: e.at.toISOString(), channel: e.channel as OnlineChannel, kind: e.kind as RefusalKind, reason: e.reason, remoteAddr: e.remote_addr, detail: e.detail as Record<string, unknown> })),
    nextCursor: page.nextCursor,
  };
}
