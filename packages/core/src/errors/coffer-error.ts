/** HTTP statuses a CofferError may carry; the CLI maps 4xx to exit code 1. */
export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 500 | 503;

/** Structured, value-free facts about an error: names, rules, counts — never a secret value. */
export type ErrorDetails = Record<string, unknown>;

/**
 * The one error type of Coffer. `code` is stable (clients switch on it), `message` is written
 * for the user and says how to fix the problem, `details` never holds a secret value.
 */
export class CofferError extends Error {
  readonly code: string;
  readonly status: ErrorStatus;
  readonly details: ErrorDetails;

  constructor(
    code: string,
    message: string,
    options: { status?: ErrorStatus; details?: ErrorDetails; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "CofferError";
    this.code = code;
    this.status = options.status ?? 400;
    this.details = options.details ?? {};
  }

  /** True for errors the user can fix (bad input, conflicts, missing things). */
  get isUserError(): boolean {
    return this.status < 500;
  }
}

export function isCofferError(error: unknown): error is CofferError {
  return error instanceof CofferError;
}
