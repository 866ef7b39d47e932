import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type Kysely, sql } from "kysely";
import type { Coffer } from "../../coffer.js";
import {
  createTestEnvironment,
  internalsOf,
  storedValues,
  type TestEnvironment,
  testDialects,
} from "../../testing/index.js";
import type { Database } from "../database.js";
import { newId } from "../ids.js";
import * as versionsBySecret from "./0005-versions-by-secret.js";
import { openMigratedUpTo, servicesOn } from "./testing.js";

const actor = { actor: "test:migration" };

async function versionsTableSql(database: Database): Promise<string> {
  const row = await sql<{ sql: string }>`select sql from sqlite_schema where name = 'secret_versions'`.execute(
    database.db,
  );
  return row.rows[0]?.sql ?? "";
}

for (const dialect of await testDialects("migration 0005")) {
  describe(`migration 0005 on a store with data (${dialect})`, () => {
    let env: TestEnvironment;
    let coffer: Coffer;
    let workspaceId: string;
    let apiId: string;
    let oldId: string;

    before(async () => {
      env = await createTestEnvironment(dialect, { useKeyFile: false });
      const old = await openMigratedUpTo(env.databaseUrl, "0004-lean-write-path");
      const seeded = await servicesOn(old);
      const { now, secrets } = seeded;
      workspaceId = seeded.workspaceId;
      const api = await secrets.create(workspaceId, { name: "api", keys: [{ key: "TOKEN", value: "t1" }] }, actor);
      apiId = api.id;
      await secrets.update(workspaceId, api.id, { keys: [{ key: "TOKEN", value: "t2" }] }, actor);
      const marked = await secrets.create(workspaceId, { name: "old", keys: [{ key: "K", value: "v" }] }, actor);
      oldId = marked.id;
      // A version an earlier full decrypt marked: the mark must survive the rebuild.
      await old.db
        .updateTable("secret_versions")
        .set({ corrupted_at: now })
        .where("secret_id", "=", marked.id)
        .execute();
      await old.close();
      coffer = await env.open();
    });
    after(async () => {
      await coffer?.close();
      await env.cleanup();
    });

    test("it is applied; on SQLite versions are one B-tree keyed by (secret_id, number)", async () => {
      const { database } = internalsOf(coffer);
      const applied = await sql<{ name: string }>`select name from coffer_migrations order by name`.execute(
        database.db,
      );
      assert.ok(applied.rows.some((r) => r.name === "0005-versions-by-secret"));
      if (dialect !== "sqlite") return;
      const definition = await versionsTableSql(database);
      assert.match(definition, /primary key \("secret_id", "number"\)\) without rowid$/);
      const indexes = await sql<{ name: string }>`select name from sqlite_schema where type = 'index'
        and tbl_name = 'secret_versions'`.execute(database.db);
      assert.deepEqual(indexes.rows, [], "no index beside the table's own key");
      assert.equal((await sql`pragma foreign_key_check`.execute(database.db)).rows.length, 0);
    });

    test("every version, value and mark is still there; reads and verify find them by key", async () => {
      assert.equal((await coffer.secrets.listVersions(workspaceId, apiId)).length, 2);
      const values = await storedValues(coffer, workspaceId, "default", ["api"]);
      assert.deepEqual(values.get("api")?.values, { TOKEN: "t2" });
      assert.equal((await coffer.secrets.get(workspaceId, oldId)).status, "corrupted");
      // It opens: verify clears the mark, found by (secret, number).
      const report = await coffer.secrets.verify(actor);
      assert.equal(report.checked, 3);
      assert.deepEqual(report.problems, []);
      assert.equal((await coffer.secrets.get(workspaceId, oldId)).status, "ok");
    });

    test("writes after it: updates, restores, the unique version number, deletes cascade", async () => {
      await coffer.secrets.update(workspaceId, apiId, { keys: [{ key: "TOKEN", value: "t3" }] }, actor);
      await coffer.secrets.restore(workspaceId, apiId, 1, actor);
      const values = await storedValues(coffer, workspaceId, "default", ["api"]);
      assert.deepEqual(values.get("api")?.values, { TOKEN: "t1" });
      const { database } = internalsOf(coffer);
      const duplicate = database.db
        .insertInto("secret_versions")
        .values({
          id: newId(),
          secret_id: apiId,
          workspace_id: workspaceId,
          number: 1,
          ciphertext: "x",
          wrapped_key: "x",
          kid: "x",
          key_names: "[]",
          metadata: "{}",
          created_by: "test",
          created_at: new Date().toISOString(),
        })
        .execute();
      await assert.rejects(duplicate, /unique|duplicate/i, "one version per (secret, number)");
      await coffer.secrets.delete(workspaceId, apiId, actor);
      const left = await database.db
        .selectFrom("secret_versions")
        .select("id")
        .where("secret_id", "=", apiId)
        .execute();
      assert.equal(left.length, 0);
      assert.equal((await coffer.audit.verify()).ok, true);
    });

    if (dialect === "sqlite") {
      test("down rebuilds the table with its id key and unique pair, rows intact", async () => {
        const { database } = internalsOf(coffer);
        const before = await database.db.selectFrom("secret_versions").selectAll().orderBy("id").execute();
        await database.writeTransaction((trx) => versionsBySecret.down(trx as unknown as Kysely<unknown>));
        assert.match(await versionsTableSql(database), /"id" text primary key/);
        assert.deepEqual(await database.db.selectFrom("secret_versions").selectAll().orderBy("id").execute(), before);
        await database.writeTransaction((trx) => versionsBySecret.up(trx as unknown as Kysely<unknown>));
        assert.match(await versionsTableSql(database), /without rowid$/);
      });
    }
  });
}
