import { addDays } from '../../../shared/business-time.js';

export { addDays };

/**
 * Fee-control policy (RULES §7–8): the defaults marked *(policy)* there, and the guards every disconnection
 * passes first — shared with the postpaid disconnection path. Pure.
 */

export const FEE_STATES = ['normal', 'warned', 'pending', 'disconnected', 'reconnecting'] as const;
export type FeeState = (typeof FEE_STATES)[number];

export const PREPAID_MODES = ['smart_prepaid', 'purchase_before_use'] as const;
export type PrepaidMode = (typeof PREPAID_MODES)[number];

export interface FeePolicy {
  /** warn when forecast days left ≤ this: smart prepaid 3, purchase-before-use 10 (RULES §8.3, §8.5) */
  warnDays: Record<PrepaidMode, number>;
  /** days below zero before a disconnection: residential 3, others 1 */
  graceDays: { residential: number; other: number };
  /** the heating season as MM-DD … MM-DD (wraps the new year) */
  heatingSeason: { from: string; to: string };
  /** local hours [from, to) with no disconnection (wraps midnight) */
  nightHours: { from: number; to: number };
  /** a station's disconnections of one day above this count are a bulk one: two approvers */
  bulkAbove: number;
  /** recent days the daily use is averaged over for the forecast */
  forecastDays: number;
}

export const DEFAULT_POLICY: FeePolicy = {
  warnDays: { smart_prepaid: 3, purchase_before_use: 10 },
  graceDays: { residential: 3, other: 1 },
  heatingSeason: { from: '10-15', to: '04-15' },
  nightHours: { from: 20, to: 8 },
  bulkAbove: 100,
  forecastDays: 7,
};

/** Default warning amount (50 元) and the range a customer may choose (10–200 元). */
export const WARN_FEN = { default: 5000, min: 1000, max: 20000 } as const;

export interface GuardAccount {
  category: string;
  paymentMode: PrepaidMode;
  isImportant: boolean;
  isMedical: boolean;
  isHeatingCompany: boolean;
  isVulnerable: boolean;
  /** the business day available balance went below zero */
  belowZeroOn: string;
  /** an approval of disconnecting it stands (first and, for bulk, second approver) */
  approved: boolean;
}

export interface GuardDay {
  /** business date YYYY-MM-DD */
  today: string;
  /** local hour now, 0–23 */
  hour: number;
  /** the day is in the blackout calendar: its kind and note */
  blackout: { kind: string; note: string } | null;
}

/** Why a disconnection must wait, or null when it may go now. Order: calendar and grace first, then who it is. */
export function disconnectionHeld(a: GuardAccount, day: GuardDay, policy: FeePolicy = DEFAULT_POLICY): string | null {
  const grace = a.category === 'residential' ? policy.graceDays.residential : policy.graceDays.other;
  const dueOn = addDays(a.belowZeroOn, grace);
  if (day.today < dueOn) return `grace period until ${dueOn}`;
  if (day.blackout) return `blackout day (${day.blackout.kind}${day.blackout.note ? `: ${day.blackout.note}` : ''})`;
  if (inHours(day.hour, policy.nightHours)) return `night hours (${policy.nightHours.from}:00–${policy.nightHours.to}:00)`;
  if (a.approved) return null;
  const protectedAs = protection(a, day.today, policy);
  return protectedAs ? `${protectedAs}: needs company approval` : null;
}

/** The protection a customer has today (RULES §7), or null. */
export function protection(a: Pick<GuardAccount, 'isImportant' | 'isMedical' | 'isHeatingCompany' | 'isVulnerable' | 'paymentMode'>, today: string, policy: FeePolicy = DEFAULT_POLICY): string | null {
  if (a.isMedical) return 'medical user';
  if (a.isImportant) return 'important user';
  if (a.isVulnerable) return 'vulnerable household';
  if ((a.isHeatingCompany || a.paymentMode === 'purchase_before_use') && inHeatingSeason(today, policy)) return 'heating season';
  return null;
}

export function inHeatingSeason(today: string, policy: FeePolicy = DEFAULT_POLICY): boolean {
  const md = today.slice(5);
  const { from, to } = policy.heatingSeason;
  return from <= to ? md >= from && md <= to : md >= from || md <= to;
}

function inHours(hour: number, h: { from: number; to: number }): boolean {
  return h.from <= h.to ? hour >= h.from && hour < h.to : hour >= h.from || hour < h.to;
}

/** Available balance (可用余额, RULES §8.2): what the customer holds, less what they owe and the estimates not yet billed. */
export function availableOf(a: { prepaidFen: number; owedFen: number; estimateFen: number }): number {
  return a.prepaidFen - a.owedFen - a.estimateFen;
}

/** Forecast days left from the available balance and the recent daily charge, to one decimal; null without use. */
export function daysLeftOf(availableFen: number, dailyFen: number): number | null {
  if (dailyFen <= 0) return null;
  return Math.floor((Math.max(0, availableFen) / dailyFen) * 10) / 10;
}
