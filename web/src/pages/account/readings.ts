import type { Meter, Read } from '../../api/types';

/**
 * Turns meter reads into chart series. Pure: the chart component only draws what comes out of here.
 * Usages are decimal strings from the API; they become numbers only now, for drawing.
 *
 * The API's usage is already consumption in kWh (register difference × the meter's multiplier).
 */

export interface MonthlySeries {
  months: string[];
  tou: boolean;
  total: Array<number | null>;
  peak: Array<number | null>;
  flat: Array<number | null>;
  valley: Array<number | null>;
  /** kWh from reads without a peak/flat/valley split, on an account that also has a TOU meter. */
  untou: Array<number | null>;
  estimated: boolean[];
}

export interface DailySeries {
  days: string[];
  total: Array<number | null>;
  estimated: boolean[];
}

const num = (v: string | null | undefined): number | null => {
  if (v === null || v === undefined || v === '') return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
};

/** '2025-03', '202503', '2025-03-31' → '2025-03'. */
export function monthOf(read: Pick<Read, 'period' | 'readOn'>): string {
  const p = read.period?.trim();
  if (p && /^\d{4}-\d{2}/.test(p)) return p.slice(0, 7);
  if (p && /^\d{6}$/.test(p)) return `${p.slice(0, 4)}-${p.slice(4)}`;
  return read.readOn.slice(0, 7);
}

export function addMonths(month: string, delta: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const index = y * 12 + (m - 1) + delta;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

export function hasTou(meters: Meter[], reads: Read[]): boolean {
  return meters.some((m) => m.registers.includes('peak')) || reads.some((r) => r.usage?.peak != null);
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/** The last `count` months that have reads, gaps between them kept as empty months. */
export function monthlySeries(reads: Read[], meters: Meter[], count = 24): MonthlySeries {
  const tou = hasTou(meters, reads);
  const byMonth = new Map<string, { total: number; peak: number; flat: number; valley: number; untou: number; estimated: boolean }>();
  for (const read of reads) {
    if (!read.usage) continue;
    const month = monthOf(read);
    const bucket = byMonth.get(month) ?? { total: 0, peak: 0, flat: 0, valley: 0, untou: 0, estimated: false };
    const total = num(read.usage.total) ?? 0;
    bucket.total += total;
    const peak = num(read.usage.peak);
    if (peak === null) {
      bucket.untou += total;
    } else {
      bucket.peak += peak;
      bucket.flat += num(read.usage.flat) ?? 0;
      bucket.valley += num(read.usage.valley) ?? 0;
    }
    bucket.estimated ||= read.estimated;
    byMonth.set(month, bucket);
  }
  const empty: MonthlySeries = { months: [], tou, total: [], peak: [], flat: [], valley: [], untou: [], estimated: [] };
  if (byMonth.size === 0) return empty;

  const sorted = [...byMonth.keys()].sort();
  const last = sorted[sorted.length - 1]!;
  const first = sorted[0]! > addMonths(last, -(count - 1)) ? sorted[0]! : addMonths(last, -(count - 1));
  for (let month = first; month <= last; month = addMonths(month, 1)) {
    const b = byMonth.get(month);
    empty.months.push(month);
    empty.total.push(b ? round2(b.total) : null);
    empty.peak.push(b ? round2(b.peak) : null);
    empty.flat.push(b ? round2(b.flat) : null);
    empty.valley.push(b ? round2(b.valley) : null);
    empty.untou.push(b && b.untou > 0 ? round2(b.untou) : null);
    empty.estimated.push(b?.estimated ?? false);
  }
  return empty;
}

/** Daily consumption summed over the account's meters, one point per day from `from` to `to`. */
export function dailySeries(reads: Read[], from: string, to: string): DailySeries {
  const byDay = new Map<string, { total: number; estimated: boolean }>();
  for (const read of reads) {
    const total = num(read.usage?.total);
    if (total === null) continue;
    const bucket = byDay.get(read.readOn.slice(0, 10)) ?? { total: 0, estimated: false };
    bucket.total += total;
    bucket.estimated ||= read.estimated;
    byDay.set(read.readOn.slice(0, 10), bucket);
  }
  const series: DailySeries = { days: [], total: [], estimated: [] };
  if (byDay.size === 0) return series;
  for (let d = new Date(`${from}T00:00:00Z`); d.toISOString().slice(0, 10) <= to; d.setUTCDate(d.getUTCDate() + 1)) {
    const key = d.toISOString().slice(0, 10);
    const b = byDay.get(key);
    series.days.push(key);
    series.total.push(b ? round2(b.total) : null);
    series.estimated.push(b?.estimated ?? false);
  }
  return series;
}
