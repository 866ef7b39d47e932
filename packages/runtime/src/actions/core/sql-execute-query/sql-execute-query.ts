/**
 * `core.sql.execute_query` (reference §8): one parameterised statement on the database the `sql`
 * secret's CONNECTION_URL names, in a transaction that commits, with results in Tracecat's shapes.
 * Beyond Tracecat: a timeout enforced by the server and by the client, a server-enforced read-only
 * mode, a guard that resolves names before comparing them with Coffer's own database, and SQLite
 * confined to one folder.
 */
import { CofferError, isCofferError } from "@coffer/core";
import { type ActionContext, defineAction, z } from "@coffer/sdk";
import { translateQuery } from "./bound-params.js";
import { classifyClickhouse, clickhouseDriver, clickhouseType } from "./clickhouse.js";
import { type ConnectionUrl, effectivePort, parseConnectionUrl, scrub, sensitiveParts } from "./connection-url.js";
import { type Driver, type DriverFailure, type QueryOutcome, Stop } from "./driver.types.js";
import { classifyMysql, mysqlDriver } from "./mysql.js";
import { assertNotOwnDatabase, type OwnDatabase } from "./own-database.js";
import { cachedUrl, rememberUrl } from "./pools.js";
import { classifyPostgres, postgresDriver } from "./postgres.js";
import { classifySqlite, createSqliteDriver } from "./sqlite.js";
import type { Row } from "./values.js";

export const sqlExecuteQueryArgs = z
  .object({
    /** One SQL statement; bound parameters are written `:name`. */
    query: z.string().min(1),
    bound_params: z.record(z.string(), z.unknown()).nullish(),
    fetch_one: z.boolean().default(false),
    max_rows: z.number().int().min(1).max(1_000_000).default(200),
    /** Seconds for connecting and running; the server stops the statement, the client cuts the connection just after. */
    timeout_seconds: z
      .number()
      .positive()
      .max(24 * 3600)
      .default(30),
    /** Runs in a READ ONLY transaction (readonly=1 on ClickHouse, a read-only file on SQLite). */
    read_only: z.boolean().default(false),
  })
  .strict();

export type SqlExecuteQueryArgs = z.output<typeof sqlExecuteQueryArgs>;
export type SqlResult = Row[] | Row | null | number;

export interface SqlActionOptions {
  /** Coffer's own store (see `ownDatabaseFromUrl`); URLs that reach it are refused. */
  ownDatabase?: OwnDatabase;
  /** COFFER_SQL_SQLITE_DIR: the only folder SQLite URLs may open files in; absent refuses SQLite files. */
  sqliteDir?: string;
  /** Never opened through SQLite, whatever the folder: Coffer's home, key file, token (its database file comes from ownDatabase). */
  protectedPaths?: readonly string[];
}

/** How long the client waits past the server-side timeout before it cuts the connection itself. */
const CLIENT_GRACE_MS = 1_000;

interface Family {
  driver: Driver;
  classify: (error: unknown) => DriverFailure | undefined;
}

export function createSqlAction(options: SqlActionOptions = {}) {
  const families: Partial<Record<ConnectionUrl["family"], Family>> = {
    postgresql: { driver: postgresDriver, classify: classifyPostgres },
    mysql: { driver: mysqlDriver, classify: classifyMysql },
    clickhouse: { driver: clickhouseDriver, classify: classifyClickhouse },
    sqlite: {
      driver: createSqliteDriver({
        sqliteDir: options.sqliteDir,
        protectedPaths: [
          ...(options.protectedPaths ?? []),
          ...(options.ownDatabase?.file === undefined ? [] : [options.ownDatabase.file]),
        ],
      }),
      classify: classifySqlite,
    },
  };
  return defineAction({
    namespace: "core.sql",
    name: "execute_query",
    title: "Execute SQL query",
    description: "Execute a parameterized SQL query on an external database with security controls.",
    display_group: "Database",
    args: sqlExecuteQueryArgs,
    secrets: [
      { name: "sql", keys: ["CONNECTION_URL"], secret_type: "custom" },
      { name: "ca_cert", keys: ["CA_CERTIFICATE"], secret_type: "ca_cert", optional: true },
    ],
    handler: (args, ctx) => executeQuery(args, ctx, options, families),
  });
}

async function executeQuery(
  args: SqlExecuteQueryArgs,
  ctx: ActionContext,
  options: SqlActionOptions,
  families: Partial<Record<ConnectionUrl["family"], Family>>,
): Promise<SqlResult> {
  const text = ctx.secrets.of("sql").CONNECTION_URL ?? "";
  if (text.trim() === "") {
    throw new CofferError(
      "invalid_connection_url",
      "The sql secret has no CONNECTION_URL, or it is empty: store a database URL such as postgresql+psycopg://user:pass@db.example.com:5432/app.",
      {
        details: { secret: "sql", key: "CONNECTION_URL" },
      },
    );
  }
  // The same URL as the last successful run: its parse is kept (see cachedUrl for how long).
  const url = cachedUrl<ConnectionUrl>(text) ?? parseConnectionUrl(text);
  const family = families[url.family];
  if (family === undefined) {
    throw new CofferError("unsupported_sql_dialect", `${url.dialect} is not available in this build of Coffer.`);
  }
  await assertNotOwnDatabase(url, options.ownDatabase);
  const translated = translateQuery(args.query, args.bound_params ?? {}, url.family, clickhouseType);
  const namedValues = Object.fromEntries(translated.names.map((name) => [name, args.bound_params?.[name]]));
  const ca = caCertificate(ctx);
  const where = describe(url);
  const timeoutMs = Math.ceil(args.timeout_seconds * 1000);
  const limit = args.fetch_one ? 1 : args.max_rows;

  const stop = new Stop();
  const timer = setTimeout(() => stop.fire("timeout"), timeoutMs + CLIENT_GRACE_MS);
  const onCancel = (): void => stop.fire("cancelled");
  if (ctx.signal.aborted) onCancel();
  else ctx.signal.addEventListener("abort", onCancel, { once: true });

  ctx.log.info(`Running a query on ${where}${args.read_only ? " (read only)" : ""}.`);
  let outcome: QueryOutcome;
  try {
    outcome = await new Promise<QueryOutcome>((resolve, reject) => {
      // The run ends at the first of: the driver's outcome, the client-side timeout, a cancellation.
      if (!stop.settleWith(reject)) return;
      family
        .driver({
          url,
          sql: translated.sql,
          values: translated.values,
          namedValues,
          limit,
          timeoutMs,
          readOnly: args.read_only,
          ca,
          stop,
        })
        .then(resolve, reject);
    });
  } catch (error) {
    // The sensitive parts are worked out only for an error, the one place they are needed.
    const parts = sensitiveParts(text, url);
    throw failure(error, { reason: stop.reason, where, args, parts, classify: family.classify, ctx });
  } finally {
    clearTimeout(timer);
    ctx.signal.removeEventListener("abort", onCancel);
  }
  rememberUrl(text, url);
  if (outcome.kind === "count") return outcome.count;
  if (outcome.cut && !args.fetch_one) {
    ctx.log.warn(
      `The result has more than max_rows (${args.max_rows}) rows: only the first ${args.max_rows} are returned.`,
    );
  }
  if (args.fetch_one) return outcome.rows[0] ?? null;
  return outcome.rows;
}

function failure(
  error: unknown,
  at: {
    reason: "timeout" | "cancelled" | undefined;
    where: string;
    args: SqlExecuteQueryArgs;
    parts: string[];
    classify: Family["classify"];
    ctx: ActionContext;
  },
): CofferError {
  const { reason, where, args, parts } = at;
  if (reason === "cancelled") {
    const cause: unknown = at.ctx.signal.reason;
    return isCofferError(cause)
      ? cause
      : new CofferError("action_aborted", `The query on ${where} was cancelled before it completed.`);
  }
  if (reason === "timeout") return timeoutError(where, args);
  if (isCofferError(error))
    return new CofferError(error.code, scrub(error.message, parts), { details: error.details ?? {} });
  const classified = at.classify(error);
  const raw = classified?.message ?? (error instanceof Error ? error.message : String(error));
  // ClickHouse appends ", e.what() = DB::Exception" and a newline; the sentence ends before that.
  const message = scrub(raw, parts)
    .replace(/,\s*e\.what\(\) = DB::Exception\s*$/, "")
    .trim()
    .replace(/\.$/, "");
  const details = classified?.sqlState === undefined ? {} : { sqlstate: classified.sqlState };
  switch (classified?.code) {
    case "sql_timeout":
      return timeoutError(where, args);
    case "sql_auth_failed":
      return new CofferError(
        "sql_auth_failed",
        `${where} refused the credentials in the sql secret's CONNECTION_URL: ${message}. Check the user name and password (percent-encode @ : / ? # in them).`,
        { details },
      );
    case "sql_read_only":
      return new CofferError(
        "sql_read_only",
        `The statement writes, and read_only is true: ${message}. Set read_only to false to allow writes.`,
        { details },
      );
    case "sql_connection_failed":
      return new CofferError("sql_connection_failed", `Could not connect to ${where}: ${message}.`, { details });
    default:
      return new CofferError("sql_query_failed", `The query on ${where} failed: ${message}`, { details });
  }
}

function timeoutError(where: string, args: SqlExecuteQueryArgs): CofferError {
  return new CofferError(
    "sql_timeout",
    `The query on ${where} did not finish within timeout_seconds (${args.timeout_seconds} s) and was stopped. Raise timeout_seconds if it needs longer.`,
    { details: { timeout_seconds: args.timeout_seconds } },
  );
}

/** Where the URL points, without credentials: `postgresql at db.example.com:5432/app`. */
function describe(url: ConnectionUrl): string {
  if (url.family === "sqlite") return `sqlite ${url.database}`;
  const host = url.host === undefined ? "localhost" : url.host.includes(":") ? `[${url.host}]` : url.host;
  return `${url.family} at ${host}:${effectivePort(url)}${url.database ? `/${url.database}` : ""}`;
}

/** The ca_cert secret's CA_CERTIFICATE, when this run has it. */
function caCertificate(ctx: ActionContext): string | undefined {
  // The usual case first, without the exception `of` raises for an absent optional secret: no
  // secret of the run has the key at all (several that have it: ask ca_cert by name below).
  try {
    if (ctx.secrets.getOrDefault("CA_CERTIFICATE", undefined) === undefined) return undefined;
  } catch {
    // duplicate_key
  }
  return optionalSecret(ctx, "ca_cert")?.CA_CERTIFICATE || undefined;
}

function optionalSecret(ctx: ActionContext, name: string): Readonly<Record<string, string>> | undefined {
  // An absent optional secret is the usual case, and `of` says so by throwing: without a stack
  // trace, since this error is only looked at for its code.
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return ctx.secrets.of(name);
  } catch (error) {
    if (isCofferError(error) && error.code === "secret_not_found") return undefined;
    throw error;
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
}

export const sqlExecuteQueryAction = createSqlAction();
