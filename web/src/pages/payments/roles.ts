/**
 * Who may do what with payments, reconciliation and bank files — the server's rules mirrored so the UI can
 * hide what it would refuse (src/modules/payments/domain/permissions.ts, reconciliation/domain/permissions.ts,
 * bankfiles/domain/permissions.ts). The server decides; the UI only hides menu entries and buttons.
 */
type R = string | undefined;
const has = (roles: readonly string[]) => (role: R) => role !== undefined && roles.includes(role);

/** 坐收: cashiers, station heads and admin take payments at the counter. */
export const canCollect = has(['cashier', 'station_head', 'admin']);
/** 退费 / 违约金减免 requests: the people who meet the customer (approved one level up). */
export const canRequest = has(['cashier', 'area_manager', 'station_head', 'marketing', 'admin']);
/** 冲正申请 on a payment: the collectors (a counter payment's own cashier, or the station head). */
export const canRequestReversal = has(['cashier', 'station_head', 'admin']);
/** 审批 menu: requesters follow their requests, approvers decide; company leaders approve station heads'. */
export const canSeeApprovals = has(['cashier', 'area_manager', 'station_head', 'marketing', 'company_manager', 'admin', 'auditor']);
/** 对账: the channel-day report (company-level readers); marketing and admin import and review. */
export const canViewReconciliation = has(['admin', 'company_manager', 'marketing', 'auditor']);
export const canManageReconciliation = has(['admin', 'marketing']);
/** 代扣文件: company-level readers see the batches; marketing and admin import. */
export const canViewBankFiles = has(['admin', 'company_manager', 'marketing', 'auditor']);
export const canImportBankFiles = has(['admin', 'marketing']);
