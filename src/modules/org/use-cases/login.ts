import type { Db } from '../../../db/connect.js';
import { inTransaction } from '../../../db/tx.js';
import { AppError } from '../../../shared/errors.js';
import { hashPassword, newToken, verifyPassword } from '../../../shared/password.js';
import { insertAudit } from '../../audit/index.js';
import { afterFailure, isLocked, type LockoutPolicy } from '../domain/lockout.js';
import { presentUser } from '../domain/present.js';
import { clearFailedLogins, countFailedLogin, findUserByUsername, insertSession, setLoginCounters } from '../org.repository.js';
import type { LoginResponse } from '../org.types.js';

export interface LoginInput {
  username: string;
  password: string;
  ip: string | null;
  now: Date;
  sessionTtlMinutes: number;
  lockout: LockoutPolicy;
}

const WRONG = 'wrong username or password';
/** Verified against when the user does not exist, so a missing user takes as long as a wrong password. */
let dummyHash: Promise<string> | null = null;

export async function login(db: Db, input: LoginInput): Promise<LoginResponse> {
  const user = await findUserByUsername(db, input.username);
  const audit = (action: string, detail: Record<string, unknown> = {}) =>
    insertAudit(db, { actorId: user?.id ?? null, actorName: input.username, action, entity: 'user', entityId: user?.id ?? null, detail, ip: input.ip });

  if (!user) {
    await verifyPassword(await (dummyHash ??= hashPassword('no-such-user-padding')), input.password);
    await audit('auth.login.failed', { reason: 'unknown user' });
    throw new AppError('UNAUTHENTICATED', WRONG);
  }
  if (user.status !== 'active') {
    await audit('auth.login.failed', { reason: 'disabled' });
    throw new AppError('UNAUTHENTICATED', WRONG);
  }
  const passwordRight = await verifyPassword(user.password_hash, input.password);
  // A locked account answers like a wrong password until the password is right: the lock tells no outsider the name exists.
  if (isLocked(user.locked_until, input.now)) {
    await audit('auth.login.failed', { reason: 'locked' });
    if (!passwordRight) throw new AppError('UNAUTHENTICATED', WRONG);
    throw locked(user.locked_until!);
  }
  if (!passwordRight) {
    await inTransaction(db, async (trx) => {
      const next = afterFailure(await countFailedLogin(trx, user.id), input.lockout, input.now);
      if (next.lockedUntil) await setLoginCounters(trx, user.id, next.failedLogins, next.lockedUntil);
      await insertAudit(trx, { actorId: user.id, actorName: user.username, action: next.lockedUntil ? 'auth.locked' : 'auth.login.failed', entity: 'user', entityId: user.id, detail: { reason: 'wrong password' }, ip: input.ip });
    });
    throw new AppError('UNAUTHENTICATED', WRONG);
  }

  const { token, hash } = newToken();
  const expiresAt = new Date(input.now.getTime() + input.sessionTtlMinutes * 60_000);
  await inTransaction(db, async (trx) => {
    // a lock taken by parallel failures after the read above still holds
    if (!(await clearFailedLogins(trx, user.id, input.now))) throw locked((await findUserByUsername(trx, user.username))!.locked_until!);
    await insertSession(trx, hash, user.id, expiresAt);
    await insertAudit(trx, { actorId: user.id, actorName: user.username, action: 'auth.login', entity: 'user', entityId: user.id, ip: input.ip });
  });
  return { token, expiresAt: expiresAt.toISOString(), user: presentUser({ ...user, locked_until: null }) };
}

const locked = (until: Date) => new AppError('LOCKED', `too many failed logins; try again after ${until.toISOString()}`, { lockedUntil: until });
