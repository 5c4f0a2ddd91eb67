/**
 * A batch of reads as text → reads, pure. Three shapes: one JSON object, a JSON array of objects, or
 * NDJSON (one object per line; blank lines skipped). Only the structure is checked here — each read an
 * object with the known fields only, `meterNo` and `readOn` strings, registers strings or numbers — so that
 * a batch that cannot be read is refused whole (AppError VALIDATION, nothing written); whether the values
 * make sense (a real date, a decimal ≥ 0 …) is judged per read by `read-rules.ts`.
 */
import { AppError, type FieldError } from '../../../shared/errors.js';
import type { IncomingRead } from './read-rules.js';

export const READ_FIELDS = ['meterNo', 'readOn', 'total', 'peak', 'flat', 'valley'] as const;
const KNOWN = new Set<string>(READ_FIELDS);
const MAX_TEXT = 64;
const MAX_ERRORS = 20;

export interface ParseOptions {
  /** The meter the payload belongs to (an MQTT topic's): reads without `meterNo` take it; one naming another meter is malformed. */
  meterNo?: string | undefined;
}

export function parseReadsPayload(text: string, opts: ParseOptions = {}): IncomingRead[] {
  const trimmed = text.trim();
  if (trimmed === '') throw malformed([{ field: 'body', message: 'no reads: the body is empty' }]);
  let items: unknown[];
  if (trimmed.startsWith('[')) items = asArray(parseJson(trimmed, 'body'));
  else {
    const whole = tryJson(trimmed);
    items = whole.ok ? [whole.value] : ndjson(trimmed);
  }
  const errors: FieldError[] = [];
  for (let i = 0; i < items.length && errors.length < MAX_ERRORS; i++) checkShape(items[i], i, opts.meterNo, errors);
  if (errors.length) throw malformed(errors);
  return items as IncomingRead[];
}

function malformed(errors: FieldError[]): AppError {
  const first = errors[0]!;
  const more = errors.length > 1 ? ` (and ${errors.length - 1}${errors.length >= MAX_ERRORS ? '+' : ''} more)` : '';
  return new AppError('VALIDATION', `malformed batch, nothing written: ${first.field}: ${first.message}${more}`, { errors });
}

function tryJson(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}

function parseJson(text: string, where: string): unknown {
  const r = tryJson(text);
  if (!r.ok) throw malformed([{ field: where, message: `not JSON (${r.error})` }]);
  return r.value;
}

function asArray(value: unknown): unknown[] {
  if (!Array.isArray(value)) throw malformed([{ field: 'body', message: 'expected a JSON array of reads' }]);
  return value;
}

/**
 * NDJSON: a JSON string holds no raw line break, so the lines joined by commas are one JSON array — parsed
 * at once (half the time of a parse per line); when that fails, line by line, to name the line.
 */
function ndjson(text: string): unknown[] {
  const all = tryJson(`[${text.replace(/\s*\n\s*/g, ',')}]`);
  return all.ok && Array.isArray(all.value) ? all.value : ndjsonLines(text);
}

function ndjsonLines(text: string): unknown[] {
  const out: unknown[] = [];
  let line = 0;
  for (let start = 0; start <= text.length; ) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    line++;
    const raw = text.slice(start, end).trim();
    start = end + 1;
    if (raw === '') continue;
    const r = tryJson(raw);
    if (!r.ok) throw malformed([{ field: `line ${line}`, message: `not a JSON object (${r.error})` }]);
    out.push(r.value);
  }
  return out;
}

const isText = (v: unknown, max: number): v is string => typeof v === 'string' && v.length <= max && !v.includes('\u0000');
const isRegister = (v: unknown) => typeof v === 'number' || isText(v, MAX_TEXT);

function checkShape(item: unknown, i: number, meterNo: string | undefined, errors: FieldError[]): void {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    errors.push({ field: String(i), message: 'a read must be a JSON object', code: 'type' });
    return;
  }
  const read = item as Record<string, unknown>;
  for (const key in read) if (!KNOWN.has(key)) errors.push({ field: `${i}.${key}`, message: `unknown field (a read has ${READ_FIELDS.join(', ')})`, code: 'unknown' });
  if (read.meterNo === undefined && meterNo !== undefined) read.meterNo = meterNo;
  if (!isText(read.meterNo, MAX_TEXT) || read.meterNo === '') errors.push({ field: `${i}.meterNo`, message: 'required: the meter number (text, 1–64 characters)', code: 'required' });
  else if (meterNo !== undefined && read.meterNo !== meterNo) errors.push({ field: `${i}.meterNo`, message: `a read of meter ${read.meterNo} in the payload of meter ${meterNo}` });
  if (!isText(read.readOn, MAX_TEXT)) errors.push({ field: `${i}.readOn`, message: 'required: the day read, YYYY-MM-DD', code: 'required' });
  if (!isRegister(read.total)) errors.push({ field: `${i}.total`, message: 'required: the total register, a decimal string or number', code: 'required' });
  if (!optionalRegister(read.peak)) errors.push({ field: `${i}.peak`, message: 'a decimal string or number, or null', code: 'type' });
  if (!optionalRegister(read.flat)) errors.push({ field: `${i}.flat`, message: 'a decimal string or number, or null', code: 'type' });
  if (!optionalRegister(read.valley)) errors.push({ field: `${i}.valley`, message: 'a decimal string or number, or null', code: 'type' });
}

const optionalRegister = (v: unknown) => v === undefined || v === null || isRegister(v);
