/** Business dates are in Asia/Shanghai (UTC+8, no daylight saving since 1991). */
const SHANGHAI_OFFSET_MS = 8 * 3600 * 1000;

/** The Asia/Shanghai calendar date of an instant, as YYYY-MM-DD. */
export function businessDate(at: Date): string {
  return new Date(at.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

/** The Asia/Shanghai month of an instant, as YYYY-MM. */
export function businessMonth(at: Date): string {
  return businessDate(at).slice(0, 7);
}

/** Month arithmetic on YYYY-MM strings. */
export function addMonths(period: string, months: number): string {
  const [y, m] = period.split('-').map(Number) as [number, number];
  const index = y * 12 + (m - 1) + months;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/** Day arithmetic on YYYY-MM-DD strings (calendar days, no time zone involved). */
export function addDays(date: string, days: number): string {
  const t = Date.parse(`${date}T00:00:00Z`) + days * 86400000;
  return new Date(t).toISOString().slice(0, 10);
}
