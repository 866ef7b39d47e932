// Two `coffer serve` processes on one PostgreSQL database serve the same workspace consistently:
// what one writes the other reads at once, tokens and revocations apply on both, and racing
// writes resolve to one winner.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { canary, createTestEnvironment, type TestEnvironment, testDialects } from "@coffer/core/testing";
import { type ServerProcess, startServerProcess } from "./support.js";

const dialects = (await testDialects("two server processes on PostgreSQL")).filter((d) => d === "postgres");

for (const dialect of dialects) {
  describe(`two server processes, one database (${dialect})`, () => {
    let env: TestEnvironment;
    let a: ServerProcess;
    let b: ServerProcess;
    let token: string;
    const W = "/api/v1/workspaces/default";

    async function call(server: ServerProcess, method: string, path: string, body?: unknown, bearer = token) {
      const res = await fetch(`${server.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${bearer}`,
          ...(body !== undefined ? { "content-type": "application/json" } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      // biome-ignore lint/suspicious/noExplicitAny: the test reads response JSON loosely
      return { status: res.status, body: text ? (JSON.parse(text) as Record<string, any>) : null };
    }

    before(async () => {
      env = await createTestEnvironment(dialect);
      a = await startServerProcess(env.env);
      b = await startServerProcess(env.env);
      token = readFileSync(join(env.home, "admin.token"), "utf8").trim();
    });
    after(async () => {
      await a?.stop();
      await b?.stop();
      await env?.cleanup();
    });

    test("a write on one server is read on the other at once, both ways", async () => {
      const created = await call(a, "POST", `${W}/secrets`, {
        name: "shared",
        keys: [{ key: "K", value: canary("a") }],
      });
      assert.equal(created.status, 201);
      const id = created.body?.id;
      const onB = await call(b, "GET", `${W}/secrets/${id}`);
      assert.deepEqual(onB.body, created.body);

      const patched = await call(b, "PATCH", `${W}/secrets/${id}`, {
        keys: [
          { key: "K", value: "" },
          { key: "K2", value: canary("b") },
        ],
      });
      assert.equal(patched.status, 200);
      const onA = await call(a, "GET", `${W}/secrets/by-name/shared`);
      assert.equal(onA.body?.version, 2);
      assert.deepEqual(onA.body?.keys, ["K", "K2"]);
      assert.deepEqual((await call(a, "GET", `${W}/secrets`)).body, (await call(b, "GET", `${W}/secrets`)).body);
      assert.deepEqual(
        (await call(a, "GET", `${W}/environments`)).body,
        (await call(b, "GET", `${W}/environments`)).body,
      );

      const variable = await call(b, "POST", `${W}/variables`, { name: "cfg", values: { url: "https://x" } });
      assert.deepEqual((await call(a, "GET", `${W}/variables/${variable.body?.id}`)).body, variable.body);

      assert.equal((await call(a, "DELETE", `${W}/secrets/${id}`)).status, 204);
      assert.equal((await call(b, "GET", `${W}/secrets/${id}`)).status, 404);
    });

    test("a token made on one server works on the other; a revocation on one applies on both", async () => {
      const made = await call(a, "POST", `${W}/tokens`, { name: "roaming", role: "viewer" });
      assert.equal(made.status, 201);
      const roaming = made.body?.token as string;
      assert.equal((await call(b, "GET", "/api/v1/whoami", undefined, roaming)).body?.token.name, "roaming");
      assert.equal((await call(b, "DELETE", `${W}/tokens/${made.body?.item.id}`)).status, 204);
      assert.equal((await call(a, "GET", "/api/v1/whoami", undefined, roaming)).status, 401);
      assert.equal((await call(b, "GET", "/api/v1/whoami", undefined, roaming)).status, 401);
    });

    test("racing creates of one name: one 201, one 409; racing updates: each applied or refused, versions agree", async () => {
      for (let round = 0; round < 5; round++) {
        const name = `race_${round}`;
        const results = await Promise.all(
          [a, b].map((s) => call(s, "POST", `${W}/secrets`, { name, keys: [{ key: "K", value: canary("race") }] })),
        );
        assert.deepEqual(results.map((r) => r.status).sort(), [201, 409]);
      }
      const id = (await call(a, "GET", `${W}/secrets/by-name/race_0`)).body?.id;
      const updates = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          call(i % 2 ? a : b, "PATCH", `${W}/secrets/${id}`, { keys: [{ key: "K", value: canary(`u${i}`) }] }),
        ),
      );
      for (const u of updates) assert.ok(u.status === 200 || u.status === 409, JSON.stringify(u.body));
      const applied = updates.filter((u) => u.status === 200).length;
      assert.ok(applied >= 1);
      const onA = await call(a, "GET", `${W}/secrets/${id}`);
      const onB = await call(b, "GET", `${W}/secrets/${id}`);
      assert.deepEqual(onA.body, onB.body);
      assert.equal(onA.body?.version, 1 + applied);
      const versions = await call(b, "GET", `${W}/secrets/${id}/versions`);
      assert.equal(versions.body?.items[0].number, 1 + applied);
    });

    test("both shut down cleanly", async () => {
      assert.equal(await a.stop(), 0);
      assert.equal(await b.stop(), 0);
    });
  });
}
