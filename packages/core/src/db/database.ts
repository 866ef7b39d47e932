import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import SqliteDatabase from "better-sqlite3";
import { type Kysely, Kysely as KyselyClass, type Migration, PostgresDialect, SqliteDialect, sql } from "kysely";
import type pg from "pg";
import { CofferError } from "../errors/coffer-error.js";
import { registerImmediateChanges, registerImmediateReader } from "./immediate-reads.js";
import * as initial from "./migrations/0001-initial.js";
import * as versionIntegrity from "./migrations/0002-version-integrity.js";
import * as workflowsRuns from "./migrations/0003-workflows-runs.js";
import * as leanWritePath from "./migrations/0004-lean-write-path.js";
import * as versionsBySecret from "./migrations/0005-versions-by-secret.js";
import type { CofferSchema } from "./schema.js";
import { backgroundCheckpoints, type CheckpointOptions } from "./sqlite-checkpoints.js";
import { sqliteStatements } from "./sqlite-statements.js";

export type DialectName = "sqlite" | "postgres";

/** An open store: the Kysely handle plus the few things that differ between dialects. */
export interface Database {
  readonly db: Kysely<CofferSchema>;
  readonly dialect: DialectName;
  /** Where the data lives, without credentials: a file path or host/db/schema. */
  readonly location: string;
  /**
   * Runs `work` in a transaction that holds the store's writer lock for its whole length
   * (BEGIN IMMEDIATE on SQLite; on PostgreSQL the caller takes advisory locks it needs).
   * No network calls and no encryption inside: do that work before.
   */
  writeTransaction<T>(work: (trx: Kysely<CofferSchema>) => Promise<T>): Promise<T>;
  /**
   * SQLite only: whether another connection (a CLI command beside the server, say) has committed
   * since the previous call. Cheaper than any file check; the key file is re-read on it.
   */
  readonly changedByOthers?: () => boolean;
  close(): Promise<void>;
}

/** Every migration by name; applied in name order. */
export const migrations: Readonly<Record<string, Migration>> = {
  "0001-initial": initial,
  "0002-version-integrity": versionIntegrity,
  "0003-workflows-runs": workflowsRuns,
  "0004-lean-write-path": leanWritePath,
  "0005-versions-by-secret": versionsBySecret,
};

export interface ParsedDatabaseUrl {
  dialect: DialectName;
  /** SQLite file path, or the PostgreSQL connection string without the `schema` parameter. */
  target: string;
  /** PostgreSQL schema (search_path) to use, created if missing. */
  schema?: string;
}

const SCHEMA_RE = /^[a-z_][a-z0-9_]{0,62}$/;

export function parseDatabaseUrl(url: string): ParsedDatabaseUrl {
  if (url.startsWith("postgres://") || url.startsWith("postgresql://")) {
    const parsed = new URL(url);
    const schema = parsed.searchParams.get("schema") ?? undefined;
    if (schema !== undefined && !SCHEMA_RE.test(schema)) {
      throw new CofferError(
        "invalid_database_url",
        `The schema parameter of COFFER_DATABASE_URL must be a lowercase identifier (got '${schema}').`,
      );
    }
    parsed.searchParams.delete("schema");
    return schema === undefined
      ? { dialect: "postgres", target: parsed.toString() }
      : { dialect: "postgres", target: parsed.toString(), schema };
  }
  if (url.startsWith("sqlite:")) return { dialect: "sqlite", target: url.slice("sqlite:".length).replace(/^\/\//, "") };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    throw new CofferError(
      "invalid_database_url",
      "COFFER_DATABASE_URL must be a postgres:// URL, a sqlite: URL or a file path for SQLite.",
    );
  }
  return { dialect: "sqlite", target: url };
}

/** Where a database URL points, with any password removed: safe to print. */
export function describeDatabaseUrl(url: string): string {
  const parsed = parseDatabaseUrl(url);
  if (parsed.dialect === "sqlite") return `sqlite:${parsed.target}`;
  const u = new URL(parsed.target);
  return `postgres://${u.host}${u.pathname}${parsed.schema ? ` (schema ${parsed.schema})` : ""}`;
}

export interface OpenDatabaseOptions {
  migrate?: boolean;
  /** SQLite: when a worker thread takes over WAL checkpoints (see sqlite-checkpoints.ts). */
  checkpoints?: CheckpointOptions;
}

const DEFAULT_CHECKPOINTS: CheckpointOptions = { afterWrites: 256, intervalMs: 20 };

export async function openDatabase(url: string, options: OpenDatabaseOptions = {}): Promise<Database> {
  const parsed = parseDatabaseUrl(url);
  const database =
    parsed.dialect === "sqlite"
      ? openSqlite(parsed.target, options.checkpoints ?? DEFAULT_CHECKPOINTS)
      : await openPostgres(parsed);
  if (options.migrate !== false) {
    try {
      await migrateToLatest(database);
    } catch (error) {
      await database.close();
      throw error;
    }
  }
  return database;
}

const MMAP_BYTES = 256 * 1024 * 1024;

function openSqlite(path: string, checkpointOptions: CheckpointOptions): Database {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const connection = new SqliteDatabase(path, { timeout: 15_000 });
  connection.pragma("journal_mode = WAL");
  // Pages read through a memory map rather than a read() per page miss.
  connection.pragma(`mmap_size = ${MMAP_BYTES}`);
  connection.pragma("synchronous = NORMAL");
  // The writers' own checkpoint: every 4,000 WAL pages (16 MiB) rather than SQLite's 1,000. A
  // busy process hands checkpoints to a thread (below), and this one is then its backstop: the
  // thread always trails the last commits, so the WAL restarts from its start only after one of these.
  connection.pragma("wal_autocheckpoint = 4000");
  connection.pragma("foreign_keys = ON");
  const statements = sqliteStatements(connection);
  const db = new KyselyClass<CofferSchema>({ dialect: new SqliteDialect({ database: statements.handle }) });
  registerImmediateReader(db, statements.read);
  const checkpoints = path === ":memory:" ? undefined : backgroundCheckpoints(path, checkpointOptions);
  return {
    db,
    dialect: "sqlite",
    location: `sqlite:${path}`,
    changedByOthers: statements.changedByOthers,
    async writeTransaction(work) {
      // Kysely's own transactions start DEFERRED; a deferred writer that must upgrade its lock
      // fails at once with SQLITE_BUSY instead of waiting, so writers take the lock up front.
      return db.connection().execute(async (conn) => {
        const { write } = statements;
        write.begin();
        // Compiled statements of this transaction run straight on the connection (it holds the lock).
        let open = true;
        registerImmediateReader(conn, (text, parameters, mode) =>
          open ? write.run(text, parameters, mode) : undefined,
        );
        registerImmediateChanges(conn, (text, parameters) => (open ? write.changes(text, parameters) : undefined));
        try {
          const result = await work(conn);
          write.commit();
          checkpoints?.committed();
          return result;
        } catch (error) {
          write.rollback();
          throw error;
        } finally {
          open = false;
        }
      });
    },
    async close() {
      await checkpoints?.stop();
      await db.destroy();
    },
  };
}

async function openPostgres(parsed: ParsedDatabaseUrl): Promise<Database> {
  // Loaded on demand: the embedded default (and every CLI command on it) never pays for pg.
  const { default: pg } = await import("pg");
  const schema = parsed.schema;
  // One plain connection first: a clear error when the server is unreachable, and the schema.
  const admin = new pg.Client({ connectionString: parsed.target });
  await connectPostgres(admin, parsed.target);
  try {
    if (schema) await admin.query(`create schema if not exists "${schema}"`);
  } catch (error) {
    // Two processes creating the same schema at once: the loser sees a duplicate error.
    if (!isUniqueViolation(error) && (error as { code?: string }).code !== "42P06") throw error;
  } finally {
    await admin.end();
  }
  const pool = new pg.Pool({
    connectionString: parsed.target,
    max: 10,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  pool.on("error", () => {
    // An idle client lost its connection; the pool replaces it on next use.
  });
  const db = new KyselyClass<CofferSchema>({ dialect: new PostgresDialect({ pool }) });
  const u = new URL(parsed.target);
  return {
    db,
    dialect: "postgres",
    location: `postgres://${u.host}${u.pathname}${schema ? `?schema=${schema}` : ""}`,
    writeTransaction: (work) => db.transaction().execute(work),
    close: () => db.destroy(),
  };
}

async function connectPostgres(client: pg.Client, target: string): Promise<void> {
  try {
    await client.connect();
  } catch (error) {
    const u = new URL(target);
    throw new CofferError(
      "database_unreachable",
      `Cannot connect to PostgreSQL at ${u.host}${u.pathname}: ${(error as Error).message}. Check COFFER_DATABASE_URL.`,
      { status: 503 },
    );
  }
}

/**
 * Applies pending migrations in order, in one transaction under a lock. Kysely's own Migrator
 * finds its tables through catalog introspection of every schema, which fails while another
 * process drops its schema (one schema per tenant or test run), so Coffer keeps this small runner.
 */
export async function migrateToLatest(database: Database): Promise<void> {
  const names = Object.keys(migrations).sort();
  if (await isMigrated(database, names)) return; // the common case takes no write lock
  let current = "";
  try {
    await database.writeTransaction(async (trx) => {
      if (database.dialect === "postgres") {
        await sql`select pg_advisory_xact_lock(hashtext(current_schema() || '.coffer_migrations'))`.execute(trx);
      }
      await trx.schema
        .createTable("coffer_migrations")
        .ifNotExists()
        .addColumn("name", "text", (c) => c.primaryKey())
        .addColumn("applied_at", "text", (c) => c.notNull())
        .execute();
      const applied = new Set(
        (await sql<{ name: string }>`select name from coffer_migrations`.execute(trx)).rows.map((r) => r.name),
      );
      for (const name of names) {
        if (applied.has(name)) continue;
        current = name;
        await migrations[name]!.up(trx);
        await sql`insert into coffer_migrations (name, applied_at) values (${name}, ${new Date().toISOString()})`.execute(
          trx,
        );
      }
    });
  } catch (error) {
    throw new CofferError(
      "migration_failed",
      `Database migration ${current || "setup"} failed: ${(error as Error).message}`,
      { status: 500, cause: error },
    );
  }
}

async function isMigrated(database: Database, names: string[]): Promise<boolean> {
  try {
    const { rows } = await sql<{ name: string }>`select name from coffer_migrations`.execute(database.db);
    const applied = new Set(rows.map((r) => r.name));
    return names.every((n) => applied.has(n));
  } catch {
    return false; // no migration table yet
  }
}

/** True for a unique-constraint violation on either dialect. */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return code === "23505" || code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY";
}
