import { addDays } from '../../../shared/business-time.js';

/**
 * RULES §3: a month's agent-purchase table is published at least 3 days before the month starts.
 * The deadline is the last business date (Asia/Shanghai) that is on time: for 2027-01 it is 2026-12-29.
 */
export const PUBLISH_DAYS_AHEAD = 3;

export function publishDeadline(month: string): string {
  return addDays(`${month}-01`, -PUBLISH_DAYS_AHEAD);
}

/** Published on `today` (a business date), is the month's table late? */
export function isLatePublication(month: string, today: string): boolean {
  return today > publishDeadline(month);
}
