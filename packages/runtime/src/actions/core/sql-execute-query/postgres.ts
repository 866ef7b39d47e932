/** PostgreSQL through `pg`, rows read through a portal (pg-cursor) so a cut result is never fetched whole. */
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import type pgModule from "pg";
import { type Driver, type DriverFailure, raisedWhileConnecting, whileConnecting } from "./driver.types.js";
import { checkOptions, tlsMode, tlsOptions } from "./tls.js";
import { isoTimestamp, jsonRow, type Row } from "./values.js";

const require = createRequire(import.meta.url);

interface CursorInstance {
  read(rows: number, callback: (error: Error | undefined, rows: Row[]) => void): void;
  close(callback: (error?: Error) => void): void;
  _result: { fields: unknown[]; rowCount: number | null };
}
type CursorClass = new (text: string, values: unknown[], config: { types: unknown }) => CursorInstance;

let libraries: { pg: typeof pgModule; Cursor: CursorClass } | undefined;
function load(): NonNullable<typeof libraries> {
  libraries ??= { pg: require("pg") as typeof pgModule, Cursor: require("pg-cursor") as CursorClass };
  return libraries;
}

const OPTIONS = ["sslmode", "connect_timeout", "application_name", "options"];

const TEXT = (value: string): string => value;
/** OIDs whose text form is kept (dates and times as ISO strings, never shifted into a JS Date). */
const PARSERS: Record<number, (value: string) => unknown> = {
  1082: TEXT, // date
  1083: TEXT, // time
  1266: TEXT, // timetz
  1186: TEXT, // interval
  1114: isoTimestamp, // timestamp
  1184: isoTimestamp, // timestamptz
  17: (value) => Buffer.from(value.slice(2), "hex").toString("base64"), // bytea
};

const types = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    return PARSERS[oid] ?? load().pg.types.getTypeParser(oid, format ?? "text");
  },
};

export const postgresDriver: Driver = async (plan) => {
  const { Cursor } = load();
  const { url } = plan;
  checkOptions(url, OPTIONS);
  const ssl = tlsOptions(tlsMode(url, plan.ca !== undefined), url.host, plan.ca);
  const connectTimeout = url.options.connect_timeout ? Number(url.options.connect_timeout) * 1000 : plan.timeoutMs;
  const config: pgModule.ClientConfig = {
    host: url.host ?? "localhost",
    port: url.port ?? 5432,
    database: url.database,
    user: url.username,
    password: url.password ?? "",
    ssl: ssl ?? false,
    statement_timeout: plan.timeoutMs,
    lock_timeout: plan.timeoutMs,
    idle_in_transaction_session_timeout: plan.timeoutMs + 5_000,
    connectionTimeoutMillis: Number.isFinite(connectTimeout) && connectTimeout > 0 ? connectTimeout : plan.timeoutMs,
    application_name: url.options.application_name ?? "coffer",
    types,
  };
  if (url.options.options !== undefined) config.options = url.options.options;
  const client = await pools.connect(config, plan.ca).catch((error: unknown) => {
    throw whileConnecting(error);
  });
  let broken = true;
  const onAbort = (): void => {
    // end() waits for the server; the socket is cut at once so a stuck query frees the run.
    const connection = (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection;
    connection?.stream?.destroy();
  };
  plan.signal.addEventListener("abort", onAbort, { once: true });
  try {
    await client.query(plan.readOnly ? "BEGIN READ ONLY" : "BEGIN");
    const cursor = client.query(new Cursor(plan.sql, plan.values, { types }) as never) as unknown as CursorInstance;
    const rows = await new Promise<Row[]>((resolve, reject) =>
      cursor.read(plan.limit + 1, (error, got) => (error ? reject(error) : resolve(got))),
    );
    const returnsRows = cursor._result.fields.length > 0;
    const count = cursor._result.rowCount ?? 0;
    await new Promise<void>((resolve, reject) => cursor.close((error) => (error ? reject(error) : resolve())));
    await client.query("COMMIT");
    // Whatever the statement SET for the session goes, so the next run starts from the URL's settings.
    await client.query("DISCARD ALL");
    broken = false;
    if (!returnsRows) return { kind: "count", count };
    return { kind: "rows", rows: rows.slice(0, plan.limit).map(jsonRow), cut: rows.length > plan.limit };
  } finally {
    plan.signal.removeEventListener("abort", onAbort);
    // A connection that failed, timed out or was cancelled is closed, never reused.
    client.release(broken);
  }
};

/**
 * A small pool per connection configuration (URL, TLS, timeout): at most 4 connections each, idle
 * ones closed after 10 s, at most 16 configurations (the least recently used pool is ended).
 */
const pools = (() => {
  const byKey = new Map<string, pgModule.Pool>();
  const guarded = new WeakSet<pgModule.PoolClient>();
  const MAX_POOLS = 16;
  return {
    async connect(config: pgModule.ClientConfig, ca: string | undefined): Promise<pgModule.PoolClient> {
      const { types: _types, ...rest } = config;
      const key = createHash("sha256")
        .update(JSON.stringify([rest, ca ?? null]))
        .digest("hex");
      let pool = byKey.get(key);
      if (pool === undefined) {
        pool = new (load().pg.Pool)({ ...config, max: 4, idleTimeoutMillis: 10_000, allowExitOnIdle: true });
        // An idle connection the server closes must not crash the process.
        pool.on("error", () => undefined);
        if (byKey.size >= MAX_POOLS) {
          const [oldestKey, oldest] = byKey.entries().next().value as [string, pgModule.Pool];
          byKey.delete(oldestKey);
          void oldest.end().catch(() => undefined);
        }
      } else {
        byKey.delete(key);
      }
      byKey.set(key, pool);
      const client = await pool.connect();
      if (!guarded.has(client)) {
        guarded.add(client);
        client.on("error", () => undefined);
      }
      return client;
    },
  };
})();

export function classifyPostgres(error: unknown): DriverFailure | undefined {
  const e = error as { code?: string; message?: string };
  const message = e.message ?? String(error);
  switch (e.code) {
    case "28P01":
    case "28000":
      return { code: "sql_auth_failed", message, sqlState: e.code };
    case "57014":
      return { code: "sql_timeout", message, sqlState: e.code };
    case "25006":
      return { code: "sql_read_only", message, sqlState: e.code };
    case "ECONNREFUSED":
    case "ENOTFOUND":
    case "EHOSTUNREACH":
    case "ETIMEDOUT":
    case "ECONNRESET":
      return { code: "sql_connection_failed", message };
    default:
      if (raisedWhileConnecting(error)) return { code: "sql_connection_failed", message };
      if (typeof e.code === "string" && /^[0-9A-Z]{5}$/.test(e.code)) {
        return { code: "sql_query_failed", message, sqlState: e.code };
      }
      if (/timeout expired|Connection terminated/i.test(message)) return { code: "sql_connection_failed", message };
      return undefined;
  }
}
