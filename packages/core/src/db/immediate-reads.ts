/**
 * How an immediate read returns its rows:
 * - `reuse`: objects that may come from an earlier identical read when the database has not
 *   changed since (sqlite-statements.ts); they are then frozen, shared with other callers.
 * - `raw`: each row an array of its columns in SELECT order (no object with named keys per row:
 *   the hot run-path read of many rows).
 */
export type ReadMode = "reuse" | "raw";

/**
 * Runs a compiled read at once on the store's own connection, or returns undefined when it cannot
 * (a transaction is open on it, or the statement writes): then the caller goes through Kysely.
 * Rows are objects unless `mode` says otherwise.
 */
export type ImmediateReader = (
  text: string,
  parameters: readonly unknown[],
  mode?: ReadMode,
) => readonly unknown[] | undefined;

const readers = new WeakMap<object, ImmediateReader>();

/**
 * SQLite's driver is synchronous: a point read through Kysely costs its promise chain and
 * connection lock more than the read itself. The root handle of an embedded store registers a
 * reader that skips them. A write transaction's handle registers one that runs every compiled
 * statement of that transaction on its connection, for as long as the transaction is open.
 */
export function registerImmediateReader(db: object, reader: ImmediateReader): void {
  readers.set(db, reader);
}

export function immediateReader(db: object): ImmediateReader | undefined {
  return readers.get(db);
}

/** Runs a compiled write of an open write transaction at once; the number of rows it changed. */
export type ImmediateChanges = (text: string, parameters: readonly unknown[]) => number | undefined;

const writers = new WeakMap<object, ImmediateChanges>();

export function registerImmediateChanges(db: object, run: ImmediateChanges): void {
  writers.set(db, run);
}

export function immediateChanges(db: object): ImmediateChanges | undefined {
  return writers.get(db);
}
