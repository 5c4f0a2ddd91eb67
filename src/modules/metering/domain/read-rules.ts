/**
 * The rules a daily frozen read (日冻结) must pass before it is stored — pure, no I/O. The use case
 * (`use-cases/ingest-reads.ts`) fetches each meter's context in one query, asks `judgeReads`, and writes
 * what it accepts in one statement.
 *
 * Register values are handled as integer hundredths (the columns are numeric(14,2): at most 12 digits
 * before the point, so every value fits a safe integer) — comparisons and sums are exact.
 *
 * Per read, in this order (the first that fails is the reason):
 *  1. values: `readOn` a real calendar date not after today (Asia/Shanghai); `total` and any TOU register a
 *     decimal ≥ 0 with at most 2 places (a JSON number is read as written: 0.1 + 0.2 is refused);
 *     peak/flat/valley all three or none, and then summing to total within 0.01;
 *  2. the meter: known by meter_no (and in the importer's company), not removed;
 *  3. the same meter and day: already stored with the same registers → a duplicate (counted, not
 *     rewritten); stored with other values → refused as conflicting; given twice in the batch with
 *     different values → every one of them refused (neither can be trusted); given twice identically →
 *     the first is judged, the others are duplicates;
 *  4. against the meter's latest earlier read (stored, or accepted earlier in this batch): no register may
 *     go backwards (a rolled-over register is refused too: a person re-bases the meter); nor may the read
 *     exceed a later stored read (a late read filling a gap must fit between its neighbours);
 *  5. the jump since that earlier read, per day, × the meter's multiplier, against the supply's
 *     physical ceiling — its capacity (kVA, taken as kW at power factor 1) × 24 h:
 *       above the ceiling → refused `impossible_jump` (more energy than the supply can carry);
 *       above half of it → accepted but flagged `high_use` (a load above half the capacity around the
 *       clock: normal for few plants, never for a household — listed for a person to look at).
 *     The capacity is the account's `capacity_kva`; without one it follows from the voltage level
 *     (DEFAULT_CAPACITY_KVA: a 0.22 kV household meter rated 60 A → 13.2 kVA, i.e. 316.8 kWh a day;
 *     a 0.4 kV three-phase 100 A supply → 69 kVA); at 10 kV and above without a capacity there is no ceiling.
 */
export type RegisterValue = string | number;

/** A read as it arrives (API body, NDJSON line, CSV row, MQTT payload). */
export interface IncomingRead {
  meterNo: string;
  /** YYYY-MM-DD: the day at whose 00:00 the registers were frozen. */
  readOn: string;
  total: RegisterValue;
  peak?: RegisterValue | null | undefined;
  flat?: RegisterValue | null | undefined;
  valley?: RegisterValue | null | undefined;
}

export const REFUSAL_REASONS = [
  'invalid_date',
  'future_date',
  'invalid_register',
  'tou_incomplete',
  'tou_mismatch',
  'unknown_meter',
  'meter_removed',
  'conflicting',
  'backwards',
  'impossible_jump',
] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

export const FLAG_REASONS = ['high_use'] as const;
export type FlagReason = (typeof FLAG_REASONS)[number];

/** A read well-formed in its values; registers in hundredths. `index`: its position in the batch. */
export interface CleanRead {
  index: number;
  meterNo: string;
  readOn: string;
  total: number;
  peak: number | null;
  flat: number | null;
  valley: number | null;
}

/** A read stored before (registers in hundredths). */
export interface StoredRead {
  readOn: string;
  total: number;
  peak: number | null;
  flat: number | null;
  valley: number | null;
}

/** What the rules need of one meter. */
export interface MeterContext {
  meterId: number;
  accountId: number;
  removed: boolean;
  /** in hundredths (numeric(10,2)) */
  multiplier: number;
  /** the account's capacity in kVA, null when it has none */
  capacityKva: number | null;
  voltageLevel: string;
  /**
   * Stored reads of the meter, by date: at least the latest one before the earliest day the batch
   * carries for it, every one from that day to the latest day the batch carries, and the first after.
   */
  stored: StoredRead[];
}

export interface Judgement {
  index: number;
  meterNo: string;
  readOn: string;
  reason: string;
  detail: string;
}

export interface Verdicts {
  /** the rows to write, in meter order */
  accepted: (CleanRead & { meterId: number; accountId: number })[];
  duplicates: number;
  /** in batch order */
  refused: (Judgement & { reason: RefusalReason })[];
  /** accepted reads that a person should look at, in batch order */
  flagged: (Judgement & { reason: FlagReason })[];
}

/** Household meters are rated 60 A single-phase (220 V); small 0.4 kV supplies 100 A three-phase (√3 × 400 V). */
export const DEFAULT_CAPACITY_KVA: Readonly<Record<string, number>> = { '0.22kV': 13.2, '0.4kV': 69 };
/** Above this share of the ceiling a read is flagged (accepted). */
export const HIGH_USE_SHARE = 0.5;

type Refusal = Judgement & { reason: RefusalReason };

/**
 * A register value → hundredths, or null when it is not a decimal ≥ 0 with at most 2 places and 12 digits
 * before the point. A number is read as JavaScript writes it (0.1 + 0.2 → "0.30000000000000004": refused).
 * Scanned by hand: it runs for every register of every read of a batch.
 */
export function hundredthsOf(value: RegisterValue): number | null {
  if (typeof value === 'number') {
    if (Number.isInteger(value) && value >= 0 && value < 1e12) return value * 100 + 0; // + 0: -0 → 0
    return Number.isFinite(value) ? hundredthsOfText(String(value)) : null;
  }
  return hundredthsOfText(value);
}

function hundredthsOfText(s: string): number | null {
  const n = s.length;
  let v = 0;
  let i = 0;
  for (; i < n; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) break;
    v = v * 10 + c;
  }
  if (i === 0 || i > 12) return null;
  if (i === n) return v * 100;
  if (s.charCodeAt(i) !== 46 || n - i - 1 < 1 || n - i - 1 > 2) return null; // '.', then 1 or 2 digits
  const a = s.charCodeAt(i + 1) - 48;
  if (a < 0 || a > 9) return null;
  if (n - i - 1 === 1) return v * 100 + a * 10;
  const b = s.charCodeAt(i + 2) - 48;
  return b < 0 || b > 9 ? null : v * 100 + a * 10 + b;
}

/** Hundredths → the decimal text the column takes ("1234.50"). */
export function decimalOf(hundredths: number): string {
  const whole = Math.floor(hundredths / 100);
  const frac = hundredths - whole * 100;
  return `${whole}.${frac < 10 ? '0' : ''}${frac}`;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A real calendar date written YYYY-MM-DD. */
export function isCalendarDate(text: string): boolean {
  const m = DATE.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1 || y < 1900) return false;
  return d <= new Date(Date.UTC(y, mo, 0)).getUTCDate();
}

const DAY_OK = 0;
const DAY_INVALID = 1;
const DAY_FUTURE = 2;

/** Step 1 for one read; `days` remembers each day's verdict (a batch carries few distinct days). */
// (No closures inside the per-read functions: under tsx each one created costs a defineProperty of its name.)
function refusal(read: { index: number; meterNo: string; readOn: string }, reason: RefusalReason, detail: string): Refusal {
  return { index: read.index, meterNo: read.meterNo, readOn: read.readOn, reason, detail };
}
const absent = (x: unknown) => x === undefined || x === null || x === '';

function checkRead(read: IncomingRead, index: number, today: string, days: Map<string, number>): CleanRead | Refusal {
  const at = { index, meterNo: read.meterNo, readOn: read.readOn };
  let day = days.get(read.readOn);
  if (day === undefined) {
    day = !isCalendarDate(read.readOn) ? DAY_INVALID : read.readOn > today ? DAY_FUTURE : DAY_OK;
    days.set(read.readOn, day);
  }
  if (day === DAY_INVALID) return refusal(at, 'invalid_date', `readOn ${JSON.stringify(read.readOn)} is not a date (YYYY-MM-DD)`);
  if (day === DAY_FUTURE) return refusal(at, 'future_date', `readOn ${read.readOn} is after today (${today})`);
  const total = hundredthsOf(read.total);
  if (total === null) return refusal(at, 'invalid_register', `total ${JSON.stringify(read.total)} is not a decimal ≥ 0 with at most 2 places`);
  const p = read.peak;
  const f = read.flat;
  const v = read.valley;
  if (absent(p) && absent(f) && absent(v)) return { index, meterNo: read.meterNo, readOn: read.readOn, total, peak: null, flat: null, valley: null };
  const tou: (number | null)[] = [];
  for (const [name, x] of [['peak', p], ['flat', f], ['valley', v]] as const) {
    if (absent(x)) {
      tou.push(null);
      continue;
    }
    const h = hundredthsOf(x!);
    if (h === null) return refusal(at, 'invalid_register', `${name} ${JSON.stringify(x)} is not a decimal ≥ 0 with at most 2 places`);
    tou.push(h);
  }
  const [peak, flat, valley] = tou as [number | null, number | null, number | null];
  if (peak === null || flat === null || valley === null) return refusal(at, 'tou_incomplete', 'peak, flat and valley come together or not at all');
  if (Math.abs(peak + flat + valley - total) > 1) return refusal(at, 'tou_mismatch', `peak + flat + valley = ${decimalOf(peak + flat + valley)}, total ${decimalOf(total)} (more than 0.01 apart)`);
  return { index, meterNo: read.meterNo, readOn: read.readOn, total, peak, flat, valley };
}

type Checked = { ok: true; read: CleanRead } | { ok: false; refusal: Refusal };

/** Step 1: the read's own values. `today` is the business date (Asia/Shanghai). */
export function checkValues(read: IncomingRead, index: number, today: string): Checked {
  const r = checkRead(read, index, today, new Map());
  return 'reason' in r ? { ok: false, refusal: r } : { ok: true, read: r };
}

/** Step 1 for a batch: its well-formed reads, and the others refused (both in batch order). */
export function cleanReads(reads: readonly IncomingRead[], today: string): { clean: CleanRead[]; refused: Refusal[] } {
  const days = new Map<string, number>();
  const clean: CleanRead[] = [];
  const refused: Refusal[] = [];
  for (let i = 0; i < reads.length; i++) {
    const r = checkRead(reads[i]!, i, today, days);
    if ('reason' in r) refused.push(r);
    else clean.push(r);
  }
  return { clean, refused };
}

/** The supply's daily ceiling in hundredths of a kWh (capacity × 24 h), or null when it cannot be told. */
export function dailyCeiling(meter: Pick<MeterContext, 'capacityKva' | 'voltageLevel'>): number | null {
  const kva = meter.capacityKva ?? DEFAULT_CAPACITY_KVA[meter.voltageLevel] ?? null;
  return kva === null || kva <= 0 ? null : Math.round(kva * 100) * 24;
}

const DAY_MS = 86_400_000;
const dayNumbers = new Map<string, number>();
/** Days since 1970-01-01 of a YYYY-MM-DD date (remembered: a batch has few distinct days). */
function dayNumber(date: string): number {
  let n = dayNumbers.get(date);
  if (n === undefined) {
    n = Date.parse(`${date}T00:00:00Z`) / DAY_MS;
    if (dayNumbers.size > 10_000) dayNumbers.clear();
    dayNumbers.set(date, n);
  }
  return n;
}
const sameRegisters = (a: StoredRead, b: StoredRead) => a.total === b.total && a.peak === b.peak && a.flat === b.flat && a.valley === b.valley;

/** The first register of `later` below `earlier`'s (both present), or null. */
function registerBelow(later: StoredRead, earlier: StoredRead): { name: string; later: number; earlier: number } | null {
  if (later.total < earlier.total) return { name: 'total', later: later.total, earlier: earlier.total };
  if (later.peak !== null && earlier.peak !== null && later.peak < earlier.peak) return { name: 'peak', later: later.peak, earlier: earlier.peak };
  if (later.flat !== null && earlier.flat !== null && later.flat < earlier.flat) return { name: 'flat', later: later.flat, earlier: earlier.flat };
  if (later.valley !== null && earlier.valley !== null && later.valley < earlier.valley) return { name: 'valley', later: later.valley, earlier: earlier.valley };
  return null;
}

const perDay = (use: number, days: number, since: string) => `${(use / 10_000 / days).toFixed(2)} kWh a day since ${since}`;

/** The reads a batch carries for one meter, in batch order, and the first and last day among them. */
export interface MeterReads {
  meterNo: string;
  /** the meter's first read in the batch; `more` the others (null for most meters: one read a batch) */
  read: CleanRead;
  more: CleanRead[] | null;
  first: string;
  last: string;
}

/** The reads by meter, meters in the order they first appear. */
export function groupByMeter(reads: readonly CleanRead[]): MeterReads[] {
  const groups: MeterReads[] = [];
  const byMeter = new Map<string, MeterReads>();
  for (const r of reads) {
    const g = byMeter.get(r.meterNo);
    if (!g) {
      const group: MeterReads = { meterNo: r.meterNo, read: r, more: null, first: r.readOn, last: r.readOn };
      byMeter.set(r.meterNo, group);
      groups.push(group);
    } else {
      (g.more ??= []).push(r);
      if (r.readOn < g.first) g.first = r.readOn;
      else if (r.readOn > g.last) g.last = r.readOn;
    }
  }
  return groups;
}

/** How many stored reads from `first` on the rules need for a group: every day of its span and the first after. */
export const spanDays = (g: Pick<MeterReads, 'first' | 'last'>) => dayNumber(g.last) - dayNumber(g.first) + 2;

/** Steps 2–5 for the well-formed reads of a batch (see judgeMeters). */
export function judgeReads(reads: readonly CleanRead[], meters: ReadonlyMap<string, MeterContext>): Verdicts {
  return judgeMeters(groupByMeter(reads), meters);
}

/**
 * Steps 2–5, meter by meter, each meter's reads in date order (ties in batch order). `meters` holds the
 * context of every meter found (a meter missing from it is unknown). Accepted reads come out in meter
 * order; refused and flagged ones in batch order.
 */
export function judgeMeters(groups: readonly MeterReads[], meters: ReadonlyMap<string, MeterContext>): Verdicts {
  const out: Verdicts = { accepted: [], duplicates: 0, refused: [], flagged: [] };
  for (const g of groups) {
    const meter = meters.get(g.meterNo);
    if (g.more === null) judgeMeter(out, g.read, null, meter);
    else judgeMeter(out, g.read, [g.read, ...g.more].sort(byDayThenIndex), meter);
  }
  if (out.refused.length > 1) out.refused.sort(byIndex);
  if (out.flagged.length > 1) out.flagged.sort(byIndex);
  return out;
}

const byDayThenIndex = (a: CleanRead, b: CleanRead) => (a.readOn < b.readOn ? -1 : a.readOn > b.readOn ? 1 : a.index - b.index);
const byIndex = (a: Judgement, b: Judgement) => a.index - b.index;

const pick = (list: readonly CleanRead[] | null, only: CleanRead, k: number) => (list ? list[k]! : only);

/** One meter's reads: `only` when it is its one read in the batch, else `list`, sorted by day. */
function judgeMeter(out: Verdicts, only: CleanRead, list: readonly CleanRead[] | null, meter: MeterContext | undefined): void {
  const count = list ? list.length : 1;
  if (!meter || meter.removed) {
    for (let k = 0; k < count; k++) {
      const r = pick(list, only, k);
      out.refused.push(refusal(r, meter ? 'meter_removed' : 'unknown_meter', meter ? `meter ${r.meterNo} has been removed` : `no meter ${r.meterNo}`));
    }
    return;
  }
  const stored = meter.stored;
  const ceiling = dailyCeiling(meter);
  let latestAccepted: CleanRead | null = null;
  let s = 0; // stored[s] is the first stored read not before the day being judged
  for (let g = 0; g < count; ) {
    const read = pick(list, only, g);
    const day = read.readOn;
    let end = g + 1;
    while (end < count && pick(list, only, end).readOn === day) end++;
    let differs = false;
    for (let k = g + 1; k < end; k++) differs ||= !sameRegisters(pick(list, only, k), read);
    const from = g;
    g = end;
    if (differs) {
      for (let k = from; k < end; k++) out.refused.push(refusal(pick(list, only, k), 'conflicting', `the batch carries different reads of meter ${read.meterNo} for ${day}`));
      continue;
    }
    while (s < stored.length && stored[s]!.readOn < day) s++;
    const same = s < stored.length && stored[s]!.readOn === day ? stored[s]! : null;
    if (same) {
      if (sameRegisters(same, read)) out.duplicates += end - from;
      else for (let k = from; k < end; k++) out.refused.push(refusal(pick(list, only, k), 'conflicting', `a different read of ${day} is stored (total ${decimalOf(same.total)})`));
      continue;
    }
    out.duplicates += end - from - 1;
    const storedBefore = s > 0 ? stored[s - 1]! : null;
    const previous = latestAccepted && (!storedBefore || latestAccepted.readOn > storedBefore.readOn) ? latestAccepted : storedBefore;
    const later = s < stored.length ? stored[s]! : null;
    if (previous) {
      const below = registerBelow(read, previous);
      if (below) {
        out.refused.push(refusal(read, 'backwards', `${below.name} ${decimalOf(below.later)} is below ${decimalOf(below.earlier)} read on ${previous.readOn}`));
        continue;
      }
    }
    if (later) {
      const above = registerBelow(later, read);
      if (above) {
        out.refused.push(refusal(read, 'backwards', `${above.name} ${decimalOf(above.earlier)} is above ${decimalOf(above.later)} read later, on ${later.readOn}`));
        continue;
      }
    }
    if (previous && ceiling !== null) {
      // use in hundredths of kWh × 100 = register advance (hundredths) × multiplier (hundredths); compared per day, in integers
      const days = dayNumber(day) - dayNumber(previous.readOn);
      const use = (read.total - previous.total) * meter.multiplier;
      const limit = ceiling * days * 100;
      if (use > limit) {
        out.refused.push(refusal(read, 'impossible_jump', `${perDay(use, days, previous.readOn)}: more than the ${decimalOf(ceiling)} kWh a day the supply can carry`));
        continue;
      }
      if (use > limit * HIGH_USE_SHARE)
        out.flagged.push({ index: read.index, meterNo: read.meterNo, readOn: day, reason: 'high_use', detail: `${perDay(use, days, previous.readOn)}: over half the ${decimalOf(ceiling)} kWh a day the supply can carry` });
    }
    out.accepted.push({ index: read.index, meterNo: read.meterNo, readOn: day, total: read.total, peak: read.peak, flat: read.flat, valley: read.valley, meterId: meter.meterId, accountId: meter.accountId });
    latestAccepted = read;
  }
}
