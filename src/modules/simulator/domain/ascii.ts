/**
 * A reusable byte buffer for ASCII COPY text. The read tables are 70+ million rows at a million
 * accounts; writing their digits straight into bytes avoids building (and collecting) a few strings
 * per field, which was most of the generator's time.
 */
export class AsciiChunk {
  private readonly buf: Buffer;
  private pos = 0;

  constructor(readonly capacity: number, margin = 1 << 16) {
    this.buf = Buffer.allocUnsafe(capacity + margin);
  }

  get length(): number {
    return this.pos;
  }

  get full(): boolean {
    return this.pos >= this.capacity;
  }

  /** Pre-encoded ASCII bytes (field values that repeat: dates, periods, nulls). */
  bytes(b: Uint8Array): void {
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  byte(c: number): void {
    this.buf[this.pos++] = c;
  }

  /** A non-negative integer (safe-integer range). */
  uint(n: number): void {
    let digits = 1;
    for (let x = n; x >= 10; x = Math.floor(x / 10)) digits++;
    let p = this.pos + digits;
    this.pos = p;
    do {
      const q = Math.floor(n / 10);
      this.buf[--p] = 48 + (n - q * 10);
      n = q;
    } while (n > 0);
  }

  /** A reading held in hundredths as a decimal with two places (12345 → 123.45). */
  hundredths(v: number): void {
    const whole = Math.floor(v / 100);
    const cents = v - whole * 100;
    this.uint(whole);
    const b = this.buf;
    b[this.pos] = 46;
    b[this.pos + 1] = 48 + Math.floor(cents / 10);
    b[this.pos + 2] = 48 + (cents % 10);
    this.pos += 3;
  }

  /** The text so far (a flat one-byte string), emptying the buffer for reuse. */
  take(): string {
    const s = this.buf.toString('latin1', 0, this.pos);
    this.pos = 0;
    return s;
  }
}

export function ascii(s: string): Uint8Array {
  return Buffer.from(s, 'latin1');
}

export const TAB = 9;
export const NEWLINE = 10;
