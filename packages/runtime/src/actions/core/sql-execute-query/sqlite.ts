/**
 * SQLite through better-sqlite3 in a worker thread, so a slow query never blocks the server and
 * the client-side timeout can end it. Files are confined to COFFER_SQL_SQLITE_DIR, compared after
 * resolving symlinks, and Coffer's own files (also through a hard link) are always refused.
 */
import { realpathSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, dirname, isAbsolute, join, resolve, sep } from "node:path";
import { Worker } from "node:worker_threads";
import { CofferError } from "@coffer/core";
import type { Driver, DriverFailure } from "./driver.types.js";
import { checkOptions } from "./tls.js";
import { jsonRow, type Row } from "./values.js";

const require = createRequire(import.meta.url);

export interface SqliteConfinement {
  /** COFFER_SQL_SQLITE_DIR; undefined refuses every SQLite file. */
  sqliteDir: string | undefined;
  /** Files and folders never opened: Coffer's database (its -wal/-shm/-journal too), home, keys. */
  protectedPaths: readonly string[];
}

// CommonJS, evaluated in the worker: no file of its own, so it works from the bundled CLI too.
const WORKER_SOURCE = `
const { parentPort, workerData: w } = require("node:worker_threads");
const Database = require(w.modulePath);
const bind = (v) => (typeof v === "boolean" ? (v ? 1 : 0) : v !== null && typeof v === "object" && !ArrayBuffer.isView(v) ? JSON.stringify(v) : v);
const small = (v) => (typeof v === "bigint" && v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);
let db;
try {
  db = new Database(w.file, { readonly: w.readOnly, fileMustExist: w.readOnly, timeout: w.busyMs });
  const stmt = db.prepare(w.sql);
  stmt.safeIntegers(true);
  const values = w.values.map(bind);
  let result;
  db.exec("BEGIN");
  if (stmt.reader) {
    const rows = [];
    let cut = false;
    for (const row of stmt.iterate(...values)) {
      if (rows.length === w.limit) { cut = true; break; }
      for (const k of Object.keys(row)) row[k] = small(row[k]);
      rows.push(row);
    }
    result = { kind: "rows", rows, cut };
  } else {
    result = { kind: "count", count: stmt.run(...values).changes };
  }
  db.exec("COMMIT");
  parentPort.postMessage({ ok: result });
} catch (e) {
  parentPort.postMessage({ error: { message: String(e && e.message), code: e && e.code } });
} finally {
  try { db && db.close(); } catch {}
}
`;

class SqliteError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

function refused(message: string): CofferError {
  return new CofferError("sql_path_refused", message, { details: { variable: "COFFER_SQL_SQLITE_DIR" } });
}

function real(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

const within = (path: string, folder: string): boolean =>
  path === folder || path.startsWith(folder.endsWith(sep) ? folder : folder + sep);

/** The real path to open, or a refusal naming COFFER_SQL_SQLITE_DIR. */
export function confinedPath(database: string, confinement: SqliteConfinement): string {
  if (database === ":memory:") return database;
  if (confinement.sqliteDir === undefined) {
    throw refused(
      "SQLite files are refused: no folder is configured for them. Set COFFER_SQL_SQLITE_DIR to the folder whose .db files actions may open, and give paths inside it.",
    );
  }
  const dir = real(confinement.sqliteDir);
  if (dir === undefined) {
    throw refused(
      "COFFER_SQL_SQLITE_DIR names a folder that does not exist: create it, or point the variable at an existing folder.",
    );
  }
  const wanted = isAbsolute(database) ? database : join(dir, database);
  // An existing file resolves whole; a new one through its folder (which must exist).
  const parent = real(dirname(wanted));
  const target = real(wanted) ?? (parent === undefined ? undefined : join(parent, basename(wanted)));
  if (target === undefined || !within(target, dir) || target === dir) {
    throw refused(
      `The SQLite path ${database} is outside COFFER_SQL_SQLITE_DIR (after resolving symlinks): give a path inside that folder, relative to it or absolute.`,
    );
  }
  for (const path of confinement.protectedPaths) {
    const own = real(path) ?? resolve(path);
    const owns = [own, `${own}-wal`, `${own}-shm`, `${own}-journal`];
    if (owns.includes(target) || within(target, own) || sameFile(target, own)) {
      throw refused(`The SQLite path ${database} is one of Coffer's own files, which actions may never open.`);
    }
  }
  return target;
}

function sameFile(a: string, b: string): boolean {
  try {
    const x = statSync(a);
    const y = statSync(b);
    return x.isFile() && x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false;
  }
}

export function createSqliteDriver(confinement: SqliteConfinement): Driver {
  return async (plan) => {
    checkOptions(plan.url, []);
    const file = confinedPath(plan.url.database ?? ":memory:", confinement);
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        modulePath: require.resolve("better-sqlite3"),
        file,
        readOnly: plan.readOnly,
        busyMs: Math.min(plan.timeoutMs, 5_000),
        sql: plan.sql,
        values: plan.values,
        limit: plan.limit,
      },
    });
    const onAbort = (): void => void worker.terminate();
    const offStop = plan.stop.onStop(onAbort);
    try {
      const message = await new Promise<{
        ok?: { kind: "rows"; rows: Row[]; cut: boolean } | { kind: "count"; count: number };
        error?: { message: string; code?: string };
      }>((resolvePromise, reject) => {
        worker.once("message", resolvePromise);
        worker.once("error", reject);
        worker.once("exit", (code) => reject(new SqliteError(`the SQLite worker stopped (exit ${code})`, undefined)));
      });
      if (message.error) throw new SqliteError(message.error.message, message.error.code);
      const ok = message.ok as NonNullable<typeof message.ok>;
      return ok.kind === "rows" ? { kind: "rows", rows: ok.rows.map(jsonRow), cut: ok.cut } : ok;
    } finally {
      offStop();
      void worker.terminate();
    }
  };
}

export function classifySqlite(error: unknown): DriverFailure | undefined {
  if (!(error instanceof SqliteError)) return undefined;
  const code = error.code ?? "";
  if (code.startsWith("SQLITE_READONLY")) return { code: "sql_read_only", message: error.message };
  if (code.startsWith("SQLITE_CANTOPEN") || code.startsWith("SQLITE_NOTADB"))
    return { code: "sql_connection_failed", message: error.message };
  if (code === "SQLITE_BUSY") return { code: "sql_timeout", message: error.message };
  return { code: "sql_query_failed", message: error.message };
}
