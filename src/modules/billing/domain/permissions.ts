import type { Role } from '../../org/index.js';

/**
 * Who may do what with bills (DESIGN §1). Decided here, documented in the README:
 * - Bill runs are the marketing department's console (电费核算发行 is done centrally at the county
 *   company): marketing and admin start, approve and issue them; company-level readers (manager,
 *   auditor) watch them. Station roles see their own accounts' bills, not the run.
 * - Approval (审核) is one decision for the run by marketing or admin, audited.
 * - Corrections (退补) are made by marketing, admin, and a station head for its own station's accounts.
 * Kept beside billing until org/domain/roles.ts takes a billing section.
 */
export const BILLING_PERMISSIONS = ['billing.view', 'billing.run', 'billing.adjust'] as const;
export type BillingPermission = (typeof BILLING_PERMISSIONS)[number];

const GRANTS: Record<BillingPermission, readonly Role[]> = {
  'billing.view': ['admin', 'company_manager', 'marketing', 'auditor'],
  'billing.run': ['admin', 'marketing'],
  'billing.adjust': ['admin', 'marketing', 'station_head'],
};

export function mayBilling(role: Role, permission: BillingPermission): boolean {
  return GRANTS[permission].includes(role);
}
