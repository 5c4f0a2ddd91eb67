import { addDays, addMonths, businessDate, businessMonth } from '../../../shared/business-time.js';

/**
 * The demo's time frame, fixed by asOf (Asia/Shanghai). With M = asOf's month:
 * cycle reads for periods M-25 … M-1 (an opening read plus 24 months of usage), each read on the first
 * day of the following month; daily frozen reads for the 60 days up to and including asOf's date.
 * Month index k = 0 … 25 stands for M-25 … M (month M is generated too, so daily reads can continue into it).
 */
export const CYCLE_READS = 25;
export const MONTHS = CYCLE_READS + 1;
export const DAILY_DAYS = 60;

export interface DemoCalendar {
  asOfDate: string;
  month: string;
  /** periods[k] = YYYY-MM of month index k. */
  periods: string[];
  /** readOn[k] = first day of the month after periods[k]. */
  readOn: string[];
  /** 1 … 12 for each month index (seasonality). */
  monthOfYear: number[];
  daysInMonth: number[];
  /** First day of the history (periods[0]-01) as an epoch day: accounts must be opened before it. */
  historyStartDay: number;
  /** The daily-read dates, oldest first, and for each the month index and day-of-month of the day before it
   *  (a frozen read at 00:00 of date D holds everything used up to the end of D-1). */
  dailyDates: string[];
  dailyMonth: number[];
  dailyDayOfMonth: number[];
  /** Lowest month index the daily window reaches into. */
  firstDailyMonth: number;
}

const DAY_MS = 86_400_000;

export function epochDay(date: string): number {
  return Date.parse(`${date}T00:00:00Z`) / DAY_MS;
}

// Formatting a Date is slow next to everything else in the account walk, and only a few thousand
// distinct days ever occur, so each is formatted once.
const dateCache = new Map<number, string>();

export function dateOfEpochDay(day: number): string {
  let date = dateCache.get(day);
  if (date === undefined) dateCache.set(day, (date = new Date(day * DAY_MS).toISOString().slice(0, 10)));
  return date;
}

export function daysInMonth(period: string): number {
  const [y, m] = period.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

export function demoCalendar(asOf: Date): DemoCalendar {
  const asOfDate = businessDate(asOf);
  const month = businessMonth(asOf);
  const periods = Array.from({ length: MONTHS }, (_, k) => addMonths(month, k - CYCLE_READS));
  const dailyDates = Array.from({ length: DAILY_DAYS }, (_, i) => addDays(asOfDate, i - DAILY_DAYS + 1));
  const dayBefore = dailyDates.map((d) => addDays(d, -1));
  const dailyMonth = dayBefore.map((d) => periods.indexOf(d.slice(0, 7)));
  return {
    asOfDate,
    month,
    periods,
    readOn: periods.map((p) => `${addMonths(p, 1)}-01`),
    monthOfYear: periods.map((p) => Number(p.slice(5, 7))),
    daysInMonth: periods.map(daysInMonth),
    historyStartDay: epochDay(`${periods[0]}-01`),
    dailyDates,
    dailyMonth,
    dailyDayOfMonth: dayBefore.map((d) => Number(d.slice(8, 10))),
    firstDailyMonth: Math.min(...dailyMonth),
  };
}
