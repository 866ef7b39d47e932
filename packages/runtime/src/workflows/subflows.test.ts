// Subflows (Tracecat §6, acceptance cases §7.4 40–53): core.workflow.execute through the engine,
// the real executor and an in-process host of deployed workflows.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { stringify } from "yaml";
import { parseWorkflowText } from "./document.js";
import type { WorkflowRunResult } from "./engine.js";
import { actor, gauge, type Harness, openHarness, results } from "./harness.test-support.js";
import type { DeployedWorkflow, WorkflowHost } from "./host.types.js";
import { MAX_SUBFLOW_DEPTH } from "./subflows.js";

const CANARY = "canary-SUBFLOW-9f3e7a61";

let h: Harness;
before(async () => {
  h = await openHarness();
  const create = (environment: string, value: string) =>
    h.coffer.secrets.create(h.workspaceId, { name: "api", environment, keys: [{ key: "TOKEN", value }] }, actor);
  await create("default", CANARY);
  await create("first_env", "first_value");
  await create("second_env", "second_value");
});
after(() => h.close());

type Action = Record<string, unknown>;
const reshape = (ref: string, value: unknown, extra: Action = {}): Action => ({
  ref,
  action: "core.transform.reshape",
  args: { value },
  ...extra,
});
const execute = (ref: string, args: Action, extra: Action = {}): Action => ({
  ref,
  action: "core.workflow.execute",
  args,
  ...extra,
});
const wf = (actions: Action[], extra: Record<string, unknown> = {}) =>
  stringify({ title: "parent", description: "d", entrypoint: {}, actions, ...extra });

function deployed(
  alias: string | null,
  actions: Action[],
  extra: Record<string, unknown> = {},
  version = 1,
  id = `wf_${randomUUID().replaceAll("-", "")}`,
): DeployedWorkflow {
  const title = alias ?? "child";
  return {
    id,
    alias,
    version,
    title,
    document: parseWorkflowText(stringify({ title, description: "d", entrypoint: {}, actions, ...extra })),
  };
}

/** A child that returns `value` (evaluated against its TRIGGER). */
const returning = (alias: string | null, value: unknown, extra: Record<string, unknown> = {}) =>
  deployed(alias, [reshape("noop", null)], { returns: value, ...extra });

const ok = (run: WorkflowRunResult) => assert.equal(run.status, "succeeded", run.error?.message);

describe("core.workflow.execute (Tracecat §7.4)", () => {
  test("40: a waited-for child's clock is not behind its parent's", async () => {
    const child = returning("clock", "${{ FN.utcnow(True) }}");
    const host = h.host([child]);
    const run = await h.run(
      wf([
        reshape("before", "${{ FN.utcnow(True) }}"),
        execute("call", { workflow_alias: "clock", wait_strategy: "wait" }, { depends_on: ["before"] }),
      ]),
      { workflows: host },
    );
    ok(run);
    const parent = results(run).before as string;
    const childTime = results(run).call as string;
    assert.ok(Date.parse(childTime) >= Date.parse(parent), `${childTime} < ${parent}`);
    assert.equal(childTime.slice(0, 10), parent.slice(0, 10));
  });

  test("41: a looped subflow without wait_strategy waits, and keeps iteration order", async () => {
    const child = returning(null, "${{ TRIGGER.number + 1000 }}");
    const run = await h.run(
      wf([
        execute(
          "call",
          { workflow_id: child.id, trigger_inputs: { number: "${{ var.x }}" } },
          { for_each: "${{ for var.x in [1, 2, 3, 4, 5, 6, 7] }}" },
        ),
      ]),
      { workflows: h.host([child]) },
    );
    ok(run);
    assert.deepEqual(results(run).call, [1001, 1002, 1003, 1004, 1005, 1006, 1007]);
    assert.equal(run.context.call?.result_typename, "list");
  });

  test("42: inside a scatter, trigger_inputs see the scatter item and top-level results", async () => {
    const child = returning("echo_trigger", "${{ TRIGGER }}");
    const run = await h.run(
      wf([
        reshape("config", { flag: "top_level_value" }),
        {
          ref: "scatter",
          action: "core.transform.scatter",
          args: { collection: [10, 20, 30] },
          depends_on: ["config"],
        },
        execute(
          "call",
          {
            workflow_alias: "echo_trigger",
            wait_strategy: "wait",
            trigger_inputs: { item_id: "${{ ACTIONS.scatter.result }}", flag: "${{ ACTIONS.config.result.flag }}" },
          },
          { depends_on: ["scatter"] },
        ),
        {
          ref: "gather",
          action: "core.transform.gather",
          args: { items: "${{ ACTIONS.call.result }}" },
          depends_on: ["call"],
        },
      ]),
      { workflows: h.host([child]) },
    );
    ok(run);
    const gathered = (results(run).gather as { item_id: number }[]).sort((a, b) => a.item_id - b.item_id);
    assert.deepEqual(gathered, [
      { item_id: 10, flag: "top_level_value" },
      { item_id: 20, flag: "top_level_value" },
      { item_id: 30, flag: "top_level_value" },
    ]);
  });

  test("43: a waited-for child without returns gives its {ACTIONS, TRIGGER}", async () => {
    const child = deployed("the_child", [
      reshape("reshape_parent_data", { parent_data: "${{ TRIGGER.data_from_parent }}" }),
    ]);
    const run = await h.run(
      wf([
        reshape("parent_first_action", { reshaped_data: "__EXPECTED_DATA__" }),
        execute(
          "call",
          {
            workflow_alias: "the_child",
            wait_strategy: "wait",
            trigger_inputs: {
              data_from_parent: "Parent sent child ${{ ACTIONS.parent_first_action.result.reshaped_data }}",
            },
          },
          { depends_on: ["parent_first_action"] },
        ),
      ]),
      { workflows: h.host([child]) },
    );
    ok(run);
    const r = results(run).call as {
      ACTIONS: Record<string, { result: unknown; result_typename: string }>;
      TRIGGER: unknown;
    };
    assert.deepEqual(r.TRIGGER, { data_from_parent: "Parent sent child __EXPECTED_DATA__" });
    assert.deepEqual(r.ACTIONS.reshape_parent_data?.result, { parent_data: "Parent sent child __EXPECTED_DATA__" });
    assert.equal(r.ACTIONS.reshape_parent_data?.result_typename, "dict");
    assert.equal(run.context.call?.result_typename, "dict");
  });

  test("44/48: parallel, sequential and batch loops give the same ordered list (by id and by alias)", async () => {
    const child = deployed("loop_child", [reshape("slow", null)], {
      returns: { index: "${{ TRIGGER.index }}", data: "${{ TRIGGER.data }}" },
    });
    const expected = [0, 1, 2, 3, 4].map((index) => ({ index, data: "Parent sent child __EXPECTED_DATA__" }));
    for (const by of [{ workflow_id: child.id }, { workflow_alias: "loop_child" }])
      for (const strategy of [
        { loop_strategy: "parallel" },
        { loop_strategy: "sequential" },
        { loop_strategy: "batch", batch_size: 2 },
      ]) {
        const host = h.host([child]);
        const run = await h.run(
          wf([
            execute(
              "call",
              {
                ...by,
                ...strategy,
                trigger_inputs: { index: "${{ var.i }}", data: "Parent sent child ${{ TRIGGER }}" },
              },
              { for_each: "${{ for var.i in FN.range(0, 5) }}" },
            ),
          ]),
          { workflows: host, trigger: "__EXPECTED_DATA__" },
        );
        ok(run);
        assert.deepEqual(results(run).call, expected, JSON.stringify(strategy));
        assert.deepEqual(
          host.started.map((s) => s.request.loopIndex),
          [0, 1, 2, 3, 4],
        );
        const ends = await Promise.all(host.started.map((s) => s.done));
        if (strategy.loop_strategy !== "parallel") {
          // A batch starts only after the previous one has finished.
          const size = strategy.loop_strategy === "sequential" ? 1 : 2;
          for (let i = size; i < ends.length; i++)
            assert.ok((ends[i] as WorkflowRunResult).startedAt >= (ends[i - size] as WorkflowRunResult).finishedAt);
        }
      }
  });

  test("45: 12 parallel children with dispatch window 8 run together and come back in order", async () => {
    const child = deployed(
      "delayed",
      [{ ref: "wait", action: "test.slow", args: { ms: 400, value: "${{ TRIGGER }}" } }],
      {
        returns: "${{ ACTIONS.wait.result }}",
      },
    );
    /** How many children started before the engine first let the event loop through. */
    const firstGroup = async (window: number | undefined) => {
      const inner = h.host([child]);
      let started = 0;
      let group: number | null = null;
      const host: WorkflowHost = {
        find: (lookup) => inner.find(lookup),
        start: (request) => {
          if (started++ === 0)
            setImmediate(() => {
              group = started;
            });
          return inner.start(request);
        },
      };
      gauge.max = 0;
      const run = await h.run(
        wf([
          execute(
            "call",
            { workflow_alias: "delayed", loop_strategy: "parallel", trigger_inputs: { index: "${{ var.i }}" } },
            { for_each: "${{ for var.i in FN.range(0, 12) }}" },
          ),
        ]),
        { workflows: host, ...(window === undefined ? {} : { childDispatchWindow: window }) },
      );
      ok(run);
      assert.deepEqual(
        results(run).call,
        Array.from({ length: 12 }, (_, index) => ({ index })),
      );
      // The window only groups the starts: all twelve children were in flight at once.
      assert.equal(gauge.max, 12);
      return group;
    };
    assert.equal(await firstGroup(8), 8);
    assert.equal(await firstGroup(2), 8, "clamped to at least 8");
    assert.equal(await firstGroup(undefined), 12, "the default window is 16");
  });

  test("46: an alias, literal or produced by an expression, names the child", async () => {
    const child = returning("the_child", "${{ TRIGGER }}");
    const host = h.host([child]);
    const literal = await h.run(
      wf([
        execute("call", {
          workflow_alias: "the_child",
          wait_strategy: "wait",
          trigger_inputs: { data: "Test", index: 0 },
        }),
      ]),
      { workflows: host },
    );
    ok(literal);
    assert.deepEqual(results(literal).call, { data: "Test", index: 0 });
    const computed = await h.run(
      wf([
        reshape("get_alias", "the_child"),
        execute(
          "call",
          {
            workflow_alias: "${{ ACTIONS.get_alias.result }}",
            wait_strategy: "wait",
            trigger_inputs: { data: "Test", index: 0 },
          },
          { depends_on: ["get_alias"] },
        ),
      ]),
      { workflows: host },
    );
    ok(computed);
    assert.deepEqual(results(computed).call, { data: "Test", index: 0 });
    // The alias wins over an id that names something else.
    const both = await h.run(
      wf([
        execute("call", {
          workflow_alias: "the_child",
          workflow_id: "wf_doesnotexist",
          wait_strategy: "wait",
          trigger_inputs: 1,
        }),
      ]),
      { workflows: host },
    );
    ok(both);
    assert.equal(results(both).call, 1);
  });

  test("47: an unknown alias fails the run with Tracecat's message, unwrapped", async () => {
    const run = await h.run(
      wf([execute("call", { workflow_alias: "missing_child_alias_for_test", wait_strategy: "wait" })]),
      { workflows: h.host([]) },
    );
    assert.equal(run.status, "failed");
    assert.equal(run.error?.code, "workflow_not_found");
    assert.match(run.error?.message ?? "", /Workflow alias 'missing_child_alias_for_test' not found/);
    assert.doesNotMatch(run.error?.message ?? "", /Activity task failed/);
    assert.equal(run.error?.failures.call?.message, "Workflow alias 'missing_child_alias_for_test' not found");
    const byId = await h.run(wf([execute("call", { workflow_id: "wf_nope", wait_strategy: "wait" })]), {
      workflows: h.host([]),
    });
    assert.equal(byId.error?.failures.call?.message, "Workflow definition not found for wf_nope");
  });

  test("49: the child's environment is the given one, else the child's own config (never the parent's)", async () => {
    const child = returning("env_child", "${{ ENV.environment }}", { config: { environment: "testing_default" } });
    const host = h.host([child]);
    const given = await h.run(
      wf([execute("call", { workflow_alias: "env_child", wait_strategy: "wait", environment: "test_environment" })]),
      { workflows: host },
    );
    assert.equal(results(given).call, "test_environment");
    // The parent runs in another environment (config and --env): the child keeps its own.
    const own = await h.run(
      wf([execute("call", { workflow_alias: "env_child", wait_strategy: "wait" })], {
        config: { environment: "parent_env" },
      }),
      { workflows: host, runEnvironment: "parent_override" },
    );
    assert.equal(results(own).call, "testing_default");
    const names = ["env_a", "env_b", "env_c", "env_d", "env_e"];
    const perIteration = await h.run(
      wf([
        execute(
          "call",
          { workflow_alias: "env_child", environment: "${{ var.env }}" },
          { for_each: `\${{ for var.env in ${JSON.stringify(names)} }}` },
        ),
      ]),
      { workflows: host },
    );
    assert.deepEqual(results(perIteration).call, names);
    const numbered = returning("numbered", "${{ ENV.environment }} ${{ TRIGGER }}", {
      config: { environment: "testing_default" },
    });
    const loopDefault = await h.run(
      wf([
        execute(
          "call",
          { workflow_alias: "numbered", trigger_inputs: "${{ var.n }}" },
          { for_each: "${{ for var.n in [1, 2] }}" },
        ),
      ]),
      { workflows: h.host([numbered]) },
    );
    assert.deepEqual(results(loopDefault).call, ["testing_default 1", "testing_default 2"]);
    // A per-iteration environment selects that environment's secret.
    const keyed = deployed("keyed", [reshape("read", "KEY is ${{ FN.uppercase(SECRETS.api.TOKEN) }}")], {
      returns: "${{ ACTIONS.read.result }}",
    });
    const secrets = await h.run(
      wf([
        execute(
          "call",
          { workflow_alias: "keyed", environment: "${{ var.env }}" },
          { for_each: '${{ for var.env in ["first_env", "second_env"] }}' },
        ),
      ]),
      { workflows: h.host([keyed]) },
    );
    ok(secrets);
    assert.deepEqual(results(secrets).call, ["KEY is FIRST_VALUE", "KEY is SECOND_VALUE"]);
  });

  test("50: a detached loop returns the children's run ids at once; the children still complete", async () => {
    const child = returning("adder", "${{ TRIGGER + 1000 }}");
    const host = h.host([child]);
    const run = await h.run(
      wf([
        execute(
          "call",
          { workflow_alias: "adder", wait_strategy: "detach", timeout: "123", trigger_inputs: "${{ var.x }}" },
          { for_each: "${{ for var.x in [1, 2, 3] }}" },
        ),
      ]),
      { workflows: host },
    );
    ok(run);
    const ids = results(run).call as string[];
    assert.equal(ids.length, 3);
    assert.deepEqual(
      ids,
      host.started.map((s) => s.id),
    );
    for (const id of ids) assert.equal(typeof id, "string");
    const ends = await Promise.all(host.started.map((s) => s.done));
    assert.deepEqual(
      ends.map((e) => e.returns),
      [1001, 1002, 1003],
    );
    assert.ok(host.started.every((s) => s.request.signal === undefined));
  });

  test("51: scatter → subflow → gather leaves only the gather in the root", async () => {
    const child = returning("child_doubler", "${{ TRIGGER * 2 }}");
    const run = await h.run(
      wf([
        { ref: "scatter", action: "core.transform.scatter", args: { collection: [1, 2, 3, 4] } },
        execute(
          "double",
          { workflow_alias: "child_doubler", wait_strategy: "wait", trigger_inputs: "${{ ACTIONS.scatter.result }}" },
          { depends_on: ["scatter"] },
        ),
        {
          ref: "gather",
          action: "core.transform.gather",
          args: { items: "${{ ACTIONS.double.result }}" },
          depends_on: ["double"],
        },
      ]),
      { workflows: h.host([child]) },
    );
    ok(run);
    assert.deepEqual(results(run), { gather: [2, 4, 6, 8] });
    assert.equal(run.context.gather?.result_typename, "list");
  });

  test("52: a host failure fails the run past error edges; a user error follows them", async () => {
    const inScatter = (call: Action) =>
      wf([
        { ref: "scatter", action: "core.transform.scatter", args: { collection: [1, 2] } },
        { ...call, depends_on: ["scatter"] },
        reshape("handler", "handled", { depends_on: ["call_child.error"] }),
        {
          ref: "gather",
          action: "core.transform.gather",
          args: { items: "${{ ACTIONS.handler.result }}" },
          depends_on: ["handler"],
        },
      ]);
    const broken: WorkflowHost = {
      find: () => Promise.reject(new Error("the store is unreachable")),
      start: () => {
        throw new Error("unreachable");
      },
    };
    const infra = await h.run(inScatter(execute("call_child", { workflow_alias: "x", wait_strategy: "wait" })), {
      workflows: broken,
    });
    assert.equal(infra.status, "failed");
    assert.ok(infra.error?.failures.call_child, JSON.stringify(infra.error));
    assert.match(infra.error?.message ?? "", /the store is unreachable/);
    assert.equal(infra.context.gather, undefined);

    const missing = await h.run(inScatter(execute("call_child", { workflow_alias: "x", wait_strategy: "wait" })), {
      workflows: h.host([]),
    });
    ok(missing);
    assert.deepEqual(results(missing).gather, ["handled", "handled"]);
    const badForEach = await h.run(
      inScatter(execute("call_child", { workflow_alias: "x" }, { for_each: "${{ for var.x in 5 }}" })),
      { workflows: h.host([]) },
    );
    ok(badForEach);
    assert.deepEqual(results(badForEach).gather, ["handled", "handled"]);
  });

  test("53: a single subflow detaches by default (its run id); with wait its return value", async () => {
    const child = returning("single", "${{ TRIGGER.n + 1 }}");
    const host = h.host([child]);
    const detached = await h.run(wf([execute("call", { workflow_alias: "single", trigger_inputs: { n: 1 } })]), {
      workflows: host,
    });
    ok(detached);
    assert.equal(results(detached).call, host.started[0]?.id);
    assert.equal(detached.context.call?.result_typename, "str");
    assert.equal((await host.started[0]?.done)?.returns, 2);
    const waited = await h.run(
      wf([execute("call", { workflow_alias: "single", wait_strategy: "wait", trigger_inputs: { n: 1 } })]),
      { workflows: host },
    );
    assert.equal(results(waited).call, 2);
  });
});

describe("subflow failures, strategies and limits", () => {
  const failing = deployed("sometimes", [reshape("x", "${{ 1 / TRIGGER }}")], { returns: "${{ ACTIONS.x.result }}" });

  test("a waited-for child's failure fails the action with the child's failures; error edges catch it", async () => {
    const run = await h.run(
      wf([
        execute("call", { workflow_alias: "sometimes", wait_strategy: "wait", trigger_inputs: 0 }),
        reshape("caught", "${{ ACTIONS.call.error.type }}", { depends_on: ["call.error"] }),
      ]),
      { workflows: h.host([failing]) },
    );
    ok(run);
    assert.equal(results(run).caught, "ChildWorkflowError");
    const error = run.context.call?.error;
    assert.match(error?.message ?? "", /^Subflow 'sometimes' \(wf_\w+\) failed in run wfr_/);
    assert.equal(error?.children?.[0]?.ref, "x");
    assert.equal(error?.code, "expression_error");
  });

  test("trigger_inputs are normalised against the child's expects", async () => {
    const typed = deployed("typed", [reshape("noop", null)], {
      entrypoint: { expects: { n: { type: "int" }, label: { type: "str", default: "none" } } },
      returns: "${{ TRIGGER }}",
    });
    const host = h.host([typed]);
    const good = await h.run(
      wf([execute("call", { workflow_alias: "typed", wait_strategy: "wait", trigger_inputs: { n: 3 } })]),
      {
        workflows: host,
      },
    );
    assert.deepEqual(results(good).call, { n: 3, label: "none" });
    const bad = await h.run(
      wf([execute("call", { workflow_alias: "typed", wait_strategy: "wait", trigger_inputs: { n: "three" } })]),
      { workflows: host },
    );
    assert.equal(bad.status, "failed");
    assert.equal(bad.error?.failures.call?.type, "ChildWorkflowError");
    assert.match(bad.error?.failures.call?.message ?? "", /Failed to validate trigger inputs/);
  });

  test("fail_strategy isolated: a failed child is an error element, the others continue", async () => {
    const run = await h.run(
      wf([
        execute(
          "call",
          { workflow_alias: "sometimes", trigger_inputs: "${{ var.x }}" },
          { for_each: "${{ for var.x in [1, 0, 2] }}" },
        ),
      ]),
      { workflows: h.host([failing]) },
    );
    ok(run);
    assert.deepEqual(results(run).call, [
      1,
      { is_error: true, type: "ChildWorkflowError", message: "Child Workflow execution failed" },
      0.5,
    ]);
  });

  test("fail_strategy all: a failure fails the action after its batch; later batches never start", async () => {
    const host = h.host([failing]);
    const run = await h.run(
      wf([
        execute(
          "call",
          { workflow_alias: "sometimes", fail_strategy: "all", batch_size: 2, trigger_inputs: "${{ var.x }}" },
          { for_each: "${{ for var.x in [1, 0, 2, 4] }}" },
        ),
      ]),
      { workflows: host },
    );
    assert.equal(run.status, "failed");
    const info = run.error?.failures.call;
    assert.equal(info?.message, "Task execution failed with unexpected error: One or more child workflows failed");
    assert.equal(info?.type, "RuntimeError");
    assert.equal(host.started.length, 2);
  });

  test("preparation errors are ordinary action failures with Tracecat's messages", async () => {
    const host = h.host([failing]);
    const messageOf = async (call: Action, extra: Action = {}) => {
      const run = await h.run(wf([execute("call", call, extra)]), { workflows: host });
      assert.equal(run.status, "failed");
      return run.error?.failures.call?.message ?? "";
    };
    assert.match(
      await messageOf({ wait_strategy: "wait" }),
      /^Invalid subflow arguments: .*Either workflow_id or workflow_alias must be provided/,
    );
    assert.match(
      await messageOf({ workflow_alias: "sometimes", loop_strategy: "random" }),
      /^Invalid subflow arguments: loop_strategy/,
    );
    assert.match(await messageOf({ workflow_alias: "${{ FN.nope() }}" }), /^Error evaluating subflow arguments: /);
    assert.match(
      await messageOf({ workflow_alias: "sometimes" }, { for_each: "${{ for var.x in FN.range(0, 4097) }}" }),
      /^Loop exceeds max iterations: 4097 > 4096$/,
    );
    assert.match(
      await messageOf({ workflow_alias: "sometimes", version: 7 }),
      /^Workflow alias 'sometimes' not found, version 7$/,
    );
    const noHost = await h.run(wf([execute("call", { workflow_alias: "sometimes" })]));
    assert.equal(noHost.error?.failures.call?.code, "workflows_unavailable");
    assert.match(noHost.error?.failures.call?.message ?? "", /coffer workflow deploy/);
  });

  test("version picks a deployed version; without it the newest runs", async () => {
    const id = "wf_versioned1";
    const v1 = deployed("versioned", [reshape("noop", null)], { returns: "one" }, 1, id);
    const v2 = deployed("versioned", [reshape("noop", null)], { returns: "two" }, 2, id);
    const host = h.host([v1, v2]);
    const run = await h.run(
      wf([
        execute("newest", { workflow_id: id, wait_strategy: "wait" }),
        execute("first", { workflow_alias: "versioned", version: 1, wait_strategy: "wait" }),
      ]),
      { workflows: host },
    );
    ok(run);
    assert.deepEqual(results(run), { newest: "two", first: "one" });
  });

  test("a workflow that calls itself stops at the depth limit with a clear error", async () => {
    const self = deployed("recurse", [execute("again", { workflow_alias: "recurse", wait_strategy: "wait" })]);
    const host = h.host([self]);
    const run = await h.run(wf([execute("call", { workflow_alias: "recurse", wait_strategy: "wait" })]), {
      workflows: host,
    });
    assert.equal(run.status, "failed");
    assert.equal(run.error?.code, "subflow_depth_exceeded");
    assert.equal(host.started.length, MAX_SUBFLOW_DEPTH);
    assert.deepEqual(
      host.started.map((s) => s.request.depth),
      Array.from({ length: MAX_SUBFLOW_DEPTH }, (_, i) => i + 1),
    );
    const deepest = await host.started[MAX_SUBFLOW_DEPTH - 1]?.done;
    assert.match(
      deepest?.error?.failures.again?.message ?? "",
      new RegExp(
        `^Subflow depth limit reached: starting 'recurse' \\(wf_\\w+\\) would nest runs ${MAX_SUBFLOW_DEPTH + 1} deep, past the limit of ${MAX_SUBFLOW_DEPTH}\\.`,
      ),
    );
  });

  test("a detached child outlives its parent", async () => {
    const child = deployed("long", [{ ref: "wait", action: "test.slow", args: { ms: 300, value: "late" } }], {
      returns: "${{ ACTIONS.wait.result }}",
    });
    const host = h.host([child]);
    const run = await h.run(wf([execute("call", { workflow_alias: "long" })]), { workflows: host });
    ok(run);
    const started = host.started[0];
    assert.equal(results(run).call, started?.id);
    let childDone = false;
    started?.done.then(() => {
      childDone = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(childDone, false, "the parent ended before its detached child");
    const end = await started?.done;
    assert.equal(end?.status, "succeeded");
    assert.equal(end?.returns, "late");
  });

  test("mask_output on the subflow action masks every leaf of the child's result", async () => {
    const child = returning("plain", { a: 1, b: ["x"] });
    const run = await h.run(
      wf([execute("call", { workflow_alias: "plain", wait_strategy: "wait" }, { mask_output: true })]),
      {
        workflows: h.host([child]),
      },
    );
    assert.deepEqual(results(run).call, { a: "***", b: ["***"] });
  });
});

describe("secrets and subflows", () => {
  test("a canary secret in a child's trigger and result is masked as in the parent; SECRETS in the args are refused", async () => {
    const child = deployed(
      "echoer",
      [
        { ref: "echo", action: "test.secret_echo", args: { prefix: "child:" } },
        reshape("seen", "${{ TRIGGER.from_parent }}"),
      ],
      { returns: { echoed: "${{ ACTIONS.echo.result }}", trigger: "${{ TRIGGER }}" } },
    );
    const host = h.host([child]);
    const run = await h.run(
      wf([
        { ref: "parent_echo", action: "test.secret_echo", args: { prefix: "parent:" } },
        execute(
          "call",
          {
            workflow_alias: "echoer",
            wait_strategy: "wait",
            trigger_inputs: { from_parent: "${{ ACTIONS.parent_echo.result }}" },
          },
          { depends_on: ["parent_echo"] },
        ),
        execute(
          "loop",
          { workflow_alias: "echoer", trigger_inputs: { from_parent: "${{ var.x }}" } },
          { depends_on: ["parent_echo"], for_each: "${{ for var.x in [ACTIONS.parent_echo.result] }}" },
        ),
      ]),
      { workflows: host },
    );
    ok(run);
    assert.deepEqual(results(run).call, { echoed: "child:***", trigger: { from_parent: "parent:***" } });
    assert.deepEqual(results(run).loop, [{ echoed: "child:***", trigger: { from_parent: "parent:***" } }]);
    const children = await Promise.all(host.started.map((s) => s.done));
    const everything = JSON.stringify([run, children, host.started.map((s) => s.request.trigger)]);
    assert.equal(everything.includes(CANARY), false);
    assert.equal(everything.includes(Buffer.from(CANARY).toString("base64")), false);

    const refused = await h.run(
      wf([
        execute("call", {
          workflow_alias: "echoer",
          wait_strategy: "wait",
          trigger_inputs: "${{ SECRETS.api.TOKEN }}",
        }),
      ]),
      { workflows: host },
    );
    assert.equal(refused.status, "failed");
    assert.equal(refused.error?.failures.call?.code, "workflow_invalid");
    assert.match(
      refused.error?.failures.call?.message ?? "",
      /SECRETS cannot be used in the args of core\.workflow\.execute/,
    );
    assert.equal(JSON.stringify(refused).includes(CANARY), false);
  });
});
