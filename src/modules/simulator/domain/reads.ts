import type { AccountProfile } from './accounts.js';
import { TOTAL_ONLY, TOU_REACTIVE, TOU_REACTIVE_DEMAND } from './accounts.js';
import { MONTHS, type DemoCalendar } from './calendar.js';
import { randFor, type Rand } from './random.js';

/**
 * Meter readings of one account: 26 monthly cumulative register values (month indexes 0 … 25, see
 * calendar.ts) and the daily frozen values of the last 60 days, all derived from the account's own
 * random stream so the cycle-read pass and the daily-read pass agree without sharing memory.
 *
 * Units: register values are meter readings in hundredths (0.01 kWh / kvarh / kW) held as integers in
 * Float64Arrays (exact below 2^53). A meter with multiplier m registers kWh / m: usage = Δreading × m.
 * Invariants: every cumulative register is non-decreasing; on TOU meters total = peak + flat + valley
 * exactly; the daily read on the first day of a month equals the cycle read of the month before.
 */

/** Monthly usage shape by Season (Jan … Dec), each normalised to a mean of 1. */
const SEASON_SHAPES: number[][] = [
  [1.25, 1.18, 1.05, 0.95, 0.9, 0.88, 0.93, 0.95, 0.9, 0.95, 1.08, 1.25], // household: long winter evenings
  [2.9, 2.5, 1.7, 1.0, 0.85, 0.8, 0.85, 0.85, 0.85, 1.0, 1.9, 2.7], // household with electric heating (Nov–Mar)
  [1.0, 0.85, 0.97, 0.98, 1.0, 1.05, 1.15, 1.15, 1.02, 1.0, 0.95, 1.0], // commerce: Spring Festival dip, summer tourists
  [0.03, 0.03, 0.15, 0.6, 1.3, 1.7, 1.8, 1.5, 0.7, 0.4, 0.5, 0.05], // irrigation: May–Aug, winter watering in Nov
  [2.4, 2.0, 1.4, 0.55, 0.06, 0.05, 0.05, 0.05, 0.06, 0.45, 1.7, 2.2], // district heating, season 15 Oct – 15 Apr
  [0.95, 0.8, 1.0, 1.03, 1.03, 1.03, 1.02, 1.03, 1.03, 1.02, 1.02, 1.0], // industry: Spring Festival shutdown
  [0.75, 0.55, 1.05, 1.05, 1.05, 1.0, 0.65, 0.55, 1.05, 1.1, 1.2, 1.2], // schools: winter and summer holidays
  [1.05, 1.02, 1.0, 0.98, 0.97, 0.98, 1.0, 1.0, 0.98, 1.0, 1.02, 1.05], // hospitals, offices
].map((shape) => {
  const mean = shape.reduce((a, b) => a + b, 0) / shape.length;
  return shape.map((f) => f / mean);
});

export const ESTIMATED_SHARE = 0.005;

export interface ReadSeries {
  total: Float64Array;
  peak: Float64Array;
  flat: Float64Array;
  valley: Float64Array;
  reactive: Float64Array;
  /** Max demand of the month (a reading, not cumulative). */
  maxDemand: Float64Array;
  estimated: Uint8Array;
}

export function newReadSeries(): ReadSeries {
  return {
    total: new Float64Array(MONTHS),
    peak: new Float64Array(MONTHS),
    flat: new Float64Array(MONTHS),
    valley: new Float64Array(MONTHS),
    reactive: new Float64Array(MONTHS),
    maxDemand: new Float64Array(MONTHS),
    estimated: new Uint8Array(MONTHS),
  };
}

export function hasDailyReads(a: Pick<AccountProfile, 'paymentMode'>): boolean {
  return a.paymentMode === 'smart_prepaid' || a.paymentMode === 'purchase_before_use';
}

/** The random stream of one account's meter. */
export function readRand(seed: number, accountId: number): Rand {
  return randFor(seed, 'reads', accountId);
}

const growthFactors = new Map<number, Float64Array>();

/** (1 + growth)^((k − 25) / 12) per month index, computed once per growth rate. */
function growthFactor(growth: number, k: number): number {
  let factors = growthFactors.get(growth);
  if (!factors) growthFactors.set(growth, (factors = Float64Array.from({ length: MONTHS }, (_, i) => (1 + growth) ** ((i - MONTHS + 1) / 12))));
  return factors[k]!;
}

/** Usage of month k in kWh, before noise. Growth makes the latest year a little higher than the first. */
function expectedKwh(a: AccountProfile, cal: DemoCalendar, k: number): number {
  const shape = SEASON_SHAPES[a.usage.season] as number[];
  return a.usage.baseKwh * (shape[(cal.monthOfYear[k] as number) - 1] as number) * growthFactor(a.usage.growth, k);
}

/**
 * Fills `out` with the account's monthly cumulative readings. Month 0 is the opening read (what the meter
 * had registered since it was installed); months 1 … 25 add that month's usage.
 */
export function monthlySeries(a: AccountProfile, cal: DemoCalendar, rng: Rand, out: ReadSeries): ReadSeries {
  const m100 = 100 / a.multiplier;
  const tou = a.registerSet !== TOTAL_ONLY;
  const reactive = a.registerSet >= TOU_REACTIVE;
  const demand = a.registerSet === TOU_REACTIVE_DEMAND;
  const estimatesBefore = hasDailyReads(a) ? cal.firstDailyMonth - 1 : MONTHS - 1;
  // Carry of an estimated month: what the estimate missed is registered by the next real read.
  let carryPeak = 0;
  let carryFlat = 0;
  let carryValley = 0;
  let carryTotal = 0;
  for (let k = 0; k < MONTHS; k++) {
    const kwh = expectedKwh(a, cal, k) * Math.max(0.5, rng.normal(1, 0.06));
    let dTotal = Math.round(kwh * m100);
    let dPeak = 0;
    let dValley = 0;
    let dFlat = 0;
    if (tou) {
      dPeak = Math.round(dTotal * a.usage.peakShare * rng.range(0.94, 1.06));
      dValley = Math.round(dTotal * a.usage.valleyShare * rng.range(0.94, 1.06));
      dFlat = dTotal - dPeak - dValley;
    }
    if (k === 0) {
      openingRead(a, cal, rng, dTotal, dPeak, dValley, out);
    } else {
      const estimate = k < estimatesBefore && rng.chance(ESTIMATED_SHARE);
      out.estimated[k] = estimate ? 1 : 0;
      if (estimate && k >= 2) {
        // An estimate repeats last month's usage; the difference waits for the next real read.
        const ePeak = out.peak[k - 1]! - out.peak[k - 2]!;
        const eFlat = out.flat[k - 1]! - out.flat[k - 2]!;
        const eValley = out.valley[k - 1]! - out.valley[k - 2]!;
        const eTotal = out.total[k - 1]! - out.total[k - 2]!;
        carryPeak += dPeak - ePeak;
        carryFlat += dFlat - eFlat;
        carryValley += dValley - eValley;
        carryTotal += dTotal - eTotal;
        dPeak = ePeak;
        dFlat = eFlat;
        dValley = eValley;
        dTotal = eTotal;
      } else if (!estimate) {
        // Registers never run backwards: an over-estimate is absorbed by the months after it.
        dPeak = Math.max(0, dPeak + carryPeak);
        dFlat = Math.max(0, dFlat + carryFlat);
        dValley = Math.max(0, dValley + carryValley);
        dTotal = tou ? dPeak + dFlat + dValley : Math.max(0, dTotal + carryTotal);
        carryPeak = carryFlat = carryValley = carryTotal = 0;
      }
      out.total[k] = out.total[k - 1]! + dTotal;
      if (tou) {
        out.peak[k] = out.peak[k - 1]! + dPeak;
        out.flat[k] = out.flat[k - 1]! + dFlat;
        out.valley[k] = out.valley[k - 1]! + dValley;
      }
      if (reactive) out.reactive[k] = out.reactive[k - 1]! + Math.round(dTotal * reactiveRatio(rng, a.usage.pfBase));
    }
    if (demand) out.maxDemand[k] = maxDemandReading(a, cal, rng, kwh, k);
  }
  return out;
}

function openingRead(a: AccountProfile, cal: DemoCalendar, rng: Rand, dTotal: number, dPeak: number, dValley: number, out: ReadSeries): void {
  const installedDay = Date.parse(`${a.meterInstalledOn}T00:00:00Z`) / 86_400_000;
  const monthsInService = Math.max(1, (cal.historyStartDay - installedDay) / 30.4) * rng.range(0.85, 1.15);
  const total = Math.round(dTotal * monthsInService);
  out.estimated[0] = 0;
  out.total[0] = total;
  if (a.registerSet !== TOTAL_ONLY) {
    out.peak[0] = dTotal > 0 ? Math.round((total * dPeak) / dTotal) : 0;
    out.valley[0] = dTotal > 0 ? Math.round((total * dValley) / dTotal) : 0;
    out.flat[0] = total - out.peak[0] - out.valley[0];
  }
  if (a.registerSet >= TOU_REACTIVE) out.reactive[0] = Math.round(total * reactiveRatio(rng, a.usage.pfBase));
}

/** Q/P for the month's power factor: tan(acos(pf)) = √(1/pf² − 1). */
function reactiveRatio(rng: Rand, pfBase: number): number {
  const pf = Math.min(0.995, Math.max(0.6, rng.normal(pfBase, 0.015)));
  return Math.sqrt(1 / (pf * pf) - 1);
}

/** Max demand in hundredths of a register unit: the month's average load over its load factor. */
function maxDemandReading(a: AccountProfile, cal: DemoCalendar, rng: Rand, kwh: number, k: number): number {
  const hours = (cal.daysInMonth[k] as number) * 24;
  const loadFactor = Math.min(0.95, Math.max(0.3, a.usage.loadFactor * rng.normal(1, 0.07)));
  return Math.round(((kwh / (hours * loadFactor)) * 100) / a.multiplier);
}

/**
 * Cumulative daily weights for the months the daily window reaches into: weights[k - first][j] is the
 * share of month k's usage registered by the end of day j (1-based), with weights[…][daysInMonth] = 1.
 */
export function dailyShares(cal: DemoCalendar, rng: Rand, out: Float64Array[]): Float64Array[] {
  for (let k = cal.firstDailyMonth; k < MONTHS; k++) {
    const row = (out[k - cal.firstDailyMonth] ??= new Float64Array(32));
    const n = cal.daysInMonth[k] as number;
    let sum = 0;
    for (let j = 1; j <= n; j++) row[j] = sum += rng.range(0.7, 1.3);
    for (let j = 1; j < n; j++) row[j] = row[j]! / sum;
    row[n] = 1;
  }
  return out;
}

/** Register value at 00:00 of daily date i: last month's reading plus the floored share of this month's usage. */
export function dailyValue(register: Float64Array, shares: Float64Array[], cal: DemoCalendar, i: number): number {
  const k = cal.dailyMonth[i] as number;
  const j = cal.dailyDayOfMonth[i] as number;
  const before = register[k - 1] as number;
  return before + Math.floor((register[k]! - before) * (shares[k - cal.firstDailyMonth] as Float64Array)[j]!);
}
