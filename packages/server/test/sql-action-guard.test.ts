// `core.sql.execute_query` as the CLI runs it: the runtime tells the action where Coffer's own
// store is, so a `sql` secret pointing at it is refused without revealing Coffer's URL.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createTestEnvironment, openBootstrapped, type TestEnvironment, testDialects } from "@coffer/core/testing";
import { runCli } from "./support.js";

for (const dialect of await testDialects("sql action guard")) {
  describe(`coffer action run core.sql.execute_query against Coffer's own store (${dialect})`, () => {
    let env: TestEnvironment;
    let ownUrl: string;

    before(async () => {
      env = await createTestEnvironment(dialect);
      const { coffer, workspaceId } = await openBootstrapped(env);
      // The same server and database as Coffer's, spelled another way (localhost for 127.0.0.1).
      ownUrl =
        dialect === "sqlite"
          ? `sqlite:///${env.databaseUrl}`
          : new URL(env.databaseUrl).toString().replace("127.0.0.1", "localhost").replace(/\?.*$/, "");
      await coffer.secrets.create(
        workspaceId,
        { name: "sql", keys: [{ key: "CONNECTION_URL", value: ownUrl }] },
        { actor: "test" },
      );
      await coffer.close();
    });
    after(async () => {
      await env.cleanup();
    });

    test("refused before any query, and the message does not show the URL", async () => {
      const r = await runCli(env.env, [
        "action",
        "run",
        "core.sql.execute_query",
        "--args",
        JSON.stringify({ query: "select 1 as one" }),
        "--json",
      ]);
      assert.equal(r.code, 1, r.stderr);
      const doc = JSON.parse(r.stdout) as { status: string; error: { code: string; message: string } };
      assert.equal(doc.status, "failed");
      assert.match(
        doc.error.code,
        dialect === "sqlite" ? /^sql_(internal_database|path_refused)$/ : /^sql_internal_database$/,
      );
      assert.ok(!r.stdout.includes(ownUrl) && !r.stderr.includes(ownUrl), "Coffer's URL is not shown");
    });
  });
}
