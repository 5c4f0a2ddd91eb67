import { AppError } from '../../../shared/errors.js';
import { parseYuan } from '../../../shared/money.js';
import type { RejectReason } from './reasons.js';

/**
 * The bank debit result file (代扣回盘文件): what a bank returns after debiting customers' accounts for
 * their electricity bills. Granary's layout (README "Bank debit files"):
 *
 *   bank_txn_id,account_no,amount,debit_date,status,bank_message
 *   ICBC20261120000001,0000012345,128.40,2026-11-20,S,
 *   ICBC20261120000002,0000012346,56.00,2026-11-20,F,余额不足
 *
 * - CSV (RFC 4180 quoting), one header line then one line per debit; UTF-8 (with or without BOM) or
 *   GB 18030 (what a bank's Windows export writes); LF or CRLF. Blank lines are skipped and not numbered.
 * - The header names the columns (any order); the Chinese names below are accepted as well.
 * - amount: 元 with at most two decimals, no sign, no grouping ("128.4", "128.40", "128").
 * - debit_date: the day the bank debited the account, YYYY-MM-DD, YYYY/MM/DD or YYYYMMDD.
 * - status: S (debited, post it) or F (failed: recorded as rejected with the bank's message).
 * - Lines are numbered from 1 for the first line after the header (the result file uses these numbers).
 *
 * Pure: no I/O. The use case streams the file through `RecordSplitter`, `splitRecord` and `checkLine`.
 */

export const DEBIT_FILE_COLUMNS = ['bank_txn_id', 'account_no', 'amount', 'debit_date', 'status', 'bank_message'] as const;
export type DebitColumn = (typeof DEBIT_FILE_COLUMNS)[number];

/** Header names as Chinese bank exports write them. */
export const DEBIT_COLUMN_ALIASES: Record<string, DebitColumn> = {
  银行流水号: 'bank_txn_id',
  交易流水号: 'bank_txn_id',
  流水号: 'bank_txn_id',
  户号: 'account_no',
  用户编号: 'account_no',
  金额: 'amount',
  扣款金额: 'amount',
  扣款日期: 'debit_date',
  交易日期: 'debit_date',
  状态: 'status',
  扣款状态: 'status',
  银行信息: 'bank_message',
  失败原因: 'bank_message',
  备注: 'bank_message',
};

/** Longest bank_txn_id kept (the payment's channel_txn_id adds the bank code in front, ≤ 128 in all). */
export const MAX_TXN_ID = 64;
/** Longest account number looked up (longer ones cannot be an account: unknown_account). */
export const MAX_ACCOUNT_NO = 40;
/** The bank's message is kept up to this many characters. */
export const MAX_MESSAGE = 200;

/** Where each column sits in a record, from the header. */
export type ColumnIndex = Record<DebitColumn, number> & { count: number };

/** Reads the header record; a missing, unknown or repeated column refuses the whole file (422). */
export function columnIndexOf(fields: readonly string[]): ColumnIndex {
  const index: Partial<Record<DebitColumn, number>> = {};
  const problems: string[] = [];
  fields.forEach((raw, i) => {
    const name = raw.replace(/^\uFEFF/, '').trim();
    const column = (DEBIT_FILE_COLUMNS as readonly string[]).includes(name.toLowerCase()) ? (name.toLowerCase() as DebitColumn) : DEBIT_COLUMN_ALIASES[name];
    if (!column) problems.push(`unknown column ${JSON.stringify(name)}`);
    else if (index[column] !== undefined) problems.push(`column ${column} appears twice`);
    else index[column] = i;
  });
  for (const c of DEBIT_FILE_COLUMNS) if (index[c] === undefined) problems.push(`column ${c} is missing`);
  if (problems.length)
    throw new AppError('VALIDATION', `not a bank debit file: the header must be ${DEBIT_FILE_COLUMNS.join(',')} (${problems.join('; ')})`, {
      errors: problems.map((message) => ({ field: 'header', message })),
    });
  return { ...(index as Record<DebitColumn, number>), count: fields.length };
}

/**
 * Cuts decoded text into CSV records: at line ends outside quotes (a quoted field may span lines), CR
 * before LF dropped, blank lines skipped. Feed chunks with `push`, then `end` for the last record.
 */
export class RecordSplitter {
  private carry = '';
  /** The carried text has an odd number of quotes: its last field is still open. */
  private open = false;

  push(text: string, out: string[] = []): string[] {
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      this.take(text.slice(start, nl), out);
      start = nl + 1;
    }
    if (start < text.length) this.append(text.slice(start));
    return out;
  }

  end(out: string[] = []): string[] {
    if (this.carry !== '' || this.open) {
      const last = this.carry;
      this.carry = '';
      this.open = false;
      if (last.trim() !== '') out.push(last.endsWith('\r') ? last.slice(0, -1) : last);
    }
    return out;
  }

  private append(piece: string): void {
    this.carry += piece;
    if (quoteParity(piece)) this.open = !this.open;
  }

  private take(piece: string, out: string[]): void {
    const odd = quoteParity(piece);
    if (this.carry === '' && !this.open && !odd) {
      // the common case: a whole line, no quote left open
      const line = piece.endsWith('\r') ? piece.slice(0, -1) : piece;
      if (line.trim() !== '') out.push(line);
      return;
    }
    this.carry += piece;
    if (odd) this.open = !this.open;
    if (this.open) {
      this.carry += '\n';
      return;
    }
    const line = this.carry.endsWith('\r') ? this.carry.slice(0, -1) : this.carry;
    this.carry = '';
    if (line.trim() !== '') out.push(line);
  }
}

function quoteParity(s: string): boolean {
  let odd = false;
  for (let i = s.indexOf('"'); i >= 0; i = s.indexOf('"', i + 1)) odd = !odd;
  return odd;
}

/** One CSV record → its fields (RFC 4180: "a,""b""" → a, "b"); null when a quote is malformed. */
export function splitRecord(record: string): string[] | null {
  if (!record.includes('"')) return record.split(',');
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (record[i] === '"') {
      let value = '';
      let j = i + 1;
      for (;;) {
        const q = record.indexOf('"', j);
        if (q < 0) return null; // unclosed
        value += record.slice(j, q);
        if (record[q + 1] === '"') {
          value += '"';
          j = q + 2;
          continue;
        }
        j = q + 1;
        break;
      }
      // after the closing quote: a separator, the end, or only spaces before them
      const comma = record.indexOf(',', j);
      const rest = comma < 0 ? record.slice(j) : record.slice(j, comma);
      if (rest.trim() !== '') return null;
      fields.push(value);
      if (comma < 0) return fields;
      i = comma + 1;
    } else {
      const comma = record.indexOf(',', i);
      const value = comma < 0 ? record.slice(i) : record.slice(i, comma);
      if (value.includes('"')) return null; // a quote inside an unquoted field
      fields.push(value);
      if (comma < 0) return fields;
      i = comma + 1;
    }
  }
}

/** A line of the file as staged: what was read, and why it is refused if the line alone says so. */
export interface CheckedLine {
  lineNo: number;
  txnId: string | null;
  accountNo: string | null;
  /** Whole fen; null when the amount could not be read. */
  amountFen: number | null;
  /** YYYY-MM-DD; null when the date could not be read. */
  debitDate: string | null;
  status: 'S' | 'F' | null;
  message: string | null;
  reason: RejectReason | null;
  detail: string | null;
}

const TXN_ID = /^[\x21-\x7e]+$/;

/**
 * Checks one record against the layout. Order of the checks (the first failing one is the reason):
 * shape (bad_line) → status (bad_status; F → bank_failed with the bank's message) → bank_txn_id →
 * account_no → amount → debit_date (bad_date, future_date). Fields are trimmed. Values are kept even
 * when the line is refused, so the result file can show them.
 */
export function checkLine(record: string, lineNo: number, cols: ColumnIndex, today: string): CheckedLine {
  const fields = record.includes('\u0000') ? null : splitRecord(record);
  if (!fields || fields.length !== cols.count) {
    const detail = !fields ? (record.includes('\u0000') ? 'NUL character' : 'unbalanced quotes') : `${fields.length} fields, the header has ${cols.count}`;
    return { lineNo, txnId: null, accountNo: null, amountFen: null, debitDate: null, status: null, message: null, reason: 'bad_line', detail };
  }
  const txnText = fields[cols.bank_txn_id]!.trim();
  const accountText = fields[cols.account_no]!.trim();
  const amountText = fields[cols.amount]!.trim();
  const dateText = fields[cols.debit_date]!.trim();
  const statusText = fields[cols.status]!.trim().toUpperCase();
  const messageText = fields[cols.bank_message]!.trim().slice(0, MAX_MESSAGE);

  const txnOk = txnText !== '' && txnText.length <= MAX_TXN_ID && TXN_ID.test(txnText);
  const amountFen = amountOf(amountText);
  const debitDate = parseDebitDate(dateText);
  const line: CheckedLine = {
    lineNo,
    txnId: txnOk ? txnText : txnText === '' ? null : txnText.slice(0, MAX_TXN_ID + 1),
    accountNo: accountText === '' ? null : accountText.slice(0, MAX_ACCOUNT_NO + 1),
    amountFen,
    debitDate,
    status: statusText === 'S' || statusText === 'F' ? statusText : null,
    message: messageText === '' ? null : messageText,
    reason: null,
    detail: null,
  };
  // the first failing check names the reason (no closure or copy per line: this runs a million times a file)
  let reason: RejectReason | null = null;
  let detail: string | null = null;
  if (line.status === null) {
    reason = 'bad_status';
    detail = JSON.stringify(fields[cols.status]!.trim());
  } else if (line.status === 'F') {
    reason = 'bank_failed';
    detail = line.message;
  } else if (txnText === '') {
    reason = 'missing_txn_id';
  } else if (!txnOk) {
    reason = 'bad_txn_id';
    detail = JSON.stringify(txnText.slice(0, MAX_TXN_ID + 1));
  } else if (accountText === '') {
    reason = 'missing_account_no';
  } else if (amountFen === null || amountFen === 0) {
    reason = 'bad_amount';
    detail = JSON.stringify(amountText.slice(0, 40));
  } else if (debitDate === null) {
    reason = 'bad_date';
    detail = JSON.stringify(dateText.slice(0, 40));
  } else if (debitDate > today) {
    reason = 'future_date';
    detail = debitDate;
  }
  line.reason = reason;
  line.detail = detail;
  return line;
}

function amountOf(text: string): number | null {
  try {
    return parseYuan(text);
  } catch {
    return null;
  }
}

const DATE = /^(\d{4})[-/]?(\d{2})[-/]?(\d{2})$/;

/** A file's lines nearly all carry the same day or two: the last answer is kept. */
let lastDateText = '';
let lastDate: string | null = null;

/** "2026-11-20", "2026/11/20" or "20261120" → "2026-11-20"; anything else (or no such day) → null. */
export function parseDebitDate(text: string): string | null {
  if (text === lastDateText) return lastDate;
  const date = readDate(text);
  lastDateText = text;
  lastDate = date;
  return date;
}

function readDate(text: string): string | null {
  const m = DATE.exec(text);
  if (!m) return null;
  const sep = text.slice(4, 5);
  if ((sep === '-' || sep === '/') !== (text.length === 10) || (text.length === 10 && text[7] !== sep)) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (y < 2000 || mo < 1 || mo > 12 || d < 1) return null;
  const days = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  if (d > days) return null;
  return `${m[1]}-${m[2]}-${m[3]}`;
}

/**
 * The instant a debit is recorded at: the file gives only the day, so noon of that day in Asia/Shanghai
 * (its business date is the debit date whatever the reader's time zone).
 */
export function paidAtOf(debitDate: string): Date {
  return new Date(`${debitDate}T12:00:00+08:00`);
}

/** The payment's channel_txn_id: the bank's code, a colon, the bank's own transaction id. Bank serial
 * numbers are unique within one bank only; (channel 'bank', this id) is unique across banks. */
export function bankChannelTxnId(bank: string, txnId: string): string {
  return `${bank}:${txnId}`;
}

export const BANK_CODE = /^[A-Z][A-Z0-9_]{1,15}$/;
