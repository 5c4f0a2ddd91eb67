import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyInstance } from 'fastify';

/**
 * Bodies are validated strictly (no type coercion, unknown fields refused) so a wrong type is a 422,
 * while query strings and path params coerce "25" → 25 as HTTP requires.
 */
export function registerValidators(app: FastifyInstance): void {
  const strict = new Ajv.default({ allErrors: true, removeAdditional: false, useDefaults: true, coerceTypes: false, strict: false });
  const coercing = new Ajv.default({ allErrors: true, removeAdditional: false, useDefaults: true, coerceTypes: 'array', strict: false });
  addFormats.default(strict);
  addFormats.default(coercing);
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? strict : coercing).compile(schema));
}
