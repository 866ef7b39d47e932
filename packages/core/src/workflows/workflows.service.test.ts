import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Coffer } from "../coffer.js";
import { isCofferError } from "../errors/coffer-error.js";
import { createTestEnvironment, openBootstrapped, type TestEnvironment, testDialects } from "../testing/index.js";

const actor = { actor: "test" };
const doc = (title: string) => ({
  source: `title: ${title}\n`,
  definition: { title, entrypoint: { ref: "a" }, actions: [{ ref: "a", action: "core.transform.reshape" }] },
  title,
});

for (const dialect of await testDialects("workflows store")) {
  describe(`deployed workflows (${dialect})`, () => {
    let env: TestEnvironment;
    let coffer: Coffer;
    let workspaceId: string;
    before(async () => {
      env = await createTestEnvironment(dialect);
      ({ coffer, workspaceId } = await openBootstrapped(env));
    });
    after(async () => {
      await coffer.close();
      await env.cleanup();
    });

    test("a deploy makes wf_ + base62 at version 1; deploying under the same alias makes version 2 of it", async () => {
      const first = await coffer.workflows.deploy(workspaceId, { ...doc("one"), alias: "triage" }, actor);
      assert.match(first.id, /^wf_[0-9A-Za-z]{22}$/);
      assert.equal(first.version, 1);
      const second = await coffer.workflows.deploy(workspaceId, { ...doc("one again"), alias: "triage" }, actor);
      assert.equal(second.id, first.id);
      assert.equal(second.version, 2);
      assert.equal(second.title, "one again");
      const v1 = await coffer.workflows.get(workspaceId, first.id, 1);
      assert.equal(v1.title, "one again"); // metadata is the workflow's; the document is the version's
      assert.equal(v1.source, "title: one\n");
      assert.deepEqual((v1.definition as { title: string }).title, "one");
      const latest = await coffer.workflows.find(workspaceId, { alias: "triage" });
      assert.equal(latest?.version, 2);
      assert.deepEqual(
        latest?.versions.map((v) => v.version),
        [2, 1],
      );
      assert.equal(await coffer.workflows.find(workspaceId, { alias: "nope" }), null);
      assert.equal(await coffer.workflows.find(workspaceId, { id: first.id, version: 9 }), null);
    });

    test("concurrent deploys under one new alias end as one workflow with consecutive versions", async () => {
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          coffer.workflows.deploy(workspaceId, { ...doc(`c${i}`), alias: "race" }, actor),
        ),
      );
      assert.equal(new Set(results.map((r) => r.id)).size, 1);
      assert.deepEqual(
        results.map((r) => r.version).sort((a, b) => a - b),
        [1, 2, 3, 4, 5, 6, 7, 8],
      );
    });

    test("PUT makes a new version; taking another workflow's alias is refused with workflow_alias_taken", async () => {
      const a = await coffer.workflows.deploy(workspaceId, { ...doc("a"), alias: "alias_a" }, actor);
      const b = await coffer.workflows.deploy(workspaceId, doc("b"), actor);
      assert.equal(b.alias, null);
      const b2 = await coffer.workflows.update(workspaceId, b.id, { ...doc("b2"), alias: "alias_b" }, actor);
      assert.equal(b2.version, 2);
      assert.equal(b2.alias, "alias_b");
      await assert.rejects(
        coffer.workflows.update(workspaceId, b.id, { ...doc("b3"), alias: "alias_a" }, actor),
        (e) => isCofferError(e) && e.code === "workflow_alias_taken" && e.status === 409,
      );
      assert.equal((await coffer.workflows.get(workspaceId, a.id)).alias, "alias_a");
      await assert.rejects(
        coffer.workflows.deploy(workspaceId, { ...doc("x"), alias: "Bad Alias" }, actor),
        (e) => isCofferError(e) && e.code === "invalid_workflow_alias",
      );
    });

    test("list pages newest first with a cursor; delete removes it (admin audit row)", async () => {
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await coffer.workflows.list(workspaceId, { limit: 2, ...(cursor ? { cursor } : {}) });
        assert.ok(page.items.length <= 2);
        seen.push(...page.items.map((i) => i.id));
        cursor = page.next_cursor ?? undefined;
      } while (cursor);
      assert.equal(new Set(seen).size, seen.length);
      assert.ok(seen.length >= 4);
      const target = seen[0]!;
      await coffer.workflows.delete(workspaceId, target, actor);
      await assert.rejects(
        coffer.workflows.get(workspaceId, target),
        (e) => isCofferError(e) && e.code === "workflow_not_found",
      );
      const events = await coffer.audit.list({ limit: 1000 });
      assert.ok(events.some((e) => e.action === "workflow.delete" && e.targetId === target));
      await assert.rejects(
        coffer.workflows.list(workspaceId, { cursor: "garbage" }),
        (e) => isCofferError(e) && e.code === "invalid_cursor",
      );
    });
  });
}
