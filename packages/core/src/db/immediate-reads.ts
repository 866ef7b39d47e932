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

/**
 * `convert` once per kept row: a row a `reuse` read returns again (the same frozen object) gets the
 * same converted value, itself frozen all the way down since every caller shares it. Rows read
 * afresh (not frozen: another store, or no reuse) are converted on every call, as before.
 */
export function convertedOnce<R extends object, T extends object>(convert: (row: R) => T): (row: R) => T {
  const converted = new WeakMap<R, T>();
  return (row) => {
    if (!Object.isFrozen(row)) return convert(row);
    let value = converted.get(row);
    if (value === undefined) {
      value = deepFreeze(convert(row));
      converted.set(row, value);
    }
    return value;
  };
}

// Byte buffers cannot be frozen; they stay the converter's own (callers never see them change).
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !ArrayBuffer.isView(value) && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
