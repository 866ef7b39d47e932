import { ERROR_CODES, type ErrorCode, type ErrorStatus, isErrorCode } from "./error-codes.js";

export type { ErrorCode, ErrorStatus } from "./error-codes.js";

/** Structured, value-free facts about an error: names, rules, counts — never a secret value. */
export type ErrorDetails = Record<string, unknown>;

/** A CofferError as it crosses a process boundary (a sandboxed action, a worker) as JSON. */
export interface SerializedCofferError {
  name: "CofferError";
  code: ErrorCode;
  status: ErrorStatus;
  message: string;
  details: ErrorDetails;
}

/**
 * The one error type of Coffer. `code` is stable (clients switch on it), `message` is written
 * for the user and says how to fix the problem, `details` never holds a secret value. The status
 * comes from the code's entry in ERROR_CODES unless a call site has a reason to differ.
 */
export class CofferError extends Error {
  readonly code: ErrorCode;
  readonly status: ErrorStatus;
  readonly details: ErrorDetails;

  constructor(
    code: ErrorCode,
    message: string,
    options: { status?: ErrorStatus; details?: ErrorDetails; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "CofferError";
    this.code = code;
    this.status = options.status ?? ERROR_CODES[code];
    this.details = options.details ?? {};
  }

  /** True for errors the user can fix (bad input, conflicts, missing things). */
  get isUserError(): boolean {
    return this.status < 500;
  }

  /** The error without its stack or cause (which could quote data): safe to send to another process. */
  toJSON(): SerializedCofferError {
    return { name: "CofferError", code: this.code, status: this.status, message: this.message, details: this.details };
  }

  /**
   * Rebuilds an error sent by `toJSON` from another process. Anything that is not a well-formed
   * serialised CofferError with a known code becomes `internal_error`, with no text of its own.
   */
  static fromJSON(value: unknown): CofferError {
    const v = value as Partial<SerializedCofferError> | null;
    if (
      v &&
      typeof v === "object" &&
      v.name === "CofferError" &&
      typeof v.code === "string" &&
      isErrorCode(v.code) &&
      typeof v.message === "string"
    ) {
      const details = v.details && typeof v.details === "object" && !Array.isArray(v.details) ? v.details : {};
      const status = typeof v.status === "number" && isStatus(v.status) ? v.status : ERROR_CODES[v.code];
      return new CofferError(v.code, v.message, { status, details });
    }
    return new CofferError("internal_error", "Another process failed with an error Coffer does not know.");
  }
}

const STATUSES = new Set<number>([400, 401, 403, 404, 409, 413, 414, 415, 422, 431, 500, 503]);
function isStatus(n: number): n is ErrorStatus {
  return STATUSES.has(n);
}

export function isCofferError(error: unknown): error is CofferError {
  return error instanceof CofferError;
}
