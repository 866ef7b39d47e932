/** PostgreSQL through `pg`: one round trip per run, rows read through a portal so a cut result is never fetched whole. */
import { createRequire } from "node:module";
import type pgModule from "pg";
import { type Driver, type DriverFailure, raisedWhileConnecting, whileConnecting } from "./driver.types.js";
import { POOL_IDLE_MS, POOL_MAX, poolGone, registerPools, urlPoolKey } from "./pools.js";
import { checkOptions, type TlsMode, tlsFailureMessage, tlsMode, tlsOptions } from "./tls.js";
import { isoTimestamp, jsonRow, type Row } from "./values.js";

const require = createRequire(import.meta.url);

type ResultClass = new (
  rowMode: undefined,
  types: unknown,
) => {
  addFields(fields: unknown[]): void;
  parseRow(fields: unknown[]): unknown;
  addCommandComplete(message: { text?: string }): void;
  rowCount: number | null;
};
interface Serializer {
  parse(message: { text: string }): Buffer;
  bind(message: { values: unknown[] }): Buffer;
  execute(message: { rows: number }): Buffer;
}
let libraries:
  | {
      pg: typeof pgModule;
      Result: ResultClass;
      prepareValue: (value: unknown) => unknown;
      /** Parse, Bind and Execute of DISCARD ALL, serialised once (the same bytes every run). */
      discardAll: Buffer;
    }
  | undefined;
function load(): NonNullable<typeof libraries> {
  if (libraries === undefined) {
    // pg's own wire serializer, from pg's dependencies.
    const { serialize } = createRequire(require.resolve("pg"))("pg-protocol") as { serialize: Serializer };
    libraries = {
      pg: require("pg") as typeof pgModule,
      Result: require("pg/lib/result.js") as ResultClass,
      prepareValue: (require("pg/lib/utils.js") as { prepareValue: (value: unknown) => unknown }).prepareValue,
      discardAll: Buffer.concat([
        serialize.parse({ text: "DISCARD ALL" }),
        serialize.bind({ values: [] }),
        serialize.execute({ rows: 0 }),
      ]),
    };
  }
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
  const { url } = plan;
  checkOptions(url, OPTIONS);
  const mode = tlsMode(url, plan.ca !== undefined);
  // Everything the pool's configuration is made of (the mode too: verify-ca and verify-full
  // differ only in a function), without building that configuration on every run.
  const key = urlPoolKey(url, plan.timeoutMs, plan.readOnly, plan.ca ?? null, mode);
  const client = await pgPools
    .connect(key, () => poolConfig(plan, mode))
    .catch((error: unknown) => {
      throw whileConnecting(error);
    });
  let broken = true;
  // end() waits for the server; the socket is cut at once so a stuck query frees the run.
  const offStop = plan.stop.onStop(() => {
    const connection = (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection;
    connection?.stream?.destroy();
  });
  try {
    // A connection that served a run before is reset first, in the same round trip.
    const query = new LimitedQuery(plan.sql, plan.values, plan.limit, used.has(client));
    used.add(client);
    client.query(query as never);
    const result = await query.promise;
    // A statement that left a transaction open (BEGIN) is not committed by anyone: the connection goes.
    broken = (client as unknown as { _txStatus?: string })._txStatus !== "I";
    if (!result.returnsRows) return { kind: "count", count: result.count };
    return { kind: "rows", rows: result.rows.map(jsonRow), cut: result.cut };
  } finally {
    offStop();
    // A connection that failed, timed out or was cancelled is closed, never reused.
    client.release(broken);
  }
};

/** A new pool's configuration: the URL, TLS, and the run's timeouts and read-only as startup parameters. */
function poolConfig(plan: Parameters<Driver>[0], mode: TlsMode): pgModule.PoolConfig {
  const { url } = plan;
  const ssl = tlsOptions(mode, url.host, plan.ca);
  const connectTimeout = url.options.connect_timeout ? Number(url.options.connect_timeout) * 1000 : plan.timeoutMs;
  // The timeouts and read-only are startup parameters: the session's defaults, which DISCARD ALL
  // restores before each later run, so a run costs no extra round trip to set them.
  const config: pgModule.PoolConfig = {
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
  const startup = [url.options.options, plan.readOnly ? "-c default_transaction_read_only=on" : undefined];
  const options = startup.filter((o) => o !== undefined).join(" ");
  if (options !== "") config.options = options;
  return config;
}

/** Connections that have served a run, so start the next with DISCARD ALL. */
const used = new WeakSet<pgModule.PoolClient>();

interface LimitedResult {
  rows: Row[];
  returnsRows: boolean;
  count: number;
  cut: boolean;
}

/**
 * One statement in one round trip (Parse, Bind, Describe, Execute at most limit + 1 rows, Sync), a
 * pg Submittable: the statement runs in its own implicit transaction, which the Sync commits, and
 * a result longer than the limit is suspended on the server, never sent whole.
 *
 * With `reset`, DISCARD ALL goes first in the same pipeline: whatever an earlier run left in the
 * session (SET, set_config, SET ROLE, advisory locks, temp tables, PREPARE, cursors, LISTEN) is
 * gone before this statement runs, back to the startup defaults (timeouts, read-only). The
 * server commits DISCARD ALL at once, so the statement after it still runs first in its own
 * transaction (VACUUM and the like work); if it fails the connection is closed anyway.
 */
class LimitedQuery {
  private readonly result: InstanceType<ResultClass>;
  private readonly rows: Row[] = [];
  private returnsRows = false;
  private cut = false;
  private error: unknown;
  private readonly done: { resolve(value: LimitedResult): void; reject(error: unknown): void };
  readonly promise: Promise<LimitedResult>;
  private readonly values: unknown[];

  /** CommandComplete messages still to skip (DISCARD ALL's). */
  private skip: number;

  constructor(
    private readonly text: string,
    values: unknown[],
    private readonly limit: number,
    private readonly reset: boolean,
  ) {
    this.skip = reset ? 1 : 0;
    const { Result, prepareValue } = load();
    this.result = new Result(undefined, types);
    this.values = values.map(prepareValue);
    let done!: LimitedQuery["done"];
    this.promise = new Promise<LimitedResult>((resolve, reject) => {
      done = { resolve, reject };
    });
    this.done = done;
  }

  submit(connection: PgConnection): void {
    // One write for the whole pipeline, not one system call per message.
    connection.stream.cork();
    if (this.reset && connection.stream.writable) connection.stream.write(load().discardAll);
    connection.parse({ text: this.text });
    connection.bind({ values: this.values });
    connection.describe({ type: "P" });
    connection.execute({ rows: this.limit + 1 });
    connection.sync();
    connection.stream.uncork();
  }

  handleRowDescription(message: { fields: unknown[] }): void {
    this.returnsRows = true;
    this.result.addFields(message.fields);
  }

  handleDataRow(message: { fields: unknown[] }): void {
    if (this.rows.length < this.limit) this.rows.push(this.result.parseRow(message.fields) as Row);
    else this.cut = true;
  }

  handlePortalSuspended(): void {
    // Exactly limit + 1 rows arrived and more may follow: the Sync already sent drops the portal.
  }

  handleCommandComplete(message: { text?: string }): void {
    if (this.skip > 0) {
      this.skip -= 1;
      return;
    }
    this.result.addCommandComplete(message);
  }

  handleEmptyQuery(): void {}

  handleError(error: unknown): void {
    this.error = error;
    this.done.reject(error);
  }

  handleReadyForQuery(): void {
    if (this.error !== undefined) return;
    this.done.resolve({
      rows: this.rows,
      returnsRows: this.returnsRows,
      count: this.result.rowCount ?? 0,
      cut: this.cut,
    });
  }
}

interface PgConnection {
  parse(message: { text: string }): void;
  bind(message: { values: unknown[] }): void;
  describe(message: { type: "P" }): void;
  execute(message: { rows: number }): void;
  sync(): void;
  stream: { cork(): void; uncork(): void; write(buffer: Buffer): boolean; writable: boolean };
}

/**
 * A small pool per connection configuration (URL, TLS, timeout, read-only): at most 4 connections
 * each, idle ones closed after 10 s and never holding the process open, at most 16 configurations
 * (the least recently used pool is ended).
 */
const pgPools = (() => {
  const byKey = new Map<string, pgModule.Pool>();
  const guarded = new WeakSet<pgModule.PoolClient>();
  const MAX_POOLS = 16;
  registerPools({
    async close() {
      const all = [...byKey.values()];
      byKey.clear();
      poolGone();
      await Promise.all(all.map((pool) => pool.end().catch(() => undefined)));
    },
    stats() {
      return [...byKey.values()].map((pool) => ({ total: pool.totalCount, idle: pool.idleCount }));
    },
  });
  return {
    async connect(key: string, config: () => pgModule.PoolConfig): Promise<pgModule.PoolClient> {
      let pool = byKey.get(key);
      if (pool === undefined) {
        pool = new (load().pg.Pool)({
          ...config(),
          max: POOL_MAX,
          idleTimeoutMillis: POOL_IDLE_MS,
          allowExitOnIdle: true,
        });
        // An idle connection the server closes must not crash the process.
        pool.on("error", () => undefined);
        if (byKey.size >= MAX_POOLS) {
          const [oldestKey, oldest] = byKey.entries().next().value as [string, pgModule.Pool];
          byKey.delete(oldestKey);
          poolGone();
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
  const tls = tlsFailureMessage(error);
  if (tls !== undefined) return { code: "sql_connection_failed", message: tls };
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
