import { addDays } from '../../../shared/business-time.js';

/**
 * Due dates (RULES §6, policy): residential bills fall due a number of days after issue (default 15);
 * other accounts on their contract's due day (the first such day after the issue date), or the same
 * number of days after issue when the contract names none. `dueDay` is null for "days after issue".
 */
export interface DuePolicy {
  daysAfterIssue: number;
}

export const DEFAULT_DUE_POLICY: DuePolicy = { daysAfterIssue: 15 };

export function dueDate(issueDate: string, dueDay: number | null, policy: DuePolicy = DEFAULT_DUE_POLICY): string {
  if (dueDay === null) return addDays(issueDate, policy.daysAfterIssue);
  if (!Number.isInteger(dueDay) || dueDay < 1 || dueDay > 28) throw new RangeError(`due day ${dueDay} is not 1–28`);
  const [y, m] = issueDate.split('-').map(Number) as [number, number];
  const sameMonth = `${issueDate.slice(0, 7)}-${String(dueDay).padStart(2, '0')}`;
  if (sameMonth > issueDate) return sameMonth;
  const ny = m === 12 ? y + 1 : y;
  const nm = m === 12 ? 1 : m + 1;
  return `${ny}-${String(nm).padStart(2, '0')}-${String(dueDay).padStart(2, '0')}`;
}

/**
 * Every due date one issue date can give, indexed for SQL: [0] for "days after issue", [d] for due day d.
 * The issue statement picks from this array, so the policy is computed here and only here.
 */
export function dueDateTable(issueDate: string, policy: DuePolicy = DEFAULT_DUE_POLICY): string[] {
  return [dueDate(issueDate, null, policy), ...Array.from({ length: 28 }, (_, i) => dueDate(issueDate, i + 1, policy))];
}
