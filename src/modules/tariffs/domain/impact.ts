import { formatDecimal, parseDecimal } from '../../../shared/exact.js';
import type { Bucket } from '../tariffs.types.js';
import type { RatingAccount, RatingUsage } from './rate.js';

/**
 * Price-change impact (调价影响测算), the pure part: turn an account's last-cycle meter rows into a
 * rating usage, and tally before/after amounts into totals, two histograms and the most affected
 * accounts — in constant memory (the top list is a bounded heap), so a million accounts stream through.
 */

/** What the metering read gives per meter (decimal strings, already × multiplier). */
export interface MeterCycle {
  period: string | null;
  kwh: string | null;
  peak: string | null;
  flat: string | null;
  valley: string | null;
  kvarh: string | null;
  max_demand_kw: string | null;
}

export interface CycleUsage {
  period: string;
  usage: RatingUsage;
}

const q = (s: string) => parseDecimal(s, 2, true)!;
const text = (v: bigint) => formatDecimal(v, 2, 2);

/**
 * The account's last complete cycle: the meters whose latest read is in the account's latest period
 * and that have a read before it, summed (a meter removed earlier does not count). TOU registers and
 * reactive energy only when every such meter has them; max demands are added (one value per metering
 * point, as a contract demand covers them all). null when no meter has two reads.
 */
export function usageOfMeters(meters: readonly MeterCycle[]): CycleUsage | null {
  let period: string | null = null;
  for (const m of meters) if (m.period !== null && m.kwh !== null && (period === null || m.period > period)) period = m.period;
  if (period === null) return null;
  const used = meters.filter((m) => m.period === period && m.kwh !== null);
  const sum = (pick: (m: MeterCycle) => string | null): bigint | null => {
    let total = 0n;
    for (const m of used) {
      const v = pick(m);
      if (v === null) return null;
      total += q(v);
    }
    return total;
  };
  const kwh = sum((m) => m.kwh)!;
  const peak = sum((m) => m.peak);
  const flat = sum((m) => m.flat);
  const valley = sum((m) => m.valley);
  const kvarh = sum((m) => m.kvarh);
  let demand: bigint | null = null;
  for (const m of used) if (m.max_demand_kw !== null) demand = (demand ?? 0n) + q(m.max_demand_kw);
  const usage: RatingUsage = { kwh: text(kwh) };
  if (peak !== null && flat !== null && valley !== null) usage.kwhByPeriod = { peak: text(peak), flat: text(flat), valley: text(valley) };
  if (kvarh !== null) usage.kvarh = text(kvarh);
  if (demand !== null) usage.maxDemandKw = text(demand);
  return { period, usage };
}

/** The rating attributes of an account row (numeric columns as decimal strings). */
export function ratingAccountOf(a: {
  category: string;
  voltage_level: string;
  agent_multiplier: string;
  pf_standard: string | null;
  capacity_kva: string | null;
  contract_demand_kw: string | null;
  basic_charge_basis: string | null;
}): RatingAccount {
  return {
    category: a.category,
    voltageLevel: a.voltage_level,
    agentMultiplier: trimZeros(a.agent_multiplier),
    pfStandard: a.pf_standard,
    capacityKva: a.capacity_kva,
    contractDemandKw: a.contract_demand_kw,
    basicChargeBasis: a.basic_charge_basis,
  };
}

/** "1.50" → "1.5", "1.00" → "1" (α is a factor of at most 4 places; the engine prints what it is given). */
function trimZeros(s: string): string {
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

// ---- tally ---------------------------------------------------------------------------------------

/** Histogram of the change in fen: decades of yuan each side of zero (bills span 1 元 to 1,000,000 元). */
export const FEN_EDGES = [-1_000_000, -100_000, -10_000, -1_000, -100, 0, 100, 1_000, 10_000, 100_000, 1_000_000] as const;
/** Histogram of the change in basis points of the bill before (100 bp = 1%). */
export const BP_EDGES = [-2000, -1000, -500, -200, -50, 0, 50, 200, 500, 1000, 2000] as const;

export interface Affected {
  accountId: number;
  period: string;
  beforeFen: number;
  afterFen: number;
  changeFen: number;
  /** change ÷ before, as a percentage with 2 decimals ("12.50"); null when the bill before was 0. */
  changePercent: string | null;
}

export interface ImpactSummary {
  rated: number;
  increased: number;
  decreased: number;
  unchanged: number;
  beforeFen: number;
  afterFen: number;
  changeFen: number;
  changePercent: string | null;
  histogramFen: Bucket[];
  histogramPercent: Bucket[];
  /** Accounts whose bill before was 0 but changed: no percentage, not in histogramPercent. */
  noBase: number;
  /** Periods the last cycles fell in, with how many accounts each. */
  periods: { period: string; accounts: number }[];
  top: Affected[];
}

/**
 * Buckets: (−∞, e0), [e0, e1) … split at zero into [.., 0) · {0} · (0, ..): a change of exactly 0 has
 * its own bucket, so "nobody moved" and "moved by under 1 元" are told apart.
 */
function emptyBuckets(edges: readonly number[]): Bucket[] {
  const out: Bucket[] = [{ from: null, to: edges[0]!, count: 0 }];
  for (let i = 0; i + 1 < edges.length; i++) {
    if (edges[i] === 0) out.push({ from: 0, to: 0, count: 0 });
    out.push({ from: edges[i]!, to: edges[i + 1]!, count: 0 });
  }
  out.push({ from: edges[edges.length - 1]!, to: null, count: 0 });
  return out;
}

function bucketOf(buckets: Bucket[], v: number): Bucket {
  if (v === 0) return buckets.find((b) => b.from === 0 && b.to === 0)!;
  // (0, first positive edge) starts at 0 but excludes it, as the zero bucket holds 0 itself
  for (const b of buckets) if ((b.from === null || v >= b.from) && (b.to === null || v < b.to) && !(b.from === 0 && b.to === 0)) return b;
  throw new Error(`no bucket for ${v}`);
}

/** change × 10000 / |before|, rounded half away from zero, exact (bigint). */
function basisPoints(change: number, before: number): number {
  const num = BigInt(change) * 10000n;
  const den = BigInt(Math.abs(before));
  const neg = num < 0n;
  const abs = neg ? -num : num;
  const r = (abs * 2n + den) / (den * 2n);
  return Number(neg ? -r : r);
}

const percentOf = (change: number, before: number): string | null => (before === 0 ? null : formatDecimal(BigInt(basisPoints(change, before)), 2, 2));

/** Heap order: the least affected at the root, so it is the one pushed out. Ties: the higher id goes first. */
function weaker(a: Affected, b: Affected): boolean {
  const x = Math.abs(a.changeFen);
  const y = Math.abs(b.changeFen);
  return x < y || (x === y && a.accountId > b.accountId);
}

export class ImpactTally {
  private rated = 0;
  private increased = 0;
  private decreased = 0;
  private before = 0n;
  private after = 0n;
  private noBase = 0;
  private readonly fen = emptyBuckets(FEN_EDGES);
  private readonly bp = emptyBuckets(BP_EDGES);
  private readonly periods = new Map<string, number>();
  private readonly heap: Affected[] = [];

  constructor(private readonly topN: number) {}

  add(accountId: number, period: string, beforeFen: number, afterFen: number): void {
    const change = afterFen - beforeFen;
    this.rated++;
    if (change > 0) this.increased++;
    else if (change < 0) this.decreased++;
    this.before += BigInt(beforeFen);
    this.after += BigInt(afterFen);
    this.periods.set(period, (this.periods.get(period) ?? 0) + 1);
    bucketOf(this.fen, change).count++;
    if (beforeFen !== 0) bucketOf(this.bp, basisPoints(change, beforeFen)).count++;
    else if (change !== 0) this.noBase++;
    else bucketOf(this.bp, 0).count++;
    if (this.topN > 0) this.offer({ accountId, period, beforeFen, afterFen, changeFen: change, changePercent: percentOf(change, beforeFen) });
  }

  private offer(a: Affected): void {
    const h = this.heap;
    if (h.length < this.topN) {
      h.push(a);
      this.up(h.length - 1);
    } else if (weaker(h[0]!, a)) {
      h[0] = a;
      this.down(0);
    }
  }

  private up(i: number): void {
    const h = this.heap;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!weaker(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  private down(i: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && weaker(h[l]!, h[m]!)) m = l;
      if (r < h.length && weaker(h[r]!, h[m]!)) m = r;
      if (m === i) return;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
  }

  summary(): ImpactSummary {
    const beforeFen = safe(this.before);
    const afterFen = safe(this.after);
    return {
      rated: this.rated,
      increased: this.increased,
      decreased: this.decreased,
      unchanged: this.rated - this.increased - this.decreased,
      beforeFen,
      afterFen,
      changeFen: afterFen - beforeFen,
      changePercent: percentOf(afterFen - beforeFen, beforeFen),
      histogramFen: this.fen.map((b) => ({ ...b })),
      histogramPercent: this.bp.map((b) => ({ ...b })),
      noBase: this.noBase,
      periods: [...this.periods].sort(([a], [b]) => (a < b ? -1 : 1)).map(([period, accounts]) => ({ period, accounts })),
      // most affected first
      top: [...this.heap].sort((a, b) => (weaker(a, b) ? 1 : weaker(b, a) ? -1 : 0)),
    };
  }
}

function safe(v: bigint): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError('impact total too large to be exact');
  return Number(v);
}
