import { addDays } from '../../../shared/business-time.js';

/**
 * Late-payment penalty (违约金, RULES §6). Accrues daily on the unpaid principal (never on penalties), from
 * the day after the due date up to and including the payment day: residential 1‰ a day; others 2‰ a day
 * while the day is in the bill period's year, 3‰ once it falls in a later year. A penalty is kept exactly
 * in milli-fen (fen × ‰ is whole), rounded half-up to the fen when charged, and a charged penalty under the
 * minimum (an effective-dated setting, 1 元) is charged as the minimum.
 */

export type PenaltyClass = 'residential' | 'other';

export function penaltyClassOf(category: string): PenaltyClass {
  return category === 'residential' ? 'residential' : 'other';
}

/** ‰ per day for one day of lateness. */
export function dailyRatePermille(cls: PenaltyClass, period: string, day: string): number {
  if (cls === 'residential') return 1;
  return day.slice(0, 4) > period.slice(0, 4) ? 3 : 2;
}

export interface Accrual {
  /** exact penalty in milli-fen for the days (from, to] */
  mfen: number;
  days: number;
}

/**
 * Penalty on `principalFen` for each day after `after` up to and including `through`, counting only days
 * after the due date. Dates are YYYY-MM-DD business dates. Days are counted per calendar year, not looped.
 */
export function accrue(principalFen: number, cls: PenaltyClass, period: string, dueOn: string, after: string | null, through: string): Accrual {
  const start = addDays(after !== null && after > dueOn ? after : dueOn, 1);
  if (principalFen <= 0 || start > through) return { mfen: 0, days: 0 };
  let mfen = 0;
  let days = 0;
  for (let year = Number(start.slice(0, 4)); year <= Number(through.slice(0, 4)); year++) {
    const from = year === Number(start.slice(0, 4)) ? start : `${year}-01-01`;
    const to = year === Number(through.slice(0, 4)) ? through : `${year}-12-31`;
    const n = daysBetween(from, to) + 1;
    days += n;
    mfen += principalFen * n * dailyRatePermille(cls, period, from);
  }
  if (!Number.isSafeInteger(mfen)) throw new RangeError(`penalty on ${principalFen} fen over ${days} days is too large`);
  return { mfen, days };
}

/** What a bill's penalty comes to when charged: half-up to the fen, and at least the minimum once there is any. */
export function chargeableFen(accruedMfen: number, minimumFen: number): number {
  if (accruedMfen <= 0) return 0;
  const rounded = Math.floor((accruedMfen + 500) / 1000);
  return Math.max(rounded, minimumFen);
}

export interface MinimumSetting {
  effectiveFrom: string;
  minimumFen: number;
}

/** The minimum in force on a day (the latest setting effective on or before it; 0 before any). */
export function minimumOn(settings: readonly MinimumSetting[], day: string): number {
  let found = 0;
  let from = '';
  for (const s of settings) if (s.effectiveFrom <= day && s.effectiveFrom >= from) ((found = s.minimumFen), (from = s.effectiveFrom));
  return found;
}

function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}
