import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { testDialects } from "@coffer/core/testing";
import { errorCode, startTestApp, type TestApp } from "../testing.js";

const W = "/api/v1/workspaces/default";

for (const dialect of await testDialects("http tokens routes")) {
  describe(`tokens routes (${dialect})`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(dialect);
    });
    after(async () => t.close());

    test("an admin creates a token, which works at once and is shown only in the create response", async () => {
      const res = await t.call("POST", `${W}/tokens`, { body: { name: "ci bot", role: "editor" } });
      assert.equal(res.statusCode, 201, res.body);
      assert.equal(res.headers["cache-control"], "no-store");
      const { token, item } = res.json();
      assert.match(token, /^coffer_[A-Za-z0-9_-]{43}$/);
      assert.equal(item.role, "editor");
      assert.equal(item.name, "ci bot");

      const who = await t.call("GET", "/api/v1/whoami", { token });
      assert.equal(who.statusCode, 200);
      assert.deepEqual(who.json(), {
        workspace: { id: t.workspaceId, slug: "default" },
        role: "editor",
        token: { id: item.id, name: "ci bot" },
      });

      const list = await t.call("GET", `${W}/tokens`);
      assert.equal(list.statusCode, 200);
      assert.ok(list.json().items.some((i: { id: string }) => i.id === item.id));
      assert.ok(!list.body.includes(token));
      assert.ok(!list.body.includes("token_hash"));
    });

    test("a revoked token is refused at once", async () => {
      const { token, item } = (
        await t.call("POST", `${W}/tokens`, { body: { name: "short lived", role: "viewer" } })
      ).json();
      assert.equal((await t.call("GET", `${W}/secrets`, { token })).statusCode, 200);
      const del = await t.call("DELETE", `${W}/tokens/${item.id}`);
      assert.equal(del.statusCode, 204);
      const after = await t.call("GET", `${W}/secrets`, { token });
      assert.equal(after.statusCode, 401);
      assert.equal(errorCode(after), "invalid_token");
      const again = await t.call("DELETE", `${W}/tokens/${item.id}`);
      assert.equal(again.statusCode, 404);
      assert.equal(errorCode(again), "token_not_found");
    });

    test("bad role and bad name are 422; editors cannot manage tokens", async () => {
      const role = await t.call("POST", `${W}/tokens`, { body: { name: "x", role: "owner" } });
      assert.equal(role.statusCode, 422);
      const name = await t.call("POST", `${W}/tokens`, { body: { name: "", role: "viewer" } });
      assert.equal(name.statusCode, 422);
      assert.equal(errorCode(name), "invalid_token_name");
      const editor = await t.call("POST", `${W}/tokens`, {
        token: t.tokens.editor,
        body: { name: "escalate", role: "admin" },
      });
      assert.equal(editor.statusCode, 403);
      assert.equal(errorCode(editor), "insufficient_role");
    });
  });
}
