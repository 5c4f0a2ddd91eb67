import type { Role } from '../../org/index.js';

/**
 * Who may do what with reconciliation (对账), decided here and documented in the module README:
 * - statements are the company's merchant accounts' (one merchant number per channel, as configured):
 *   the marketing department (营销部, which runs collection) and admin import them and review the
 *   differences (reconciliation.manage);
 * - company-level readers see the channel-day report and every item (reconciliation.view);
 * - station heads see the items of their own station's accounts — to follow up a customer's "I paid but it
 *   does not show" — but not the merchant-level day report (reconciliation.items);
 * - cashiers and area managers do not see reconciliation.
 */
export const RECONCILIATION_PERMISSIONS = ['reconciliation.view', 'reconciliation.items', 'reconciliation.manage'] as const;
export type ReconciliationPermission = (typeof RECONCILIATION_PERMISSIONS)[number];

const GRANTS: Record<ReconciliationPermission, readonly Role[]> = {
  'reconciliation.view': ['admin', 'company_manager', 'marketing', 'auditor'],
  'reconciliation.items': ['admin', 'company_manager', 'marketing', 'auditor', 'station_head'],
  'reconciliation.manage': ['admin', 'marketing'],
};

export function mayReconciliation(role: Role, permission: ReconciliationPermission): boolean {
  return GRANTS[permission].includes(role);
}
