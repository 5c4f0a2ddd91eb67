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

/** PostgreSQL constraint errors that input can cause become 4xx; nothing else of the database leaks. */
function fromPostgres(err: { code?: string; constraint?: string; detail?: string }): AppError | null {
  switch (err.code) {
    case '23505':
      return new AppError('CONFLICT', `already exists (${err.constraint ?? 'unique'})`);
    case '23503':
      return new AppError('VALIDATION', `refers to something that does not exist (${err.constraint ?? 'foreign key'})`);
    case '23514':
    case '23502':
      return new AppError('VALIDATION', `value not allowed (${err.constraint ?? 'check'})`);
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
  const pgError = fromPostgres(err as { code?: string });
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
