import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { canary, testDialects } from "@coffer/core/testing";
import { startTestApp, type TestApp } from "../testing.js";

const W = "/api/v1/workspaces/default";
const DAY = 24 * 60 * 60 * 1000;

for (const dialect of await testDialects("http secret expiry")) {
  describe(`secret items carry expiry (${dialect})`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(dialect);
    });
    after(async () => t.close());

    test("expiry: none, expired, expiring within 30 days (days_left), ok — in get and list", async () => {
      const cases: [string, string | undefined, { state: string; days_left: number | null }][] = [
        ["exp_none", undefined, { state: "none", days_left: null }],
        ["exp_past", "2020-01-01T00:00:00Z", { state: "expired", days_left: -1 }],
        ["exp_soon", new Date(Date.now() + 10.5 * DAY).toISOString(), { state: "expiring", days_left: 10 }],
        ["exp_far", new Date(Date.now() + 400.5 * DAY).toISOString(), { state: "ok", days_left: 400 }],
      ];
      for (const [name, expiresAt, expected] of cases) {
        const res = await t.call("POST", `${W}/secrets`, {
          body: { name, keys: [{ key: "K", value: canary(name) }], ...(expiresAt ? { expires_at: expiresAt } : {}) },
        });
        assert.equal(res.statusCode, 201, res.body);
        const got = res.json().expiry as { state: string; days_left: number | null };
        assert.equal(got.state, expected.state, name);
        if (expected.state === "expired") assert.ok((got.days_left ?? 0) < -2000, name);
        else assert.equal(got.days_left, expected.days_left, name);
      }
      const list = await t.call("GET", `${W}/secrets?prefix=exp_`);
      assert.equal(list.statusCode, 200);
      assert.deepEqual(
        (list.json().items as { name: string; expiry: { state: string } }[]).map((i) => [i.name, i.expiry.state]),
        [
          ["exp_far", "ok"],
          ["exp_none", "none"],
          ["exp_past", "expired"],
          ["exp_soon", "expiring"],
        ],
      );
    });
  });
}
