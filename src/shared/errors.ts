/** The one error type of Granary. Codes form a closed list; each maps to one HTTP status. */
export const ERROR_STATUS = {
  BAD_REQUEST: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  VALIDATION: 422,
  LOCKED: 423,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface FieldError {
  field: string;
  message: string;
  /** Stable machine code of the problem (`required`, `too_large` …), for clients that word it themselves. */
  code?: string;
  /** Values the message names (`{max: "1000000000"}`), for the same. */
  params?: Record<string, string | number>;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: { errors?: FieldError[]; [k: string]: unknown };

  constructor(code: ErrorCode, message: string, details: AppError['details'] = {}) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

export const notFound = (what: string) => new AppError('NOT_FOUND', `${what} not found`);
export const forbidden = (message = 'your role may not do this') => new AppError('FORBIDDEN', message);
export const invalid = (field: string, message: string) =>
  new AppError('VALIDATION', `${field}: ${message}`, { errors: [{ field, message }] });
