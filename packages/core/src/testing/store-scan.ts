// What a store holds at rest, as haystacks for the leak hunter: every file of a SQLite home
// (database, WAL, key file) as bytes, or every row of every table of a PostgreSQL schema.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import type { TestEnvironment } from "./index.js";

export interface StoreHaystack {
  /** e.g. "file coffer.db-wal" or "table secrets". */
  where: string;
  data: string | Uint8Array;
}

/**
 * Every byte the store keeps: SQLite files byte for byte (files named in `skipFiles` are left out,
 * e.g. an input file the test wrote), or each PostgreSQL table as its rows' JSON (bytea as hex).
 */
export async function storeHaystacks(
  environment: TestEnvironment,
  options: { skipFiles?: (name: string) => boolean } = {},
): Promise<StoreHaystack[]> {
  const out: StoreHaystack[] = [];
  for (const file of readdirSync(environment.home)) {
    const path = join(environment.home, file);
    if (!statSync(path).isFile() || options.skipFiles?.(file)) continue;
    out.push({ where: `file ${file}`, data: readFileSync(path) });
  }
  if (environment.dialect === "postgres") {
    const url = new URL(environment.databaseUrl);
    const schema = url.searchParams.get("schema") ?? "public";
    url.searchParams.delete("schema");
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    try {
      const tables = await client.query<{ table_name: string }>(
        "select table_name from information_schema.tables where table_schema = $1",
        [schema],
      );
      if (tables.rows.length === 0) throw new Error(`schema ${schema} has no tables: nothing was scanned`);
      for (const { table_name } of tables.rows) {
        const rows = await client.query<{ j: string }>(
          `select row_to_json(t)::text as j from "${schema}"."${table_name}" t`,
        );
        out.push({ where: `table ${table_name}`, data: rows.rows.map((r) => r.j).join("\n") });
      }
    } finally {
      await client.end();
    }
  }
  return out;
}
