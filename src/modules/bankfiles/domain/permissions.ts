import type { Role } from '../../org/index.js';

/**
 * Who may do what with bank debit files (代扣). Decided here, documented in the module README:
 * - A debit file is company-wide: the bank debits customers of every station in one file, under the
 *   county company's collection agreement with the bank. Importing it posts payments to accounts of all
 *   stations, so it is done at company level — by the marketing department (营销部, which reconciles
 *   channels) and admin. A station cashier works inside one station and may not post to others' accounts.
 * - Company-level readers (company manager, auditor) see the batches and their result files.
 * - Station roles see the payments on their own accounts (payments module), not the company's files.
 */
export const BANKFILE_PERMISSIONS = ['bankfiles.view', 'bankfiles.import'] as const;
export type BankFilePermission = (typeof BANKFILE_PERMISSIONS)[number];

const GRANTS: Record<BankFilePermission, readonly Role[]> = {
  'bankfiles.view': ['admin', 'company_manager', 'marketing', 'auditor'],
  'bankfiles.import': ['admin', 'marketing'],
};

export function mayBankFiles(role: Role, permission: BankFilePermission): boolean {
  return GRANTS[permission].includes(role);
}
