import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { canary, testDialects } from "@coffer/core/testing";
import { errorCode, startTestApp, type TestApp } from "../testing.js";

const W = "/api/v1/workspaces/default";

interface Item {
  seq: number;
  action: string;
  outcome: string;
  target: { type: string | null; id: string | null; name: string | null };
  environment: string | null;
  request_id: string | null;
}

for (const dialect of await testDialects("http audit routes")) {
  describe(`audit routes (${dialect})`, () => {
    let t: TestApp;
    const value = canary("audit-route");
    let secretId = "";
    before(async () => {
      t = await startTestApp(dialect);
      const created = await t.call("POST", `${W}/secrets`, {
        body: { name: "audited", keys: [{ key: "TOKEN", value }] },
      });
      assert.equal(created.statusCode, 201, created.body);
      secretId = created.json().id;
      const updated = await t.call("PATCH", `${W}/secrets/${secretId}`, {
        body: { keys: [{ key: "TOKEN", value: `${value}-2` }] },
      });
      assert.equal(updated.statusCode, 200, updated.body);
      for (const n of [1, 2, 3]) {
        const r = await t.call("POST", `${W}/secrets`, { body: { name: `other${n}`, keys: [{ key: "K", value }] } });
        assert.equal(r.statusCode, 201, r.body);
      }
    });
    after(async () => t.close());

    test("an admin reads the log newest first, with request ids, and never a value", async () => {
      const res = await t.call("GET", `${W}/audit`);
      assert.equal(res.statusCode, 200, res.body);
      const page = res.json() as { items: Item[]; next_cursor: string | null };
      const seqs = page.items.map((i) => i.seq);
      assert.deepEqual(
        seqs,
        [...seqs].sort((a, b) => b - a),
      );
      assert.equal(page.items[0]?.action, "secret.create");
      assert.equal(page.items[0]?.target.name, "other3");
      assert.ok(page.items.every((i) => i.outcome === "success" || i.outcome === "denied" || i.outcome === "failure"));
      assert.ok(page.items.some((i) => i.request_id !== null));
      assert.ok(!res.body.includes(value), "a value in the audit response");
    });

    test("--secret filter: only that secret's events, by name or id", async () => {
      for (const secret of ["audited", secretId]) {
        const res = await t.call("GET", `${W}/audit?secret=${encodeURIComponent(secret)}`);
        assert.equal(res.statusCode, 200, res.body);
        const items = (res.json() as { items: Item[] }).items;
        assert.deepEqual(
          items.map((i) => i.action),
          ["secret.update", "secret.create"],
        );
        assert.ok(items.every((i) => i.target.id === secretId && i.target.type === "secret"));
      }
    });

    test("pages with limit and cursor cover every event once; since filters by time", async () => {
      const all = (await t.call("GET", `${W}/audit?limit=1000`)).json() as { items: Item[] };
      const seen: number[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const url: string = `${W}/audit?limit=2${cursor ? `&cursor=${cursor}` : ""}`;
        const res = await t.call("GET", url);
        assert.equal(res.statusCode, 200, res.body);
        const page = res.json() as { items: Item[]; next_cursor: string | null };
        assert.ok(page.items.length <= 2);
        seen.push(...page.items.map((i) => i.seq));
        cursor = page.next_cursor;
        pages += 1;
      } while (cursor);
      assert.ok(pages >= 3);
      assert.deepEqual(
        seen,
        all.items.map((i) => i.seq),
      );
      const future = await t.call("GET", `${W}/audit?since=2999-01-01`);
      assert.equal(future.statusCode, 200);
      assert.deepEqual(future.json().items, []);
      const past = await t.call("GET", `${W}/audit?since=2000-01-01T00:00:00Z&limit=1000`);
      assert.equal(past.json().items.length, all.items.length);
    });

    test("viewers and editors are refused; bad since, cursor and limit are clear 400s", async () => {
      for (const role of ["viewer", "editor"] as const) {
        const res = await t.call("GET", `${W}/audit`, { token: t.tokens[role] });
        assert.equal(res.statusCode, 403);
        assert.equal(errorCode(res), "insufficient_role");
      }
      const since = await t.call("GET", `${W}/audit?since=yesterday`);
      assert.equal(since.statusCode, 400);
      assert.equal(errorCode(since), "invalid_argument");
      assert.match(since.json().error.message, /ISO-8601/);
      const cursor = await t.call("GET", `${W}/audit?cursor=garbage`);
      assert.equal(cursor.statusCode, 400);
      assert.equal(errorCode(cursor), "invalid_cursor");
      const limit = await t.call("GET", `${W}/audit?limit=0`);
      assert.equal(limit.statusCode, 400);
    });
  });
}
