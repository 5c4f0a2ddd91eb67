import { AppError, type FieldError } from '../../../shared/errors.js';
import { parseDecimal } from '../../../shared/exact.js';
import {
  CATEGORIES,
  TARIFF_KINDS,
  VOLTAGE_BANDS,
  VOLTAGE_LEVELS,
  type AgentPriceTable,
  type TariffVersion,
} from './tariff-format.js';

/**
 * Semantic validation of catalogue data, beyond what the JSON Schema can say: tiers ascending,
 * prices ≥ 0 with ≤ 6 decimals, TOU hours covering the day exactly once, factors present for every
 * period used, PF tables contiguous and monotone… Every problem is reported, each with its field path
 * (`tiers[1].upToKwh`), so a form or an API client can show them all at once.
 */

export const PRICE_SCALE = 6;
export const FACTOR_SCALE = 4;
export const QUANTITY_SCALE = 2;
export const PERCENT_SCALE = 2;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const join = (base: string, key: string | number) => (typeof key === 'number' ? `${base}[${key}]` : base ? `${base}.${key}` : key);

class Collector {
  readonly problems: FieldError[] = [];
  add(field: string, message: string, code: string, params?: FieldError['params']): void {
    this.problems.push(params ? { field, code, message, params } : { field, code, message });
  }

  /** Only the listed keys may appear. */
  keys(o: Obj, path: string, allowed: readonly string[]): void {
    for (const k of Object.keys(o)) if (!allowed.includes(k)) this.add(join(path, k), 'unknown field', 'unknown_field');
  }

  object(o: Obj, key: string, path: string, required: boolean): Obj | undefined {
    const v = o[key];
    if (v === undefined) {
      if (required) this.add(join(path, key), 'is required', 'required');
      return undefined;
    }
    if (!isObj(v)) {
      this.add(join(path, key), 'must be an object', 'not_object');
      return undefined;
    }
    return v;
  }

  array(o: Obj, key: string, path: string, required: boolean, minItems = 1): unknown[] | undefined {
    const v = o[key];
    if (v === undefined) {
      if (required) this.add(join(path, key), 'is required', 'required');
      return undefined;
    }
    if (!Array.isArray(v)) {
      this.add(join(path, key), 'must be an array', 'not_array');
      return undefined;
    }
    if (v.length < minItems) {
      this.add(join(path, key), `must have at least ${minItems} item${minItems === 1 ? '' : 's'}`, 'too_few_items', { min: minItems });
      return undefined;
    }
    return v;
  }

  string(o: Obj, key: string, path: string, required: boolean, pattern?: RegExp, what?: string): string | undefined {
    const v = o[key];
    if (v === undefined) {
      if (required) this.add(join(path, key), 'is required', 'required');
      return undefined;
    }
    if (typeof v !== 'string') {
      this.add(join(path, key), 'must be a string', 'not_string');
      return undefined;
    }
    if (pattern && !pattern.test(v)) {
      this.add(join(path, key), `must be ${what ?? `a string matching ${pattern}`}`, 'bad_format', { format: what ?? String(pattern) });
      return undefined;
    }
    return v;
  }

  oneOf<T extends string>(o: Obj, key: string, path: string, values: readonly T[], required: boolean): T | undefined {
    const v = o[key];
    if (v === undefined) {
      if (required) this.add(join(path, key), 'is required', 'required');
      return undefined;
    }
    if (typeof v !== 'string' || !values.includes(v as T)) {
      this.add(join(path, key), `must be one of ${values.join(', ')}`, 'not_one_of', { values: values.join(', ') });
      return undefined;
    }
    return v as T;
  }

  /**
   * A decimal string with at most `scale` decimals, within bounds. Returns the value scaled to `scale`.
   * Numbers are refused: a float cannot say "0.10" exactly and the format promises strings.
   */
  decimal(
    o: Obj,
    key: string,
    path: string,
    opts: { scale: number; required?: boolean; signed?: boolean; min?: bigint; minExclusive?: bigint; max?: bigint; what?: string },
  ): bigint | undefined {
    const field = join(path, key);
    const v = o[key];
    if (v === undefined) {
      if (opts.required !== false) this.add(field, 'is required', 'required');
      return undefined;
    }
    if (typeof v !== 'string') {
      this.add(field, `must be a decimal string like "0.51", not ${typeof v}`, 'not_decimal');
      return undefined;
    }
    const parsed = parseDecimal(v, opts.scale, true);
    if (parsed === undefined) {
      if (/^-?\d+(\.\d+)?$/.test(v)) this.add(field, `"${v}" has more than ${opts.scale} decimal places`, 'too_many_decimals', { places: opts.scale });
      else this.add(field, `"${v}" is not a decimal number`, 'not_decimal');
      return undefined;
    }
    if (parsed < 0n && !opts.signed && opts.min === undefined) {
      this.add(field, `must not be negative (got "${v}")`, 'negative');
      return undefined;
    }
    const show = (b: bigint) => formatScaled(b, opts.scale);
    if (opts.min !== undefined && parsed < opts.min) {
      this.add(field, `must be at least ${show(opts.min)} (got "${v}")`, 'below_min', { min: show(opts.min) });
      return undefined;
    }
    if (opts.minExclusive !== undefined && parsed <= opts.minExclusive) {
      this.add(field, `must be greater than ${show(opts.minExclusive)} (got "${v}")`, 'not_above', { min: show(opts.minExclusive) });
      return undefined;
    }
    if (opts.max !== undefined && parsed > opts.max) {
      this.add(field, `must be at most ${show(opts.max)} (got "${v}")`, 'above_max', { max: show(opts.max) });
      return undefined;
    }
    return parsed;
  }
}

function formatScaled(v: bigint, scale: number): string {
  const neg = v < 0n;
  const d = (neg ? -v : v).toString().padStart(scale + 1, '0');
  let t = scale ? `${d.slice(0, -scale)}.${d.slice(-scale)}`.replace(/\.?0+$/, '') : d;
  if (t === '') t = '0';
  return neg ? `-${t}` : t;
}

const CODE = /^[a-z0-9][a-z0-9.-]{2,63}$/;
const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const HHMM = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;

/** A real calendar date (2024-02-30 is refused). */
export function isDate(s: string): boolean {
  if (!DATE.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

export const isMonth = (s: string): boolean => MONTH.test(s);

/** "06:30" → 390 minutes after midnight. */
export const minutesOf = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
const hhmmOf = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;

const ONE = (scale: number) => 10n ** BigInt(scale);

const BASE_KEYS = ['code', 'name', 'effectiveFrom', 'appliesTo', 'notes', 'kind'] as const;
const KIND_KEYS: Record<TariffVersion['kind'], readonly string[]> = {
  tiered: ['tiers', 'cycleThresholds', 'funds', 'powerFactor'],
  'shared-meter': ['basePrice', 'markup', 'funds', 'powerFactor'],
  flat: ['price', 'funds', 'powerFactor'],
  // `funds` is listed so that its specific message below is the only one
  'single-part': ['agentPurchase', 'tou', 'powerFactor', 'funds'],
  'two-part': ['agentPurchase', 'tou', 'basic', 'powerFactor', 'funds'],
};

/** Every problem with a tariff version, each with its field path under `path`. Empty = valid. */
export function validateTariffVersion(input: unknown, path = ''): FieldError[] {
  const c = new Collector();
  if (!isObj(input)) {
    c.add(path || '(root)', 'a tariff version must be an object', 'not_object');
    return c.problems;
  }
  const kind = c.oneOf(input, 'kind', path, TARIFF_KINDS, true);
  c.keys(input, path, kind ? [...BASE_KEYS, ...KIND_KEYS[kind]] : Object.keys(input));
  c.string(input, 'code', path, true, CODE, 'a code of 3–64 lowercase letters, digits, dots and hyphens, like "gansu.residential.tiered"');
  const name = c.string(input, 'name', path, true);
  if (name !== undefined && name.trim() === '') c.add(join(path, 'name'), 'must not be empty', 'empty');
  const from = c.string(input, 'effectiveFrom', path, true, DATE, 'a date YYYY-MM-DD');
  if (from !== undefined && !isDate(from)) c.add(join(path, 'effectiveFrom'), `"${from}" is not a calendar date`, 'not_calendar_date');
  c.string(input, 'notes', path, false);
  const appliesTo = c.object(input, 'appliesTo', path, false);
  if (appliesTo) {
    const ap = join(path, 'appliesTo');
    c.keys(appliesTo, ap, ['categories', 'voltageLevels']);
    enumList(c, appliesTo, 'categories', ap, CATEGORIES);
    enumList(c, appliesTo, 'voltageLevels', ap, VOLTAGE_LEVELS);
  }

  switch (kind) {
    case 'tiered':
      checkTiers(c, input, path);
      c.oneOf(input, 'cycleThresholds', path, ['per-month', 'per-cycle'] as const, false);
      checkFunds(c, input, path);
      break;
    case 'shared-meter': {
      const base = c.decimal(input, 'basePrice', path, { scale: PRICE_SCALE });
      const markup = c.decimal(input, 'markup', path, { scale: PRICE_SCALE, signed: true });
      if (base !== undefined && markup !== undefined && base + markup < 0n) c.add(join(path, 'markup'), 'basePrice + markup must not be negative', 'negative_price');
      checkFunds(c, input, path);
      break;
    }
    case 'flat':
      c.decimal(input, 'price', path, { scale: PRICE_SCALE });
      checkFunds(c, input, path);
      break;
    case 'single-part':
    case 'two-part': {
      const ag = c.object(input, 'agentPurchase', path, true);
      if (ag) {
        c.keys(ag, join(path, 'agentPurchase'), ['column']);
        c.oneOf(ag, 'column', join(path, 'agentPurchase'), ['single-part', 'two-part'] as const, true);
      }
      if ('funds' in input) c.add(join(path, 'funds'), 'government funds of agent-purchase tariffs come from the month’s price table (component funds)', 'funds_from_table');
      const tou = c.object(input, 'tou', path, false);
      if (tou) checkTou(c, tou, join(path, 'tou'));
      if (kind === 'two-part') {
        const basic = c.object(input, 'basic', path, true);
        if (basic) checkBasic(c, basic, join(path, 'basic'));
      }
      break;
    }
    default:
      break;
  }
  const pf = c.object(input, 'powerFactor', path, false);
  if (pf) checkPowerFactor(c, pf, join(path, 'powerFactor'));
  return c.problems;
}

function enumList(c: Collector, o: Obj, key: string, path: string, values: readonly string[]): void {
  const list = c.array(o, key, path, false);
  if (!list) return;
  const seen = new Set<string>();
  list.forEach((v, i) => {
    if (typeof v !== 'string' || !values.includes(v)) c.add(join(join(path, key), i), `must be one of ${values.join(', ')}`, 'not_one_of', { values: values.join(', ') });
    else if (seen.has(v)) c.add(join(join(path, key), i), `"${v}" is listed twice`, 'duplicate', { value: String(v) });
    else seen.add(v);
  });
}

function checkFunds(c: Collector, o: Obj, path: string): void {
  const funds = c.object(o, 'funds', path, false);
  if (!funds) return;
  c.keys(funds, join(path, 'funds'), ['perKwh']);
  c.decimal(funds, 'perKwh', join(path, 'funds'), { scale: PRICE_SCALE });
}

function checkTiers(c: Collector, o: Obj, path: string): void {
  const tiers = c.array(o, 'tiers', path, true);
  if (!tiers) return;
  const tp = join(path, 'tiers');
  let previous: bigint | undefined;
  tiers.forEach((t, i) => {
    const p = join(tp, i);
    if (!isObj(t)) return c.add(p, 'must be an object', 'not_object');
    c.keys(t, p, ['upToKwh', 'price']);
    c.decimal(t, 'price', p, { scale: PRICE_SCALE });
    const last = i === tiers.length - 1;
    if (last) {
      if (t.upToKwh !== undefined) c.add(join(p, 'upToKwh'), 'the last tier has no upper bound', 'last_tier_bounded');
      return;
    }
    const upTo = c.decimal(t, 'upToKwh', p, { scale: QUANTITY_SCALE, minExclusive: 0n });
    if (upTo === undefined) return;
    if (previous !== undefined && upTo <= previous) c.add(join(p, 'upToKwh'), `tiers must ascend: ${formatScaled(upTo, 2)} is not above the previous tier's ${formatScaled(previous, 2)}`, 'tiers_not_ascending', { previous: formatScaled(previous, 2) });
    previous = upTo;
  });
}

function checkTou(c: Collector, tou: Obj, path: string): void {
  c.keys(tou, path, ['factors', 'hours', 'critical', 'floating']);
  const factors = c.object(tou, 'factors', path, true);
  if (factors) {
    const fp = join(path, 'factors');
    c.keys(factors, fp, ['peak', 'flat', 'valley', 'critical']);
    for (const k of ['peak', 'flat', 'valley'] as const) c.decimal(factors, k, fp, { scale: FACTOR_SCALE, minExclusive: 0n });
    c.decimal(factors, 'critical', fp, { scale: FACTOR_SCALE, minExclusive: 0n, required: false });
  }
  const floating = c.array(tou, 'floating', path, true);
  if (floating) {
    const seen = new Set<unknown>();
    floating.forEach((f, i) => {
      if (f !== 'agent' && f !== 'lineLoss') c.add(join(join(path, 'floating'), i), 'must be one of agent, lineLoss', 'not_one_of', { values: 'agent, lineLoss' });
      else if (seen.has(f)) c.add(join(join(path, 'floating'), i), `"${f}" is listed twice`, 'duplicate', { value: String(f) });
      seen.add(f);
    });
  }
  const hours = c.array(tou, 'hours', path, true);
  const peakRanges: [number, number][] = [];
  if (hours) {
    const hp = join(path, 'hours');
    const ranges: { from: number; to: number; i: number }[] = [];
    hours.forEach((h, i) => {
      const p = join(hp, i);
      if (!isObj(h)) return c.add(p, 'must be an object', 'not_object');
      c.keys(h, p, ['period', 'from', 'to']);
      const period = c.oneOf(h, 'period', p, ['peak', 'flat', 'valley'] as const, true);
      const r = range(c, h, p);
      if (!r) return;
      ranges.push({ ...r, i });
      if (period === 'peak') peakRanges.push([r.from, r.to]);
    });
    if (ranges.length === hours.length) {
      ranges.sort((a, b) => a.from - b.from);
      let at = 0;
      for (const r of ranges) {
        if (r.from > at) c.add(hp, `hours leave ${hhmmOf(at)}–${hhmmOf(r.from)} uncovered`, 'hours_gap', { from: hhmmOf(at), to: hhmmOf(r.from) });
        else if (r.from < at) c.add(join(hp, r.i), `overlaps another range at ${hhmmOf(r.from)}–${hhmmOf(Math.min(at, r.to))}`, 'hours_overlap', { from: hhmmOf(r.from), to: hhmmOf(Math.min(at, r.to)) });
        at = Math.max(at, r.to);
      }
      if (at < 1440) c.add(hp, `hours leave ${hhmmOf(at)}–24:00 uncovered`, 'hours_gap', { from: hhmmOf(at), to: '24:00' });
    }
  }
  const critical = c.object(tou, 'critical', path, false);
  if (critical) {
    const cp = join(path, 'critical');
    c.keys(critical, cp, ['months', 'hours']);
    if (factors && factors.critical === undefined) c.add(join(join(path, 'factors'), 'critical'), 'is required when critical-peak hours are given', 'critical_factor_required');
    const months = c.array(critical, 'months', cp, true);
    months?.forEach((m, i) => {
      if (typeof m !== 'number' || !Number.isInteger(m) || m < 1 || m > 12) c.add(join(join(cp, 'months'), i), 'must be a month number 1–12', 'not_month_number');
      else if (months.indexOf(m) !== i) c.add(join(join(cp, 'months'), i), `month ${m} is listed twice`, 'duplicate', { value: String(m) });
    });
    const ch = c.array(critical, 'hours', cp, true);
    ch?.forEach((h, i) => {
      const p = join(join(cp, 'hours'), i);
      if (!isObj(h)) return c.add(p, 'must be an object', 'not_object');
      c.keys(h, p, ['from', 'to']);
      const r = range(c, h, p);
      if (r && hours && !peakRanges.some(([a, b]) => a <= r.from && r.to <= b)) c.add(p, 'critical-peak hours must lie inside one peak range', 'critical_outside_peak');
    });
  }
}

function range(c: Collector, h: Obj, p: string): { from: number; to: number } | undefined {
  const from = c.string(h, 'from', p, true, HHMM, 'a time HH:MM');
  const to = c.string(h, 'to', p, true, HHMM, 'a time HH:MM (24:00 allowed)');
  if (from === undefined || to === undefined) return undefined;
  const f = minutesOf(from);
  const t = minutesOf(to);
  if (f >= t) {
    c.add(p, `from ${from} must be before to ${to} (split a range that crosses midnight in two)`, 'range_reversed', { from, to });
    return undefined;
  }
  return { from: f, to: t };
}

function checkBasic(c: Collector, b: Obj, path: string): void {
  c.keys(b, path, ['capacityPricePerKva', 'demandPricePerKw', 'demandTolerance', 'excessMultiplier', 'demandFloorOfCapacity', 'highLoadDiscount', 'daysPerMonth', 'singlePartUpToKva']);
  c.decimal(b, 'singlePartUpToKva', path, { scale: QUANTITY_SCALE, required: false });
  c.decimal(b, 'capacityPricePerKva', path, { scale: PRICE_SCALE });
  c.decimal(b, 'demandPricePerKw', path, { scale: PRICE_SCALE });
  c.decimal(b, 'demandTolerance', path, { scale: FACTOR_SCALE, min: ONE(FACTOR_SCALE) });
  c.decimal(b, 'excessMultiplier', path, { scale: FACTOR_SCALE, min: ONE(FACTOR_SCALE) });
  c.decimal(b, 'demandFloorOfCapacity', path, { scale: FACTOR_SCALE, max: ONE(FACTOR_SCALE) });
  const days = b.daysPerMonth;
  if (days === undefined) c.add(join(path, 'daysPerMonth'), 'is required', 'required');
  else if (typeof days !== 'number' || !Number.isInteger(days) || days < 28 || days > 31) c.add(join(path, 'daysPerMonth'), 'must be a whole number of days, 28–31', 'days_per_month');
  const d = c.object(b, 'highLoadDiscount', path, false);
  if (d) {
    const dp = join(path, 'highLoadDiscount');
    c.keys(d, dp, ['kwhPerKva', 'factor', 'appliesTo']);
    c.decimal(d, 'kwhPerKva', dp, { scale: QUANTITY_SCALE, minExclusive: 0n });
    c.decimal(d, 'factor', dp, { scale: FACTOR_SCALE, minExclusive: 0n, max: ONE(FACTOR_SCALE) });
    enumList(c, d, 'appliesTo', dp, ['demand', 'capacity']);
    if (d.appliesTo === undefined) c.add(join(dp, 'appliesTo'), 'is required', 'required');
  }
}

function checkPowerFactor(c: Collector, pf: Obj, path: string): void {
  c.keys(pf, path, ['tables', 'exemptBelowKva']);
  c.decimal(pf, 'exemptBelowKva', path, { scale: QUANTITY_SCALE, required: false });
  const tables = pf.tables;
  if (tables === 'standard-1983') return;
  if (typeof tables === 'string') return c.add(join(path, 'tables'), 'must be "standard-1983" or a list of tables', 'pf_tables');
  const list = c.array(pf, 'tables', path, true);
  if (!list) return;
  const standards = new Set<bigint>();
  list.forEach((t, i) => {
    const p = join(join(path, 'tables'), i);
    if (!isObj(t)) return c.add(p, 'must be an object', 'not_object');
    const errorsBefore = c.problems.length;
    c.keys(t, p, ['standard', 'points', 'percentPerStepBelow']);
    const standard = c.decimal(t, 'standard', p, { scale: 2, minExclusive: 0n, max: 100n });
    c.decimal(t, 'percentPerStepBelow', p, { scale: PERCENT_SCALE });
    if (standard !== undefined) {
      if (standards.has(standard)) c.add(join(p, 'standard'), `standard ${formatScaled(standard, 2)} appears twice`, 'duplicate', { value: formatScaled(standard, 2) });
      standards.add(standard);
    }
    const points = c.array(t, 'points', p, true);
    if (!points) return;
    let prevPf: bigint | undefined;
    let prevPct: bigint | undefined;
    let zeroAtStandard = false;
    points.forEach((pt, j) => {
      const pp = join(join(p, 'points'), j);
      if (!isObj(pt)) return c.add(pp, 'must be an object', 'not_object');
      c.keys(pt, pp, ['pf', 'percent']);
      const x = c.decimal(pt, 'pf', pp, { scale: 2, max: 100n });
      const pct = c.decimal(pt, 'percent', pp, { scale: PERCENT_SCALE, signed: true });
      if (x === undefined || pct === undefined) return;
      if (prevPf !== undefined && x !== prevPf + 1n) c.add(join(pp, 'pf'), `points must list every 0.01 in ascending order (expected ${formatScaled(prevPf + 1n, 2)})`, 'pf_points_gap', { expected: formatScaled(prevPf + 1n, 2) });
      if (prevPct !== undefined && pct > prevPct) c.add(join(pp, 'percent'), 'the percentage must not grow as the power factor improves', 'pf_percent_grows');
      if (x === standard) {
        zeroAtStandard = pct === 0n;
        if (!zeroAtStandard) c.add(join(pp, 'percent'), 'the percentage at the standard itself must be 0', 'pf_standard_not_zero');
      }
      prevPf = x;
      prevPct = pct;
    });
    if (standard !== undefined && c.problems.length === errorsBefore && !zeroAtStandard) c.add(join(p, 'points'), `must include the standard ${formatScaled(standard, 2)} (percent 0)`, 'pf_standard_missing', { standard: formatScaled(standard, 2) });
  });
}

/** Every problem with a month's agent-purchase price table. Empty = valid. */
export function validateAgentPriceTable(input: unknown, path = ''): FieldError[] {
  const c = new Collector();
  if (!isObj(input)) {
    c.add(path || '(root)', 'an agent-purchase price table must be an object', 'not_object');
    return c.problems;
  }
  c.keys(input, path, ['region', 'month', 'publishedOn', 'notes', 'rows']);
  c.string(input, 'region', path, false);
  c.string(input, 'notes', path, false);
  c.string(input, 'month', path, true, MONTH, 'a month YYYY-MM');
  const published = c.string(input, 'publishedOn', path, false, DATE, 'a date YYYY-MM-DD');
  if (published !== undefined && !isDate(published)) c.add(join(path, 'publishedOn'), `"${published}" is not a calendar date`, 'not_calendar_date');
  const rows = c.array(input, 'rows', path, true);
  if (!rows) return c.problems;
  const seen = new Set<string>();
  rows.forEach((r, i) => {
    const p = join(join(path, 'rows'), i);
    if (!isObj(r)) return c.add(p, 'must be an object', 'not_object');
    c.keys(r, p, ['voltage', 'column', 'agent', 'lineLoss', 'td', 'systemOps', 'funds']);
    const voltage = c.oneOf(r, 'voltage', p, VOLTAGE_BANDS, true);
    const column = c.oneOf(r, 'column', p, ['single-part', 'two-part'] as const, true);
    if (voltage && column) {
      const key = `${voltage} ${column}`;
      if (seen.has(key)) c.add(p, `a second row for ${key}`, 'duplicate', { value: key });
      seen.add(key);
    }
    const parts = [
      c.decimal(r, 'agent', p, { scale: PRICE_SCALE }),
      c.decimal(r, 'lineLoss', p, { scale: PRICE_SCALE }),
      c.decimal(r, 'td', p, { scale: PRICE_SCALE }),
      c.decimal(r, 'systemOps', p, { scale: PRICE_SCALE, signed: true }),
      c.decimal(r, 'funds', p, { scale: PRICE_SCALE }),
    ];
    if (parts.every((x) => x !== undefined) && (parts as bigint[]).reduce((a, b) => a + b, 0n) < 0n) c.add(p, 'the components add up to a negative price', 'negative_price');
  });
  return c.problems;
}

function fail(what: string, problems: FieldError[]): never {
  const head = problems
    .slice(0, 5)
    .map((e) => `${e.field}: ${e.message}`)
    .join('; ');
  throw new AppError('VALIDATION', `invalid ${what}: ${head}${problems.length > 5 ? `; … ${problems.length - 5} more` : ''}`, { errors: problems });
}

/** Throws AppError VALIDATION listing every problem, or narrows the input to a TariffVersion. */
export function assertTariffVersion(input: unknown, path = ''): asserts input is TariffVersion {
  const problems = validateTariffVersion(input, path);
  if (problems.length) fail('tariff version', problems);
}

export function assertAgentPriceTable(input: unknown, path = ''): asserts input is AgentPriceTable {
  const problems = validateAgentPriceTable(input, path);
  if (problems.length) fail('agent-purchase price table', problems);
}
