/**
 * Who may do what with bill runs — the server's rule (src/modules/billing/domain/permissions.ts), mirrored
 * so the UI can hide what it would refuse. The server decides; the UI only hides menu entries and buttons.
 * - billing.view: company-level roles watch the runs (marketing, admin, company leadership, auditor).
 * - billing.run: marketing and admin start, approve (审核) and issue (发行) them.
 * Station roles see their own accounts' bills on the customer page, not the runs.
 */
const VIEW = ['admin', 'company_manager', 'marketing', 'auditor'];
const RUN = ['admin', 'marketing'];

export const canViewBillRuns = (role: string | undefined): boolean => role !== undefined && VIEW.includes(role);
export const canRunBills = (role: string | undefined): boolean => role !== undefined && RUN.includes(role);
