import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { testDialects } from "@coffer/core/testing";
import { errorCode, startTestApp, type TestApp } from "./testing.js";

const W = "/api/v1/workspaces/default";

for (const dialect of await testDialects("utf-8 request bodies")) {
  describe(`request bodies that are not UTF-8 (${dialect})`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(dialect);
    });
    after(() => t.close());

    test("a value with invalid UTF-8 bytes is refused (422 invalid_utf8, base64 hint) and nothing is stored", async () => {
      const head = Buffer.from('{"name":"binary","keys":[{"key":"BLOB","value":"ab');
      const tail = Buffer.from('cd"}]}');
      const payload = Buffer.concat([head, Buffer.from([0xff, 0xfe, 0x80]), tail]);
      const res = await t.app.inject({
        method: "POST",
        url: `${W}/secrets`,
        headers: { authorization: `Bearer ${t.tokens.editor}`, "content-type": "application/json" },
        payload,
      });
      assert.equal(res.statusCode, 422);
      assert.equal(errorCode(res), "invalid_utf8");
      assert.match(res.json().error.message, /base64/);
      const list = await t.call("GET", `${W}/secrets`, { token: t.tokens.viewer });
      assert.deepEqual(list.json().items, []);
    });

    test("valid UTF-8, multi-byte characters included, is stored as sent", async () => {
      const res = await t.call("POST", `${W}/secrets`, {
        token: t.tokens.editor,
        body: { name: "unicode", keys: [{ key: "NOTE", value: "pässwörd ✓ 🔑" }] },
      });
      assert.equal(res.statusCode, 201, res.body);
    });
  });
}
