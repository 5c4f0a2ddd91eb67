import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { AppError, ERROR_STATUS, type ErrorCode, type FieldError } from '../../shared/errors.js';

/** RFC 9457 problem details: every error leaves the API as application/problem+json. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  code: ErrorCode;
  detail: string;
  errors?: FieldError[];
  [k: string]: unknown;
}

const TITLES: Record<ErrorCode, string> = {
  BAD_REQUEST: 'Bad request',
  UNAUTHENTICATED: 'Not signed in',
  FORBIDDEN: 'Not allowed',
  NOT_FOUND: 'Not found',
  CONFLICT: 'Conflict',
  PAYLOAD_TOO_LARGE: 'Request body too large',
  UNSUPPORTED_MEDIA_TYPE: 'Unsupported media type',
  VALIDATION: 'Invalid input',
  LOCKED: 'Locked',
  RATE_LIMITED: 'Too many requests',
  INTERNAL: 'Internal error',
  UNAVAILABLE: 'Unavailable',
};

export function toProblem(err: AppError): Problem {
  const { errors, ...rest } = err.details;
  return {
    type: `urn:granary:problem:${err.code.toLowerCase().replace(/_/g, '-')}`,
    title: TITLES[err.code],
    status: err.status,
    code: err.code,
    detail: err.message,
    ...(errors ? { errors } : {}),
    ...rest,
  };
}

export function sendProblem(reply: FastifyReply, err: AppError): FastifyReply {
  return reply.code(err.status).type('application/problem+json').send(toProblem(err));
}

interface PgError {
  code?: string;
  constraint?: string;
  detail?: string;
  table?: string;
  column?: string;
}

const camel = (column: string) => column.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());

/** The API fields a constraint error is about: from "Key (a, b)=(…)", the column, or "<table>_<column>_check". */
function fieldsOf(err: PgError): string[] {
  const key = /^Key \(([^)]+)\)=/.exec(err.detail ?? '');
  if (key) return key[1]!.split(', ').map(camel);
  if (err.column) return [camel(err.column)];
  const prefix = `${err.table}_`;
  if (err.table && err.constraint?.startsWith(prefix) && err.constraint.endsWith('_check') && err.constraint.length > prefix.length + 6)
    return [camel(err.constraint.slice(prefix.length, -'_check'.length))];
  return [];
}

function constraintError(code: 'CONFLICT' | 'VALIDATION', message: string, err: PgError, fallback: string): AppError {
  const fields = fieldsOf(err);
  if (!fields.length) return new AppError(code, `${message} (${err.constraint ?? fallback})`);
  return new AppError(code, fields.map((f) => `${f}: ${message}`).join('; '), { errors: fields.map((field) => ({ field, message })) });
}

/** PostgreSQL constraint errors that input can cause become 4xx naming the field; nothing else of the database leaks. */
function fromPostgres(err: PgError): AppError | null {
  switch (err.code) {
    case '23505':
      return constraintError('CONFLICT', 'already exists', err, 'unique');
    case '23503':
      return constraintError('VALIDATION', 'refers to something that does not exist', err, 'foreign key');
    case '23514':
    case '23502':
      return constraintError('VALIDATION', 'value not allowed', err, 'check');
    case '22P02':
    case '22003':
    case '22007':
    case '22008':
    case '22001':
      return new AppError('VALIDATION', 'a value has the wrong form or is out of range');
    default:
      return null;
  }
}

function fromValidation(err: FastifyError): AppError {
  const errors = (err.validation ?? []).map((v) => {
    const base = (v.instancePath || '').replace(/^\//, '').replace(/\//g, '.');
    const extra = (v.params as { additionalProperty?: string; missingProperty?: string }) ?? {};
    const field = [err.validationContext === 'body' ? '' : err.validationContext, base, extra.additionalProperty ?? extra.missingProperty]
      .filter(Boolean)
      .join('.');
    const message = extra.additionalProperty ? 'unknown field' : (v.message ?? 'invalid');
    return { field: field || String(err.validationContext ?? 'body'), message };
  });
  const summary = errors.map((e) => `${e.field}: ${e.message}`).join('; ');
  return new AppError('VALIDATION', summary || err.message, { errors });
}

function classify(err: FastifyError): AppError {
  if (err instanceof AppError) return err;
  if (err.validation) return fromValidation(err);
  const pgError = fromPostgres(err as PgError);
  if (pgError) return pgError;
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError('BAD_REQUEST', `malformed JSON body: ${err.message}`);
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('PAYLOAD_TOO_LARGE', 'request body is larger than the server accepts');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('UNSUPPORTED_MEDIA_TYPE', 'send application/json');
  }
  if (err.statusCode === 429) return new AppError('RATE_LIMITED', err.message);
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
    const code = (Object.entries(ERROR_STATUS).find(([, s]) => s === err.statusCode)?.[0] as ErrorCode | undefined) ?? 'BAD_REQUEST';
    return new AppError(code, err.message);
  }
  return new AppError('INTERNAL', 'internal error; it has been logged');
}

export function registerProblemHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const appError = classify(err);
    if (appError.status >= 500) request.log.error({ err }, 'request failed');
    return sendProblem(reply, appError);
  });
}
