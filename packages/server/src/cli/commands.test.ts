// The commands of issue 9 §3, run as a user would: `coffer …` as a real process.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { canary, createTestEnvironment, internalsOf, type TestEnvironment } from "@coffer/core/testing";
import { runCli } from "../../test/support.js";

describe("coffer audit list (sqlite)", () => {
  let env: TestEnvironment;
  const value = canary("audit-list");
  before(async () => {
    env = await createTestEnvironment("sqlite");
    for (const name of ["alpha", "beta"]) {
      const r = await runCli(env.env, ["secrets", "create", name, `K=${value}`]);
      assert.equal(r.code, 0, r.stderr);
    }
    const r = await runCli(env.env, ["secrets", "update", "alpha", "K=-"], `${value}-2\n`);
    assert.equal(r.code, 0, r.stderr);
  });
  after(() => env.cleanup());

  test("--json: {items, next_cursor}, newest first, never a value; --secret and --limit", async () => {
    const r = await runCli(env.env, ["audit", "list", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!r.stdout.includes(value) && !r.stderr.includes(value));
    const page = JSON.parse(r.stdout) as {
      items: { seq: number; action: string; actor: string; target: { name: string | null } }[];
      next_cursor: string | null;
    };
    assert.equal(page.next_cursor, null);
    assert.deepEqual(
      page.items.slice(0, 3).map((i) => `${i.action} ${i.target.name}`),
      ["secret.update alpha", "secret.create beta", "secret.create alpha"],
    );
    assert.match(page.items[0]?.actor ?? "", /^cli:/);

    const only = JSON.parse((await runCli(env.env, ["audit", "list", "--secret", "alpha", "--json"])).stdout) as {
      items: { action: string }[];
    };
    assert.deepEqual(
      only.items.map((i) => i.action),
      ["secret.update", "secret.create"],
    );

    const first = await runCli(env.env, ["audit", "list", "--limit", "1", "--json"]);
    const one = JSON.parse(first.stdout) as { items: { seq: number }[]; next_cursor: string };
    assert.equal(one.items.length, 1);
    assert.ok(one.next_cursor);
    const next = JSON.parse(
      (await runCli(env.env, ["audit", "list", "--limit", "1", "--cursor", one.next_cursor, "--json"])).stdout,
    ) as { items: { seq: number }[] };
    assert.equal(next.items[0]?.seq, (one.items[0]?.seq ?? 0) - 1);
  });

  test("human table, --since, and clear errors for a bad date or limit", async () => {
    const r = await runCli(env.env, ["audit", "list"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^SEQ\s+TIME\s+ACTOR\s+ACTION\s+OUTCOME\s+TARGET\s+ENVIRONMENT\n/);
    assert.match(r.stdout, /secret\.update\s+success\s+alpha\s+default/);
    const future = await runCli(env.env, ["audit", "list", "--since", "2999-01-01"]);
    assert.equal(future.code, 0, future.stderr);
    assert.equal(future.stdout, "No audit events.\n");
    const bad = await runCli(env.env, ["audit", "list", "--since", "last tuesday"]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /ISO-8601.*\[invalid_argument\]/);
    const limit = await runCli(env.env, ["audit", "list", "--limit", "0"]);
    assert.equal(limit.code, 1);
    assert.match(limit.stderr, /--limit must be a whole number from 1 to 1000/);
  });
});

describe("a write refused for an invalid audit anchor (sqlite)", () => {
  test("exits 1 with its stable code and says what to run", async () => {
    const env = await createTestEnvironment("sqlite");
    try {
      assert.equal((await runCli(env.env, ["secrets", "create", "first", "K=v"])).code, 0);
      const coffer = await env.open();
      await internalsOf(coffer)
        .database.db.updateTable("audit_anchor")
        .set({ mac: "00".repeat(32) })
        .execute();
      await coffer.close();
      const r = await runCli(env.env, ["secrets", "create", "second", "K=v"]);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /anchor does not verify.*coffer audit verify.*\[audit_anchor_invalid\]/);
    } finally {
      await env.cleanup();
    }
  });
});
