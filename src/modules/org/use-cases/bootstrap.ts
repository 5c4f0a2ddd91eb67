import type { Db } from '../../../db/connect.js';
import { inTransaction } from '../../../db/tx.js';
import { AppError } from '../../../shared/errors.js';
import { hashPassword, MIN_PASSWORD_LENGTH } from '../../../shared/password.js';
import { insertAudit } from '../../audit/index.js';
import { countUsers, insertOrgUnit, insertUser } from '../org.repository.js';

/**
 * First start outside demo mode: an empty database gets its company and an `admin` user, but only
 * with a password the operator chose (GRANARY_ADMIN_PASSWORD); there is no default password.
 */
export async function ensureAdmin(db: Db, adminPassword: string | undefined): Promise<'created' | 'present'> {
  if ((await countUsers(db)) > 0) return 'present';
  if (!adminPassword || adminPassword.length < MIN_PASSWORD_LENGTH)
    throw new AppError('CONFLICT', `first start: set GRANARY_ADMIN_PASSWORD (at least ${MIN_PASSWORD_LENGTH} characters) to create the admin user, or start the demo with GRANARY_DEMO=1`);
  const hash = await hashPassword(adminPassword);
  await inTransaction(db, async (trx) => {
    const company = await insertOrgUnit(trx, { parentId: null, kind: 'company', code: 'company', name: '供电公司', nameEn: 'Power supply company' });
    const id = await insertUser(trx, { username: 'admin', displayName: '系统管理员', role: 'admin', orgUnitId: company.id, passwordHash: hash });
    await insertAudit(trx, { actorId: null, actorName: 'system', action: 'user.create', entity: 'user', entityId: id, detail: { username: 'admin', bootstrap: true } });
  });
  return 'created';
}
