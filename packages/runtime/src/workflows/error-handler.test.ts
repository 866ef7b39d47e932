// error_handler (Tracecat §4.11) and run cancellation, through the engine, the real executor and
// an in-process host of deployed workflows.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { stringify } from "yaml";
import { parseWorkflowText } from "./document.js";
import type { WorkflowRunResult } from "./engine.js";
import { actor, type Harness, openHarness } from "./harness.test-support.js";
import type { DeployedWorkflow } from "./host.types.js";

const CANARY = "canary-HANDLER-51c0d2";

let h: Harness;
before(async () => {
  h = await openHarness();
  await h.coffer.secrets.create(
    h.workspaceId,
    { name: "api", environment: "failing_env", keys: [{ key: "TOKEN", value: CANARY }] },
    actor,
  );
});
after(() => h.close());

type Action = Record<string, unknown>;
const reshape = (ref: string, value: unknown, extra: Action = {}): Action => ({
  ref,
  action: "core.transform.reshape",
  args: { value },
  ...extra,
});
const wf = (actions: Action[], extra: Record<string, unknown> = {}) =>
  stringify({ title: "the parent", description: "d", entrypoint: {}, actions, ...extra });
const deployed = (
  id: string,
  alias: string | null,
  actions: Action[],
  extra: Record<string, unknown> = {},
): DeployedWorkflow => ({
  id,
  alias,
  version: 1,
  title: alias ?? id,
  document: parseWorkflowText(stringify({ title: alias ?? id, description: "d", entrypoint: {}, actions, ...extra })),
});

/** A handler that returns its TRIGGER and environment. */
const recorder = deployed("wf_handler1", "on_failure", [reshape("noop", null)], {
  returns: { trigger: "${{ TRIGGER }}", environment: "${{ ENV.environment }}" },
});

describe("error_handler (Tracecat §4.11)", () => {
  test("a failed run starts its handler with Tracecat's TRIGGER, in the failing run's environment, and stays failed", async () => {
    const host = h.host([recorder]);
    const run = await h.run(
      wf(
        [
          { ref: "echo", action: "test.secret_echo", args: {} },
          reshape("boom", "${{ 1/0 }}", { depends_on: ["echo"] }),
        ],
        { error_handler: "on_failure", config: { environment: "failing_env" } },
      ),
      { workflows: host, workflowId: "wf_parent1" },
    );
    assert.equal(run.status, "failed");
    assert.equal(run.error?.code, "expression_error");
    assert.match(run.error?.message ?? "", /^Workflow failed with 1 error\(s\)/);
    assert.equal(host.started.length, 1);
    const started = host.started[0];
    assert.equal(started?.request.kind, "error_handler");
    assert.equal(started?.request.parentRunId, run.id);
    assert.equal(started?.request.environment, "failing_env");
    assert.deepEqual(run.errorHandler, { runId: started?.id, workflowId: "wf_handler1", status: "succeeded" });
    const handled = (await started?.done) as WorkflowRunResult;
    const r = handled.returns as { trigger: Record<string, unknown>; environment: string };
    assert.equal(r.environment, "failing_env");
    const { errors, ...rest } = r.trigger;
    assert.deepEqual(rest, {
      message: run.error?.message,
      handler_wf_id: "wf_handler1",
      orig_wf_id: "wf_parent1",
      orig_wf_exec_id: run.id,
      orig_wf_exec_url: null,
      orig_wf_title: "the parent",
      trigger_type: "manual",
    });
    assert.deepEqual(
      (errors as { ref: string; type: string }[]).map((e) => [e.ref, e.type]),
      [["boom", "ExecutionError"]],
    );
    // The secret the failed run touched is nowhere in what the handler got or gave.
    assert.equal(JSON.stringify([run, handled, started?.request.trigger]).includes(CANARY), false);
  });

  test("an id names the handler too; a trigger validation failure runs it with errors null", async () => {
    const host = h.host([recorder]);
    const run = await h.run(
      wf([reshape("a", 1)], { error_handler: "wf_handler1", entrypoint: { expects: { n: { type: "int" } } } }),
      { workflows: host, trigger: { n: "not-an-int" } },
    );
    assert.equal(run.status, "failed");
    assert.equal(run.errorHandler?.status, "succeeded");
    const handled = (await host.started[0]?.done) as WorkflowRunResult;
    const trigger = (handled.returns as { trigger: Record<string, unknown> }).trigger;
    assert.equal(trigger.errors, null);
    assert.equal(trigger.orig_wf_id, null);
    assert.match(trigger.message as string, /Failed to validate trigger inputs/);
  });

  test("a successful run never starts its handler", async () => {
    const host = h.host([recorder]);
    const run = await h.run(wf([reshape("a", 1)], { error_handler: "on_failure" }), { workflows: host });
    assert.equal(run.status, "succeeded");
    assert.equal(host.started.length, 0);
    assert.equal(run.errorHandler, undefined);
  });

  test("an unknown alias or id replaces the run's error (the original is kept below it)", async () => {
    const alias = await h.run(wf([reshape("boom", "${{ 1/0 }}")], { error_handler: "nobody_home" }), {
      workflows: h.host([]),
    });
    assert.equal(alias.status, "failed");
    assert.equal(alias.error?.code, "workflow_not_found");
    assert.match(alias.error?.message ?? "", /^Couldn't find matching workflow for alias 'nobody_home'/);
    assert.match(alias.error?.message ?? "", /The run's own failure:\n\nWorkflow failed with 1 error\(s\)/);
    assert.ok(alias.error?.failures.boom);
    const id = await h.run(wf([reshape("boom", "${{ 1/0 }}")], { error_handler: "wf_missing42" }), {
      workflows: h.host([]),
    });
    assert.match(id.error?.message ?? "", /^Workflow definition not found for wf_missing42/);
    const noHost = await h.run(wf([reshape("boom", "${{ 1/0 }}")], { error_handler: "on_failure" }));
    assert.equal(noHost.error?.code, "workflows_unavailable");
    assert.match(noHost.error?.message ?? "", /no deployed workflows/);
  });

  test("a failing handler's error is raised instead", async () => {
    const broken = deployed("wf_broken1", "broken_handler", [reshape("oops", "${{ FN.nope() }}")]);
    const host = h.host([broken]);
    const run = await h.run(wf([reshape("boom", "${{ 1/0 }}")], { error_handler: "broken_handler" }), {
      workflows: host,
    });
    assert.equal(run.status, "failed");
    assert.equal(run.error?.code, "error_handler_failed");
    assert.match(run.error?.message ?? "", /^The error handler 'broken_handler' \(wf_broken1\) failed in run wfr_/);
    assert.match(run.error?.message ?? "", /ACTIONS\.oops/);
    assert.equal(run.errorHandler?.status, "failed");
    assert.ok(run.error?.failures.boom);
  });
});

describe("cancellation", () => {
  const cancelAfter = (ms: number) => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), ms);
    return controller.signal;
  };

  test("an action in flight stops, nothing after it runs, the run is cancelled, and no handler runs", async () => {
    const host = h.host([recorder]);
    const run = await h.run(
      wf(
        [
          { ref: "long", action: "test.slow", args: { ms: 60_000 } },
          reshape("after", "never", { depends_on: ["long"] }),
          reshape("on_error", "never", { depends_on: ["long.error"] }),
        ],
        { error_handler: "on_failure" },
      ),
      { workflows: host, signal: cancelAfter(50) },
    );
    assert.equal(run.status, "cancelled");
    assert.equal(run.error?.code, "run_cancelled");
    assert.ok(run.finishedAt - run.startedAt < 30_000);
    assert.equal(run.context.after, undefined);
    assert.equal(run.context.on_error, undefined);
    assert.equal(host.started.length, 0);
    assert.equal(run.errorHandler, undefined);
  });

  test("start_delay and retry back-off waits stop at once", async () => {
    const sent = h.requests.length;
    const delayed = await h.run(wf([reshape("late", 1, { start_delay: 60 })]), { signal: cancelAfter(30) });
    assert.equal(delayed.status, "cancelled");
    assert.ok(delayed.finishedAt - delayed.startedAt < 30_000);
    // It never reached the executor: its entry holds the cancellation, no result.
    assert.equal(delayed.context.late?.result, null);
    assert.equal(delayed.context.late?.error?.code, "run_cancelled");
    assert.equal(h.requests.length, sent);
    const retrying = await h.run(
      wf([
        {
          ref: "flaky",
          action: "test.flaky",
          args: { key: "cancel-retry", succeed_on: 99 },
          retry_policy: { max_attempts: 5 },
        },
      ]),
      { signal: cancelAfter(50), retryBaseDelayMs: 60_000 },
    );
    assert.equal(retrying.status, "cancelled");
    assert.ok(retrying.finishedAt - retrying.startedAt < 30_000);
  });

  test("a waited-for child is cancelled with its parent; a detached one is not", async () => {
    const slowChild = deployed(
      "wf_slowchild",
      "slow_child",
      [{ ref: "long", action: "test.slow", args: { ms: 400 } }],
      {
        returns: "done",
      },
    );
    const host = h.host([slowChild]);
    const run = await h.run(
      wf([
        {
          ref: "waited",
          action: "core.workflow.execute",
          args: { workflow_alias: "slow_child", wait_strategy: "wait" },
        },
        { ref: "detached", action: "core.workflow.execute", args: { workflow_alias: "slow_child" } },
      ]),
      { workflows: host, signal: cancelAfter(50) },
    );
    assert.equal(run.status, "cancelled");
    const waited = host.started.find((s) => s.request.parentActionRef === "waited");
    const detached = host.started.find((s) => s.request.parentActionRef === "detached");
    assert.equal((await waited?.done)?.status, "cancelled");
    assert.equal((await detached?.done)?.status, "succeeded");
  });

  test("a signal aborted before the start cancels the run before anything runs", async () => {
    const controller = new AbortController();
    controller.abort();
    const run = await h.run(wf([reshape("a", 1)]), { signal: controller.signal });
    assert.equal(run.status, "cancelled");
    assert.deepEqual(run.actions, {});
  });
});
