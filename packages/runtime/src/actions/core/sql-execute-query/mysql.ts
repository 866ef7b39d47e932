/**
 * MySQL and MariaDB through mysql2's server-side prepared statements. Rows arrive as events and
 * only the first `limit + 1` are kept; the rest are drained and dropped, so memory stays bounded.
 */
import { createRequire } from "node:module";
import type mysqlModule from "mysql2";
import { type Driver, type DriverFailure, raisedWhileConnecting, whileConnecting } from "./driver.types.js";
import { checkOptions, tlsMode, tlsOptions } from "./tls.js";
import { isoTimestamp, jsonRow, type Row } from "./values.js";

const require = createRequire(import.meta.url);
let mysql: typeof mysqlModule | undefined;
const load = (): typeof mysqlModule => {
  mysql ??= require("mysql2") as typeof mysqlModule;
  return mysql;
};

const OPTIONS = ["sslmode", "ssl_mode", "charset", "connect_timeout"];
/** DATETIME, TIMESTAMP and their fractional forms (dateStrings gives 'YYYY-MM-DD HH:MM:SS'). */
const DATETIME_TYPES = new Set([7, 12, 17, 18]);

type Connection = mysqlModule.Connection;

function run(connection: Connection, sql: string, values?: unknown[]): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const done = (error: Error | null, result: unknown): void => (error ? reject(error) : resolve(result));
    if (values === undefined) connection.query(sql, done);
    else connection.execute(sql, values as never, done);
  });
}

export const mysqlDriver: Driver = async (plan) => {
  const { url } = plan;
  checkOptions(url, OPTIONS);
  const ssl = tlsOptions(tlsMode(url, plan.ca !== undefined), url.host, plan.ca);
  const connectTimeout = url.options.connect_timeout ? Number(url.options.connect_timeout) * 1000 : plan.timeoutMs;
  const options: mysqlModule.ConnectionOptions = {
    host: url.host ?? "localhost",
    port: url.port ?? 3306,
    user: url.username,
    password: url.password ?? "",
    database: url.database,
    charset: url.options.charset ?? "utf8mb4",
    connectTimeout: Number.isFinite(connectTimeout) && connectTimeout > 0 ? connectTimeout : plan.timeoutMs,
    supportBigNumbers: true,
    bigNumberStrings: true,
    dateStrings: true,
    decimalNumbers: false,
    multipleStatements: false,
  };
  if (ssl !== undefined) options.ssl = ssl as mysqlModule.SslOptions;
  const connection = load().createConnection(options);
  connection.on("error", () => undefined);
  const onAbort = (): void => connection.destroy();
  plan.signal.addEventListener("abort", onAbort, { once: true });
  try {
    await new Promise<void>((resolve, reject) =>
      connection.connect((error) => (error ? reject(whileConnecting(error)) : resolve())),
    );
    const seconds = plan.timeoutMs / 1000;
    const version = String(((await run(connection, "SELECT VERSION() AS v")) as Row[])[0]?.v ?? "");
    if (/mariadb/i.test(version)) await run(connection, `SET SESSION max_statement_time = ${seconds}`);
    else await run(connection, `SET SESSION max_execution_time = ${Math.ceil(plan.timeoutMs)}`);
    await run(connection, plan.readOnly ? "START TRANSACTION READ ONLY" : "START TRANSACTION");
    const outcome = await new Promise<{
      rows: Row[];
      fields: { columnType?: number; name: string }[] | undefined;
      count: number;
      seen: number;
    }>((resolve, reject) => {
      const rows: Row[] = [];
      let fields: { columnType?: number; name: string }[] | undefined;
      let count = 0;
      let seen = 0;
      const command = connection.execute(plan.sql, plan.values as never);
      command.on("fields", (f: unknown) => {
        fields = f as typeof fields;
      });
      command.on("result", (result: unknown) => {
        if (fields === undefined) {
          count = Number((result as { affectedRows?: number }).affectedRows ?? 0);
          return;
        }
        seen += 1;
        if (rows.length <= plan.limit) rows.push(result as Row);
      });
      command.on("error", reject);
      command.on("end", () => resolve({ rows, fields, count, seen }));
    });
    await run(connection, "COMMIT");
    if (outcome.fields === undefined) return { kind: "count", count: outcome.count };
    const datetimes = outcome.fields.filter((f) => DATETIME_TYPES.has(f.columnType ?? -1)).map((f) => f.name);
    const rows = outcome.rows.slice(0, plan.limit).map((row) => {
      for (const name of datetimes) if (typeof row[name] === "string") row[name] = isoTimestamp(row[name] as string);
      return jsonRow(row);
    });
    return { kind: "rows", rows, cut: outcome.seen > plan.limit };
  } finally {
    plan.signal.removeEventListener("abort", onAbort);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        connection.destroy();
        resolve();
      }, 1000);
      connection.end(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    connection.destroy();
  }
};

export function classifyMysql(error: unknown): DriverFailure | undefined {
  const e = error as { code?: string; errno?: number; sqlState?: string; message?: string };
  const message = e.message ?? String(error);
  const sqlState = e.sqlState;
  const failure = (code: DriverFailure["code"]): DriverFailure =>
    sqlState === undefined ? { code, message } : { code, message, sqlState };
  if (e.errno === 1045 || e.errno === 1044 || e.errno === 1698) return failure("sql_auth_failed");
  if (e.errno === 1969 || e.errno === 3024 || e.errno === 1317) return failure("sql_timeout");
  if (e.errno === 1792) return failure("sql_read_only");
  if (
    ["ECONNREFUSED", "ENOTFOUND", "EHOSTUNREACH", "ETIMEDOUT", "ECONNRESET", "PROTOCOL_CONNECTION_LOST"].includes(
      e.code ?? "",
    )
  ) {
    return failure("sql_connection_failed");
  }
  if (raisedWhileConnecting(error)) return failure("sql_connection_failed");
  if (typeof e.errno === "number") return failure("sql_query_failed");
  return undefined;
}
