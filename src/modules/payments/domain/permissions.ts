import type { Role } from '../../org/index.js';

/**
 * Who may do what with payments (DESIGN §1), decided here and documented in the module README:
 * - everyone with a session sees payments and statements of the accounts in their scope;
 * - counter payments (坐收) are taken by cashiers, station heads and admin;
 * - reversal (冲正), refund (退费) and penalty waiver (违约金减免) are requested by the people who meet the
 *   customer and approved one level up (RULES §6): front line (cashier, area manager) → station head →
 *   company (marketing, company manager, admin). Nobody approves their own request.
 */
export const PAYMENT_PERMISSIONS = ['payments.collect', 'payments.request'] as const;
export type PaymentPermission = (typeof PAYMENT_PERMISSIONS)[number];

const GRANTS: Record<PaymentPermission, readonly Role[]> = {
  'payments.collect': ['cashier', 'station_head', 'admin'],
  'payments.request': ['cashier', 'area_manager', 'station_head', 'marketing', 'admin'],
};

export function mayPayments(role: Role, permission: PaymentPermission): boolean {
  return GRANTS[permission].includes(role);
}

/** Rank for "one level up": an approver must rank above the requester. Auditors decide nothing. */
const RANK: Record<Role, number> = { area_manager: 1, cashier: 1, station_head: 2, marketing: 3, company_manager: 3, admin: 3, auditor: 0 };

export function mayApprove(approver: Role, requester: Role): boolean {
  return RANK[approver] > 0 && RANK[approver] > RANK[requester];
}
