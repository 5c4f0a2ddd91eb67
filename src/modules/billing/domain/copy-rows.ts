import { copyText } from '../../../db/copy.js';
import type { BillDraft } from './assemble.js';
import { centsText, type EstimatedRead, type Finding } from './reads.js';

/**
 * COPY text for what a rating batch writes (pure string building; the repository streams it). The bill
 * run writes a million bills in a minute, so this is a hot path: plain concatenation, and each line
 * detail that the engine shares between bills is serialised once.
 */

export const BILL_COLUMNS = [
  'account_id', 'id', 'period', 'bill_run_id', 'kind', 'status', 'tariff_code', 'tariff_effective_from', 'total_fen',
  'kwh', 'peak_kwh', 'flat_kwh', 'valley_kwh', 'kvarh', 'max_demand_kw', 'days', 'estimated', 'outlier', 'rollover', 'due_day',
] as const;

export const BILL_LINE_COLUMNS = ['account_id', 'bill_id', 'line_no', 'code', 'quantity', 'unit_price', 'amount_fen', 'detail'] as const;

export const EXCEPTION_COLUMNS = ['bill_run_id', 'account_id', 'bill_id', 'kind', 'blocking', 'detail'] as const;

export const ESTIMATED_READ_COLUMNS = ['account_id', 'meter_id', 'period', 'read_on', 'total', 'peak', 'flat', 'valley', 'reactive', 'max_demand', 'estimated', 'source'] as const;

/**
 * COPY text accumulated as UTF-8 in 1 MiB buffers: cheaper than one big JavaScript string (no huge ropes
 * to flatten, less garbage), and the buffers go to the socket as they are. Rows are first joined into
 * ~8 KiB strings, which halves the cost of the many small writes.
 */
export class CopyBuffer {
  static readonly SIZE = 1 << 20;
  private static readonly PENDING = 8192;
  private readonly chunks: Buffer[] = [];
  private buf: Buffer | null = null;
  private off = 0;
  private pending = '';

  add(text: string): void {
    this.pending += text;
    if (this.pending.length > CopyBuffer.PENDING) this.write();
  }

  get empty(): boolean {
    return this.pending.length === 0 && this.off === 0 && this.chunks.length === 0;
  }

  /** The bytes written so far, as chunks; the buffer starts over. */
  take(): Buffer[] {
    this.write();
    this.seal();
    return this.chunks.splice(0);
  }

  private write(): void {
    const text = this.pending;
    if (!text) return;
    this.pending = '';
    if (text.length * 3 > CopyBuffer.SIZE) {
      this.seal();
      this.chunks.push(Buffer.from(text));
      return;
    }
    if (!this.buf || this.off + text.length * 3 > CopyBuffer.SIZE) {
      this.seal();
      this.buf = Buffer.allocUnsafe(CopyBuffer.SIZE);
    }
    this.off += this.buf.write(text, this.off);
  }

  private seal(): void {
    if (this.buf && this.off > 0) this.chunks.push(this.buf.subarray(0, this.off));
    this.buf = null;
    this.off = 0;
  }
}

const N = '\\N';
const opt = (v: string | number | null): string => (v === null ? N : String(v));

/** COPY text of codes (tariff codes, line codes): few distinct values, escaped once each. */
const codeText = new Map<string, string>();
function code(value: string): string {
  let text = codeText.get(value);
  if (text === undefined) {
    text = copyText(value);
    if (codeText.size < 10_000) codeText.set(value, text);
  }
  return text;
}

export function billRow(b: BillDraft, id: number, period: string, runId: number): string {
  return `${b.accountId}\t${id}\t${period}\t${runId}\tregular\tdraft\t${code(b.tariffCode)}\t${b.tariffEffectiveFrom}\t${b.totalFen}\t${b.kwh}\t${opt(b.peakKwh)}\t${opt(b.flatKwh)}\t${opt(b.valleyKwh)}\t${opt(b.kvarh)}\t${opt(b.maxDemandKw)}\t${opt(b.days)}\t${b.estimated ? 't' : 'f'}\t${b.outlier ? 't' : 'f'}\t${b.rollover ? 't' : 'f'}\t${opt(b.dueDay)}\n`;
}

const detailText = new WeakMap<object, string>();

/** The engine shares detail objects between bills (they are frozen): encode each once. */
function detailOf(detail: Readonly<Record<string, unknown>>): string {
  let text = detailText.get(detail);
  if (text === undefined) {
    text = copyText(JSON.stringify(detail));
    if (Object.isFrozen(detail)) detailText.set(detail, text);
  }
  return text;
}

export function lineRows(b: BillDraft, billId: number): string {
  let out = '';
  for (let i = 0; i < b.lines.length; i++) {
    const l = b.lines[i]!;
    out += `${b.accountId}\t${billId}\t${i + 1}\t${code(l.code)}\t${l.quantity}\t${l.unitPrice}\t${l.amountFen}\t${detailOf(l.detail)}\n`;
  }
  return out;
}

export function exceptionRow(runId: number, accountId: number, billId: number | null, f: Finding): string {
  return `${runId}\t${accountId}\t${opt(billId)}\t${f.kind}\t${f.blocking ? 't' : 'f'}\t${copyText(JSON.stringify(f.detail))}\n`;
}

const cents = (v: number | null): string => (v === null ? N : centsText(v));

export function estimatedReadRow(accountId: number, period: string, readOn: string, r: EstimatedRead): string {
  return `${accountId}\t${r.meterId}\t${period}\t${readOn}\t${cents(r.total)}\t${cents(r.peak)}\t${cents(r.flat)}\t${cents(r.valley)}\t${cents(r.reactive)}\t${cents(r.maxDemand)}\tt\testimate\n`;
}
