import { type Kysely, SqliteAdapter, sql } from "kysely";

/**
 * Fewer B-trees for a secret write to touch. On SQLite each one is a page written to the WAL at
 * commit and later checkpointed to the database file, and a create touched 13 pages against 3 for
 * a bare insert; this takes it to about 11.
 * - `secret_versions_kid_idx` goes: only `keys status` and rotation's pending count read by kid,
 *   once per command, and a scan of the table serves them; rotation walks versions by id, and
 *   its re-wrap updates no longer maintain the index.
 * - `audit_events.id` loses its unique index: events are found by `seq`, never by id (a UUIDv7
 *   with 62 random bits needs no index to be unique).
 * Measured and left alone: `secrets` as a WITHOUT ROWID table saves its id index but its table
 * and name index then split about half again as often (index B-trees get no append fast path and
 * carry the text key), a net 0.3 page per create, not worth the rebuild of both secret tables.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists secret_versions_kid_idx`.execute(db);
  if (!isSqlite(db)) {
    await sql`alter table audit_events drop constraint if exists audit_events_id_key`.execute(db);
    return;
  }
  // SQLite cannot drop a column's unique constraint: the table is rebuilt without it (nothing
  // references audit_events, so the copy, drop and rename carry no foreign keys along).
  await sql`create table "audit_events_new" ("seq" integer primary key, "id" text not null, "occurred_at" text not null, "actor" text not null, "workspace_id" text, "action" text not null, "outcome" text not null, "target_type" text, "target_id" text, "target_name" text, "environment" text, "request_id" text, "run_id" text, "details" text not null, "prev_hash" text not null, "hash" text not null)`.execute(
    db,
  );
  await sql`insert into "audit_events_new" select "seq", "id", "occurred_at", "actor", "workspace_id", "action", "outcome", "target_type", "target_id", "target_name", "environment", "request_id", "run_id", "details", "prev_hash", "hash" from "audit_events"`.execute(
    db,
  );
  await sql`drop table "audit_events"`.execute(db);
  await sql`alter table "audit_events_new" rename to "audit_events"`.execute(db);
  await sql`create index "audit_events_workspace_idx" on "audit_events" ("workspace_id", "seq")`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  // The two indexes come back (on SQLite as a unique index beside the rebuilt table).
  if (isSqlite(db)) {
    await sql`create unique index "audit_events_id_unique" on "audit_events" ("id")`.execute(db);
  } else {
    await sql`alter table audit_events add constraint audit_events_id_key unique (id)`.execute(db);
  }
  await sql`create index "secret_versions_kid_idx" on "secret_versions" ("kid")`.execute(db);
}

// The migration runs inside a transaction: a probe query that fails would abort it on PostgreSQL.
function isSqlite(db: Kysely<unknown>): boolean {
  return db.getExecutor().adapter instanceof SqliteAdapter;
}
