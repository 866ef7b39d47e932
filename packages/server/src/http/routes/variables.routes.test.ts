import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { testDialects } from "@coffer/core/testing";
import { errorCode, startTestApp, type TestApp } from "../testing.js";

const W = "/api/v1/workspaces/default";

for (const dialect of await testDialects("http variables routes")) {
  describe(`variables routes (${dialect})`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(dialect);
    });
    after(async () => t.close());

    test("values nested too deep are 422 value_too_deep, however deep, and the server keeps serving", async () => {
      for (const depth of [33, 60, 2_000, 200_000]) {
        const deep = `${"[".repeat(depth)}1${"]".repeat(depth)}`;
        const res = await t.call("POST", `${W}/variables`, {
          token: t.tokens.editor,
          rawBody: `{"name":"deep_${depth}","values":{"K":${deep}}}`,
        });
        assert.equal(res.statusCode, 422, `${depth}: ${res.body}`);
        assert.equal(errorCode(res), "value_too_deep", `${depth}`);
        assert.match(res.json().error.message, /more than (32|64) levels deep/);
      }
      const ok = await t.call("POST", `${W}/variables`, {
        token: t.tokens.editor,
        rawBody: `{"name":"deep_ok","values":{"K":${"[".repeat(32)}1${"]".repeat(32)}}}`,
      });
      assert.equal(ok.statusCode, 201, ok.body);
      assert.equal((await t.call("GET", "/api/v1/health", { token: null })).statusCode, 200);
      assert.equal((await t.call("DELETE", `${W}/variables/${ok.json().id}`)).statusCode, 204);
    });

    test("create with Tracecat's body, read back, list per environment", async () => {
      const res = await t.call("POST", `${W}/variables`, {
        token: t.tokens.editor,
        body: {
          name: "siem",
          description: "SIEM endpoint",
          values: { url: "https://siem.example", port: 8443, verify: true, hosts: ["a", "b"] },
          tags: { team: "soc" },
          environment: "prod",
        },
      });
      assert.equal(res.statusCode, 201, res.body);
      const item = res.json();
      assert.deepEqual(item.values, { url: "https://siem.example", port: 8443, verify: true, hosts: ["a", "b"] });
      assert.equal(item.environment, "prod");
      assert.equal(item.updated_by, "token:test editor");
      await t.call("POST", `${W}/variables`, { body: { name: "siem", values: { url: "https://dev" } } });

      const got = await t.call("GET", `${W}/variables/${item.id}`, { token: t.tokens.viewer });
      assert.equal(got.statusCode, 200);
      assert.equal(got.json().description, "SIEM endpoint");

      const all = await t.call("GET", `${W}/variables`, { token: t.tokens.viewer });
      assert.deepEqual(
        all.json().items.map((v: { name: string; environment: string }) => `${v.name}@${v.environment}`),
        ["siem@default", "siem@prod"],
      );
      const prod = await t.call("GET", `${W}/variables?environment=prod`, { token: t.tokens.viewer });
      assert.equal(prod.json().items.length, 1);
    });

    test("PATCH replaces values, description and tags; DELETE removes", async () => {
      const created = await t.call("POST", `${W}/variables`, { body: { name: "patched", values: { a: 1 } } });
      const id = created.json().id;
      const res = await t.call("PATCH", `${W}/variables/${id}`, {
        token: t.tokens.editor,
        body: { values: { b: "two" }, description: "d", tags: { x: "y" } },
      });
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(res.json().values, { b: "two" });
      assert.equal(res.json().description, "d");
      assert.deepEqual((await t.call("GET", `${W}/variables/${id}`)).json().tags, { x: "y" });

      const del = await t.call("DELETE", `${W}/variables/${id}`, { token: t.tokens.admin });
      assert.equal(del.statusCode, 204);
      const gone = await t.call("GET", `${W}/variables/${id}`);
      assert.equal(gone.statusCode, 404);
      assert.equal(errorCode(gone), "variable_not_found");
    });

    test("same naming rules as secrets; duplicates 409; unknown fields refused", async () => {
      const bad = await t.call("POST", `${W}/variables`, { body: { name: "Bad-Name", values: { a: 1 } } });
      assert.equal(bad.statusCode, 422);
      assert.equal(errorCode(bad), "invalid_secret_name");
      const badKey = await t.call("POST", `${W}/variables`, { body: { name: "ok_name", values: { "1x": 1 } } });
      assert.equal(errorCode(badKey), "invalid_key_name");
      const badEnv = await t.call("POST", `${W}/variables`, {
        body: { name: "ok_name", values: { a: 1 }, environment: "Prod!" },
      });
      assert.equal(errorCode(badEnv), "invalid_environment");
      await t.call("POST", `${W}/variables`, { body: { name: "dupvar", values: { a: 1 } } });
      const dup = await t.call("POST", `${W}/variables`, { body: { name: "dupvar", values: { a: 2 } } });
      assert.equal(dup.statusCode, 409);
      assert.equal(errorCode(dup), "variable_exists");
      const unknown = await t.call("POST", `${W}/variables`, { body: { name: "u", values: {}, secret: true } });
      assert.equal(unknown.statusCode, 422);
      assert.deepEqual(unknown.json().error.details.fields, ["secret"]);
      const renaming = await t.call("PATCH", `${W}/variables/whatever`, { body: { name: "other" } });
      assert.equal(errorCode(renaming), "unknown_field");
    });
  });
}
