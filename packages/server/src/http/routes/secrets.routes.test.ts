import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { canary, internalsOf, selfSignedCertificate, storedValues, testDialects } from "@coffer/core/testing";
import { buildApp } from "../app.js";
import { errorCode, startTestApp, type TestApp } from "../testing.js";

const W = "/api/v1/workspaces/default";

for (const dialect of await testDialects("http secrets routes")) {
  describe(`secrets routes (${dialect})`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(dialect);
    });
    after(async () => t.close());

    async function valuesOf(name: string, environment = "default") {
      return (await storedValues(t.coffer, t.workspaceId, environment, [name])).get(name)?.values;
    }

    async function create(body: Record<string, unknown>, token = t.tokens.editor) {
      const res = await t.call("POST", `${W}/secrets`, { token, body });
      assert.equal(res.statusCode, 201, res.body);
      return res.json() as { id: string; [k: string]: unknown };
    }

    test("POST creates with Tracecat's body; the item has key names and no value", async () => {
      const value = canary("post");
      const res = await t.call("POST", `${W}/secrets`, {
        token: t.tokens.editor,
        body: {
          name: "slack",
          type: "custom",
          environment: "default",
          description: "bot",
          tags: { team: "soc" },
          keys: [{ key: "SLACK_BOT_TOKEN", value }],
        },
      });
      assert.equal(res.statusCode, 201);
      const item = res.json();
      assert.equal(item.name, "slack");
      assert.deepEqual(item.keys, ["SLACK_BOT_TOKEN"]);
      assert.deepEqual(item.tags, { team: "soc" });
      assert.equal(item.status, "ok");
      assert.equal(item.version, 1);
      assert.equal(item.updated_by, "token:test editor");
      assert.ok(!res.body.includes(value));
      assert.deepEqual(await valuesOf("slack"), { SLACK_BOT_TOKEN: value });
    });

    test("GET by id and by name (environment defaults to `default`); a different environment is another secret", async () => {
      const a = await create({ name: "vt", keys: [{ key: "API_KEY", value: canary("vt1") }] });
      const b = await create({ name: "vt", environment: "prod", keys: [{ key: "API_KEY", value: canary("vt2") }] });
      const byId = await t.call("GET", `${W}/secrets/${a.id}`, { token: t.tokens.viewer });
      assert.equal(byId.statusCode, 200);
      assert.equal(byId.json().environment, "default");
      const byName = await t.call("GET", `${W}/secrets/by-name/vt`, { token: t.tokens.viewer });
      assert.equal(byName.json().id, a.id);
      const prod = await t.call("GET", `${W}/secrets/by-name/vt?environment=prod`, { token: t.tokens.viewer });
      assert.equal(prod.json().id, b.id);
      const missing = await t.call("GET", `${W}/secrets/by-name/vt?environment=staging`, { token: t.tokens.viewer });
      assert.equal(missing.statusCode, 404);
      assert.equal(errorCode(missing), "secret_not_found");
      const bogus = await t.call("GET", `${W}/secrets/not-an-id`, { token: t.tokens.viewer });
      assert.equal(bogus.statusCode, 404);
      assert.equal(errorCode(bogus), "secret_not_found");
    });

    test("list filters by environment, type and prefix, and pages with a cursor", async () => {
      for (const n of ["page_a", "page_b", "page_c"]) await create({ name: n, keys: [{ key: "K", value: canary(n) }] });
      const cert = selfSignedCertificate("ca.test");
      await create({ name: "page_ca", type: "ca_cert", keys: [{ key: "CA_CERTIFICATE", value: cert.certificate }] });
      const names: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const qs: string = `prefix=page_&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
        const res = await t.call("GET", `${W}/secrets?${qs}`, { token: t.tokens.viewer });
        assert.equal(res.statusCode, 200, res.body);
        const page = res.json() as { items: { name: string }[]; next_cursor: string | null };
        assert.ok(page.items.length <= 2);
        names.push(...page.items.map((i) => i.name));
        cursor = page.next_cursor;
        pages++;
      } while (cursor);
      assert.deepEqual(names, ["page_a", "page_b", "page_c", "page_ca"]);
      assert.equal(pages, 2);
      const ca = await t.call("GET", `${W}/secrets?type=ca_cert`, { token: t.tokens.viewer });
      const caItems = ca.json().items as { name: string; metadata: { certificates: { subject: string }[] } }[];
      assert.deepEqual(
        caItems.map((i) => i.name),
        ["page_ca"],
      );
      assert.match(caItems[0]?.metadata.certificates[0]?.subject ?? "", /CN=ca\.test/);
      const prod = await t.call("GET", `${W}/secrets?environment=prod`, { token: t.tokens.viewer });
      assert.deepEqual(
        prod.json().items.map((i: { name: string }) => i.name),
        ["vt"],
      );
      const badType = await t.call("GET", `${W}/secrets?type=nope`, { token: t.tokens.viewer });
      assert.equal(badType.statusCode, 422);
      const badLimit = await t.call("GET", `${W}/secrets?limit=0`, { token: t.tokens.viewer });
      assert.equal(badLimit.statusCode, 400);
      assert.equal(errorCode(badLimit), "invalid_query");
      const badCursor = await t.call("GET", `${W}/secrets?cursor=zzz`, { token: t.tokens.viewer });
      assert.equal(errorCode(badCursor), "invalid_cursor");
    });

    test("PATCH: a blank value keeps the stored one, unlisted keys go, metadata fields change", async () => {
      const keep = canary("keep");
      const item = await create({
        name: "patchme",
        keys: [
          { key: "A", value: keep },
          { key: "B", value: canary("b") },
        ],
      });
      const extra = canary("extra");
      const res = await t.call("PATCH", `${W}/secrets/${item.id}`, {
        token: t.tokens.editor,
        body: {
          keys: [
            { key: "A", value: "" },
            { key: "EXTRA", value: extra },
          ],
          description: "rotated",
          tags: { owner: "ir" },
          expires_at: "2030-01-31",
        },
      });
      assert.equal(res.statusCode, 200, res.body);
      const updated = res.json();
      assert.deepEqual(updated.keys, ["A", "EXTRA"]);
      assert.equal(updated.version, 2);
      assert.equal(updated.description, "rotated");
      assert.deepEqual(updated.tags, { owner: "ir" });
      assert.equal(updated.expires_at, "2030-01-31T00:00:00.000Z");
      assert.deepEqual(await valuesOf("patchme"), { A: keep, EXTRA: extra });

      const onlyMeta = await t.call("PATCH", `${W}/secrets/${item.id}`, {
        token: t.tokens.editor,
        body: { description: null },
      });
      assert.equal(onlyMeta.statusCode, 200);
      assert.equal(onlyMeta.json().version, 2);
      assert.equal(onlyMeta.json().description, null);

      const typeChange = await t.call("PATCH", `${W}/secrets/${item.id}`, {
        token: t.tokens.editor,
        body: { type: "ssh_key" },
      });
      assert.equal(typeChange.statusCode, 422);
      assert.equal(errorCode(typeChange), "secret_type_immutable");
    });

    test("versions list key names per version; restore brings the old values back as a new version", async () => {
      const v1 = canary("v1");
      const item = await create({ name: "versioned", keys: [{ key: "K", value: v1 }] });
      await t.call("PATCH", `${W}/secrets/${item.id}`, { body: { keys: [{ key: "K2", value: canary("v2") }] } });
      const versions = await t.call("GET", `${W}/secrets/${item.id}/versions`, { token: t.tokens.viewer });
      assert.equal(versions.statusCode, 200);
      assert.deepEqual(
        versions
          .json()
          .items.map((v: { number: number; keys: string[]; current: boolean }) => [v.number, v.keys, v.current]),
        [
          [2, ["K2"], true],
          [1, ["K"], false],
        ],
      );
      const restored = await t.call("POST", `${W}/secrets/${item.id}/versions/1/restore`, { token: t.tokens.admin });
      assert.equal(restored.statusCode, 200, restored.body);
      assert.equal(restored.json().version, 3);
      assert.deepEqual(await valuesOf("versioned"), { K: v1 });
      const none = await t.call("POST", `${W}/secrets/${item.id}/versions/9/restore`);
      assert.equal(none.statusCode, 404);
      assert.equal(errorCode(none), "version_not_found");
      const badNumber = await t.call("POST", `${W}/secrets/${item.id}/versions/abc/restore`);
      assert.equal(badNumber.statusCode, 400);
      // Only decimal digits name a version: none of these is version 1, and none restores anything.
      for (const number of ["0x1", "%201", "1%20", "1e0", "%2B1", "01", "1.0", "0", "-1", "0b1"]) {
        const res = await t.call("POST", `${W}/secrets/${item.id}/versions/${number}/restore`);
        assert.equal(res.statusCode, 400, `${number}: ${res.body}`);
        assert.equal(errorCode(res), "invalid_version_number", number);
        assert.match(res.json().error.message, /decimal digits/);
      }
      const after = await t.call("GET", `${W}/secrets/${item.id}`);
      assert.equal(after.json().version, 3);
    });

    test("DELETE with Content-Type: application/json and no body is accepted, as many clients send it", async () => {
      const item = await create({ name: "typed_delete", keys: [{ key: "K", value: canary("typed_delete") }] });
      const res = await t.call("DELETE", `${W}/secrets/${item.id}`, {
        token: t.tokens.admin,
        headers: { "content-type": "application/json" },
      });
      assert.equal(res.statusCode, 204, res.body);
      const gone = await t.call("GET", `${W}/secrets/${item.id}`);
      assert.equal(gone.statusCode, 404);
      // A JSON body that is there must still be JSON.
      const other = await create({ name: "typed_delete_2", keys: [{ key: "K", value: canary("typed_delete_2") }] });
      const broken = await t.call("DELETE", `${W}/secrets/${other.id}`, { token: t.tokens.admin, rawBody: "{nope" });
      assert.equal(broken.statusCode, 400);
      assert.equal(errorCode(broken), "malformed_request");
    });

    test("DELETE answers 204, then the secret is gone", async () => {
      const item = await create({ name: "doomed", keys: [{ key: "K", value: canary("doomed") }] });
      const res = await t.call("DELETE", `${W}/secrets/${item.id}`, { token: t.tokens.admin });
      assert.equal(res.statusCode, 204);
      assert.equal(res.body, "");
      const again = await t.call("GET", `${W}/secrets/${item.id}`);
      assert.equal(again.statusCode, 404);
      const twice = await t.call("DELETE", `${W}/secrets/${item.id}`);
      assert.equal(twice.statusCode, 404);
    });

    test("errors: duplicate 409, bad name 422, unknown field 422 naming it, malformed JSON 400, too large 413", async () => {
      await create({ name: "dup", keys: [{ key: "K", value: canary("dup") }] });
      const dup = await t.call("POST", `${W}/secrets`, { body: { name: "dup", keys: [{ key: "K", value: "x" }] } });
      assert.equal(dup.statusCode, 409);
      assert.equal(errorCode(dup), "secret_exists");

      const badName = await t.call("POST", `${W}/secrets`, {
        body: { name: "My-Secret", keys: [{ key: "K", value: "x" }] },
      });
      assert.equal(badName.statusCode, 422);
      assert.equal(errorCode(badName), "invalid_secret_name");
      assert.match(badName.json().error.message, /My-Secret/);

      const unknown = await t.call("POST", `${W}/secrets`, {
        body: { name: "u", keys: [{ key: "K", value: "x", note: "y" }], owner: "me" },
      });
      assert.equal(unknown.statusCode, 422);
      const err = unknown.json().error;
      assert.equal(err.code, "unknown_field");
      assert.deepEqual(err.details.fields, ["keys[0].note", "owner"]);

      const noKeys = await t.call("POST", `${W}/secrets`, { body: { name: "u", keys: [] } });
      assert.equal(noKeys.statusCode, 422);
      assert.equal(errorCode(noKeys), "invalid_request");
      assert.equal(noKeys.json().error.details.issues[0].path, "keys");

      const wrongType = await t.call("POST", `${W}/secrets`, { body: { name: "u", keys: [{ key: "K", value: 5 }] } });
      assert.equal(wrongType.statusCode, 422);
      assert.equal(wrongType.json().error.details.issues[0].path, "keys[0].value");

      const malformed = await t.call("POST", `${W}/secrets`, { rawBody: '{"name": "u", "keys": [' });
      assert.equal(malformed.statusCode, 400);
      assert.equal(errorCode(malformed), "malformed_request");

      const notJson = await t.call("POST", `${W}/secrets`, {
        rawBody: "name=u",
        headers: { "content-type": "text/plain" },
      });
      assert.equal(notJson.statusCode, 415);
      assert.equal(errorCode(notJson), "unsupported_media_type");

      const huge = await t.call("POST", `${W}/secrets`, {
        body: { name: "huge", keys: [{ key: "K", value: "x".repeat(1_100_000) }] },
      });
      assert.equal(huge.statusCode, 413);
      assert.equal(errorCode(huge), "payload_too_large");

      const bigValue = await t.call("POST", `${W}/secrets`, {
        body: { name: "big", keys: [{ key: "K", value: "x".repeat(70_000) }] },
      });
      assert.equal(bigValue.statusCode, 413, bigValue.body);

      const proto = await t.call("POST", `${W}/secrets`, {
        rawBody: '{"name":"p","keys":[{"key":"K","value":"v"}],"__proto__":{"x":1}}',
      });
      assert.equal(proto.statusCode, 400);
    });

    test("the response schema drops any field it does not name (a second guard against returning a value)", async () => {
      const planted = canary("planted");
      const item = await create({ name: "guarded", keys: [{ key: "K", value: canary("guarded") }] });
      const leaky = {
        ...t.coffer,
        secrets: {
          ...t.coffer.secrets,
          get: async (ws: string, id: string) => ({
            ...(await t.coffer.secrets.get(ws, id)),
            values: { K: planted },
          }),
        },
      };
      const app = await buildApp(leaky, { logger: false });
      try {
        const res = await app.inject({
          method: "GET",
          url: `${W}/secrets/${item.id}`,
          headers: { authorization: `Bearer ${t.tokens.viewer}` },
        });
        assert.equal(res.statusCode, 200);
        assert.equal(res.json().name, "guarded");
        assert.ok(!("values" in res.json()));
        assert.ok(!res.body.includes(planted));
      } finally {
        await app.close();
      }
    });
  });
}

for (const dialect of await testDialects("http secrets routes, corrupted")) {
  describe(`a secret that cannot be decrypted (${dialect})`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(dialect);
    });
    after(async () => t.close());

    test("once verified, is listed as corrupted with its key names, refuses blank values, and is repaired by re-entering them", async () => {
      const created = await t.call("POST", `${W}/secrets`, {
        body: { name: "broken", keys: [{ key: "A", value: canary("broken") }] },
      });
      const id = created.json().id as string;
      await t.call("POST", `${W}/secrets`, { body: { name: "healthy", keys: [{ key: "A", value: canary("ok") }] } });
      // Damage the stored ciphertext, as a bad restore or a disk error would.
      await internalsOf(t.coffer)
        .database.db.updateTable("secret_versions")
        .set({ ciphertext: Buffer.from("damaged").toString("base64") })
        .where("secret_id", "=", id)
        .execute();
      // Reads do not decrypt: the damage shows once a full decrypt has met it.
      const unseen = await t.call("GET", `${W}/secrets/${id}`, { token: t.tokens.viewer });
      assert.equal(unseen.json().status, "ok");
      assert.equal((await t.coffer.secrets.verify({ actor: "test" })).problems.length, 1);

      const list = await t.call("GET", `${W}/secrets`, { token: t.tokens.viewer });
      assert.equal(list.statusCode, 200);
      const byName = Object.fromEntries(
        (list.json().items as { name: string; status: string; keys: string[] }[]).map((i) => [i.name, i]),
      );
      assert.equal(byName.broken?.status, "corrupted");
      assert.deepEqual(byName.broken?.keys, ["A"]);
      assert.equal(byName.healthy?.status, "ok");

      const blank = await t.call("PATCH", `${W}/secrets/${id}`, { body: { keys: [{ key: "A", value: "" }] } });
      assert.equal(blank.statusCode, 409);
      assert.equal(errorCode(blank), "secret_corrupted");

      const repaired = await t.call("PATCH", `${W}/secrets/${id}`, {
        body: { keys: [{ key: "A", value: canary("new") }] },
      });
      assert.equal(repaired.statusCode, 200);
      assert.equal(repaired.json().status, "ok");
    });
  });
}
