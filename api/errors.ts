/**
 * Every error the API answers with: a stable code scripts can rely on, and its HTTP status.
 * Messages are one sentence for a person; they never carry a secret or a stack trace.
 */
export const API_ERRORS = {
  VALIDATION_FAILED: 400,
  PATH_NOT_ALLOWED: 400,
  UNAUTHENTICATED: 401,
  INVALID_CREDENTIALS: 401,
  FORBIDDEN: 403,
  PASSWORD_CHANGE_REQUIRED: 403,
  ORIGIN_MISMATCH: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  SERVICE_UNAVAILABLE: 503,
} as const;

export type ApiErrorCode = keyof typeof API_ERRORS;

export class ApiError extends Error {
  readonly statusCode: number;

  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'ApiError';
    this.statusCode = API_ERRORS[code];
  }
}

export interface ErrorBody {
  error: { code: ApiErrorCode; message: string } & Record<string, unknown>;
}

export function errorBody(code: ApiErrorCode, message: string, details?: object): ErrorBody {
  return { error: { code, message, ...details } };
}
