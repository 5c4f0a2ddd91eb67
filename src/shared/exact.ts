/**
 * Exact decimal arithmetic for rating: every value is a `bigint` scaled by 10^scale, the scale travelling
 * beside it. Nothing here touches a float except as a fast path that is exact by construction
 * (integers below 2^53). Rounding is HALF_UP in the usual financial sense (四舍五入): ties go away from
 * zero, so −0.005 元 → −0.01 元 and a credit is rounded like a charge of the same size.
 */

const POW10: bigint[] = [];
for (let i = 0, p = 1n; i <= 64; i++, p *= 10n) POW10.push(p);

/** 10^n as a bigint (0 ≤ n ≤ 64, cached). */
export function pow10(n: number): bigint {
  const p = POW10[n];
  if (p === undefined) throw new RangeError(`pow10(${n}) out of range`);
  return p;
}

const NUM_POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/**
 * Parses a plain decimal string ("300", "0.5100", "-0.0012") to a bigint scaled to `scale` places.
 * Returns undefined when the text is not a plain decimal, has a sign but `signed` is false, or has
 * non-zero digits beyond `scale` (trailing zeros beyond it are fine: "1.230" at scale 2 is 123).
 * Hot path: the bill run parses every usage through here, so it avoids regexes and, for numbers
 * below 2^53, bigint arithmetic.
 */
export function parseDecimal(text: string, scale: number, signed = false): bigint | undefined {
  const n = text.length;
  if (n === 0 || n > 60) return undefined;
  let i = 0;
  let negative = false;
  if (text.charCodeAt(0) === 45 /* - */) {
    if (!signed) return undefined;
    negative = true;
    i = 1;
    if (n === 1) return undefined;
  }
  let acc = 0;
  let digits = 0; // significant digits kept in acc
  let fraction = -1; // digits after the point, -1 = no point yet
  let big = false;
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 46 /* . */) {
      if (fraction >= 0 || digits === 0) return undefined;
      fraction = 0;
      continue;
    }
    if (c < 48 || c > 57) return undefined;
    if (fraction >= 0) {
      if (fraction >= scale) {
        if (c !== 48) return undefined; // precision would be lost
        continue;
      }
      fraction++;
    }
    digits++;
    if (digits > 15) big = true;
    else acc = acc * 10 + (c - 48);
  }
  if (digits === 0 || fraction === 0) return undefined; // "", "-", "5."
  const kept = fraction < 0 ? 0 : fraction;
  if (!big && digits + scale - kept <= 15) {
    const v = BigInt(acc * NUM_POW10[scale - kept]!);
    return negative ? -v : v;
  }
  return slowParse(text, scale, negative);
}

function slowParse(text: string, scale: number, negative: boolean): bigint {
  const body = negative ? text.slice(1) : text;
  const dot = body.indexOf('.');
  const int = dot < 0 ? body : body.slice(0, dot);
  const frac = dot < 0 ? '' : body.slice(dot + 1, dot + 1 + scale);
  const v = BigInt(int + frac.padEnd(scale, '0'));
  return negative ? -v : v;
}

/** Number of digits after the point in a decimal string ("0.5100" → 4, "35" → 0). */
export function fractionDigits(text: string): number {
  const dot = text.indexOf('.');
  return dot < 0 ? 0 : text.length - dot - 1;
}

/**
 * Prints a scaled value with at least `minScale` and at most `scale` decimals: trailing zeros beyond
 * `minScale` are dropped, nothing else is (the printed value is exactly `value / 10^scale`).
 */
export function formatDecimal(value: bigint, scale: number, minScale = 0): string {
  const negative = value < 0n;
  let digits = (negative ? -value : value).toString();
  if (scale > 0) {
    if (digits.length <= scale) digits = digits.padStart(scale + 1, '0');
    let end = digits.length;
    const keepTo = digits.length - scale + Math.min(minScale, scale);
    while (end > keepTo && digits.charCodeAt(end - 1) === 48) end--;
    const intPart = digits.slice(0, digits.length - scale);
    const fracPart = digits.slice(digits.length - scale, end);
    digits = fracPart.length ? `${intPart}.${fracPart}` : intPart;
  }
  if (minScale > scale) digits += (scale === 0 ? '.' : '') + '0'.repeat(minScale - scale);
  return negative && value !== 0n ? `-${digits}` : digits;
}

/** num / den rounded HALF_UP (ties away from zero). den must be positive. */
export function divRoundHalfUp(num: bigint, den: bigint): bigint {
  if (den <= 0n) throw new RangeError('divRoundHalfUp: denominator must be positive');
  if (num >= 0n) return (num * 2n + den) / (den * 2n);
  return -((-num * 2n + den) / (den * 2n));
}

/** Changes the scale of a value: exact when widening, HALF_UP when narrowing. */
export function rescale(value: bigint, from: number, to: number): bigint {
  if (to === from) return value;
  if (to > from) return value * pow10(to - from);
  return divRoundHalfUp(value, pow10(from - to));
}

/** a (scale as) × b (scale bs), rounded HALF_UP to `outScale` places (exact when outScale ≥ as + bs). */
export function mulRound(a: bigint, as: number, b: bigint, bs: number, outScale: number): bigint {
  return rescale(a * b, as + bs, outScale);
}

/** Smallest-first comparison of two values at different scales: −1, 0 or 1. */
export function compareScaled(a: bigint, as: number, b: bigint, bs: number): -1 | 0 | 1 {
  const x = as >= bs ? a : a * pow10(bs - as);
  const y = bs >= as ? b : b * pow10(as - bs);
  return x < y ? -1 : x > y ? 1 : 0;
}

export const minBig = (a: bigint, b: bigint): bigint => (a < b ? a : b);
export const maxBig = (a: bigint, b: bigint): bigint => (a > b ? a : b);

/** Ceiling of num/den for den > 0. */
export function divCeil(num: bigint, den: bigint): bigint {
  if (den <= 0n) throw new RangeError('divCeil: denominator must be positive');
  return num >= 0n ? (num + den - 1n) / den : -(-num / den);
}

/** Integer square root (floor) of a non-negative bigint. */
export function isqrt(n: bigint): bigint {
  if (n < 0n) throw new RangeError('isqrt of a negative number');
  if (n < 9007199254740992n) {
    let r = BigInt(Math.floor(Math.sqrt(Number(n))));
    while (r * r > n) r--;
    while ((r + 1n) * (r + 1n) <= n) r++;
    return r;
  }
  // Newton from a float estimate, then settle to the floor exactly.
  let x = BigInt(`0x${'f'.repeat(Math.ceil(n.toString(16).length / 2) + 1)}`);
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) break;
    x = y;
  }
  while (x * x > n) x--;
  while ((x + 1n) * (x + 1n) <= n) x++;
  return x;
}

/** A scaled value as a safe JavaScript integer, or throws (money in fen must stay exact). */
export function toSafeInteger(value: bigint, what: string): number {
  if (value > 9007199254740991n || value < -9007199254740991n) throw new RangeError(`${what} is too large to be exact`);
  return Number(value);
}
