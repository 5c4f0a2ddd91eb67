import { forbidden } from '../../../shared/errors.js';
import { can, type Ctx, type PermissionOf, type Role } from '../../org/index.js';

/** Who acts on bank files: a signed-in user (API) or the system (command line, benchmark). */
export interface BankFileOperator {
  userId: number | null;
  name: string;
  role: Role | 'system';
  /** Bank files are company-wide: the company whose accounts the file pays, whose batches are seen. */
  companyId: number;
  ip: string | null;
  now: Date;
}

export function operatorOf(ctx: Ctx): BankFileOperator {
  const a = ctx.actor;
  return { userId: a.userId, name: a.username, role: a.role, companyId: a.scope.companyId, ip: ctx.ip, now: ctx.now };
}

export function systemOperator(companyId: number, now: Date, name = 'system'): BankFileOperator {
  return { userId: null, name, role: 'system', companyId, ip: null, now };
}

export function requireBankFiles(op: BankFileOperator, permission: PermissionOf<'bankfiles'>, what: string): void {
  if (op.role !== 'system' && !can(op.role, permission)) throw forbidden(`your role (${op.role}) may not ${what}`);
}

export function auditActor(op: BankFileOperator) {
  return { actorId: op.userId, actorName: op.name, ip: op.ip };
}
