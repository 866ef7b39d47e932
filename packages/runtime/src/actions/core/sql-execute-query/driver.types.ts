import type { ConnectionUrl } from "./connection-url.js";
import type { Row } from "./values.js";

/** One execution, as every driver receives it. */
export interface QueryPlan {
  url: ConnectionUrl;
  /** The query with driver placeholders. */
  sql: string;
  values: unknown[];
  /** The bound values by name (ClickHouse sends them as server-side query parameters). */
  namedValues?: Readonly<Record<string, unknown>>;
  /** Rows to keep: 1 for fetch_one, else max_rows. One more is read to know the result was cut. */
  limit: number;
  timeoutMs: number;
  readOnly: boolean;
  /** The ca_cert secret's CA_CERTIFICATE, when configured. */
  ca: string | undefined;
  /** Fired by the client-side timeout or the run's cancellation: the driver closes its connection. */
  stop: Stop;
}

export type QueryOutcome =
  | { kind: "rows"; rows: Row[] /** More rows existed than `limit`. */; cut: boolean }
  | { kind: "count"; count: number };

/**
 * The client-side stop of one run (its timeout past the server's, or its cancellation). Cheaper
 * than an AbortController per run: drivers that close a socket register a plain callback, and the
 * AbortSignal is made only for a driver that asks for one (ClickHouse, SQLite).
 */
export class Stop {
  reason: "timeout" | "cancelled" | undefined;
  private listeners: ((() => void) | undefined)[] = [];
  private controller: AbortController | undefined;
  private rejectRun: ((error: unknown) => void) | undefined;

  fire(why: "timeout" | "cancelled"): void {
    if (this.reason !== undefined) return;
    this.reason = why;
    this.rejectRun?.(new Error("stopped"));
    for (const listener of this.listeners) listener?.();
    this.controller?.abort();
  }

  /** Runs `listener` when the run is stopped (at once if it is already); returns its removal. */
  onStop(listener: () => void): () => void {
    if (this.reason !== undefined) {
      listener();
      return () => undefined;
    }
    const at = this.listeners.push(listener) - 1;
    return () => {
      this.listeners[at] = undefined;
    };
  }

  /** The run's promise rejects when it is stopped; false when it already was (nothing to start). */
  settleWith(reject: (error: unknown) => void): boolean {
    if (this.reason !== undefined) {
      reject(new Error("stopped"));
      return false;
    }
    this.rejectRun = reject;
    return true;
  }

  /** An AbortSignal that aborts with the stop, for drivers whose library takes one. */
  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.reason !== undefined) this.controller.abort();
    }
    return this.controller.signal;
  }
}

/** Errors are thrown raw; the action classifies and scrubs them. */
export type Driver = (plan: QueryPlan) => Promise<QueryOutcome>;

/** A driver error classified: what the user sees as the code, plus the (scrubbed later) message. */
export interface DriverFailure {
  code: "sql_auth_failed" | "sql_connection_failed" | "sql_query_failed" | "sql_read_only" | "sql_timeout";
  message: string;
  sqlState?: string;
}

/** Marks an error raised while connecting, so it is reported as a connection failure. */
export const CONNECTING: unique symbol = Symbol("sql.connecting");

export function whileConnecting(error: unknown): unknown {
  if (typeof error === "object" && error !== null) (error as { [CONNECTING]?: true })[CONNECTING] = true;
  return error;
}

export function raisedWhileConnecting(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { [CONNECTING]?: true })[CONNECTING] === true;
}
