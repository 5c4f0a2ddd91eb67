import type { Role } from '../../org/index.js';

/**
 * Reversal (冲正), refund (退费) and penalty waiver (违约金减免) are requested (permission payments.request,
 * org/domain/roles.ts) and approved one level up (RULES §6): front line (cashier, area manager) → station
 * head → company (marketing, company manager, admin). Nobody approves their own request. This is the rank;
 * an approver must rank above the requester, and auditors decide nothing.
 */
const RANK: Record<Role, number> = { area_manager: 1, cashier: 1, station_head: 2, marketing: 3, company_manager: 3, admin: 3, auditor: 0 };

export function mayApprove(approver: Role, requester: Role): boolean {
  return RANK[approver] > 0 && RANK[approver] > RANK[requester];
}
