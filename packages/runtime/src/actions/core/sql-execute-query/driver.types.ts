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
  /** Aborted by the client-side guard or the run's cancellation: the driver closes its connection. */
  signal: AbortSignal;
}

export type QueryOutcome =
  | { kind: "rows"; rows: Row[] /** More rows existed than `limit`. */; cut: boolean }
  | { kind: "count"; count: number };

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
