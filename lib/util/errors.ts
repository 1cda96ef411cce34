// The one error type lib/ throws for a caller's mistake or a state the caller must hear about: a code,
// a message safe to show, and details for the answer body. lib/server/api.ts turns the code into the
// HTTP status by the table below; anything else is an internal error (500, message not shown).
export const ERROR_STATUS = {
  bad_input: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  unsupported_media: 415,
  payload_too_large: 413,
  verification_failed: 422,
  too_many_requests: 429,
  busy: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

/** Bad user input: 400 with the message. */
export class InputError extends AppError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('bad_input', message, details);
  }
}

/** The code for an HTTP status, for route handlers that speak in statuses. */
export function codeFor(status: number): ErrorCode {
  const found = (Object.entries(ERROR_STATUS) as [ErrorCode, number][]).find(([, s]) => s === status);
  if (!found) throw new Error(`no error code for HTTP ${status}`);
  return found[0];
}
