import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import type { Coffer } from "../coffer.js";
import {
  createTestEnvironment,
  internalsOf,
  openBootstrapped,
  type TestEnvironment,
  testDialects,
} from "../testing/index.js";

const actor = { actor: "test:auditor", requestId: "req-1" };

for (const dialect of await testDialects("audit chain")) {
  describe(`audit chain (${dialect})`, () => {
    let env: TestEnvironment;
    let coffer: Coffer;
    let ws: string;

    before(async () => {
      env = await createTestEnvironment(dialect);
    });
    beforeEach(async () => {
      await coffer?.close();
      await env.cleanup();
      env = await createTestEnvironment(dialect);
      ({ coffer, workspaceId: ws } = await openBootstrapped(env));
      const s = await coffer.secrets.create(ws, { name: "a", keys: [{ key: "K", value: "secret-value-1" }] }, actor);
      await coffer.secrets.update(ws, s.id, { keys: [{ key: "K", value: "secret-value-2" }] }, actor);
      await coffer.secrets.create(ws, { name: "b", keys: [{ key: "K", value: "v" }] }, actor);
      await coffer.secrets.delete(ws, s.id, actor);
    });
    after(async () => {
      await coffer.close();
      await env.cleanup();
    });

    const events = () =>
      internalsOf(coffer).database.db.selectFrom("audit_events").selectAll().orderBy("seq").execute();

    test("every write is an event with actor, target, environment and request id, and no value", async () => {
      const rows = await coffer.audit.list({ workspaceId: ws, limit: 100 });
      const actions = rows.map((r) => r.action);
      assert.deepEqual(actions.slice(-4), ["secret.create", "secret.update", "secret.create", "secret.delete"]);
      const update = rows.find((r) => r.action === "secret.update")!;
      assert.equal(update.actor, "test:auditor");
      assert.equal(update.targetName, "a");
      assert.equal(update.environment, "default");
      assert.equal(update.requestId, "req-1");
      assert.ok(!JSON.stringify(await events()).includes("secret-value"));
      assert.deepEqual(await coffer.audit.verify(), { ok: true, count: (await events()).length });
    });

    test("an edited event is named", async () => {
      await internalsOf(coffer)
        .database.db.updateTable("audit_events")
        .set({ actor: "someone-else" })
        .where("seq", "=", 3)
        .execute();
      const result = await coffer.audit.verify();
      assert.equal(result.ok, false);
      assert.equal(result.problem?.code, "event_altered");
      assert.equal(result.problem?.seq, 3);
      assert.match(result.problem?.message ?? "", /#3/);
    });

    test("an edited event whose hash was recomputed still breaks the link to the next one", async () => {
      const row = (await events())[1]!;
      const forged = { ...row, actor: "forger" };
      const { createHash } = await import("node:crypto");
      const canonical = JSON.stringify([
        forged.seq,
        forged.id,
        forged.occurred_at,
        forged.actor,
        forged.workspace_id,
        forged.action,
        forged.outcome,
        forged.target_type,
        forged.target_id,
        forged.target_name,
        forged.environment,
        forged.request_id,
        forged.run_id,
        forged.details,
      ]);
      const hash = createHash("sha256").update(forged.prev_hash).update(canonical).digest("hex");
      await internalsOf(coffer)
        .database.db.updateTable("audit_events")
        .set({ actor: "forger", hash })
        .where("seq", "=", row.seq)
        .execute();
      const result = await coffer.audit.verify();
      assert.equal(result.problem?.code, "chain_broken");
      assert.equal(result.problem?.seq, row.seq);
    });

    test("a deleted middle event is reported as missing", async () => {
      await internalsOf(coffer).database.db.deleteFrom("audit_events").where("seq", "=", 2).execute();
      const result = await coffer.audit.verify();
      assert.equal(result.problem?.code, "event_missing");
      assert.equal(result.problem?.seq, 2);
    });

    test("a cut tail is caught by the anchor, and writes refuse to build on it", async () => {
      const all = await events();
      await internalsOf(coffer)
        .database.db.deleteFrom("audit_events")
        .where("seq", ">=", all.length - 1)
        .execute();
      let result = await coffer.audit.verify();
      assert.equal(result.problem?.code, "tail_cut");
      assert.match(result.problem?.message ?? "", /newest 2 audit event/);
      await assert.rejects(
        coffer.secrets.create(ws, { name: "after_cut", keys: [{ key: "K", value: "v" }] }, actor),
        (error: { code?: string; message?: string }) =>
          error.code === "audit_chain_broken" && /coffer audit verify/.test(error.message ?? ""),
      );
      await assert.rejects(coffer.secrets.getByName(ws, "after_cut"), { code: "secret_not_found" });
      result = await coffer.audit.verify();
      assert.equal(result.problem?.code, "tail_cut", "nothing was written over the gap");
    });

    test("deleting only the newest event stops every write (code audit_chain_broken)", async () => {
      const all = await events();
      await internalsOf(coffer).database.db.deleteFrom("audit_events").where("seq", "=", all.length).execute();
      await assert.rejects(coffer.tokens.create(ws, { role: "viewer", name: "late" }, actor), {
        code: "audit_chain_broken",
      });
      assert.equal((await events()).length, all.length - 1);
    });

    test("a chain rewritten from scratch without the key fails the anchor", async () => {
      await internalsOf(coffer).database.db.deleteFrom("audit_events").execute();
      await internalsOf(coffer)
        .database.db.updateTable("audit_anchor")
        .set({ count: 0, hash: "0".repeat(64) })
        .execute();
      const result = await coffer.audit.verify();
      assert.equal(result.problem?.code, "anchor_invalid");
    });

    test("deleting the anchor is caught", async () => {
      await internalsOf(coffer).database.db.deleteFrom("audit_anchor").execute();
      assert.equal((await coffer.audit.verify()).problem?.code, "anchor_missing");
    });

    test("writes refuse to extend a chain whose anchor was forged", async () => {
      await internalsOf(coffer)
        .database.db.updateTable("audit_anchor")
        .set({ mac: "00".repeat(32) })
        .execute();
      await assert.rejects(
        coffer.secrets.create(ws, { name: "blocked", keys: [{ key: "K", value: "v" }] }, actor),
        (e: { code?: string }) => e.code === "audit_anchor_invalid",
      );
      await assert.rejects(
        coffer.secrets.getByName(ws, "blocked"),
        (e: { code?: string }) => e.code === "secret_not_found",
      );
    });

    test("after a rolled-back event and another handle's writes, the next write still extends the one chain", async () => {
      const { database } = internalsOf(coffer);
      await assert.rejects(
        database.writeTransaction(async (trx) => {
          await coffer.audit.append(trx, [{ actor: "test", workspaceId: ws, action: "test.rolled_back" }]);
          throw new Error("roll back");
        }),
        /roll back/,
      );
      const other = await env.open();
      try {
        await other.secrets.create(ws, { name: "from_other", keys: [{ key: "K", value: "v" }] }, actor);
      } finally {
        await other.close();
      }
      await coffer.secrets.create(ws, { name: "after_both", keys: [{ key: "K", value: "v" }] }, actor);
      const result = await coffer.audit.verify();
      assert.equal(result.ok, true, result.problem?.message);
      const names = (await events()).slice(-2).map((e) => [e.action, e.target_name]);
      assert.deepEqual(names, [
        ["secret.create", "from_other"],
        ["secret.create", "after_both"],
      ]);
    });

    test("an altered hash on the newest event stops the next write", async () => {
      const all = await events();
      await internalsOf(coffer)
        .database.db.updateTable("audit_events")
        .set({ hash: "f".repeat(64) })
        .where("seq", "=", all.length)
        .execute();
      await assert.rejects(coffer.secrets.create(ws, { name: "after_edit", keys: [{ key: "K", value: "v" }] }, actor), {
        code: "audit_chain_broken",
      });
      assert.equal((await events()).length, all.length);
    });

    test("concurrent writers keep one unbroken chain", async () => {
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          coffer.secrets.create(ws, { name: `c_${i}`, keys: [{ key: "K", value: "v" }] }, actor),
        ),
      );
      const result = await coffer.audit.verify();
      assert.equal(result.ok, true, result.problem?.message);
    });
  });
}
