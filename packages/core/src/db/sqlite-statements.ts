import type SqliteDatabase from "better-sqlite3";
import type { SqliteDatabase as SqliteHandle } from "kysely";
import type { ImmediateReader, ReadMode } from "./immediate-reads.js";

type Connection = InstanceType<typeof SqliteDatabase>;
type Statement = ReturnType<Connection["prepare"]>;

/** Most reusable reads kept at once (then all are dropped and refilled as requests come). */
const MAX_KEPT_READS = 4096;

/**
 * The embedded store's one connection as Kysely sees it, plus a reader that skips Kysely.
 *
 * Statements are cached by SQL text: Kysely prepares every query anew, and better-sqlite3's
 * prepare costs more than a point read (the one connection runs one statement at a time, so
 * reuse is safe).
 *
 * Reads share a read transaction per turn of the event loop. Outside a transaction each
 * statement takes and drops WAL read locks (three system calls, most of a point read's cost);
 * the reads of one turn — typically the token check and the row of every request that arrived
 * together — run in one deferred transaction, committed when the turn ends (setImmediate). Any
 * statement that writes or starts a transaction (Kysely's writes, `begin immediate`) ends that
 * read transaction first, so this process's own writes are always seen by its next read. A
 * write committed by another process during the turn is seen from the next turn on: a read
 * then answers as of the turn's start, as if it had run that much earlier.
 *
 * A read marked `reusable` (a token by its hash, a secret's metadata: the reads of every API
 * request) may be answered from the rows an earlier turn read, as long as the database has not
 * changed since: each turn's shared read first reads `data_version` (which moves when another
 * connection, in this process or another, commits) and `total_changes()` (which moves with every
 * row this connection writes); when either moved, every kept row is dropped. So a token revoked
 * by the CLI while the server runs is refused from the server's next turn on, as without reuse.
 */
export function sqliteStatements(connection: Connection): {
  handle: SqliteHandle;
  read: ImmediateReader;
  write: SqliteWriter;
  changedByOthers: () => boolean;
} {
  const cache = new Map<string, Statement>();
  /** The same statements in raw mode (arrays for rows): better-sqlite3's mode is per statement. */
  const rawCache = new Map<string, Statement>();
  let sharedRead = false;
  const begin = connection.prepare("begin");
  const commit = connection.prepare("commit");
  const beginImmediate = connection.prepare("begin immediate");
  const rollback = connection.prepare("rollback");
  const changeStamp = connection.prepare("select data_version, total_changes() from pragma_data_version").raw();
  const dataVersion = connection.prepare("select data_version from pragma_data_version").pluck();
  let lastDataVersion = dataVersion.get();
  /** Rows of reusable reads by statement, then parameters; valid while the change stamp holds. */
  const kept = new Map<Statement, Map<string, readonly unknown[]>>();
  let keptCount = 0;
  let keptStamp = "";
  /** Whether this turn's shared read has compared the change stamp yet. */
  let stampChecked = false;

  function endSharedRead(): void {
    if (!sharedRead) return;
    sharedRead = false;
    stampChecked = false;
    if (connection.open && connection.inTransaction) commit.run();
  }

  function checkStamp(): void {
    stampChecked = true;
    const [dataVersion, changes] = changeStamp.get() as [number, number];
    const stamp = `${dataVersion}:${changes}`;
    if (stamp !== keptStamp) {
      kept.clear();
      keptCount = 0;
      keptStamp = stamp;
    }
  }

  function statement(text: string): Statement {
    let found = cache.get(text);
    if (!found) {
      if (cache.size >= 1000) cache.clear();
      found = connection.prepare(text);
      cache.set(text, found);
    }
    return found;
  }

  function rawStatement(text: string): Statement {
    let found = rawCache.get(text);
    if (!found) {
      if (rawCache.size >= 100) rawCache.clear();
      found = connection.prepare(text);
      if (found.reader) found.raw(true);
      rawCache.set(text, found);
    }
    return found;
  }

  const handle: SqliteHandle = {
    close: () => {
      endSharedRead();
      connection.close();
    },
    prepare(text: string) {
      const found = statement(text);
      if (sharedRead && !found.reader) endSharedRead();
      return found;
    },
  };

  const read: ImmediateReader = (text, parameters, mode) => {
    // Another caller's transaction is open (a writer between its awaits): its uncommitted rows
    // must not be read, so this read waits for Kysely's connection lock instead.
    if (connection.inTransaction && !sharedRead) return undefined;
    const found = mode === "raw" ? rawStatement(text) : statement(text);
    if (!found.reader) return undefined;
    if (!sharedRead) {
      begin.run();
      sharedRead = true;
      setImmediate(endSharedRead);
    }
    if (mode !== "reuse") return found.all(parameters) as unknown[];
    if (!stampChecked) checkStamp();
    const key = JSON.stringify(parameters);
    const earlier = kept.get(found)?.get(key);
    if (earlier !== undefined) return earlier;
    const rows = Object.freeze((found.all(parameters) as object[]).map((row) => Object.freeze(row)));
    if (keptCount >= MAX_KEPT_READS) {
      kept.clear();
      keptCount = 0;
    }
    let byParameters = kept.get(found);
    if (byParameters === undefined) {
      byParameters = new Map();
      kept.set(found, byParameters);
    }
    byParameters.set(key, rows);
    keptCount += 1;
    return rows;
  };

  // Only while the caller holds Kysely's connection lock (Database.writeTransaction does).
  const write: SqliteWriter = {
    begin() {
      endSharedRead();
      beginImmediate.run();
    },
    commit: () => void commit.run(),
    rollback() {
      if (connection.inTransaction) rollback.run();
    },
    run(text, parameters, mode) {
      const found = mode === "raw" ? rawStatement(text) : statement(text);
      if (found.reader) return found.all(parameters) as unknown[];
      found.run(parameters);
      return [];
    },
    changes: (text, parameters) => statement(text).run(parameters).changes,
  };

  /** Whether another connection has committed since the previous call (or since the open). */
  const changedByOthers = (): boolean => {
    const now = dataVersion.get();
    if (now === lastDataVersion) return false;
    lastDataVersion = now;
    return true;
  };
  return { handle, read, write, changedByOthers };
}

/**
 * The write transaction's statements run straight on the connection, without Kysely's promise
 * chain and connection lock per statement: the transaction already holds that lock.
 */
export interface SqliteWriter {
  begin(): void;
  commit(): void;
  rollback(): void;
  /** Runs one compiled statement of the open write transaction; its rows (none for a plain write). */
  run(text: string, parameters: readonly unknown[], mode?: ReadMode): unknown[];
  /** Runs one compiled write of the open write transaction; the number of rows it changed. */
  changes(text: string, parameters: readonly unknown[]): number;
}
