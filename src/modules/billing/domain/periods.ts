import { addDays, addMonths } from '../../../shared/business-time.js';

/** Billing periods are calendar months 'YYYY-MM' (business dates, Asia/Shanghai). */
export function isPeriod(p: string): boolean {
  return /^\d{4}-(0[1-9]|1[0-2])$/.test(p);
}

export function periodStart(period: string): string {
  return `${period}-01`;
}

/** The cycle read of a period is taken on the first day of the next month (the demo's and AMI's convention). */
export function readDateOf(period: string): string {
  return `${addMonths(period, 1)}-01`;
}

export function periodEnd(period: string): string {
  return addDays(readDateOf(period), -1);
}

export function daysInPeriod(period: string): number {
  return Number(periodEnd(period).slice(8, 10));
}

export const shiftPeriod = addMonths;

/**
 * Days of supply when the account opened inside the period (a part month, RULES §4: the basic charge is
 * prorated); null for a whole month. The opening day counts.
 */
export function partMonthDays(openedOn: string, period: string): number | null {
  const start = periodStart(period);
  if (openedOn <= start) return null;
  const end = periodEnd(period);
  if (openedOn > end) return 0;
  return Number(end.slice(8, 10)) - Number(openedOn.slice(8, 10)) + 1;
}
