import { type Compilable, CompiledQuery, type Kysely } from "kysely";
import { immediateChanges, immediateReader, type ReadMode } from "./immediate-reads.js";

/**
 * Kysely builds and compiles a query on every call, which costs as much as running a point read.
 * Hot reads compile once per shape (`key`) and then run the cached SQL with new parameters. The
 * first compilation checks that the parameters given match the builder's, so an ordering mistake
 * fails loudly instead of reading the wrong row.
 */
export function createCompiledQueries() {
  const texts = new Map<string, string>();
  /**
   * `mode`: see ReadMode. The embedded store may answer `reuse` from rows it already read; `raw`
   * rows are arrays of the columns in SELECT order from every store (the caller names the tuple).
   */
  function rows<R, DB>(
    db: Kysely<DB>,
    key: string,
    parameters: unknown[],
    build: () => Compilable<R>,
    mode?: "reuse",
  ): Promise<readonly R[]>;
  function rows<T extends readonly unknown[], DB>(
    db: Kysely<DB>,
    key: string,
    parameters: unknown[],
    build: () => Compilable<unknown>,
    mode: "raw",
  ): Promise<readonly T[]>;
  async function rows<DB>(
    db: Kysely<DB>,
    key: string,
    parameters: unknown[],
    build: () => Compilable<unknown>,
    mode?: ReadMode,
  ): Promise<readonly unknown[]> {
    const text = texts.get(key);
    if (text !== undefined) {
      const found = immediateReader(db)?.(text, parameters, mode);
      if (found !== undefined) return found;
    }
    const query = text !== undefined ? CompiledQuery.raw(text, parameters) : compileOnce(texts, key, parameters, build);
    const found = (await db.executeQuery<object>(query)).rows;
    // Both drivers give a row's keys in column order.
    return mode === "raw" ? found.map((row) => Object.values(row)) : found;
  }
  return rows;
}

/** The same for writes whose caller needs the number of rows they changed. */
export function createCompiledChanges() {
  const texts = new Map<string, string>();
  return async function changes<DB>(
    db: Kysely<DB>,
    key: string,
    parameters: unknown[],
    build: () => Compilable<unknown>,
  ): Promise<number> {
    const text = texts.get(key);
    if (text !== undefined) {
      const found = immediateChanges(db)?.(text, parameters);
      if (found !== undefined) return found;
    }
    const query = text !== undefined ? CompiledQuery.raw(text, parameters) : compileOnce(texts, key, parameters, build);
    return Number((await db.executeQuery(query)).numAffectedRows ?? 0n);
  };
}

function compileOnce(
  texts: Map<string, string>,
  key: string,
  parameters: unknown[],
  build: () => Compilable<unknown>,
): CompiledQuery<unknown> {
  const compiled = build().compile();
  if (compiled.parameters.length !== parameters.length || compiled.parameters.some((p, i) => p !== parameters[i])) {
    throw new Error(`compiled query ${key}: parameters do not match the builder's order`);
  }
  texts.set(key, compiled.sql);
  return compiled;
}
