// Scatter/gather (Tracecat §7.5) and scope validation (§7.7), through the engine and the executor.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { isCofferError } from "@coffer/core";
import { stringify } from "yaml";
import { loadWorkflow } from "./document.js";
import { type Harness, openHarness, results } from "./harness.test-support.js";

let h: Harness;
before(async () => {
  h = await openHarness();
});
after(() => h.close());

type Action = Record<string, unknown>;
const reshape = (ref: string, value: unknown, extra: Action = {}): Action => ({
  ref,
  action: "core.transform.reshape",
  args: { value },
  ...extra,
});
const scatter = (ref: string, collection: unknown, extra: Action = {}): Action => ({
  ref,
  action: "core.transform.scatter",
  args: { collection },
  ...extra,
});
const gather = (ref: string, items: string, deps: string[], args: Action = {}, extra: Action = {}): Action => ({
  ref,
  action: "core.transform.gather",
  args: { items, ...args },
  depends_on: deps,
  ...extra,
});
const doc = (actions: Action[]) => ({ title: "t", description: "d", entrypoint: {}, actions });
const run = (actions: Action[]) => h.run(stringify(doc(actions)));

describe("scatter/gather (Tracecat §7.5)", () => {
  test("54/55: scatter → reshape → gather → downstream", async () => {
    const r54 = await run([
      scatter("scatter", "${{ [1, 2, 3] }}"),
      reshape("reshape", "${{ FN.add(ACTIONS.scatter.result, 1) }}", { depends_on: ["scatter"] }),
      gather("gather", "${{ ACTIONS.reshape.result }}", ["reshape"]),
    ]);
    assert.equal(r54.status, "succeeded", r54.error?.message);
    assert.deepEqual(results(r54), { gather: [2, 3, 4] });
    assert.equal(r54.context.gather?.result_typename, "list");
    const r55 = await run([
      reshape("a", [1, 2, 3]),
      scatter("scatter", "${{ ACTIONS.a.result }}", { depends_on: ["a"] }),
      reshape("b", "${{ ACTIONS.scatter.result + 1 }}", { depends_on: ["scatter"] }),
      gather("gather", "${{ ACTIONS.b.result }}", ["b"]),
      reshape("c", "${{ ACTIONS.gather.result }}", { depends_on: ["gather"] }),
    ]);
    assert.deepEqual(results(r55), { a: [1, 2, 3], gather: [2, 3, 4], c: [2, 3, 4] });
  });

  test("56: nested scatters", async () => {
    const r = await run([
      scatter("scatter", "${{ [[1, 2], [3, 4]] }}"),
      scatter("scatter2", "${{ ACTIONS.scatter.result }}", { depends_on: ["scatter"] }),
      reshape("reshape", "${{ ACTIONS.scatter2.result + 1 }}", { depends_on: ["scatter2"] }),
      reshape("reshape2", "${{ ACTIONS.scatter2.result + 2 }}", { depends_on: ["scatter2"] }),
      gather("gather", "${{ ACTIONS.reshape.result }}", ["reshape", "reshape2"]),
      gather("gather2", "${{ ACTIONS.gather.result }}", ["gather"]),
    ]);
    assert.equal(r.status, "succeeded", r.error?.message);
    assert.deepEqual(results(r), {
      gather2: [
        [2, 3],
        [4, 5],
      ],
    });
  });

  test("60/61/65: skipped streams vanish; drop_nulls; mixed items kept", async () => {
    const r60 = await run([
      scatter("s", [1, 2, 3, 4, 5, 6]),
      reshape("x", "${{ ACTIONS.s.result * 10 }}", { depends_on: ["s"], run_if: "${{ ACTIONS.s.result % 2 == 0 }}" }),
      gather("gather", "${{ ACTIONS.x.result }}", ["x"]),
    ]);
    assert.deepEqual(results(r60), { gather: [20, 40, 60] });
    const r61 = await run([
      scatter("s", [1, null, null, 2, 3, null, 4, 5, 6, null]),
      reshape("x", "${{ ACTIONS.s.result }}", { depends_on: ["s"] }),
      gather("gather", "${{ ACTIONS.x.result }}", ["x"], { drop_nulls: true }),
    ]);
    assert.deepEqual(results(r61), { gather: [1, 2, 3, 4, 5, 6] });
    const mixed = [1, "hello", { key: "value" }, null, [1, 2]];
    const r65 = await run([
      scatter("s", mixed),
      reshape("x", "${{ ACTIONS.s.result }}", { depends_on: ["s"] }),
      gather("gather", "${{ ACTIONS.x.result }}", ["x"]),
    ]);
    assert.deepEqual(results(r65), { gather: mixed });
  });

  test("62/63/70/71: a skipped scatter skips past its gather; empty collections gather []", async () => {
    const r62 = await run([
      reshape("a", 42),
      scatter("s", [1, 2], { depends_on: ["a"], run_if: "${{ False }}" }),
      reshape("b", 1, { depends_on: ["s"] }),
      gather("g", "${{ ACTIONS.b.result }}", ["b"]),
      reshape("c", 1, { depends_on: ["g"] }),
    ]);
    assert.deepEqual(results(r62), { a: 42 });
    const r63 = await run([
      scatter("s", [1, 2, 3]),
      reshape("a", 1, { depends_on: ["s"], run_if: "${{ False }}" }),
      gather("gather", "${{ ACTIONS.a.result }}", ["a"]),
    ]);
    assert.deepEqual(results(r63), { gather: [] });
    for (const empty of [[], "${{ None }}"]) {
      const r70 = await run([scatter("s", empty), gather("gather", "${{ ACTIONS.s.result }}", ["s"])]);
      assert.deepEqual(results(r70), { gather: [] });
    }
    const r71 = await run([
      scatter("s", []),
      reshape("reshape", 1, { depends_on: ["s"] }),
      gather("gather", "${{ ACTIONS.reshape.result }}", ["reshape"]),
      reshape("reshape2", "${{ ACTIONS.gather.result }}", { depends_on: ["gather"] }),
    ]);
    assert.deepEqual(results(r71), { gather: [], reshape2: [] });
  });

  test("75/76: failures inside streams: partition, drop, include", async () => {
    const flow = (strategy?: string) => [
      scatter("scatter1", [1, 2]),
      reshape("throw", "${{ 1/0 }}", { depends_on: ["scatter1"] }),
      gather("gather1", "${{ ACTIONS.throw.result }}", ["throw"], strategy ? { error_strategy: strategy } : {}),
    ];
    const partition = await run(flow());
    assert.equal(partition.status, "succeeded", partition.error?.message);
    const g = partition.context.gather1;
    assert.deepEqual(g?.result, []);
    assert.equal(g?.error_typename, "list");
    const errors = g?.error as unknown as { ref: string; type: string; stream_id: string }[];
    assert.deepEqual(
      errors.map((e) => [e.ref, e.type, e.stream_id]),
      [
        ["throw", "ExecutionError", "<root>:0/scatter1:0"],
        ["throw", "ExecutionError", "<root>:0/scatter1:1"],
      ],
    );
    const drop = await run(flow("drop"));
    assert.deepEqual(drop.context.gather1?.result, []);
    assert.equal(drop.context.gather1?.error, null);
    const include = await run(flow("include"));
    assert.equal((include.context.gather1?.result as unknown[] | undefined)?.length, 2);
  });

  test("77/78: actions inside a stream read root results", async () => {
    const r = await run([
      reshape("a", 42),
      scatter("s", [1, 2, 3], { depends_on: ["a"] }),
      reshape("b", "${{ ACTIONS.a.result + ACTIONS.s.result }}", { depends_on: ["s"] }),
      gather("gather1", "${{ ACTIONS.b.result }}", ["b"]),
    ]);
    assert.deepEqual(results(r), { a: 42, gather1: [43, 44, 45] });
  });

  test("38: args inside a stream see the root TRIGGER and ENV", async () => {
    const r = await h.run(
      stringify(
        doc([
          scatter("s", [1, 2]),
          reshape(
            "x",
            { exec_id: "${{ ENV.workflow.execution_id }}", trigger: "${{ TRIGGER }}" },
            { depends_on: ["s"] },
          ),
          gather("g", "${{ ACTIONS.x.result }}", ["x"]),
        ]),
      ),
      { trigger: { k: "v" } },
    );
    assert.deepEqual(results(r).g, [
      { exec_id: r.id, trigger: { k: "v" } },
      { exec_id: r.id, trigger: { k: "v" } },
    ]);
  });

  test("79: gather raise fails the run, naming the gather and its children", async () => {
    const r = await run([
      scatter("scatter1", [1, 2]),
      reshape("throw", "${{ 1/0 }}", { depends_on: ["scatter1"], run_if: "${{ ACTIONS.scatter1.result % 2 == 1 }}" }),
      gather("gather1", "${{ ACTIONS.throw.result }}", ["throw"], { error_strategy: "raise" }),
    ]);
    assert.equal(r.status, "failed");
    assert.match(r.error?.message ?? "", /Gather 'gather1' encountered 1 error\(s\)/);
    const info = r.error?.failures.gather1;
    assert.equal(info?.stream_id, "<root>:0");
    assert.equal(info?.children?.length, 1);
    assert.equal(info?.children?.[0]?.ref, "throw");
  });

  test("80: interval spaces the streams' first actions", async () => {
    const t0 = Date.now();
    const r = await run([
      scatter("s", [1, 2, 3], { args: { collection: [1, 2, 3], interval: 0.1 } }),
      reshape("x", "${{ ACTIONS.s.result }}", { depends_on: ["s"] }),
      gather("g", "${{ ACTIONS.x.result }}", ["x"]),
    ]);
    assert.deepEqual(results(r), { g: [1, 2, 3] });
    assert.ok(Date.now() - t0 >= 190);
  });

  test("57/72/74: sequential blocks, an empty inner scatter, an any-join inside streams", async () => {
    const r57 = await run([
      scatter("s1", [10, 20]),
      reshape("p1", "${{ ACTIONS.s1.result + 1 }}", { depends_on: ["s1"] }),
      gather("gather1", "${{ ACTIONS.p1.result }}", ["p1"]),
      scatter("s2", "${{ ACTIONS.gather1.result }}", { depends_on: ["gather1"] }),
      reshape("p2", "${{ ACTIONS.s2.result + 100 }}", { depends_on: ["s2"] }),
      gather("gather2", "${{ ACTIONS.p2.result }}", ["p2"]),
    ]);
    assert.deepEqual(results(r57), { gather1: [11, 21], gather2: [111, 121] });
    const r72 = await run([
      scatter("scatter1", [1, 2, 3]),
      scatter("scatter2", [], { depends_on: ["scatter1"] }),
      reshape("reshape", 1, { depends_on: ["scatter2"] }),
      gather("gather2", "${{ ACTIONS.reshape.result }}", ["reshape"]),
      gather("gather1", "${{ ACTIONS.scatter1.result }}", ["gather2"]),
      reshape("reshape2", "${{ ACTIONS.gather1.result }}", { depends_on: ["gather1"] }),
    ]);
    assert.equal(r72.status, "succeeded", r72.error?.message);
    assert.deepEqual(results(r72), { gather1: [1, 2, 3], reshape2: [1, 2, 3] });
    const r74 = await run([
      scatter("s", [1, 2, 3, 4]),
      reshape("is_one", 1, { depends_on: ["s"], run_if: "${{ ACTIONS.s.result == 1 }}" }),
      reshape("is_two", 2, { depends_on: ["s"], run_if: "${{ ACTIONS.s.result == 2 }}" }),
      reshape("join", "${{ ACTIONS.is_one.result || ACTIONS.is_two.result }}", {
        depends_on: ["is_one", "is_two"],
        join_strategy: "any",
      }),
      gather("gather1", "${{ ACTIONS.join.result }}", ["join"]),
    ]);
    assert.deepEqual(results(r74), { gather1: [1, 2] });
  });

  test("Q5/Q6 as documented: gather.error runs after a good gather; a join after a skipped scatter never runs", async () => {
    const q5 = await run([
      scatter("s", [1]),
      reshape("x", 1, { depends_on: ["s"] }),
      gather("g", "${{ ACTIONS.x.result }}", ["x"]),
      reshape("on_error", "ran", { depends_on: ["g.error"] }),
    ]);
    assert.equal(results(q5).on_error, "ran");
    const q6 = await run([
      reshape("root", 1),
      scatter("s", [1], { depends_on: ["root"], run_if: "${{ False }}" }),
      reshape("x", 1, { depends_on: ["s"] }),
      gather("g", "${{ ACTIONS.x.result }}", ["x"]),
      reshape("join", "J", { depends_on: ["g", "root"] }),
    ]);
    assert.equal(q6.status, "succeeded");
    assert.equal(q6.actions.join, undefined, "the join never became ready");
  });

  test("a scatter collection that is a string is refused", async () => {
    const r = await run([scatter("s", "abc"), gather("g", "${{ ACTIONS.s.result }}", ["s"])]);
    assert.equal(r.status, "failed");
    assert.match(r.error?.message ?? "", /Scatter collection is not iterable: str/);
  });
});

describe("scope validation (Tracecat §7.7)", () => {
  const refused = (actions: Action[], message: string | RegExp) =>
    assert.throws(
      () => loadWorkflow(doc(actions)),
      (e: unknown) => {
        assert.ok(isCofferError(e));
        if (typeof message === "string") assert.equal(e.message, message);
        else assert.match(e.message, message);
        return true;
      },
    );
  test("91/93/95: valid shapes", () => {
    loadWorkflow(
      doc([
        reshape("prepare", [1]),
        scatter("scatter", "${{ ACTIONS.prepare.result }}", { depends_on: ["prepare"] }),
        reshape("process", "${{ ACTIONS.prepare.result }}", { depends_on: ["scatter"] }),
        gather("gather", "${{ ACTIONS.process.result }}", ["process"]),
        reshape("report", "${{ ACTIONS.gather.result }}", { depends_on: ["gather"] }),
      ]),
    );
    loadWorkflow(doc([scatter("s", [1]), reshape("x", 1, { depends_on: ["s"] })]));
  });
  test("92: a root action cannot read an in-scatter action", () => {
    refused(
      [
        scatter("scatter", [1]),
        reshape("process_item", 1, { depends_on: ["scatter"] }),
        gather("gather", "${{ ACTIONS.process_item.result }}", ["process_item"]),
        reshape("invalid_action_ref", "${{ ACTIONS.process_item.result }}", { depends_on: ["gather"] }),
      ],
      "Action 'invalid_action_ref' has an expression in field 'inputs' that references 'process_item' which cannot be referenced from this scope",
    );
  });
  test("94/96/97: edges across scopes, a gather without scatter", () => {
    refused(
      [
        scatter("scatter_items1", [1]),
        scatter("scatter_items2", [1]),
        reshape("process_item2", 1, { depends_on: ["scatter_items1", "scatter_items2"] }),
      ],
      /Action 'process_item2' has an edge from 'scatter_items\d', which is in a different scatter-gather scope/,
    );
    refused(
      [reshape("a", 1), gather("g", "${{ ACTIONS.a.result }}", ["a"])],
      "There are more gather actions than scatter actions.",
    );
    refused(
      [
        scatter("s", [1]),
        reshape("b", 1, { depends_on: ["s"] }),
        gather("g", "${{ ACTIONS.b.result }}", ["b"]),
        reshape("c", 1, { depends_on: ["b", "g"] }),
      ],
      /Action 'c' has an edge from 'b', which is in a different scatter-gather scope/,
    );
  });
});
