import { AppError } from './errors.js';
import { formatDecimal, parseDecimal } from './exact.js';

/**
 * Exact decimals for the API boundary: strings ↔ scaled bigints that throw a VALIDATION error on bad
 * input. The arithmetic itself lives in exact.ts (shared with the rating engine).
 */
export function toScaled(value: string, scale: number): bigint {
  const parsed = parseDecimal(value.trim(), scale, true);
  if (parsed !== undefined) return parsed;
  if (/^-?\d+(\.\d+)?$/.test(value.trim())) throw new AppError('VALIDATION', `"${value}" has more than ${scale} decimal places`);
  throw new AppError('VALIDATION', `not a decimal number: "${value}"`);
}

export function fromScaled(value: bigint, scale: number): string {
  return formatDecimal(value, scale, scale);
}

/** a − b on decimal strings, exact, with `scale` decimal places in the result. */
export function subtractDecimal(a: string, b: string, scale = 2): string {
  return fromScaled(toScaled(a, scale) - toScaled(b, scale), scale);
}

/**
 * a × b on decimal strings, exact: the product keeps every digit it has, printed with at least
 * `minScale` places (e.g. 123.45 × 50.00 → "6172.50", 0.01 × 1.25 → "0.0125").
 */
export function multiplyDecimal(a: string, b: string, minScale = 2): string {
  const scaleOf = (s: string) => (s.includes('.') ? s.length - s.indexOf('.') - 1 : 0);
  const sa = scaleOf(a.trim());
  const sb = scaleOf(b.trim());
  return formatDecimal(toScaled(a, sa) * toScaled(b, sb), sa + sb, minScale);
}
