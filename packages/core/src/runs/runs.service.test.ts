import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { after, before, describe, test } from "node:test";
import type { Coffer } from "../coffer.js";
import { internalsOf } from "../internals.js";
import { createTestEnvironment, openBootstrapped, type TestEnvironment, testDialects } from "../testing/index.js";
import { createRunsService, HEARTBEAT_STALE_MS } from "./runs.service.js";
import { createRunsStore } from "./runs.store.js";

const actor = { actor: "test" };
const identity = <T>(v: T): T => v;

/** A pid that surely belongs to no process: one that just exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]);
  return Number(child.stdout.toString());
}

for (const dialect of await testDialects("runs store")) {
  describe(`stored runs (${dialect})`, () => {
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

    test("a run is stored running, then finished with its actions in document order", async () => {
      const run = await coffer.runs.start(
        workspaceId,
        { workflowId: null, workflowVersion: null, title: "t", trigger: { a: 1 }, environment: "prod" },
        actor,
      );
      assert.match(run.id, /^wfr_/);
      assert.equal((await coffer.runs.get(workspaceId, run.id)).status, "running");
      const t = Date.now();
      const ok = await coffer.runs.finish(
        run.id,
        workspaceId,
        {
          status: "failed",
          environment: "prod",
          trigger: { a: 1 },
          returns: null,
          error: { code: "workflow_failed", message: "boom SECRETVALUE" },
          actions: [
            {
              ref: "z",
              status: "succeeded",
              attempts: 1,
              environment: "prod",
              result: { v: "SECRETVALUE" },
              startedAt: t,
              finishedAt: t + 5,
            },
            {
              ref: "a",
              status: "failed",
              attempts: 3,
              environment: "prod",
              error: { code: "x", type: "ExecutionError", message: "no" },
              startedAt: t,
              finishedAt: t + 9,
            },
          ],
        },
        <T>(v: T): T => JSON.parse(JSON.stringify(v).replaceAll("SECRETVALUE", "***")) as T,
      );
      assert.equal(ok, true);
      const doc = await coffer.runs.get(workspaceId, run.id);
      assert.equal(doc.status, "failed");
      assert.deepEqual(Object.keys(doc.actions), ["z", "a"]);
      assert.deepEqual(doc.actions.z?.result, { v: "***" });
      assert.equal(doc.actions.a?.attempts, 3);
      assert.equal(doc.actions.a?.duration_ms, 9);
      assert.equal(doc.error?.message, "boom ***");
      assert.deepEqual(doc.trigger, { a: 1 });
      assert.ok(doc.finished_at && doc.duration_ms !== null);
      // Finishing twice is refused (the run already ended).
      assert.equal(
        await coffer.runs.finish(
          run.id,
          workspaceId,
          { status: "succeeded", environment: "x", trigger: null, returns: null, error: null, actions: [] },
          identity,
        ),
        false,
      );
    });

    test("the list is newest first, filters by status and workflow, and pages by cursor without repeats", async () => {
      const ids: string[] = [];
      for (let i = 0; i < 7; i++) {
        const r = await coffer.runs.start(
          workspaceId,
          {
            workflowId: i % 2 ? "wf_odd" : "wf_even",
            workflowVersion: 1,
            title: `r${i}`,
            trigger: null,
            environment: "default",
          },
          actor,
        );
        if (i % 3 === 0)
          await coffer.runs.finish(
            r.id,
            workspaceId,
            { status: "succeeded", environment: "default", trigger: null, returns: i, error: null, actions: [] },
            identity,
          );
        ids.push(r.id);
      }
      const all: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await coffer.runs.list(workspaceId, {
          workflowId: "wf_odd",
          limit: 2,
          ...(cursor ? { cursor } : {}),
        });
        all.push(...page.items.map((i) => i.id));
        cursor = page.next_cursor ?? undefined;
      } while (cursor);
      assert.deepEqual(all, ids.filter((_, i) => i % 2).reverse());
      const succeeded = await coffer.runs.list(workspaceId, { status: "succeeded", workflowId: "wf_even" });
      assert.deepEqual(
        succeeded.items.map((i) => i.returns),
        [6, 0],
      );
      await assert.rejects(coffer.runs.list(workspaceId, { status: "sleeping" }), /status must be one of/);
    });

    test("runs left running by a dead process are marked failed/interrupted; a live owner's are kept", async () => {
      const { database } = internalsOf(coffer);
      const store = createRunsStore(database.db);
      const clock = () => new Date();
      const dead = createRunsService({
        store,
        writer: database,
        audit: coffer.audit,
        clock,
        owner: { id: "inst_dead", host: coffer.runs.owner.host, pid: deadPid() },
      });
      const live = createRunsService({
        store,
        writer: database,
        audit: coffer.audit,
        clock,
        owner: { id: "inst_live", host: coffer.runs.owner.host, pid: process.pid },
      });
      const far = createRunsService({
        store,
        writer: database,
        audit: coffer.audit,
        clock,
        owner: { id: "inst_far", host: "elsewhere.invalid", pid: 1 },
      });
      const input = { workflowId: null, workflowVersion: null, title: "t", trigger: null, environment: "default" };
      const d = await dead.start(workspaceId, input, actor);
      const l = await live.start(workspaceId, input, actor);
      const f = await far.start(workspaceId, input, actor);
      assert.equal(await coffer.runs.recoverInterrupted(), 1);
      const doc = await coffer.runs.get(workspaceId, d.id);
      assert.equal(doc.status, "failed");
      assert.equal(doc.reason, "interrupted");
      assert.equal(doc.error?.code, "run_interrupted");
      assert.equal((await coffer.runs.get(workspaceId, l.id)).status, "running");
      assert.equal((await coffer.runs.get(workspaceId, f.id)).status, "running");
      // Another host's runs: only once its heartbeat is stale.
      const later = createRunsService({
        store,
        writer: database,
        audit: coffer.audit,
        clock: () => new Date(Date.now() + HEARTBEAT_STALE_MS + 1000),
        owner: { id: "inst_later", host: coffer.runs.owner.host, pid: process.pid },
      });
      await live.heartbeat();
      const marked = await later.recoverInterrupted();
      assert.ok(marked >= 1);
      assert.equal((await coffer.runs.get(workspaceId, f.id)).reason, "interrupted");
    });
  });
}
