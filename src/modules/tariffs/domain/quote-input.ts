import type { FieldError } from '../../../shared/errors.js';

/**
 * The shape of a quote request (`POST /quotes`) beyond the rating input: known keys, the period, one of
 * `tariffCode` / `tariff`. The route documents the full schema but validates here, so that shape, tariff,
 * price-table and rating problems come back together in one 422, each with its code.
 */

const KEYS = ['tariffCode', 'tariff', 'agentPrices', 'period', 'account', 'usage'] as const;
const ACCOUNT_KEYS = ['category', 'voltageLevel', 'agentMultiplier', 'pfStandard', 'capacityKva', 'contractDemandKw', 'basicChargeBasis'];
const USAGE_KEYS = ['kwh', 'kwhByPeriod', 'kvarh', 'maxDemandKw', 'days', 'cycleMonths'];
const CODE = /^[a-z0-9][a-z0-9.-]{2,63}$/;
const PERIOD = /^\d{4}-(0[1-9]|1[0-2])$/;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const problem = (field: string, code: string, message: string, params?: FieldError['params']): FieldError => (params ? { field, code, message, params } : { field, code, message });

export function checkQuoteShape(body: unknown): FieldError[] {
  if (!isObject(body)) return [problem('(root)', 'not_object', 'the body must be a JSON object')];
  const out: FieldError[] = [];
  const unknown = (o: Record<string, unknown>, path: string, keys: readonly string[]) => {
    for (const k of Object.keys(o)) if (!keys.includes(k)) out.push(problem(path ? `${path}.${k}` : k, 'unknown_field', 'unknown field'));
  };
  unknown(body, '', KEYS);
  if (typeof body.period !== 'string' || !PERIOD.test(body.period)) out.push(problem('period', body.period === undefined ? 'required' : 'bad_format', 'must be a month YYYY-MM', { format: 'YYYY-MM' }));
  const hasCode = body.tariffCode !== undefined;
  const hasInline = body.tariff !== undefined;
  if (hasCode && hasInline) out.push(problem('tariff', 'tariff_or_code', 'give tariffCode or tariff, not both'));
  else if (!hasCode && !hasInline) out.push(problem('tariffCode', 'required', 'is required (or tariff)'));
  else if (hasCode && (typeof body.tariffCode !== 'string' || !CODE.test(body.tariffCode)))
    out.push(problem('tariffCode', 'bad_format', 'must be a tariff code like "gansu.residential.tiered"', { format: 'code' }));
  for (const [key, keys] of [['account', ACCOUNT_KEYS], ['usage', USAGE_KEYS]] as const) {
    const v = body[key];
    if (v === undefined) continue; // reported by the rating check
    if (!isObject(v)) out.push(problem(key, 'not_object', 'must be an object'));
    else unknown(v, key, keys);
  }
  // the API promises decimals as strings: a JSON number cannot say "0.10" exactly
  const strings = (o: unknown, path: string, keys: readonly string[]) => {
    if (!isObject(o)) return;
    for (const k of keys) if (typeof o[k] === 'number') out.push(problem(`${path}.${k}`, 'not_decimal_string', `must be a decimal string like "300.00", not a number`));
  };
  strings(body.account, 'account', ['capacityKva', 'contractDemandKw', 'agentMultiplier', 'pfStandard']);
  strings(body.usage, 'usage', ['kwh', 'kvarh', 'maxDemandKw', 'days']);
  if (isObject(body.usage)) strings(body.usage.kwhByPeriod, 'usage.kwhByPeriod', ['peak', 'flat', 'valley', 'critical']);
  return out;
}
