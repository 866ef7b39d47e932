import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { stringify } from "yaml";
import { actor, attempts, gauge, type Harness, openHarness, results } from "./harness.test-support.js";

let h: Harness;
before(async () => {
  h = await openHarness();
  const create = (environment: string, value: string) =>
    h.coffer.secrets.create(h.workspaceId, { name: "api", environment, keys: [{ key: "TOKEN", value }] }, actor);
  await create("default", "tok-default-1234");
  await create("override_env", "tok-override-5678");
});
after(() => h.close());

type Action = Record<string, unknown>;
const reshape = (ref: string, value: unknown, extra: Action = {}): Action => ({
  ref,
  action: "core.transform.reshape",
  args: { value },
  ...extra,
});
function wf(actions: Action[], extra: Record<string, unknown> = {}): string {
  return stringify({ title: "t", description: "d", entrypoint: {}, actions, ...extra });
}

describe("error edges, skips and joins (Tracecat §7.2)", () => {
  test("17: a failing action's error edge runs, its success edge is skipped, the run succeeds", async () => {
    const run = await h.run(
      wf(
        [
          reshape("start", "${{ 1/0 }}"),
          reshape("success_path", "SUCCESS", { depends_on: ["start"] }),
          reshape("error_path", "ERROR", { depends_on: ["start.error"] }),
        ],
        {
          returns: {
            start: "${{ ACTIONS.start.result }}",
            "start.error": "${{ ACTIONS.start.error }}",
            success: "${{ ACTIONS.success_path.result }}",
            error: "${{ ACTIONS.error_path.result }}",
          },
        },
      ),
    );
    assert.equal(run.status, "succeeded", JSON.stringify(run.error));
    const r = run.returns as Record<string, Record<string, unknown> | null>;
    assert.equal(r.start, null);
    assert.equal(r.success, null);
    assert.equal(r.error, "ERROR");
    const info = r["start.error"] as Record<string, unknown>;
    assert.equal(info.ref, "start");
    assert.equal(info.type, "ExecutionError");
    assert.equal(info.expr_context, "ACTIONS");
    assert.equal(info.attempt, 1);
    assert.equal(info.stream_id, "<root>:0");
    assert.equal(info.children, null);
    assert.match(
      info.message as string,
      /^There was an error in the executor when calling action 'core\.transform\.reshape'\.[\s\S]*expression_error[\s\S]*1\/0/,
    );
    assert.equal(run.context.start?.result_typename, "NoneType");
    assert.equal(run.context.start?.error_typename, "ExecutionError");
    assert.equal(run.actions.success_path?.status, "skipped");
  });

  test("18: a skip propagates down a chain", async () => {
    const run = await h.run(
      wf([
        reshape("a", "A"),
        reshape("b", "B", { depends_on: ["a"], run_if: "${{ False }}" }),
        reshape("c", "C", { depends_on: ["b"] }),
        reshape("d", "D", { depends_on: ["c"] }),
      ]),
    );
    assert.equal(run.status, "succeeded");
    assert.deepEqual(results(run), { a: "A" });
    assert.deepEqual(Object.fromEntries(Object.entries(run.actions).map(([k, v]) => [k, v.status])), {
      a: "succeeded",
      b: "skipped",
      c: "skipped",
      d: "skipped",
    });
  });

  test("19/20: success and error branches follow the outcome", async () => {
    const branches = (value: string) =>
      wf([
        reshape("a", value),
        reshape("success", "SUCCESS", { depends_on: ["a"] }),
        reshape("error", "ERROR", { depends_on: ["a.error"] }),
      ]);
    const failing = await h.run(branches("${{ 1/0 }}"));
    assert.equal(failing.status, "succeeded");
    assert.equal(results(failing).success, undefined);
    assert.equal(results(failing).error, "ERROR");
    const ok = await h.run(branches("fine"));
    assert.deepEqual(results(ok), { a: "fine", success: "SUCCESS" });
  });

  test("21: an error handler chain below a success is skipped", async () => {
    const run = await h.run(
      wf([
        reshape("start", "S"),
        reshape("success_path", "SUCCESS", { depends_on: ["start"] }),
        reshape("error_path_1", "E1", { depends_on: ["start.error"] }),
        reshape("error_path_2", "E2", { depends_on: ["error_path_1"] }),
      ]),
    );
    assert.deepEqual(results(run), { start: "S", success_path: "SUCCESS" });
  });

  test("23/24/25: join_strategy any runs when one parent edge was taken", async () => {
    const j23 = await h.run(
      wf([
        reshape("start", "S"),
        reshape("join", "JOIN", { depends_on: ["start", "start.error"], join_strategy: "any" }),
      ]),
    );
    assert.equal(results(j23).join, "JOIN");
    const diamond = (right: string) =>
      wf([
        reshape("start", "START"),
        reshape("left", "SUCCESS", { depends_on: ["start"] }),
        reshape("right", right, { depends_on: ["start"] }),
        reshape("join", "JOIN", { depends_on: ["left", "right", "right.error"], join_strategy: "any" }),
      ]);
    const j24 = await h.run(diamond("RIGHT"));
    assert.deepEqual(results(j24), { start: "START", left: "SUCCESS", right: "RIGHT", join: "JOIN" });
    const j25 = await h.run(diamond("${{ 1/0 }}"));
    assert.equal(j25.status, "succeeded");
    assert.deepEqual(results(j25), { start: "START", left: "SUCCESS", right: null, join: "JOIN" });
  });

  test("26: a join 'all' with one skipped parent is unreachable and fails the run", async () => {
    const run = await h.run(
      wf([
        reshape("start", "S"),
        reshape("left", "L", { depends_on: ["start"] }),
        reshape("right", "R", { depends_on: ["start"], run_if: "${{ False }}" }),
        reshape("join", "J", { depends_on: ["left", "right"] }),
      ]),
    );
    assert.equal(run.status, "failed");
    assert.equal(run.error?.failures.join?.type, "TaskUnreachable");
    assert.match(
      run.error?.message ?? "",
      /^Workflow failed with 1 error\(s\)\n\n========== \(1\/1\) ACTIONS\.join ==========/,
    );
  });

  test("27: a join whose own run_if skips it does not fail", async () => {
    const run = await h.run(
      wf([
        reshape("start", "S"),
        reshape("gate", false, { depends_on: ["start"] }),
        reshape("left", "LEFT", { depends_on: ["gate"] }),
        reshape("right", "RIGHT", { depends_on: ["gate"], run_if: "${{ ACTIONS.gate.result }}" }),
        reshape("join", "JOIN", { depends_on: ["left", "right"], run_if: "${{ ACTIONS.gate.result }}" }),
      ]),
    );
    assert.equal(run.status, "succeeded", run.error?.message);
    assert.deepEqual(results(run), { start: "S", gate: false, left: "LEFT" });
  });

  test("28: several entrypoints, a legacy entrypoint.ref naming no action", async () => {
    const run = await h.run(
      wf(
        [
          reshape("first", "ENTRYPOINT_1"),
          reshape("second", "ENTRYPOINT_2"),
          reshape("third", "ENTRYPOINT_3"),
          reshape("join", "${{ [ACTIONS.first.result, ACTIONS.second.result, ACTIONS.third.result] }}", {
            depends_on: ["first", "second", "third"],
          }),
        ],
        { entrypoint: { ref: "start" }, config: { scheduler: "dynamic" }, tests: [], inputs: {} },
      ),
    );
    assert.deepEqual(results(run).join, ["ENTRYPOINT_1", "ENTRYPOINT_2", "ENTRYPOINT_3"]);
  });

  test("29: for_each gives the list of per-iteration results", async () => {
    const run = await h.run(
      wf([reshape("entrypoint_1", "${{ var.x + 100 }}", { for_each: "${{ for var.x in [1, 2, 3, 4, 5] }}" })], {
        returns: "${{ ACTIONS.entrypoint_1.result }}",
      }),
    );
    assert.deepEqual(run.returns, [101, 102, 103, 104, 105]);
    assert.equal(run.context.entrypoint_1?.result_typename, "list");
  });

  test("for_each zips several iterators to the shortest; a nested var path", async () => {
    const run = await h.run(
      wf([
        reshape("pairs", "${{ [var.x, var.y.name] }}", {
          for_each: ["${{ for var.x in [1, 2, 3] }}", "${{ for var.y.name in ['one', 'two'] }}"],
        }),
      ]),
    );
    assert.deepEqual(results(run).pairs, [
      [1, "one"],
      [2, "two"],
    ]);
  });

  test("a failing for_each iteration fails the whole action with LoopExecutionError", async () => {
    const run = await h.run(wf([reshape("loop", "${{ 10 / var.x }}", { for_each: "${{ for var.x in [1, 0, 2] }}" })]));
    assert.equal(run.status, "failed");
    const info = run.error?.failures.loop;
    assert.equal(info?.type, "LoopExecutionError");
    assert.match(info?.message ?? "", /Loop execution failed with 1 error\(s\)[\s\S]*iteration 1/);
  });

  test("a for_each over null fails with Tracecat's message", async () => {
    const run = await h.run(wf([reshape("loop", 1, { for_each: "${{ for var.x in TRIGGER.nothing }}" })]));
    assert.equal(run.status, "failed");
    assert.match(run.error?.failures.loop?.message ?? "", /Invalid iterator collection: None/);
  });
});

describe("environment, trigger and returns (Tracecat §7.3)", () => {
  test("30/31/32: ENV.environment is config.environment, the run's --env over it, else default", async () => {
    const doc = (config?: Record<string, unknown>) =>
      wf([reshape("a", "${{ ENV.environment }}")], config ? { config } : {});
    assert.equal(results(await h.run(doc({ environment: "test_environment" }))).a, "test_environment");
    assert.equal(
      results(await h.run(doc({ environment: "wrong_environment" }), { runEnvironment: "correct_environment" })).a,
      "correct_environment",
    );
    const plain = await h.run(doc());
    assert.equal(results(plain).a, "default");
    assert.equal(plain.environment, "default");
  });

  test("33: an action's environment override picks that environment's secret; the executor gets every level", async () => {
    h.requests.length = 0;
    const run = await h.run(
      wf(
        [
          { ref: "in_default", action: "test.secret_echo", args: { prefix: "k=" } },
          { ref: "in_override", action: "test.secret_echo", environment: "override_env" },
          {
            ref: "templated",
            action: "test.secret_echo",
            environment: "${{ TRIGGER.env }}",
            depends_on: ["in_default"],
          },
        ],
        { config: { environment: "default" } },
      ),
      { trigger: { env: "override_env" } },
    );
    assert.equal(run.status, "succeeded", run.error?.message);
    // The executor masks the secret in results; which environment served it shows in the outcome.
    assert.equal(run.actions.in_default?.status === "succeeded" && run.actions.in_default.environment, "default");
    assert.equal(
      run.actions.in_override?.status === "succeeded" && run.actions.in_override.environment,
      "override_env",
    );
    assert.equal(run.actions.templated?.status === "succeeded" && run.actions.templated.environment, "override_env");
    assert.ok(!JSON.stringify(run).includes("tok-default-1234"), "the secret value never reaches the run result");
    const templated = h.requests.find((r) => r.actionId === "test.secret_echo" && r.environment === "override_env");
    assert.equal(templated?.workflowEnvironment, "default");
  });

  test("a run in an environment without the secret fails that action before it runs", async () => {
    const run = await h.run(wf([{ ref: "needs", action: "test.secret_echo" }]), { runEnvironment: "staging" });
    assert.equal(run.status, "failed");
    assert.equal(run.error?.failures.needs?.code, "secrets_unresolved");
    assert.match(run.error?.failures.needs?.message ?? "", /api/);
  });

  test("34: VARS in args give their native types", async () => {
    await h.coffer.variables.create(
      h.workspaceId,
      { name: "test_config", values: { api_url: "https://api.example", timeout: 30, enabled: true } },
      actor,
    );
    const run = await h.run(
      wf([
        reshape("a", {
          url: "${{ VARS.test_config.api_url }}",
          t: "${{ VARS.test_config.timeout }}",
          on: "${{ VARS.test_config.enabled }}",
        }),
      ]),
    );
    assert.deepEqual(results(run).a, { url: "https://api.example", t: 30, on: true });
  });

  test("35/36: expects fills defaults into TRIGGER and refuses a bad value before any action runs", async () => {
    const expects = {
      default_field: { type: "str", default: "default_value" },
      default_number: { type: "int", default: 42 },
    };
    const doc = wf([reshape("a", "${{ TRIGGER }}")], { entrypoint: { expects }, returns: "${{ TRIGGER }}" });
    assert.deepEqual((await h.run(doc, { trigger: {} })).returns, {
      default_field: "default_value",
      default_number: 42,
    });
    const bad = await h.run(doc, { trigger: { default_number: "not-an-int" } });
    assert.equal(bad.status, "failed");
    assert.match(bad.error?.message ?? "", /^Failed to validate trigger inputs:\n\n1\. The attribute 'default_number'/);
    assert.match(bad.error?.message ?? "", /valid integer/);
    assert.deepEqual(bad.actions, {}, "no action ran");
  });

  test("37: no returns gives {ACTIONS, TRIGGER} (context), or the run context (minimal)", async () => {
    const doc = wf([reshape("a", 42)]);
    const ctx = await h.run(doc);
    const r = ctx.returns as {
      ACTIONS: Record<string, { result: unknown; result_typename: string }>;
      TRIGGER: unknown;
    };
    assert.equal(r.TRIGGER, null);
    assert.equal(r.ACTIONS.a?.result, 42);
    assert.equal(r.ACTIONS.a?.result_typename, "int");
    const minimal = await h.run(doc, { returnStrategy: "minimal" });
    assert.equal((minimal.returns as { environment: string }).environment, "default");
    assert.equal((minimal.returns as { wf_run_id: string }).wf_run_id, minimal.id);
  });

  test("references to missing actions, trigger keys and var give null at run time", async () => {
    const run = await h.run(
      wf([
        reshape("a", "${{ [TRIGGER.nope, var.nope, ACTIONS.b.result] }}"),
        reshape("b", "B", { run_if: "${{ False }}" }),
      ]),
    );
    assert.deepEqual(results(run).a, [null, null, null]);
  });

  test("mask_output is passed to the executor: every leaf is masked", async () => {
    const run = await h.run(wf([reshape("a", { x: 1, y: ["z"] }, { mask_output: true })]));
    assert.deepEqual(results(run).a, { x: "***", y: ["***"] });
  });
});

describe("scheduler (Tracecat §7.8)", () => {
  test("106: successors are queued in sorted ref order", async () => {
    const order: string[] = [];
    await h.run(wf([reshape("a", 1), reshape("c", 3, { depends_on: ["a"] }), reshape("b", 2, { depends_on: ["a"] })]), {
      maxConcurrency: 1,
      onActionDone: (ref) => order.push(ref),
    });
    assert.deepEqual(order, ["a", "b", "c"]);
  });

  test("107: independent branches run concurrently up to the bound", async () => {
    gauge.max = 0;
    const actions = Array.from({ length: 10 }, (_, i) => ({
      ref: `t${i}`,
      action: "test.slow",
      args: { ms: 30, value: i },
    }));
    const run = await h.run(wf(actions), { maxConcurrency: 3 });
    assert.equal(run.status, "succeeded");
    assert.equal(Object.keys(run.context).length, 10);
    assert.equal(gauge.max, 3);
  });

  test("a fatal failure cancels what is still in flight and starts nothing more", async () => {
    const run = await h.run(
      wf([
        reshape("boom", "${{ 1/0 }}"),
        { ref: "long", action: "test.slow", args: { ms: 5000 } },
        reshape("after", "x", { depends_on: ["long"] }),
      ]),
    );
    assert.equal(run.status, "failed");
    assert.deepEqual(Object.keys(run.error?.failures ?? {}), ["boom"]);
    assert.ok(run.finishedAt - run.startedAt < 4000, "the slow action was cancelled");
    assert.equal(run.actions.after, undefined);
  });

  test("109: retry_until reruns until it holds; max_attempts retries failures", async () => {
    attempts.clear();
    const until = await h.run(
      wf([
        {
          ref: "poll",
          action: "test.flaky",
          args: { key: "until", succeed_on: 1 },
          retry_policy: { retry_until: "${{ ACTIONS.poll.result.attempt >= 3 }}" },
        },
      ]),
    );
    assert.equal(until.status, "succeeded");
    assert.deepEqual(results(until).poll, { attempt: 3, status: "success" });
    assert.equal(attempts.get("until"), 3);
    const retried = await h.run(
      wf([
        { ref: "r", action: "test.flaky", args: { key: "retry", succeed_on: 3 }, retry_policy: { max_attempts: 3 } },
      ]),
    );
    assert.equal(retried.status, "succeeded");
    assert.equal(attempts.get("retry"), 3);
    const exhausted = await h.run(
      wf([{ ref: "r", action: "test.flaky", args: { key: "few", succeed_on: 5 }, retry_policy: { max_attempts: 2 } }]),
    );
    assert.equal(exhausted.status, "failed");
    assert.equal(exhausted.error?.failures.r?.attempt, 2);
  });

  test("start_delay and wait_until wait before the action", async () => {
    const t0 = Date.now();
    const run = await h.run(
      wf([
        reshape("delayed", 1, { start_delay: 0.2 }),
        reshape("until", 2, { wait_until: new Date(Date.now() + 300).toISOString() }),
        reshape("past", 3, { wait_until: "2020-01-01T00:00:00Z" }),
      ]),
    );
    assert.equal(run.status, "succeeded");
    assert.ok(Date.now() - t0 >= 290);
    const bad = await h.run(wf([reshape("a", 1, { wait_until: "tomorrow 9am" })]));
    assert.match(bad.error?.failures.a?.message ?? "", /Invalid wait until date/);
  });

  test("retry_policy.timeout stops a slow attempt", async () => {
    const run = await h.run(
      wf([{ ref: "s", action: "test.slow", args: { ms: 3000 }, retry_policy: { timeout: 0.1 } }]),
    );
    assert.equal(run.status, "failed");
    assert.equal(run.error?.failures.s?.code, "action_timeout");
  });

  test("config.timeout bounds the whole run", async () => {
    const t0 = Date.now();
    const run = await h.run(wf([{ ref: "s", action: "test.slow", args: { ms: 5000 } }], { config: { timeout: 0.2 } }));
    assert.equal(run.status, "failed");
    assert.equal(run.error?.code, "action_timeout");
    assert.match(run.error?.message ?? "", /config\.timeout/);
    assert.ok(Date.now() - t0 < 3000);
  });

  test("interaction is refused at run time", async () => {
    const run = await h.run(wf([reshape("a", 1, { interaction: { type: "response" } })]));
    assert.match(run.error?.failures.a?.message ?? "", /not supported/);
  });
});

describe("scale", () => {
  test("1,000 no-op actions in a chain and 1,000 in parallel complete", async () => {
    const chain = Array.from({ length: 1000 }, (_, i) =>
      reshape(`a${i}`, i, i > 0 ? { depends_on: [`a${i - 1}`] } : {}),
    );
    const c = await h.run(wf(chain));
    assert.equal(c.status, "succeeded");
    assert.equal(Object.keys(c.context).length, 1000);
    const wide = Array.from({ length: 1000 }, (_, i) => reshape(`p${i}`, i));
    const p = await h.run(wf(wide));
    assert.equal(p.status, "succeeded");
    assert.equal(results(p).p999, 999);
  });

  test("a for_each over 10,000 items completes", async () => {
    const run = await h.run(
      wf([reshape("big", "${{ var.x * 2 }}", { for_each: "${{ for var.x in FN.range(0, 10000) }}" })]),
      { forEachConcurrency: 16 },
    );
    assert.equal(run.status, "succeeded", run.error?.message);
    const list = results(run).big as number[];
    assert.equal(list.length, 10000);
    assert.equal(list[9999], 19998);
  });
});
