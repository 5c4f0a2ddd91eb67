import Ajv, { type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyInstance } from 'fastify';
import { invalid } from '../../shared/errors.js';

/**
 * Bodies are validated strictly (no type coercion, unknown fields refused) so a wrong type is a 422,
 * while query strings and path params coerce "25" → 25 as HTTP requires. JSON is the only body type
 * (anything else is a 415), every integer must be a safe integer (a larger one would silently lose
 * precision and name another row), and no string may carry a NUL character (PostgreSQL text cannot).
 */
export function registerValidators(app: FastifyInstance): void {
  const strict = new Ajv.default({ allErrors: true, removeAdditional: false, useDefaults: true, coerceTypes: false, strict: false });
  const coercing = new Ajv.default({ allErrors: true, removeAdditional: false, useDefaults: true, coerceTypes: 'array', strict: false });
  addFormats.default(strict);
  addFormats.default(coercing);
  app.setValidatorCompiler(({ schema, httpPart }) =>
    httpPart === 'body' ? strict.compile(withSafeIntegers(schema)) : decimalNumbersOnly(schema, coercing.compile(withSafeIntegers(schema))),
  );
  app.removeContentTypeParser('text/plain');
  app.addHook('preValidation', async (request) => {
    const nul = findNul(request.body, []) ?? findNul(request.query, ['querystring']) ?? findNul(request.params, ['params']);
    if (nul) throw invalid(nul, 'must not contain the NUL character');
  });
}

type Validate = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null | undefined };
const DECIMAL = { integer: /^-?[0-9]+$/, number: /^-?[0-9]+(\.[0-9]+)?$/ } as const;

/**
 * A query or path validator that first requires every numeric parameter to be written in decimal: ajv's
 * coercion would read `0x10` as 16, `1e1` as 10 and ` 7` as 7, so one object would have many names.
 */
function decimalNumbersOnly(schema: unknown, validate: Validate): Validate {
  const properties = (schema as { properties?: Record<string, { type?: unknown; items?: { type?: unknown } }> }).properties ?? {};
  const numeric: [string, RegExp][] = [];
  for (const [name, p] of Object.entries(properties)) {
    const type = [p.type, p.items?.type].flat().find((t) => t === 'integer' || t === 'number') as keyof typeof DECIMAL | undefined;
    if (type) numeric.push([name, DECIMAL[type]]);
  }
  if (numeric.length === 0) return validate;
  const check: Validate = (data) => {
    const values = (data ?? {}) as Record<string, unknown>;
    for (const [name, pattern] of numeric) {
      const bad = [values[name]].flat().find((v) => typeof v === 'string' && !pattern.test(v));
      if (bad !== undefined) {
        check.errors = [{ instancePath: `/${name}`, schemaPath: '#/decimal', keyword: 'type', params: {}, message: 'must be a decimal number' }];
        return false;
      }
    }
    const ok = validate(data);
    check.errors = validate.errors;
    return ok;
  };
  return check;
}

/** A copy of the schema in which every integer without bounds of its own is bounded to the safe range. */
function withSafeIntegers<T>(schema: T): T;
function withSafeIntegers(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withSafeIntegers);
  if (!schema || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) out[k] = k === 'enum' || k === 'const' || k === 'default' || k === 'examples' ? v : withSafeIntegers(v);
  const type = out.type;
  if (type === 'integer' || (Array.isArray(type) && type.includes('integer'))) {
    out.maximum ??= Number.MAX_SAFE_INTEGER;
    out.minimum ??= Number.MIN_SAFE_INTEGER;
  }
  return out;
}

/** The dotted path of the first string (key or value) containing U+0000, or null. */
function findNul(value: unknown, path: string[]): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path.join('.') || 'body' : null;
  if (!value || typeof value !== 'object') return null;
  for (const [k, v] of Object.entries(value)) {
    if (k.includes('\u0000')) return [...path, k.replace(/\u0000/g, '\\0')].join('.');
    const found = findNul(v, [...path, k]);
    if (found) return found;
  }
  return null;
}
