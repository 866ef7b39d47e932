import type { Kysely } from "kysely";

// Metadata reads no longer decrypt; a version found undecryptable by a full decrypt (run path,
// rotation, `coffer secrets verify`) is marked here so every later listing shows it.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("secret_versions").addColumn("corrupted_at", "text").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("secret_versions").dropColumn("corrupted_at").execute();
}
