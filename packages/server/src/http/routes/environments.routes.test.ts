import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { canary, testDialects } from "@coffer/core/testing";
import { startTestApp, type TestApp } from "../testing.js";

const W = "/api/v1/workspaces/default";

for (const dialect of await testDialects("http environments route")) {
  describe(`environments route (${dialect})`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(dialect);
    });
    after(async () => t.close());

    test("every environment in use, with secret and variable counts", async () => {
      const empty = await t.call("GET", `${W}/environments`, { token: t.tokens.viewer });
      assert.deepEqual(empty.json(), { items: [] });
      for (const [name, environment] of [
        ["a", "default"],
        ["b", "default"],
        ["a", "prod"],
      ] as const) {
        const r = await t.call("POST", `${W}/secrets`, {
          body: { name, environment, keys: [{ key: "K", value: canary(name) }] },
        });
        assert.equal(r.statusCode, 201);
      }
      await t.call("POST", `${W}/variables`, { body: { name: "v", environment: "customer_acme", values: { a: 1 } } });
      await t.call("POST", `${W}/variables`, { body: { name: "v", environment: "prod", values: { a: 1 } } });
      const res = await t.call("GET", `${W}/environments`, { token: t.tokens.viewer });
      assert.equal(res.statusCode, 200);
      assert.deepEqual(res.json().items, [
        { environment: "customer_acme", secrets: 0, variables: 1 },
        { environment: "default", secrets: 2, variables: 0 },
        { environment: "prod", secrets: 1, variables: 1 },
      ]);
    });
  });
}
