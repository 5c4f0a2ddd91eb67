/**
 * Money the cashier types and the receipt prints, exactly: 元 text → integer fen by string parsing (never
 * a float), and integer fen → 人民币大写. The 大写 rules mirror the server's (src/modules/reports/domain/
 * money.ts `yuanInCapitals`, the one the PDF bill prints), so a receipt and a bill write an amount alike.
 */

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

const DIGITS = ['零', '壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖'] as const;
const PLACES = ['', '拾', '佰', '仟'] as const;
/** Units of each group of four digits, from the lowest: 万 = 10⁴, 亿 = 10⁸, 万亿 = 10¹². */
const GROUPS = ['', '万', '亿', '万亿'] as const;

function wholeInCapitals(n: bigint): string {
  if (n === 0n) return '';
  const groups: number[] = [];
  for (let rest = n; rest > 0n; rest /= 10000n) groups.push(Number(rest % 10000n));
  if (groups.length > GROUPS.length) throw new RangeError('amount too large to write in capitals');
  let out = '';
  // one 零 stands for a run of zeros between two written digits (inside a group or across groups)
  let zeroOwed = false;
  for (let g = groups.length - 1; g >= 0; g--) {
    const group = groups[g]!;
    if (group === 0) {
      if (out) zeroOwed = true;
      continue;
    }
    for (let place = 3; place >= 0; place--) {
      const digit = Math.floor(group / 10 ** place) % 10;
      if (digit === 0) {
        if (out) zeroOwed = true;
        continue;
      }
      if (zeroOwed) out += '零';
      zeroOwed = false;
      out += DIGITS[digit]! + PLACES[place]!;
    }
    out += GROUPS[g]!;
  }
  return out;
}

/**
 * 人民币大写 of an amount in fen: 17500 → 壹佰柒拾伍元整, 12721 → 壹佰贰拾柒元贰角壹分,
 * 168032 → 壹仟陆佰捌拾元零叁角贰分, 5 → 伍分, 0 → 零元整, -1336 → 负壹拾叁元叁角陆分.
 * 整 after 元 when there are no 角 and 分; one 零 for a run of zeros between digits; 零 before 角/分
 * when the 元 digit (or the 角) is zero.
 */
export function yuanInCapitals(fen: number): string {
  if (!Number.isSafeInteger(fen)) throw new RangeError(`not a whole number of fen: ${fen}`);
  const v = BigInt(fen);
  const abs = v < 0n ? -v : v;
  const sign = v < 0n ? '负' : '';
  const whole = abs / 100n;
  const jiao = Number((abs / 10n) % 10n);
  const fenDigit = Number(abs % 10n);
  if (abs === 0n) return '零元整';
  let out = whole > 0n ? `${wholeInCapitals(whole)}元` : '';
  if (jiao === 0 && fenDigit === 0) return `${sign}${out}整`;
  if (jiao > 0) {
    if (whole > 0n && whole % 10n === 0n) out += '零';
    out += `${DIGITS[jiao]}角`;
  } else if (whole > 0n) {
    out += '零';
  }
  if (fenDigit > 0) out += `${DIGITS[fenDigit]}分`;
  return sign + out;
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
