/**
 * Validating cycle reads before rating (核算前的抄表数据校验). Pure functions of the reads.
 *
 * Register values and usages travel as whole numbers of hundredths ("cents" of a kWh, kvarh or kW):
 * numeric(14,2) registers fit a safe integer, so the arithmetic is exact without bigint.
 * Usage = register difference × meter multiplier (the multiplier has 2 decimals, so the product has 4;
 * it is rounded HALF_UP to 0.01 — only a non-integer multiplier ever needs that).
 */

export const TOU_REGISTERS = ['peak', 'flat', 'valley'] as const;
type TouRegister = (typeof TOU_REGISTERS)[number];
type Register = 'total' | TouRegister | 'reactive';
const CUMULATIVE: readonly Register[] = ['total', 'peak', 'flat', 'valley', 'reactive'];

export interface RegisterSet {
  total: number;
  peak: number | null;
  flat: number | null;
  valley: number | null;
  reactive: number | null;
}

export interface Read extends RegisterSet {
  /** Max demand of the month (not cumulative), register units. */
  maxDemand: number | null;
  /** The read itself was estimated by its source (估抄), not read from the meter. */
  estimated: boolean;
}

export interface MeterReads {
  meterId: number;
  /** Registers the meter has (meter.registers). */
  registers: readonly string[];
  /** Meter multiplier (CT × VT ratio) in hundredths: ×1 = 100, ×50 = 5000. */
  multiplier: number;
  /** The read closing the period, the one closing the period before, and one `historyMonths` before that. */
  current: Read | null;
  previous: Read | null;
  history: RegisterSet | null;
}

/** Thresholds of the review (policy; defaults here, like every policy they belong in versioned settings). */
export interface ReadPolicy {
  /** Months of history averaged for an estimate and for outlier checks. */
  historyMonths: number;
  /** Usage above ratio × average, or below average ÷ ratio, is flagged. */
  outlierRatio: number;
  /** …but only when it differs from the average by at least this many kWh (small users swing a lot). */
  outlierMinKwh: number;
  /** A register that goes backwards from at least this share of its capacity to below 1 − share rolled over. */
  rolloverNearShare: number;
}

export const DEFAULT_READ_POLICY: ReadPolicy = { historyMonths: 3, outlierRatio: 3, outlierMinKwh: 20, rolloverNearShare: 0.9 };

/** Usage of a meter or an account, in hundredths of kWh / kvarh / kW, after the multiplier. */
export interface Usage {
  total: number;
  /** TOU registers: all three or none. */
  peak: number | null;
  flat: number | null;
  valley: number | null;
  reactive: number | null;
  maxDemand: number | null;
}

/** Something the review must see. Blocking findings mean no bill this run. */
export interface Finding {
  kind: FindingKind;
  blocking: boolean;
  detail: Record<string, unknown>;
}

export type FindingKind =
  // blocking: no bill
  | 'no_meter'
  | 'no_previous_read'
  | 'missing_read'
  | 'register_backwards'
  | 'tou_registers_missing'
  | 'rating_refused'
  // for review: the bill is made and flagged
  | 'estimated_usage'
  | 'estimated_read'
  | 'rollover'
  | 'usage_high'
  | 'usage_low'
  | 'usage_zero';

/** A read the run writes when the meter's was missing: the previous read plus the average monthly advance. */
export interface EstimatedRead extends RegisterSet {
  meterId: number;
  maxDemand: number | null;
}

export type MeterUsage =
  | { ok: true; meterId: number; usage: Usage; estimated: 'no' | 'source' | 'history'; estimatedRead: EstimatedRead | null; rolledOver: Register[]; monthlyAverage: number | null }
  | { ok: false; meterId: number; finding: Finding };

export const hasTouRegisters = (m: MeterReads): boolean => TOU_REGISTERS.every((r) => m.registers.includes(r));

/** Text of a hundredths value: 12345 → "123.45". */
export function centsText(v: number): string {
  const abs = Math.abs(v);
  const whole = Math.floor(abs / 100);
  const cents = abs - whole * 100;
  return `${v < 0 ? '-' : ''}${whole}.${cents < 10 ? '0' : ''}${cents}`;
}

/**
 * Parses a numeric text with at most 2 decimals ("1234.5", "1234.50", "-3") to hundredths. Throws on
 * anything else: reads come from numeric(14,2) columns, so a failure here is a bug, not bad input.
 */
export function centsOf(text: string): number {
  const dot = text.indexOf('.');
  const negative = text.charCodeAt(0) === 45;
  const intPart = text.slice(negative ? 1 : 0, dot < 0 ? undefined : dot);
  const frac = dot < 0 ? '' : text.slice(dot + 1);
  if (!/^\d+$/.test(intPart) || !/^\d{0,2}$/.test(frac)) throw new RangeError(`not a register value with 2 decimals: ${text}`);
  const v = Number(intPart) * 100 + (frac.length === 0 ? 0 : frac.length === 1 ? Number(frac) * 10 : Number(frac));
  if (!Number.isSafeInteger(v)) throw new RangeError(`register value out of range: ${text}`);
  return negative ? -v : v;
}

/** Register advance × multiplier, HALF_UP to hundredths. Both inputs are non-negative whole numbers. */
export function applyMultiplier(deltaCents: number, multiplierHundredths: number): number {
  if (multiplierHundredths % 100 === 0) {
    const v = deltaCents * (multiplierHundredths / 100);
    if (Number.isSafeInteger(v)) return v;
  }
  const p = BigInt(deltaCents) * BigInt(multiplierHundredths);
  const v = Number((p + 50n) / 100n);
  if (!Number.isSafeInteger(v)) throw new RangeError('usage out of range');
  return v;
}

/**
 * The advance of a cumulative register from `prev` to `cur`. Going backwards is a rollover when the
 * previous value was near the register's capacity (the next power of ten of its whole part, e.g.
 * 99,950.00 on a 99,999.99 register) and the new one near zero; otherwise it is an error (null).
 */
export function registerAdvance(prev: number, cur: number, policy: ReadPolicy = DEFAULT_READ_POLICY): { advance: number; rolledOver: boolean } | null {
  if (cur >= prev) return { advance: cur - prev, rolledOver: false };
  const capacity = registerCapacity(prev);
  if (prev >= capacity * policy.rolloverNearShare && cur < capacity * (1 - policy.rolloverNearShare)) return { advance: capacity - prev + cur, rolledOver: true };
  return null;
}

/** Capacity of the register a value sits on, in hundredths: 99,950.00 → 100,000.00 (a 5-digit register). */
export function registerCapacity(valueCents: number): number {
  let capacity = 100 * 10; // at least a 1-digit register
  while (capacity <= valueCents) capacity *= 10;
  return capacity;
}

function valueOf(r: RegisterSet, name: Register): number | null {
  return r[name];
}

/** Usage of one meter over the period, or the finding that stops it being billed. */
export function meterUsage(m: MeterReads, policy: ReadPolicy = DEFAULT_READ_POLICY): MeterUsage {
  const prev = m.previous;
  if (!prev) return blocked(m, 'no_previous_read', { period: 'previous', message: 'no read closing the previous period: nothing to take the difference from' });
  let cur: Read | null = m.current;
  let estimated: 'no' | 'source' | 'history' = cur?.estimated ? 'source' : 'no';
  let estimatedRead: EstimatedRead | null = null;
  if (!cur) {
    const est = estimateRead(m, policy);
    if (!est.ok) return blocked(m, 'missing_read', { message: est.reason });
    estimatedRead = est.read;
    cur = { ...est.read, estimated: true };
    estimated = 'history';
  }
  const usage: Usage = { total: 0, peak: null, flat: null, valley: null, reactive: null, maxDemand: null };
  const rolledOver: Register[] = [];
  for (const name of CUMULATIVE) {
    const a = valueOf(prev, name);
    const b = valueOf(cur, name);
    if (a === null || b === null) {
      if (name === 'total') return blocked(m, 'missing_read', { message: 'the total register has no value' });
      continue;
    }
    const adv = registerAdvance(a, b, policy);
    if (!adv) return blocked(m, 'register_backwards', { register: name, previous: centsText(a), current: centsText(b) });
    if (adv.rolledOver) rolledOver.push(name);
    usage[name] = applyMultiplier(adv.advance, m.multiplier);
  }
  if (usage.peak === null || usage.flat === null || usage.valley === null) usage.peak = usage.flat = usage.valley = null;
  if (cur.maxDemand !== null && m.registers.includes('max_demand')) usage.maxDemand = applyMultiplier(cur.maxDemand, m.multiplier);
  return { ok: true, meterId: m.meterId, usage, estimated, estimatedRead, rolledOver, monthlyAverage: monthlyAverage(m, policy) };
}

/** Average monthly usage (after the multiplier) over the history window, when the reads allow it. */
export function monthlyAverage(m: MeterReads, policy: ReadPolicy = DEFAULT_READ_POLICY): number | null {
  if (!m.previous || !m.history || m.previous.total < m.history.total) return null;
  return Math.round(applyMultiplier(m.previous.total - m.history.total, m.multiplier) / policy.historyMonths);
}

/** The missing read, estimated as the previous read plus the average monthly advance of each register. */
export function estimateRead(m: MeterReads, policy: ReadPolicy = DEFAULT_READ_POLICY): { ok: true; read: EstimatedRead } | { ok: false; reason: string } {
  const prev = m.previous;
  const hist = m.history;
  if (!prev) return { ok: false, reason: 'no previous read to estimate from' };
  if (!hist) return { ok: false, reason: `no read ${policy.historyMonths} months before the previous one: no history to estimate from` };
  const advance = (name: Register): number | null => {
    const a = valueOf(hist, name);
    const b = valueOf(prev, name);
    if (a === null || b === null) return null;
    if (b < a) return -1; // rolled over inside the history window: no clean average
    return Math.floor((b - a) / policy.historyMonths + 0.5);
  };
  const read: EstimatedRead = { meterId: m.meterId, total: 0, peak: null, flat: null, valley: null, reactive: null, maxDemand: prev.maxDemand };
  const tou = TOU_REGISTERS.map(advance);
  const touKnown = tou.every((v): v is number => v !== null && v >= 0);
  const total = touKnown ? tou.reduce((s, v) => s + v, 0) : advance('total');
  if (total === null || total < 0) return { ok: false, reason: 'the registers went backwards inside the history window: no clean average to estimate from' };
  read.total = prev.total + total;
  if (touKnown) [read.peak, read.flat, read.valley] = TOU_REGISTERS.map((r, i) => prev[r]! + tou[i]!) as [number, number, number];
  const reactive = advance('reactive');
  if (reactive !== null && reactive >= 0) read.reactive = prev.reactive! + reactive;
  return { ok: true, read };
}

function blocked(m: MeterReads, kind: FindingKind, detail: Record<string, unknown>): MeterUsage {
  return { ok: false, meterId: m.meterId, finding: { kind, blocking: true, detail: { meterId: m.meterId, ...detail } } };
}

export interface AccountUsage {
  usage: Usage | null;
  findings: Finding[];
  estimated: boolean;
  rollover: boolean;
  outlier: boolean;
  estimatedReads: EstimatedRead[];
}

/**
 * An account's usage: the sum over its active meters (max demand too — separate supply points add up),
 * with the findings of the review. `needsTou`: the tariff prices by time of use, so every meter must have
 * peak/flat/valley registers — a total is never split by guess.
 */
export function accountUsage(meters: readonly MeterReads[], needsTou: boolean, policy: ReadPolicy = DEFAULT_READ_POLICY): AccountUsage {
  const out: AccountUsage = { usage: null, findings: [], estimated: false, rollover: false, outlier: false, estimatedReads: [] };
  if (meters.length === 0) {
    out.findings.push({ kind: 'no_meter', blocking: true, detail: { message: 'no active meter' } });
    return out;
  }
  if (needsTou) {
    const without = meters.filter((m) => !hasTouRegisters(m)).map((m) => m.meterId);
    if (without.length) {
      out.findings.push({ kind: 'tou_registers_missing', blocking: true, detail: { meterIds: without, message: 'the tariff prices by time of use; these meters have no peak/flat/valley registers' } });
      return out;
    }
  }
  const results = meters.map((m) => meterUsage(m, policy));
  for (const r of results) if (!r.ok && !out.findings.some((f) => f.kind === r.finding.kind)) out.findings.push(r.finding);
  if (out.findings.length) return out;

  const ok = results as Extract<MeterUsage, { ok: true }>[];
  const sum: Usage = { total: 0, peak: 0, flat: 0, valley: 0, reactive: 0, maxDemand: 0 };
  let tou = true;
  let reactive = true;
  let demand = false;
  for (const r of ok) {
    sum.total += r.usage.total;
    if (r.usage.peak === null) tou = false;
    else {
      sum.peak! += r.usage.peak;
      sum.flat! += r.usage.flat!;
      sum.valley! += r.usage.valley!;
    }
    if (r.usage.reactive === null) reactive = false;
    else sum.reactive! += r.usage.reactive;
    if (r.usage.maxDemand !== null) {
      demand = true;
      sum.maxDemand! += r.usage.maxDemand;
    }
  }
  if (!tou) sum.peak = sum.flat = sum.valley = null;
  if (!reactive) sum.reactive = null;
  if (!demand) sum.maxDemand = null;
  out.usage = sum;

  for (const r of ok) {
    if (r.estimated === 'history') {
      out.estimated = true;
      out.estimatedReads.push(r.estimatedRead!);
      out.findings.push({ kind: 'estimated_usage', blocking: false, detail: { meterId: r.meterId, message: `no read: usage estimated as the average of the last ${policy.historyMonths} months`, kwh: centsText(r.usage.total) } });
    } else if (r.estimated === 'source') {
      out.estimated = true;
      out.findings.push({ kind: 'estimated_read', blocking: false, detail: { meterId: r.meterId, message: 'the read is an estimate of its source, not a meter reading' } });
    }
    if (r.rolledOver.length) {
      out.rollover = true;
      out.findings.push({ kind: 'rollover', blocking: false, detail: { meterId: r.meterId, registers: r.rolledOver, message: 'register passed its maximum and restarted from zero' } });
    }
  }
  const dedup = new Map(out.findings.map((f) => [f.kind, f]));
  out.findings = [...dedup.values()];

  if (!out.estimated) {
    const averages = ok.map((r) => r.monthlyAverage);
    if (averages.every((a): a is number => a !== null)) {
      const finding = outlierFinding(sum.total, averages.reduce((s, a) => s + a, 0), policy);
      if (finding) {
        out.outlier = true;
        out.findings.push(finding);
      }
    }
  }
  return out;
}

/** Usage against the account's own recent average: far above, far below, or zero after use. */
export function outlierFinding(usage: number, average: number, policy: ReadPolicy = DEFAULT_READ_POLICY): Finding | null {
  if (average <= 0) return null;
  const min = policy.outlierMinKwh * 100;
  const detail = { kwh: centsText(usage), averageKwh: centsText(average), months: policy.historyMonths };
  if (usage === 0) return { kind: 'usage_zero', blocking: false, detail: { ...detail, message: 'no usage after months of use' } };
  if (usage > average * policy.outlierRatio && usage - average >= min)
    return { kind: 'usage_high', blocking: false, detail: { ...detail, message: `usage above ${policy.outlierRatio}× the average of the last ${policy.historyMonths} months` } };
  if (usage * policy.outlierRatio < average && average - usage >= min)
    return { kind: 'usage_low', blocking: false, detail: { ...detail, message: `usage below 1/${policy.outlierRatio} of the average of the last ${policy.historyMonths} months` } };
  return null;
}
