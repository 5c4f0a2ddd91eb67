/**
 * COPY text (PostgreSQL's text format: tab between fields, newline after a row, \N for null, backslash
 * escapes) written straight into one growing byte buffer, for bulk paths that build megabytes of it per
 * statement. Building the same text with `+=` leaves a rope of two string pieces per field alive until the
 * COPY: every young-generation collection meanwhile copied the whole rope again (measured: the largest part
 * of Node's time in a bank file's step). Here a field costs no allocation at all.
 *
 * Each field method writes the value and a tab; `endRow()` turns the row's last tab into the newline.
 */
export class CopyTextBuffer {
  private buf: Buffer;
  private len = 0;

  constructor(initialBytes = 1 << 16) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  /** A safe integer (ids, fen). */
  int(n: number): this {
    this.room(22);
    this.len = writeInt(this.buf, this.len, n);
    this.buf[this.len++] = TAB;
    return this;
  }

  intOrNull(n: number | null | undefined): this {
    return n === null || n === undefined ? this.nul() : this.int(n);
  }

  /** A string, escaped where COPY needs it (backslash, tab, newline, carriage return). */
  text(s: string): this {
    this.room(s.length * 3 + 1);
    const buf = this.buf;
    let p = this.len;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80 || c === BACKSLASH || c === TAB || c === NL || c === CR) return this.textSlow(s);
      buf[p++] = c;
    }
    buf[p++] = TAB;
    this.len = p;
    return this;
  }

  textOrNull(s: string | null | undefined): this {
    return s === null || s === undefined ? this.nul() : this.text(s);
  }

  bool(b: boolean): this {
    this.room(2);
    this.buf[this.len++] = b ? 0x74 : 0x66; // t, f
    this.buf[this.len++] = TAB;
    return this;
  }

  nul(): this {
    this.room(3);
    this.buf[this.len++] = BACKSLASH;
    this.buf[this.len++] = 0x4e; // N
    this.buf[this.len++] = TAB;
    return this;
  }

  endRow(): this {
    if (this.len > 0 && this.buf[this.len - 1] === TAB) this.buf[this.len - 1] = NL;
    return this;
  }

  get byteLength(): number {
    return this.len;
  }

  /** The text written so far (a view of the buffer: write no more to it once handed to a COPY). */
  bytes(): Buffer {
    return this.buf.subarray(0, this.len);
  }

  /** Non-ASCII or characters to escape: rare in the columns this is used for. */
  private textSlow(s: string): this {
    const escaped = s.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
    this.room(Buffer.byteLength(escaped) + 1);
    this.len += this.buf.write(escaped, this.len, 'utf8');
    this.buf[this.len++] = TAB;
    return this;
  }

  private room(bytes: number): void {
    if (this.len + bytes <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + bytes));
    this.buf.copy(bigger, 0, 0, this.len);
    this.buf = bigger;
  }
}

const TAB = 0x09;
const NL = 0x0a;
const CR = 0x0d;
const BACKSLASH = 0x5c;

/** Writes a safe integer's decimal digits at p; returns the position after them. */
function writeInt(buf: Buffer, p: number, n: number): number {
  if (!Number.isSafeInteger(n)) throw new RangeError(`${n} is not a safe integer`);
  if (n < 0) {
    buf[p++] = 0x2d; // -
    n = -n;
  }
  let digits = 1;
  for (let t = n; t >= 10; t = Math.floor(t / 10)) digits++;
  let q = p + digits;
  const end = q;
  do {
    const d = n % 10;
    buf[--q] = 0x30 + d;
    n = (n - d) / 10;
  } while (n > 0);
  return end;
}

/**
 * PostgreSQL array literals (`{1,2,NULL}`, `{"a","b"}`) of one field of many rows, for `unnest($1::bigint[])`,
 * built in a scratch buffer and returned as one flat string (no string per element; the driver sends the
 * string as it is).
 */
let scratch = Buffer.allocUnsafe(1 << 16);

function scratchRoom(len: number, bytes: number): void {
  if (len + bytes <= scratch.length) return;
  const bigger = Buffer.allocUnsafe(Math.max(scratch.length * 2, len + bytes));
  scratch.copy(bigger, 0, 0, len);
  scratch = bigger;
}

export function intArrayLiteral<T>(rows: readonly T[], pick: (row: T) => number | null | undefined): string {
  let p = 0;
  scratchRoom(0, 2);
  scratch[p++] = 0x7b; // {
  for (let i = 0; i < rows.length; i++) {
    scratchRoom(p, 24);
    if (i > 0) scratch[p++] = 0x2c; // ,
    const v = pick(rows[i]!);
    if (v === null || v === undefined) p += scratch.write('NULL', p, 'latin1');
    else p = writeInt(scratch, p, v);
  }
  scratchRoom(p, 1);
  scratch[p++] = 0x7d; // }
  return scratch.toString('latin1', 0, p);
}

export function textArrayLiteral<T>(rows: readonly T[], pick: (row: T) => string | null | undefined): string {
  let p = 0;
  let ascii = true;
  scratchRoom(0, 2);
  scratch[p++] = 0x7b;
  for (let i = 0; i < rows.length; i++) {
    const v = pick(rows[i]!);
    scratchRoom(p, v === null || v === undefined ? 5 : v.length * 6 + 3);
    if (i > 0) scratch[p++] = 0x2c;
    if (v === null || v === undefined) {
      p += scratch.write('NULL', p, 'latin1');
      continue;
    }
    scratch[p++] = 0x22; // "
    const start = p;
    let plain = true;
    for (let j = 0; j < v.length && plain; j++) {
      const c = v.charCodeAt(j);
      if (c >= 0x80 || c === 0x22 || c === BACKSLASH) plain = false;
      else scratch[p++] = c;
    }
    if (!plain) {
      // quotes, backslashes or non-ASCII: rare here; the element again, escaped, as UTF-8
      p = start + scratch.write(v.replace(/["\\]/g, '\\$&'), start, 'utf8');
      ascii &&= !/[^\x00-\x7f]/.test(v);
    }
    scratch[p++] = 0x22;
  }
  scratchRoom(p, 1);
  scratch[p++] = 0x7d;
  return ascii ? scratch.toString('latin1', 0, p) : scratch.toString('utf8', 0, p);
}
