import { AppError } from './errors.js';

/**
 * Exact decimals as scaled bigints: "123.45" at scale 2 → 12345n. Quantities and prices travel as
 * strings and are never held in a float, so sums and differences stay exact.
 */
const DECIMAL = /^(-)?(\d+)(?:\.(\d+))?$/;

export function toScaled(value: string, scale: number): bigint {
  const m = DECIMAL.exec(value.trim());
  if (!m) throw new AppError('VALIDATION', `not a decimal number: "${value}"`);
  const [, sign, int, frac = ''] = m;
  if (frac.length > scale && /[^0]/.test(frac.slice(scale))) throw new AppError('VALIDATION', `"${value}" has more than ${scale} decimal places`);
  const digits = BigInt(int! + frac.slice(0, scale).padEnd(scale, '0'));
  return sign ? -digits : digits;
}

export function fromScaled(value: bigint, scale: number): string {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(scale + 1, '0');
  const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return negative ? `-${text}` : text;
}

/** a − b on decimal strings, exact, with `scale` decimal places in the result. */
export function subtractDecimal(a: string, b: string, scale = 2): string {
  return fromScaled(toScaled(a, scale) - toScaled(b, scale), scale);
}
