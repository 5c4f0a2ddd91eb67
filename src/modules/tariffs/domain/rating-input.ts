import type { FieldError } from '../../../shared/errors.js';
import { formatDecimal, parseDecimal } from '../../../shared/exact.js';
import type { CompiledTariff } from './compile.js';
import type { CompiledPfTable } from './power-factor.js';
import { PF_STANDARD_RULES_1983 } from './pf-tables.js';
import { AGENT_MULTIPLIERS, CATEGORIES, VOLTAGE_LEVELS, type TouPeriod } from './tariff-format.js';
import { FACTOR_SCALE, QUANTITY_SCALE } from './validate.js';

/**
 * The rating input checked against RULES §1–5 before anything is priced, every problem at once, each
 * with its field, a stable `code` and `params` (clients word it themselves): quotes, draft what-ifs and
 * the bill run all go through here, so one refusal reads the same everywhere.
 */

export interface RatingAccount {
  category: string;
  voltageLevel: string;
  /** α of RULES §3: "1" or "1.5" (default 1). */
  agentMultiplier?: string | null;
  /** "0.90" | "0.85" | "0.80"; absent = the RULES §5 standard of the category and capacity. */
  pfStandard?: string | null;
  /** Operating capacity in kVA (two-part basic charge, PF exemption below 100 kVA). */
  capacityKva?: string | null;
  contractDemandKw?: string | null;
  basicChargeBasis?: 'capacity' | 'demand' | string | null;
}

/** Quantities as decimal strings (up to 2 decimals); numbers are read through their decimal form. */
export type Quantity = string | number;

export interface RatingUsage {
  /** Active energy of the cycle, kWh. */
  kwh?: Quantity | null;
  /** Register readings per TOU period, kWh; their sum is the cycle's energy. */
  kwhByPeriod?: { peak: Quantity; flat: Quantity; valley: Quantity; critical?: Quantity | null } | null;
  /** Reactive energy, kvarh (power-factor adjustment). */
  kvarh?: Quantity | null;
  /** Actual maximum demand, kW (two-part demand basis). */
  maxDemandKw?: Quantity | null;
  /** Days of supply in a part month (basic charge 1/30 per day; a part day counts whole). Absent = whole month. */
  days?: Quantity | null;
  /** Months in the reading cycle (tier thresholds × n, policy). Default 1. */
  cycleMonths?: number | null;
}

/** Largest quantity accepted (kWh, kvarh, kW, kVA, days): far above any meter, far below a fen overflow. */
export const MAX_QUANTITY = '1000000000';
const MAX_Q = parseDecimal(MAX_QUANTITY, QUANTITY_SCALE)!;

/** What rating needs, parsed (quantities at scale 2). Only meaningful when `errors` is empty. */
export interface CheckedInput {
  errors: FieldError[];
  energy: bigint;
  byPeriod: Record<TouPeriod, bigint | undefined> | null;
  kvarh: bigint | undefined;
  maxDemand: bigint | undefined;
  /** Whole days billed in a part month; null = the whole month. */
  days: number | null;
  cycleMonths: number;
  capacity: bigint | undefined;
  contractDemand: bigint | undefined;
  basis: 'capacity' | 'demand' | null;
  /** α at scale 4. */
  alpha: bigint;
  /** The power-factor table to adjust by, and where its standard came from; null = no adjustment. */
  pf: { table: CompiledPfTable; source: 'account' | 'RULES §5' } | null;
}

class Problems {
  readonly list: FieldError[] = [];
  add(field: string, code: string, message: string, params?: FieldError['params']): void {
    this.list.push(params ? { field, code, message, params } : { field, code, message });
  }

  /** kWh, kvarh, kW, kVA, days: a decimal with ≤ 2 places, 0 ≤ x ≤ MAX_QUANTITY. */
  quantity(v: unknown, field: string, required: boolean): bigint | undefined {
    if (v === undefined || v === null || v === '') {
      if (required) this.add(field, 'required', 'is required');
      return undefined;
    }
    let text: string;
    if (typeof v === 'string') text = v;
    else if (typeof v === 'number' && Number.isFinite(v)) text = String(v);
    else {
      this.add(field, 'not_decimal', 'must be a decimal string like "300.00"');
      return undefined;
    }
    const x = parseDecimal(text, QUANTITY_SCALE, true);
    if (x === undefined) {
      if (/^-?\d+(\.\d+)?$/.test(text)) this.add(field, 'too_many_decimals', `"${text}" has more than 2 decimal places`, { places: QUANTITY_SCALE });
      else this.add(field, 'not_decimal', `"${text}" is not a decimal number`);
      return undefined;
    }
    if (x < 0n) {
      this.add(field, 'negative', `must not be negative (got "${text}")`);
      return undefined;
    }
    if (x > MAX_Q) {
      this.add(field, 'too_large', `must be at most ${MAX_QUANTITY} (got "${text}")`, { max: MAX_QUANTITY });
      return undefined;
    }
    return x;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const given = (v: unknown) => v !== undefined && v !== null && v !== '';
const daysIn = (period: string) => new Date(Date.UTC(Number(period.slice(0, 4)), Number(period.slice(5, 7)), 0)).getUTCDate();
const ALPHAS = AGENT_MULTIPLIERS.map((a) => parseDecimal(a, FACTOR_SCALE)!);

/**
 * Every problem of a rating input. `tariff` null (an inline tariff that did not validate): only what does
 * not depend on it is checked, so a form still sees its usage and account problems beside the tariff's.
 */
export function checkRatingInput(tariff: CompiledTariff | null, period: string, account: RatingAccount, usage: RatingUsage): CheckedInput {
  const p = new Problems();
  const a = isObject(account) ? account : ({} as RatingAccount);
  const u = isObject(usage) ? usage : ({} as RatingUsage);
  if (!isObject(account)) p.add('account', 'required', 'is required');
  if (!isObject(usage)) p.add('usage', 'required', 'is required');

  // ---- the account
  if (!(CATEGORIES as readonly string[]).includes(a.category)) p.add('account.category', given(a.category) ? 'not_one_of' : 'required', `must be one of ${CATEGORIES.join(', ')}`, { values: CATEGORIES.join(', ') });
  if (!(VOLTAGE_LEVELS as readonly string[]).includes(a.voltageLevel))
    p.add('account.voltageLevel', given(a.voltageLevel) ? 'not_one_of' : 'required', `must be one of ${VOLTAGE_LEVELS.join(', ')}`, { values: VOLTAGE_LEVELS.join(', ') });
  let alpha = ALPHAS[0]!;
  if (given(a.agentMultiplier)) {
    const x = typeof a.agentMultiplier === 'string' ? parseDecimal(a.agentMultiplier, FACTOR_SCALE) : undefined;
    if (x === undefined || !ALPHAS.includes(x))
      p.add('account.agentMultiplier', 'alpha_not_allowed', `α is ${AGENT_MULTIPLIERS.join(' or ')} (RULES §3), not ${JSON.stringify(a.agentMultiplier)}`, { allowed: AGENT_MULTIPLIERS.join(', ') });
    else alpha = x;
  }
  let std: number | undefined;
  if (given(a.pfStandard)) {
    const x = typeof a.pfStandard === 'string' ? parseDecimal(a.pfStandard, 2) : undefined;
    if (x === undefined || ![90n, 85n, 80n].includes(x)) p.add('account.pfStandard', 'not_one_of', 'must be one of 0.90, 0.85, 0.80', { values: '0.90, 0.85, 0.80' });
    else std = Number(x);
  }
  const capacity = p.quantity(a.capacityKva, 'account.capacityKva', false);
  const contractDemand = p.quantity(a.contractDemandKw, 'account.contractDemandKw', false);
  const basis = a.basicChargeBasis === 'capacity' || a.basicChargeBasis === 'demand' ? a.basicChargeBasis : null;
  if (given(a.basicChargeBasis) && basis === null) p.add('account.basicChargeBasis', 'not_one_of', 'must be one of capacity, demand', { values: 'capacity, demand' });

  // ---- the usage
  let total: bigint | undefined;
  let byPeriod: CheckedInput['byPeriod'] = null;
  const bp = u.kwhByPeriod;
  if (given(bp)) {
    if (!isObject(bp)) p.add('usage.kwhByPeriod', 'not_object', 'must be an object {peak, flat, valley, critical?}');
    else {
      const peak = p.quantity(bp.peak, 'usage.kwhByPeriod.peak', true);
      const flat = p.quantity(bp.flat, 'usage.kwhByPeriod.flat', true);
      const valley = p.quantity(bp.valley, 'usage.kwhByPeriod.valley', true);
      const critical = p.quantity(bp.critical, 'usage.kwhByPeriod.critical', false);
      if (peak !== undefined && flat !== undefined && valley !== undefined) {
        byPeriod = { peak, flat, valley, critical };
        total = peak + flat + valley + (critical ?? 0n);
      }
    }
  }
  const kwh = p.quantity(u.kwh, 'usage.kwh', false);
  if (kwh !== undefined) {
    if (total !== undefined && kwh !== total)
      p.add('usage.kwh', 'kwh_mismatch', `${formatDecimal(kwh, 2, 2)} does not equal the sum of usage.kwhByPeriod (${formatDecimal(total, 2, 2)})`, { sum: formatDecimal(total, 2, 2) });
    total ??= kwh;
  } else if (!given(bp) && !given(u.kwh)) p.add('usage.kwh', 'required', 'is required (or usage.kwhByPeriod)');
  const kvarh = p.quantity(u.kvarh, 'usage.kvarh', false);
  const maxDemand = p.quantity(u.maxDemandKw, 'usage.maxDemandKw', false);
  let days: number | null = null;
  const d = p.quantity(u.days, 'usage.days', false);
  if (d === 0n) p.add('usage.days', 'days_zero', 'must be greater than 0 (omit it for a whole month)');
  else if (d !== undefined) {
    const whole = Number((d + 99n) / 100n); // a part day counts whole
    const inMonth = /^\d{4}-\d{2}$/.test(period) ? daysIn(period) : 31;
    if (whole > inMonth) p.add('usage.days', 'days_beyond_month', `${period} has ${inMonth} days (got ${whole}); omit days for a whole month`, { max: inMonth });
    else days = whole;
  }
  const cycleMonths = u.cycleMonths ?? 1;
  const cycleOk = typeof cycleMonths === 'number' && Number.isInteger(cycleMonths) && cycleMonths >= 1 && cycleMonths <= 12;
  if (!cycleOk) p.add('usage.cycleMonths', 'out_of_range', 'must be a whole number of months, 1–12', { min: 1, max: 12 });

  let pf: CheckedInput['pf'] = null;
  if (tariff) {
    if (tariff.categories && given(a.category) && !tariff.categories.has(a.category))
      p.add('account.category', 'category_not_covered', `tariff ${tariff.code} applies to ${[...tariff.categories].join(', ')}, not ${String(a.category)}`, { allowed: [...tariff.categories].join(', ') });
    if (tariff.voltageLevels && given(a.voltageLevel) && !tariff.voltageLevels.has(a.voltageLevel))
      p.add('account.voltageLevel', 'voltage_not_covered', `tariff ${tariff.code} applies to ${[...tariff.voltageLevels].join(', ')}, not ${String(a.voltageLevel)}`, { allowed: [...tariff.voltageLevels].join(', ') });
    checkTou(p, tariff, period, bp, byPeriod);
    if (cycleOk && cycleMonths !== 1 && tariff.basic) p.add('usage.cycleMonths', 'two_part_monthly', `two-part tariff ${tariff.code} is billed monthly`);
    if (tariff.basic) checkTwoPart(p, tariff, a, basis, capacity, contractDemand, maxDemand);
    pf = powerFactorOf(p, tariff, a, std, capacity, kvarh);
  }
  return { errors: p.list, energy: total ?? 0n, byPeriod, kvarh, maxDemand, days, cycleMonths: cycleOk ? cycleMonths : 1, capacity, contractDemand, basis, alpha, pf };
}

function checkTou(p: Problems, tariff: CompiledTariff, period: string, bp: unknown, byPeriod: CheckedInput['byPeriod']): void {
  if (!tariff.tou) return;
  if (!given(bp)) {
    p.add('usage.kwhByPeriod', 'tou_registers_required', `tariff ${tariff.code} (from ${tariff.effectiveFrom}) prices by time of use: give the peak/flat/valley kWh from the meter's registers — a total is never split by guess`);
    return;
  }
  const critical = byPeriod?.critical;
  if (critical === undefined) return;
  const months = [...tariff.tou.criticalMonths].sort((x, y) => x - y);
  if (tariff.tou.factors.critical === undefined) p.add('usage.kwhByPeriod.critical', 'critical_not_priced', `tariff ${tariff.code} has no critical-peak price`);
  else if (critical > 0n && !tariff.tou.criticalMonths.has(Number(period.slice(5, 7))))
    p.add('usage.kwhByPeriod.critical', 'critical_out_of_season', `tariff ${tariff.code} has critical-peak hours only in months ${months.join(', ') || '(none)'}, not in ${period}`, { months: months.join(', ') });
}

function checkTwoPart(p: Problems, t: CompiledTariff, a: RatingAccount, basis: 'capacity' | 'demand' | null, capacity: bigint | undefined, contractDemand: bigint | undefined, maxDemand: bigint | undefined): void {
  const b = t.basic!;
  if (basis === null && !given(a.basicChargeBasis)) p.add('account.basicChargeBasis', 'basis_required', `two-part tariff ${t.code} needs "capacity" or "demand"`);
  if (capacity === undefined && !given(a.capacityKva)) p.add('account.capacityKva', 'required', 'is required');
  else if (capacity !== undefined && capacity <= b.singlePartUpToKva) {
    const limit = formatDecimal(b.singlePartUpToKva, 2, 0);
    p.add('account.capacityKva', 'two_part_capacity', `accounts of ${limit} kVA or less are single-part only (RULES §4)`, { limit });
  }
  if (basis === 'demand') {
    if (contractDemand === undefined && !given(a.contractDemandKw)) p.add('account.contractDemandKw', 'required', 'is required');
    if (maxDemand === undefined) p.add('usage.maxDemandKw', 'required', 'is required');
  }
}

/**
 * RULES §5. The standard is the account's, or else its category's and capacity's; residential users and
 * those below the exemption are exempt. With a standard, the capacity must be known (the exemption is
 * judged on it) and the reactive energy given.
 */
function powerFactorOf(p: Problems, t: CompiledTariff, a: RatingAccount, std: number | undefined, capacity: bigint | undefined, kvarh: bigint | undefined): CheckedInput['pf'] {
  const explicit = given(a.pfStandard);
  if (!t.powerFactor) {
    if (explicit) p.add('account.pfStandard', 'pf_not_in_tariff', `tariff ${t.code} has no power-factor adjustment`);
    return null;
  }
  if (!explicit && kvarh === undefined) return null; // nothing to judge by
  if (capacity === undefined) {
    if (!given(a.capacityKva)) p.add('account.capacityKva', 'capacity_required_for_pf', 'the power-factor adjustment needs the capacity: users below 100 kVA are exempt (RULES §5)');
    return null;
  }
  const exempt = t.powerFactor.exemptBelowKva;
  if (exempt !== null && capacity < exempt) return null;
  const standard = explicit ? std : derivedStandard(a, capacity);
  if (standard === undefined) return null; // a bad explicit standard is reported already; none derived = exempt
  const table = t.powerFactor.tables.get(standard);
  if (!table) {
    p.add('account.pfStandard', 'pf_no_table', `tariff ${t.code} has no power-factor table for standard ${formatDecimal(BigInt(standard), 2, 2)}`, { standard: formatDecimal(BigInt(standard), 2, 2) });
    return null;
  }
  if (kvarh === undefined) {
    p.add('usage.kvarh', 'kvarh_required', `the power-factor adjustment (standard ${formatDecimal(BigInt(standard), 2, 2)}) needs the reactive energy`, { standard: formatDecimal(BigInt(standard), 2, 2) });
    return null;
  }
  return { table, source: explicit ? 'account' : 'RULES §5' };
}

/** The RULES §5 standard (hundredths) of an account whose contract names none; undefined = exempt. */
export function derivedStandard(a: Pick<RatingAccount, 'category' | 'voltageLevel'>, capacity: bigint): number | undefined {
  for (const r of PF_STANDARD_RULES_1983) {
    if (!(r.categories as readonly string[]).includes(a.category)) continue;
    if (r.voltageLevels && !(r.voltageLevels as readonly string[]).includes(a.voltageLevel)) continue;
    if (capacity < parseDecimal(r.minKva, QUANTITY_SCALE)!) continue;
    return Number(parseDecimal(r.standard, 2));
  }
  return undefined;
}
