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
  /** in batch order; the rows to write */
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

const REGISTER = /^(\d{1,12})(?:\.(\d{1,2}))?$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A register value → hundredths, or null when it is not a decimal ≥ 0 with at most 2 places (and 12 digits before). */
export function hundredthsOf(value: RegisterValue): number | null {
  const text = typeof value === 'number' ? (Number.isFinite(value) ? String(value) : '') : value;
  const m = REGISTER.exec(text);
  if (!m) return null;
  const frac = m[2] === undefined ? 0 : m[2].length === 1 ? Number(m[2]) * 10 : Number(m[2]);
  return Number(m[1]) * 100 + frac;
}

/** Hundredths → the decimal text the column takes ("1234.50"). */
export function decimalOf(hundredths: number): string {
  const whole = Math.floor(hundredths / 100);
  const frac = hundredths - whole * 100;
  return `${whole}.${frac < 10 ? '0' : ''}${frac}`;
}

/** A real calendar date written YYYY-MM-DD. */
export function isCalendarDate(text: string): boolean {
  const m = DATE.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1 || y < 1900) return false;
  return d <= new Date(Date.UTC(y, mo, 0)).getUTCDate();
}

type Checked = { ok: true; read: CleanRead } | { ok: false; refusal: Judgement & { reason: RefusalReason } };

/** Step 1: the read's own values. `today` is the business date (Asia/Shanghai). */
export function checkValues(read: IncomingRead, index: number, today: string): Checked {
  const refuse = (reason: RefusalReason, detail: string): Checked => ({ ok: false, refusal: { index, meterNo: read.meterNo, readOn: read.readOn, reason, detail } });
  if (!isCalendarDate(read.readOn)) return refuse('invalid_date', `readOn ${JSON.stringify(read.readOn)} is not a date (YYYY-MM-DD)`);
  if (read.readOn > today) return refuse('future_date', `readOn ${read.readOn} is after today (${today})`);
  const total = hundredthsOf(read.total);
  if (total === null) return refuse('invalid_register', `total ${JSON.stringify(read.total)} is not a decimal ≥ 0 with at most 2 places`);
  const tou: (number | null)[] = [];
  for (const name of ['peak', 'flat', 'valley'] as const) {
    const v = read[name];
    if (v === undefined || v === null || v === '') {
      tou.push(null);
      continue;
    }
    const h = hundredthsOf(v);
    if (h === null) return refuse('invalid_register', `${name} ${JSON.stringify(v)} is not a decimal ≥ 0 with at most 2 places`);
    tou.push(h);
  }
  const [peak, flat, valley] = tou as [number | null, number | null, number | null];
  const given = tou.filter((v) => v !== null).length;
  if (given > 0 && given < 3) return refuse('tou_incomplete', 'peak, flat and valley come together or not at all');
  if (given === 3 && Math.abs(peak! + flat! + valley! - total) > 1)
    return refuse('tou_mismatch', `peak + flat + valley = ${decimalOf(peak! + flat! + valley!)}, total ${decimalOf(total)} (more than 0.01 apart)`);
  return { ok: true, read: { index, meterNo: read.meterNo, readOn: read.readOn, total, peak, flat, valley } };
}

/** The supply's daily ceiling in hundredths of a kWh (capacity × 24 h), or null when it cannot be told. */
export function dailyCeiling(meter: Pick<MeterContext, 'capacityKva' | 'voltageLevel'>): number | null {
  const kva = meter.capacityKva ?? DEFAULT_CAPACITY_KVA[meter.voltageLevel] ?? null;
  return kva === null || kva <= 0 ? null : Math.round(kva * 100) * 24;
}

const daysBetween = (from: string, to: string) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
const sameRegisters = (a: StoredRead, b: StoredRead) => a.total === b.total && a.peak === b.peak && a.flat === b.flat && a.valley === b.valley;
const TOU = ['peak', 'flat', 'valley'] as const;

/** The first register of `later` below `earlier`'s (both present), or null. */
function registerBelow(later: StoredRead, earlier: StoredRead): { name: string; later: number; earlier: number } | null {
  if (later.total < earlier.total) return { name: 'total', later: later.total, earlier: earlier.total };
  for (const name of TOU) {
    const l = later[name];
    const e = earlier[name];
    if (l !== null && e !== null && l < e) return { name, later: l, earlier: e };
  }
  return null;
}

/**
 * Steps 2–5 for the well-formed reads of a batch, meter by meter in date order. `meters` holds the
 * context of every meter found (a meter missing from it is unknown).
 */
export function judgeReads(reads: readonly CleanRead[], meters: ReadonlyMap<string, MeterContext>): Verdicts {
  const out: Verdicts = { accepted: [], duplicates: 0, refused: [], flagged: [] };
  const byMeter = new Map<string, CleanRead[]>();
  for (const r of reads) {
    const list = byMeter.get(r.meterNo);
    if (list) list.push(r);
    else byMeter.set(r.meterNo, [r]);
  }
  for (const [meterNo, list] of byMeter) judgeMeter(meterNo, list, meters.get(meterNo), out);
  out.accepted.sort((a, b) => a.index - b.index);
  out.refused.sort((a, b) => a.index - b.index);
  out.flagged.sort((a, b) => a.index - b.index);
  return out;
}

function judgeMeter(meterNo: string, list: CleanRead[], meter: MeterContext | undefined, out: Verdicts): void {
  const refuse = (r: CleanRead, reason: RefusalReason, detail: string) => out.refused.push({ index: r.index, meterNo, readOn: r.readOn, reason, detail });
  if (!meter) {
    for (const r of list) refuse(r, 'unknown_meter', `no meter ${meterNo}`);
    return;
  }
  if (meter.removed) {
    for (const r of list) refuse(r, 'meter_removed', `meter ${meterNo} has been removed`);
    return;
  }
  if (list.length > 1) list.sort((a, b) => (a.readOn < b.readOn ? -1 : a.readOn > b.readOn ? 1 : a.index - b.index));
  const stored = meter.stored;
  const ceiling = dailyCeiling(meter);
  let latestAccepted: CleanRead | null = null;
  let s = 0; // stored[s] is the first stored read not before the day being judged
  for (let i = 0; i < list.length; ) {
    const day = list[i]!.readOn;
    let j = i + 1;
    while (j < list.length && list[j]!.readOn === day) j++;
    const group = list.slice(i, j);
    i = j;
    const read = group[0]!;
    if (group.some((g) => !sameRegisters(g, read))) {
      for (const g of group) refuse(g, 'conflicting', `the batch carries different reads of meter ${meterNo} for ${day}`);
      continue;
    }
    while (s < stored.length && stored[s]!.readOn < day) s++;
    const same = s < stored.length && stored[s]!.readOn === day ? stored[s]! : null;
    if (same) {
      if (sameRegisters(same, read)) out.duplicates += group.length;
      else for (const g of group) refuse(g, 'conflicting', `a different read of ${day} is stored (total ${decimalOf(same.total)})`);
      continue;
    }
    out.duplicates += group.length - 1;
    const storedBefore = s > 0 ? stored[s - 1]! : null;
    const previous = latestAccepted && (!storedBefore || latestAccepted.readOn > storedBefore.readOn) ? latestAccepted : storedBefore;
    const next = s < stored.length ? stored[s]! : null;
    if (previous) {
      const below = registerBelow(read, previous);
      if (below) {
        refuse(read, 'backwards', `${below.name} ${decimalOf(below.later)} is below ${decimalOf(below.earlier)} read on ${previous.readOn}`);
        continue;
      }
    }
    if (next) {
      const above = registerBelow(next, read);
      if (above) {
        refuse(read, 'backwards', `${above.name} ${decimalOf(above.earlier)} is above ${decimalOf(above.later)} read later, on ${next.readOn}`);
        continue;
      }
    }
    if (previous && ceiling !== null) {
      // use × 100 (hundredths of kWh) = register advance (hundredths) × multiplier (hundredths) / 100; compared per day, in integers
      const days = daysBetween(previous.readOn, day);
      const use = (read.total - previous.total) * meter.multiplier;
      const perDay = () => `${(use / 10_000 / days).toFixed(2)} kWh a day since ${previous.readOn}`;
      if (use > ceiling * days * 100) {
        refuse(read, 'impossible_jump', `${perDay()}: more than the ${decimalOf(ceiling)} kWh a day the supply can carry`);
        continue;
      }
      if (use * 2 > ceiling * days * 100)
        out.flagged.push({ index: read.index, meterNo, readOn: day, reason: 'high_use', detail: `${perDay()}: over half the ${decimalOf(ceiling)} kWh a day the supply can carry` });
    }
    out.accepted.push({ ...read, meterId: meter.meterId, accountId: meter.accountId });
    latestAccepted = read;
  }
}

/** The days a batch carries for one meter: the stored reads `judgeReads` needs are those around this span. */
export interface MeterSpan {
  meterNo: string;
  first: string;
  last: string;
}

/** Each meter of the batch with the first and last day it carries. */
export function meterSpans(reads: readonly CleanRead[]): MeterSpan[] {
  const spans = new Map<string, MeterSpan>();
  for (const r of reads) {
    const s = spans.get(r.meterNo);
    if (!s) spans.set(r.meterNo, { meterNo: r.meterNo, first: r.readOn, last: r.readOn });
    else if (r.readOn < s.first) s.first = r.readOn;
    else if (r.readOn > s.last) s.last = r.readOn;
  }
  return [...spans.values()];
}

/** The stored reads a span needs: from the first day to one past the last (the query fetches up to this many from `first`). */
export const spanDays = (span: MeterSpan) => daysBetween(span.first, span.last) + 2;
