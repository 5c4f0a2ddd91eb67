/**
 * Money the cashier types and the receipt prints, exactly: 元 text → integer fen by string parsing (never
 * a float), and integer fen → 人民币大写 — the server's own code (src/shared/capitals.ts, the one the PDF
 * bill prints), so a receipt and a bill write an amount alike.
 */

export { yuanInCapitals } from '../../../../src/shared/capitals';

/** Why a typed amount was refused (the form shows `payments.amountError.<reason>`). */
export type YuanInputError = 'empty' | 'format' | 'decimals' | 'zero' | 'tooLarge';

export type YuanInput = { ok: true; fen: number } | { ok: false; error: YuanInputError };

/** The largest amount one payment may carry (the API's limit: 100,000,000.00 元). */
export const MAX_PAYMENT_FEN = 100_000_000_00;

const AMOUNT = /^(\d+)(?:\.(\d*))?$/;

/**
 * What a person types as 元 → integer fen: "12.30" → 1230, "12.3" → 1230, "12" → 1200, "0.05" → 5.
 * Full-width digits and the 。 point (Chinese IMEs), spaces, thousands separators and a leading ¥ are
 * accepted; a sign, an exponent, more than two decimals ("1.001"), or nothing but zero are refused.
 * Digits are joined as text and read as an integer: no float ever holds the amount.
 */
export function parseYuanInput(text: string, opts: { max?: number } = {}): YuanInput {
  const cleaned = text
    .normalize('NFKC') // full-width ０-９ and ． become ASCII
    .replace(/[\s,，]/g, '')
    .replace(/。/g, '.')
    .replace(/^[¥￥]/, '')
    .replace(/元$/, '');
  if (cleaned === '') return { ok: false, error: 'empty' };
  const m = AMOUNT.exec(cleaned);
  if (!m) return { ok: false, error: 'format' };
  const whole = m[1]!.replace(/^0+(?=\d)/, '');
  const decimals = m[2] ?? '';
  if (decimals.length > 2) return { ok: false, error: 'decimals' };
  // 16 digits of 元 are far beyond any limit and still far below where a safe integer of fen ends
  if (whole.length > 13) return { ok: false, error: 'tooLarge' };
  const fen = Number(whole + decimals.padEnd(2, '0'));
  if (fen === 0) return { ok: false, error: 'zero' };
  if (fen > (opts.max ?? MAX_PAYMENT_FEN)) return { ok: false, error: 'tooLarge' };
  return { ok: true, fen };
}

/** Integer fen → "1230.00" (no grouping): the text an amount field starts with. */
export function yuanPlain(fen: number): string {
  const f = BigInt(Math.trunc(fen));
  const abs = f < 0n ? -f : f;
  return `${f < 0n ? '-' : ''}${abs / 100n}.${(abs % 100n).toString().padStart(2, '0')}`;
}

/** A fresh Idempotency-Key: crypto.randomUUID where the page is a secure context, random bytes otherwise. */
export function newIdempotencyKey(): string {
  const c = globalThis.crypto;
  if (typeof c?.randomUUID === 'function') return c.randomUUID();
  const b = new Uint8Array(16);
  c.getRandomValues(b);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
