import type { Executor } from '../../../db/tx.js';
import { forbidden } from '../../../shared/errors.js';
import { toPage } from '../../../shared/pagination.js';
import { can, type Ctx } from '../../org/index.js';
import { listSecurityEvents } from '../channels.repository.js';

/** The channels' security log for review: refused callbacks and refund notices, oldest first. */
export async function readSecurityLog(db: Executor, ctx: Ctx, f: { afterId: number; limit: number; kind?: string | undefined; channel?: string | undefined }) {
  if (!can(ctx.actor.role, 'channels.securityLog')) throw forbidden(`your role (${ctx.actor.role}) may not read the channels' security log`);
  const page = toPage(await listSecurityEvents(db, f), f.limit);
  return {
    items: page.items.map((e) => ({ id: e.id, at: e.at.toISOString(), channel: e.channel, kind: e.kind, reason: e.reason, remoteAddr: e.remote_addr, detail: e.detail as Record<string, unknown> })),
    nextCursor: page.nextCursor,
  };
}
