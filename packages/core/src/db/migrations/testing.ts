// For the migration tests: a store as an earlier release left it, with data written through it.
import { type Kysely, sql } from "kysely";
import { createAuditService } from "../../audit/audit.service.js";
import { keyringFromEnvironment } from "../../crypto/keyring.js";
import { createSecretsService } from "../../secrets/secrets.service.js";
import { createSecretsStore } from "../../secrets/secrets.store.js";
import { TEST_ENCRYPTION_KEYS } from "../../testing/index.js";
import { type Database, migrations, openDatabase } from "../database.js";
import { newId } from "../ids.js";

/** A store exactly as a release whose last migration was `last` left it (the runner's bookkeeping included). */
export async function openMigratedUpTo(url: string, last: string): Promise<Database> {
  if (!(last in migrations)) throw new Error(`no migration named ${last}`);
  const database = await openDatabase(url, { migrate: false });
  await database.writeTransaction(async (trx) => {
    await sql`create table coffer_migrations (name text primary key, applied_at text not null)`.execute(trx);
    for (const name of Object.keys(migrations).sort()) {
      if (name > last) break;
      await migrations[name]!.up(trx as unknown as Kysely<unknown>);
      await sql`insert into coffer_migrations (name, applied_at) values (${name}, ${new Date().toISOString()})`.execute(
        trx,
      );
    }
  });
  return database;
}

/**
 * The default organisation and workspace in an old store, and the secrets and audit services to
 * write through it (with the test keyring), as that release's `coffer` would.
 */
export async function servicesOn(old: Database) {
  const keyring = keyringFromEnvironment(TEST_ENCRYPTION_KEYS);
  const clock = () => new Date();
  const now = clock().toISOString();
  const organizationId = newId();
  const workspaceId = newId();
  await old.db
    .insertInto("organizations")
    .values({ id: organizationId, slug: "default", name: "Default", created_at: now })
    .execute();
  await old.db
    .insertInto("workspaces")
    .values({ id: workspaceId, organization_id: organizationId, slug: "default", name: "Default", created_at: now })
    .execute();
  const audit = createAuditService({ database: old, keyring, clock });
  const secrets = createSecretsService({
    store: createSecretsStore(old.db, old.dialect),
    writer: old,
    keyring,
    audit,
    clock,
    options: { maxValueBytes: 65536, versionsKept: 20 },
  });
  return { workspaceId, now, audit, secrets };
}
