import { formatDecimal, parseDecimal } from '../../../shared/exact.js';

/**
 * Totals of a bill run's bills by category, station and tariff, gathered while the bills stream past
 * once (the xlsx summary is written after its bill sheet, in the same pass). Money is summed in fen and
 * kWh in hundredths, both as bigint: exact whatever the number of bills.
 */

export interface BillForTotals {
  category: string;
  stationId: number;
  stationName: string;
  tariffCode: string;
  /** kWh as PostgreSQL prints numeric(16,2); null when the bill has none. */
  kwh: string | null;
  totalFen: number;
  status: string;
  estimated: boolean;
  outlier: boolean;
  rollover: boolean;
}

export interface Bucket {
  key: string;
  label: string;
  bills: number;
  /** kWh, exact, 2 decimals */
  kwh: string;
  totalFen: number;
}

interface Tally {
  label: string;
  bills: number;
  kwh: bigint;
  fen: bigint;
}

function safe(v: bigint, what: string): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) throw new RangeError(`${what} exceeds a safe integer`);
  return Number(v);
}

export class RunTotals {
  bills = 0;
  issuedBills = 0;
  estimated = 0;
  outliers = 0;
  rollovers = 0;
  private kwh = 0n;
  private fen = 0n;
  private issuedFen = 0n;
  private readonly byCategory = new Map<string, Tally>();
  private readonly byStation = new Map<string, Tally>();
  private readonly byTariff = new Map<string, Tally>();

  add(b: BillForTotals): void {
    const kwh = b.kwh === null ? 0n : parseDecimal(b.kwh, 2, true);
    if (kwh === undefined) throw new RangeError(`not a kWh amount with 2 decimals: ${b.kwh}`);
    const fen = BigInt(b.totalFen);
    this.bills++;
    this.kwh += kwh;
    this.fen += fen;
    if (b.status === 'issued') {
      this.issuedBills++;
      this.issuedFen += fen;
    }
    if (b.estimated) this.estimated++;
    if (b.outlier) this.outliers++;
    if (b.rollover) this.rollovers++;
    tally(this.byCategory, b.category, b.category, kwh, fen);
    tally(this.byStation, String(b.stationId), b.stationName, kwh, fen);
    tally(this.byTariff, b.tariffCode, b.tariffCode, kwh, fen);
  }

  get totalFen(): number {
    return safe(this.fen, 'total');
  }

  get issuedFenTotal(): number {
    return safe(this.issuedFen, 'issued total');
  }

  get totalKwh(): string {
    return formatDecimal(this.kwh, 2, 2);
  }

  /** Buckets in a stable order: categories and tariffs by key, stations by id. */
  categories(): Bucket[] {
    return buckets(this.byCategory, (a, b) => a.localeCompare(b));
  }

  stations(): Bucket[] {
    return buckets(this.byStation, (a, b) => Number(a) - Number(b));
  }

  tariffs(): Bucket[] {
    return buckets(this.byTariff, (a, b) => a.localeCompare(b));
  }
}

function tally(map: Map<string, Tally>, key: string, label: string, kwh: bigint, fen: bigint): void {
  let t = map.get(key);
  if (!t) map.set(key, (t = { label, bills: 0, kwh: 0n, fen: 0n }));
  t.bills++;
  t.kwh += kwh;
  t.fen += fen;
}

function buckets(map: Map<string, Tally>, order: (a: string, b: string) => number): Bucket[] {
  return [...map.keys()].sort(order).map((key) => {
    const t = map.get(key)!;
    return { key, label: t.label, bills: t.bills, kwh: formatDecimal(t.kwh, 2, 2), totalFen: safe(t.fen, `total of ${key}`) };
  });
}
