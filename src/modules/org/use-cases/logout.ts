import type { Db } from '../../../db/connect.js';
import { inTransaction } from '../../../db/tx.js';
import { tokenHash } from '../../../shared/password.js';
import { insertAudit } from '../../audit/index.js';
import { auditBy, type Ctx } from '../domain/scope.js';
import { revokeSession } from '../org.repository.js';
import { forgetSession } from './authenticate.js';

export async function logout(db: Db, ctx: Ctx, token: string): Promise<void> {
  await inTransaction(db, async (trx) => {
    await revokeSession(trx, tokenHash(token), ctx.now);
    await insertAudit(trx, { ...auditBy(ctx), action: 'auth.logout', entity: 'user', entityId: ctx.actor.userId });
  });
  forgetSession(token);
}
