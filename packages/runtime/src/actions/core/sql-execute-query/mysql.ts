/**
 * MySQL and MariaDB through mysql2, on a small pool per configuration. Bound values go as
 * server-side prepared statements. Rows arrive as events and only the first `limit + 1` are kept;
 * the rest are drained and dropped, so memory stays bounded.
 */
import { createRequire } from "node:module";
import type mysqlModule from "mysql2";
import { type Driver, type DriverFailure, raisedWhileConnecting, whileConnecting } from "./driver.types.js";
import { POOL_IDLE_MS, POOL_MAX, type PoolStats, poolGone, registerPools, urlPoolKey } from "./pools.js";
import { checkOptions, type TlsMode, tlsFailureMessage, tlsMode, tlsOptions } from "./tls.js";
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

function run(pooled: Pooled, sql: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const done = (error: Error | null, result: unknown): void => (error ? reject(error) : resolve(result));
    pooled.issue(() => pooled.connection.query(sql, done));
  });
}

export const mysqlDriver: Driver = async (plan) => {
  const { url } = plan;
  checkOptions(url, OPTIONS);
  const mode = tlsMode(url, plan.ca !== undefined);
  // Everything the pool's options are made of (the mode too: verify-ca and verify-full differ
  // only in a function), without building those options on every run.
  const key = urlPoolKey(url, plan.timeoutMs, plan.ca ?? null, mode);
  const pooled = await mysqlPools
    .acquire(key, () => poolOptions(plan, mode))
    .catch((error: unknown) => {
      throw whileConnecting(error);
    });
  const { connection } = pooled;
  let broken = true;
  const offStop = plan.stop.onStop(() => connection.destroy());
  try {
    // MariaDB bounds the one statement (SET STATEMENT … FOR, no extra round trip); MySQL's
    // max_execution_time is a session variable, set again each run since the reset clears it.
    let sql = plan.sql;
    if (pooled.mariadb) sql = `SET STATEMENT max_statement_time = ${plan.timeoutMs / 1000} FOR ${sql}`;
    else await run(pooled, `SET SESSION max_execution_time = ${Math.ceil(plan.timeoutMs)}`);
    // Outside read_only, the statement runs in autocommit: its own transaction, committed.
    if (plan.readOnly) await run(pooled, "START TRANSACTION READ ONLY");
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
      // Bound values go as a server-side prepared statement; a statement without any goes as text
      // (one round trip, and the text protocol's values, as Tracecat's PyMySQL gets them).
      const command = pooled.issue(() =>
        plan.values.length > 0 ? connection.execute(sql, plan.values as never) : connection.query(sql),
      );
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
    if (plan.readOnly) await run(pooled, "COMMIT");
    broken = false;
    if (outcome.fields === undefined) return { kind: "count", count: outcome.count };
    const datetimes = outcome.fields.filter((f) => DATETIME_TYPES.has(f.columnType ?? -1)).map((f) => f.name);
    const rows = outcome.rows.slice(0, plan.limit).map((row) => {
      for (const name of datetimes) if (typeof row[name] === "string") row[name] = isoTimestamp(row[name] as string);
      return jsonRow(row);
    });
    return { kind: "rows", rows, cut: outcome.seen > plan.limit };
  } finally {
    offStop();
    pooled.release(broken);
  }
};

/** A new pool's connection options. */
function poolOptions(plan: Parameters<Driver>[0], mode: TlsMode): mysqlModule.ConnectionOptions {
  const { url } = plan;
  const ssl = tlsOptions(mode, url.host, plan.ca);
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
    // mysql2 asks for IGNORE_SPACE at the handshake, which COM_RESET_CONNECTION then drops: without
    // it a fresh connection and a reset one have the same sql_mode (the server's, as PyMySQL gets).
    flags: ["-IGNORE_SPACE"],
    // mysql2's statement cache is cleared by every reset (one run's statement at most is in it),
    // and clearing walks the cache's whole capacity: 16,000 slots by default, tens of µs a run.
    maxPreparedStatements: 8,
  };
  if (ssl !== undefined) options.ssl = ssl as mysqlModule.SslOptions;
  return options;
}

function socketOf(connection: Connection): { ref(): void; unref(): void } | undefined {
  return (connection as unknown as { stream?: { ref(): void; unref(): void } }).stream;
}

interface Pooled {
  connection: Connection;
  mariadb: boolean;
  /** Sends a command; the first of a run on a connection not yet reset has the reset before it. */
  issue<T>(start: () => T): T;
  release(broken: boolean): void;
}

/** mysql2's private parts that the reset in front of a command needs. */
interface Internals {
  _command?: { next?: (this: unknown, packet: unknown, connection: Internals) => unknown };
  _statements?: { clear(): void };
  sequenceId: number;
  stream: { cork(): void; uncork(): void };
  write(buffer: Buffer): void;
}

function activeCommand(internals: Internals): Internals["_command"] {
  return internals._command;
}

/** COM_RESET_CONNECTION: a 1-byte payload, sequence 0, command 0x1f. */
const RESET_PACKET = Buffer.from([1, 0, 0, 0, 0x1f]);

/**
 * Starts a command on an idle connection with COM_RESET_CONNECTION in front of it, in the same
 * write: the server undoes the last run's session (session and user variables, temporary tables,
 * locks, prepared statements, an open transaction, the role) before it reads the command, and
 * the reset's OK is consumed before the command's own answer. COM_RESET_CONNECTION has no error
 * path on MariaDB or MySQL; should its answer be an error anyway, the command fails with it, the
 * connection is closed, and nothing the command returns is used.
 */
function resetThen<T>(connection: Connection, start: () => T): T {
  const internals = connection as unknown as Internals;
  if (internals._command !== undefined && internals._command !== null) {
    throw new Error("the connection is busy: a reset cannot go in front of the next command");
  }
  internals.stream.cork();
  let command: Internals["_command"];
  let started: T;
  try {
    // The server's copies of prepared statements go with the reset: mysql2 forgets its own too
    // (closing them first, in this same write), so a bound query is prepared again.
    internals._statements?.clear();
    internals.write(RESET_PACKET);
    started = start();
    command = activeCommand(internals); // the command start() began (read again: it changed)
  } finally {
    internals.stream.uncork();
  }
  const first = command?.next;
  if (command === undefined || command === null || first === undefined) {
    connection.destroy();
    throw new Error("the command did not start at once after the reset");
  }
  command.next = function resetAnswered(_packet: unknown, conn: Internals) {
    // The reset's OK (sequence 1) is done with; the command's answer starts at sequence 1 too.
    conn.sequenceId = 1;
    return first;
  };
  return started;
}

interface Slot {
  connection: Connection;
  mariadb: boolean;
  /** Served a run since its last reset: the next run's first command carries one. */
  dirty?: boolean;
  /** Resets a dirty idle connection that no run took at once (so its locks do not linger). */
  resetTimer?: NodeJS.Timeout;
  /** Closes the connection after POOL_IDLE_MS unused (unref'd: it never keeps the process alive). */
  idleTimer?: NodeJS.Timeout;
  destroyed?: true;
}

/** How long a dirty connection waits idle for a run to carry its reset before it is reset on its own. */
const RESET_IDLE_MS = 5;

/**
 * A bounded pool of mysql2 connections for one configuration. Not mysql2's own pool: its idle
 * reaper is a 1 s timer that is never unref'd (and not started at all when maxIdle equals the
 * connection limit, so idle sockets stay open for ever); either keeps a process that has finished
 * its work from exiting. Here an idle connection's socket is unref'd and its close timer too, so
 * a process with nothing else to do exits. A good connection is reset (COM_RESET_CONNECTION:
 * session variables, temporary tables, locks, prepared statements, an open transaction) before
 * any other run's command reaches it: in front of the next run's first command, in the same
 * write, or on its own once it has been idle for RESET_IDLE_MS.
 */
class MysqlPool {
  private readonly idle: Slot[] = [];
  private readonly waiters: { resolve(slot: Slot): void; reject(error: unknown): void }[] = [];
  private open = 0;
  private closed = false;

  constructor(private readonly options: mysqlModule.ConnectionOptions) {}

  stats(): PoolStats {
    return { total: this.open, idle: this.idle.length };
  }

  async acquire(): Promise<Pooled> {
    const slot = await this.slot();
    socketOf(slot.connection)?.ref();
    return {
      connection: slot.connection,
      mariadb: slot.mariadb,
      issue: (start) => {
        if (!slot.dirty) return start();
        slot.dirty = false;
        return resetThen(slot.connection, start);
      },
      release: (broken) => this.release(slot, broken),
    };
  }

  private slot(): Promise<Slot> {
    const idle = this.idle.pop();
    if (idle !== undefined) {
      clearTimeout(idle.idleTimer);
      clearTimeout(idle.resetTimer);
      return Promise.resolve(idle);
    }
    if (this.open < POOL_MAX) return this.create();
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  private async create(): Promise<Slot> {
    this.open += 1;
    const connection = load().createConnection(this.options);
    connection.on("error", () => undefined);
    try {
      await new Promise<void>((resolve, reject) => connection.connect((error) => (error ? reject(error) : resolve())));
    } catch (error) {
      this.gone();
      connection.destroy();
      throw error;
    }
    const handshake = (connection as unknown as { _handshakePacket?: { serverVersion?: string } })._handshakePacket;
    const slot: Slot = { connection, mariadb: /mariadb/i.test(handshake?.serverVersion ?? "") };
    // A connection the server or the network closes while idle leaves the pool.
    connection.once("end", () => this.destroy(slot));
    connection.once("error", () => this.destroy(slot));
    return slot;
  }

  /**
   * A good connection goes back marked dirty: the next run's first command carries the reset
   * (no round trip of its own). One that no run takes within RESET_IDLE_MS is reset where it
   * lies, so what the last run held (GET_LOCK, LOCK TABLES, a transaction) is let go promptly.
   */
  private release(slot: Slot, broken: boolean, clean = false): void {
    if (broken || this.closed) {
      this.destroy(slot);
      return;
    }
    slot.dirty = !clean;
    const waiter = this.waiters.shift();
    if (waiter !== undefined) {
      waiter.resolve(slot);
      return;
    }
    socketOf(slot.connection)?.unref();
    slot.idleTimer = setTimeout(() => this.destroy(slot), POOL_IDLE_MS);
    slot.idleTimer.unref();
    if (slot.dirty) {
      slot.resetTimer = setTimeout(() => this.resetIdle(slot), RESET_IDLE_MS);
      slot.resetTimer.unref();
    }
    this.idle.push(slot);
  }

  /** Resets a dirty idle connection off any run's path; it stays out of the pool meanwhile. */
  private resetIdle(slot: Slot): void {
    if (slot.destroyed || !slot.dirty) return;
    this.drop(slot);
    slot.dirty = false;
    socketOf(slot.connection)?.ref();
    slot.connection.reset((error) => {
      if (error) this.destroy(slot);
      else if (this.closed) this.destroy(slot);
      else this.release(slot, false, true);
    });
  }

  private drop(slot: Slot): void {
    const at = this.idle.indexOf(slot);
    if (at >= 0) {
      this.idle.splice(at, 1);
      clearTimeout(slot.idleTimer);
      clearTimeout(slot.resetTimer);
    }
  }

  private destroy(slot: Slot): void {
    if (slot.destroyed) return;
    slot.destroyed = true;
    this.drop(slot);
    slot.connection.destroy();
    this.gone();
  }

  /** One connection fewer: a waiter gets a new one. */
  private gone(): void {
    this.open -= 1;
    const waiter = this.waiters.shift();
    if (waiter !== undefined) this.create().then(waiter.resolve, waiter.reject);
  }

  close(): void {
    this.closed = true;
    for (const slot of [...this.idle]) this.destroy(slot);
  }
}

/** One MysqlPool per configuration, at most 16 (the least recently used is closed). */
const mysqlPools = (() => {
  const byKey = new Map<string, MysqlPool>();
  const MAX_POOLS = 16;
  registerPools({
    async close() {
      for (const pool of byKey.values()) pool.close();
      byKey.clear();
      poolGone();
    },
    stats: () => [...byKey.values()].map((pool) => pool.stats()),
  });
  return {
    acquire(key: string, options: () => mysqlModule.ConnectionOptions): Promise<Pooled> {
      let pool = byKey.get(key);
      if (pool === undefined) {
        pool = new MysqlPool(options());
        if (byKey.size >= MAX_POOLS) {
          const [oldestKey, oldest] = byKey.entries().next().value as [string, MysqlPool];
          byKey.delete(oldestKey);
          poolGone();
          oldest.close();
        }
      } else {
        byKey.delete(key);
      }
      byKey.set(key, pool);
      return pool.acquire();
    },
  };
})();

export function classifyMysql(error: unknown): DriverFailure | undefined {
  const e = error as { code?: string; errno?: number; sqlState?: string; message?: string };
  const tls = tlsFailureMessage(error);
  if (tls !== undefined) return { code: "sql_connection_failed", message: tls };
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
