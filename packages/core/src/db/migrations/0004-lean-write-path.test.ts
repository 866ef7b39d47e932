import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import type { Coffer } from "../../coffer.js";
import {
  createTestEnvironment,
  internalsOf,
  storedValues,
  type TestEnvironment,
  testDialects,
} from "../../testing/index.js";
import { openMigratedUpTo, servicesOn } from "./testing.js";

const actor = { actor: "test:migration" };

async function indexNames(coffer: Coffer): Promise<string[]> {
  const { database } = internalsOf(coffer);
  const rows =
    database.dialect === "sqlite"
      ? await sql<{ name: string }>`select name from sqlite_schema where type = 'index'`.execute(database.db)
      : await sql<{
          name: string;
        }>`select indexname as name from pg_indexes where schemaname = current_schema()`.execute(database.db);
  return rows.rows.map((r) => r.name);
}

for (const dialect of await testDialects("migration 0004")) {
  describe(`migration 0004 on a store with data (${dialect})`, () => {
    let env: TestEnvironment;
    let coffer: Coffer;
    let workspaceId: string;
    let apiId: string;

    before(async () => {
      env = await createTestEnvironment(dialect, { useKeyFile: false });
      const old = await openMigratedUpTo(env.databaseUrl, "0003-workflows-runs");
      const seeded = await servicesOn(old);
      const { audit, secrets } = seeded;
      workspaceId = seeded.workspaceId;
      const api = await secrets.create(workspaceId, { name: "api", keys: [{ key: "TOKEN", value: "t1" }] }, actor);
      apiId = api.id;
      await secrets.update(workspaceId, api.id, { keys: [{ key: "TOKEN", value: "t2" }] }, actor);
      await secrets.create(
        workspaceId,
        { name: "db", environment: "prod", keys: [{ key: "URL", value: "postgres://x" }] },
        actor,
      );
      assert.deepEqual(await audit.verify(), { ok: true, count: 3 });
      await old.close();
      coffer = await env.open();
    });
    after(async () => {
      await coffer?.close();
      await env.cleanup();
    });

    test("it is applied, and the two indexes are gone while the others stay", async () => {
      const { database } = internalsOf(coffer);
      const applied = await sql<{ name: string }>`select name from coffer_migrations order by name`.execute(
        database.db,
      );
      assert.ok(applied.rows.some((r) => r.name === "0004-lean-write-path"));
      const indexes = await indexNames(coffer);
      assert.ok(!indexes.includes("secret_versions_kid_idx"));
      assert.ok(indexes.includes("audit_events_workspace_idx"));
      if (dialect === "sqlite") {
        assert.ok(!indexes.some((n) => n.startsWith("sqlite_autoindex_audit_events")), indexes.join(", "));
        const problems = await sql`pragma foreign_key_check`.execute(database.db);
        assert.equal(problems.rows.length, 0);
      } else {
        assert.ok(!indexes.includes("audit_events_id_key"));
      }
    });

    test("every secret, version, value and audit event is still there and verifies", async () => {
      const listed = await coffer.secrets.list(workspaceId);
      assert.deepEqual(
        listed.items.map((i) => [i.name, i.environment, i.version, i.status]),
        [
          ["api", "default", 2, "ok"],
          ["db", "prod", 1, "ok"],
        ],
      );
      assert.equal((await coffer.secrets.listVersions(workspaceId, apiId)).length, 2);
      const values = await storedValues(coffer, workspaceId, "default", ["api"]);
      assert.deepEqual(values.get("api")?.values, { TOKEN: "t2" });
      assert.deepEqual(await coffer.audit.verify(), { ok: true, count: 3 });
      const status = await coffer.keys.status();
      assert.equal(status.find((k) => k.active)?.versions, 3);
    });

    test("writes after it keep the chain, the unique name and deletes", async () => {
      await coffer.secrets.create(workspaceId, { name: "later", keys: [{ key: "K", value: "v" }] }, actor);
      await assert.rejects(
        coffer.secrets.create(workspaceId, { name: "later", keys: [{ key: "K", value: "w" }] }, actor),
        (e: { code?: string }) => e.code === "secret_exists",
      );
      await coffer.secrets.delete(workspaceId, apiId, actor);
      const { database } = internalsOf(coffer);
      const left = await database.db
        .selectFrom("secret_versions")
        .select("id")
        .where("secret_id", "=", apiId)
        .execute();
      assert.equal(left.length, 0);
      const verified = await coffer.audit.verify();
      assert.equal(verified.ok, true);
      assert.equal(verified.count, 5);
    });
  });
}
