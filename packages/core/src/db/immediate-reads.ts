/**
 * Runs a compiled read at once on the store's own connection, or returns undefined when it cannot
 * (a transaction is open on it, or the statement writes): then the caller goes through Kysely.
 */
export type ImmediateReader = (text: string, parameters: readonly unknown[]) => unknown[] | undefined;

const readers = new WeakMap<object, ImmediateReader>();

/**
 * SQLite's driver is synchronous: a point read through Kysely costs its promise chain and
 * connection lock more than the read itself. The root handle of an embedded store registers a
 * reader that skips them; a transaction's handle has none, so reads inside it stay in it.
 */
export function registerImmediateReader(db: object, reader: ImmediateReader): void {
  readers.set(db, reader);
}

export function immediateReader(db: object): ImmediateReader | undefined {
  return readers.get(db);
}
