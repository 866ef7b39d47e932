/**
 * ClickHouse over HTTP with @clickhouse/client. Rows stream as JSONEachRow lines and reading stops
 * after `limit + 1`. Bound parameters are only ever sent as server-side query parameters
 * (`{name:Type}`); a server too old for them is told plainly, values are never spliced into SQL.
 */
import { createRequire } from "node:module";
import type { ClickHouseClient } from "@clickhouse/client";
import { CofferError } from "@coffer/core";
import type { Driver, DriverFailure } from "./driver.types.js";
import { raisedWhileConnecting, whileConnecting } from "./driver.types.js";
import { POOL_MAX, poolGone, poolKey, registerPools } from "./pools.js";
import { checkOptions, tlsMode } from "./tls.js";
import { jsonRow, type Row } from "./values.js";

const require = createRequire(import.meta.url);
let library: typeof import("@clickhouse/client") | undefined;
const load = (): typeof import("@clickhouse/client") => {
  library ??= require("@clickhouse/client") as typeof import("@clickhouse/client");
  return library;
};

const OPTIONS = ["sslmode", "protocol", "secure"];
const ROW_STATEMENTS = /^\s*(?:\(\s*)*(?:select|with|show|describe|desc|exists|explain)\b/i;

/** The ClickHouse type of a bound value, for `{name:Type}`. */
export function clickhouseType(value: unknown): string {
  if (value === null || value === undefined) return "Nullable(String)";
  if (typeof value === "boolean") return "UInt8";
  if (typeof value === "number") return Number.isInteger(value) ? "Int64" : "Float64";
  if (Array.isArray(value)) return `Array(${value.length > 0 ? clickhouseType(value[0]) : "String"})`;
  return "String";
}

const strip = (sql: string): string => sql.replace(/^(?:\s|--[^\n]*\n|\/\*[\s\S]*?\*\/)*/, "");

function paramValue(value: unknown): unknown {
  if (typeof value === "boolean") return value ? 1 : 0;
  if (value !== null && typeof value === "object" && !Array.isArray(value)) return JSON.stringify(value);
  return value;
}

export const clickhouseDriver: Driver = async (plan) => {
  const { url } = plan;
  checkOptions(url, OPTIONS);
  const secure = url.driver === "https" || url.options.protocol === "https" || url.options.secure === "true";
  const mode = tlsMode(url, plan.ca !== undefined, secure ? "verify-full" : "disable");
  const https = secure || mode !== "disable";
  const host = url.host === undefined ? "localhost" : url.host.includes(":") ? `[${url.host}]` : url.host;
  const port = url.port ?? (https ? 8443 : 8123);
  const connection = {
    url: `${https ? "https" : "http"}://${host}:${port}`,
    username: url.username ?? "default",
    password: url.password ?? "",
    database: url.database ?? "default",
    request_timeout: plan.timeoutMs + 1_000,
  };
  const client = clickhouseClients.get([connection, plan.ca ?? null, https], () =>
    load().createClient({
      ...connection,
      application: "coffer",
      // Its own logger writes to the console, past the run's masker.
      log: { level: load().ClickHouseLogLevel.OFF },
      compression: { request: false, response: false },
      max_open_connections: POOL_MAX,
      ...(https && plan.ca !== undefined ? { tls: { ca_cert: Buffer.from(plan.ca) } } : {}),
    }),
  );
  const params: Record<string, unknown> = {};
  const names = Object.keys(plan.namedValues ?? {});
  if (names.length > 0) {
    const version = await serverVersion(client, plan.stop.signal);
    if (version !== undefined && (version[0] ?? 0) < 19) {
      throw new CofferError(
        "sql_unsupported",
        `This ClickHouse server (${version.join(".")}) does not support server-side query parameters, which bound_params needs (ClickHouse 19.x or newer). Coffer never splices values into SQL text: upgrade the server, or run the query without bound_params.`,
        { details: { server_version: version.join(".") } },
      );
    }
    for (const name of names) params[name] = paramValue(plan.namedValues?.[name]);
  }
  // readonly last: once it is 1, the server refuses any later setting in the same request.
  const settings: Record<string, string> = {
    max_execution_time: String(Math.max(1, Math.ceil(plan.timeoutMs / 1000))),
  };
  if (plan.readOnly) settings.readonly = "1";
  if (!ROW_STATEMENTS.test(strip(plan.sql))) {
    const result = await client.command({
      query: plan.sql,
      query_params: params,
      clickhouse_settings: settings as never,
      abort_signal: plan.stop.signal,
    });
    const summary = (result as { summary?: { written_rows?: string } }).summary;
    return { kind: "count", count: Number(summary?.written_rows ?? 0) };
  }
  const result = await client.query({
    query: plan.sql,
    format: "JSONEachRow",
    query_params: params,
    clickhouse_settings: settings as never,
    abort_signal: plan.stop.signal,
  });
  const rows: Row[] = [];
  const stream = result.stream();
  let cut = false;
  outer: for await (const batch of stream) {
    for (const row of batch as { json(): Row }[]) {
      if (rows.length === plan.limit) {
        cut = true;
        break outer;
      }
      rows.push(jsonRow(row.json()));
    }
  }
  if (cut) stream.destroy();
  return { kind: "rows", rows, cut };
};

/**
 * One client per configuration (its keep-alive agent holds at most POOL_MAX sockets, idle ones
 * closed after a few seconds and never holding the process open), at most 16 (the least recently
 * used is closed). Over HTTP every request carries its own settings, so nothing of one run
 * reaches the next.
 */
const clickhouseClients = (() => {
  const byKey = new Map<string, ClickHouseClient>();
  const MAX_CLIENTS = 16;
  registerPools({
    async close() {
      const all = [...byKey.values()];
      byKey.clear();
      poolGone();
      await Promise.all(all.map((client) => client.close().catch(() => undefined)));
    },
    stats: () => [],
  });
  return {
    get(parts: unknown, create: () => ClickHouseClient): ClickHouseClient {
      const key = poolKey(parts);
      let client = byKey.get(key);
      if (client === undefined) {
        client = create();
        if (byKey.size >= MAX_CLIENTS) {
          const [oldestKey, oldest] = byKey.entries().next().value as [string, ClickHouseClient];
          byKey.delete(oldestKey);
          poolGone();
          void oldest.close().catch(() => undefined);
        }
      } else {
        byKey.delete(key);
      }
      byKey.set(key, client);
      return client;
    },
  };
})();

async function serverVersion(client: ClickHouseClient, signal: AbortSignal): Promise<number[] | undefined> {
  try {
    const result = await client.query({ query: "SELECT version() AS v", format: "JSONEachRow", abort_signal: signal });
    const [row] = (await result.json()) as { v: string }[];
    return row?.v.split(".").map(Number);
  } catch (error) {
    throw whileConnecting(error);
  }
}

export function classifyClickhouse(error: unknown): DriverFailure | undefined {
  const e = error as { code?: string; message?: string; type?: string };
  const message = e.message ?? String(error);
  if (
    e.code === "516" ||
    e.code === "192" ||
    e.code === "193" ||
    /Authentication failed|password is incorrect/i.test(message)
  ) {
    return { code: "sql_auth_failed", message };
  }
  if (e.code === "159" || /TIMEOUT_EXCEEDED|Timeout exceeded/i.test(message)) return { code: "sql_timeout", message };
  if (e.code === "164" || /readonly/i.test(message)) return { code: "sql_read_only", message };
  if (/ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ECONNRESET|socket hang up/i.test(message) || raisedWhileConnecting(error)) {
    return { code: "sql_connection_failed", message };
  }
  return { code: "sql_query_failed", message };
}
