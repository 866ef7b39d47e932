// Do-while loops (Tracecat §7.6) and their scope rules (§7.7), through the engine and the executor.
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
const start = (ref: string, extra: Action = {}): Action => ({ ref, action: "core.loop.start", ...extra });
const end = (ref: string, condition: string, deps: string[], extra: Action = {}, args: Action = {}): Action => ({
  ref,
  action: "core.loop.end",
  args: { condition, ...args },
  depends_on: deps,
  ...extra,
});
const doc = (actions: Action[]) => ({ title: "t", description: "d", entrypoint: {}, actions });
const run = (actions: Action[]) => h.run(stringify(doc(actions)));

describe("do-while loops (Tracecat §7.6)", () => {
  test("81/82: the body runs until the condition is false", async () => {
    const flow = (condition: string) => [
      start("loop_start"),
      reshape("body", "${{ ACTIONS.loop_start.result.iteration }}", { depends_on: ["loop_start"] }),
      end("loop_end", condition, ["body"], {}, { max_iterations: 10 }),
      reshape("after", "${{ ACTIONS.loop_end.result.continue }}", { depends_on: ["loop_end"] }),
    ];
    const once = await run(flow("${{ False }}"));
    assert.equal(once.status, "succeeded", once.error?.message);
    assert.deepEqual(results(once), {
      loop_start: { iteration: 0 },
      body: 0,
      loop_end: { continue: false },
      after: false,
    });
    const thrice = await run(flow("${{ ACTIONS.loop_start.result.iteration < 2 }}"));
    assert.deepEqual(results(thrice), {
      loop_start: { iteration: 2 },
      body: 2,
      loop_end: { continue: false },
      after: false,
    });
  });

  test("83/84: max_iterations stops a loop that never ends; above the cap is refused", async () => {
    const flow = (max: number) => [
      start("s"),
      reshape("body", 1, { depends_on: ["s"] }),
      end("e", "${{ True }}", ["body"], {}, { max_iterations: max }),
    ];
    const r = await run(flow(3));
    assert.equal(r.status, "failed");
    assert.match(r.error?.message ?? "", /exceeded max_iterations=3/);
    const capped = await run(flow(4096));
    assert.match(capped.error?.message ?? "", /exceeds platform cap: 4096 > 2048/);
  });

  test("85: nested loops", async () => {
    const r = await run([
      start("outer_start"),
      start("inner_start", { depends_on: ["outer_start"] }),
      reshape("inner_body", "${{ ACTIONS.inner_start.result.iteration }}", { depends_on: ["inner_start"] }),
      end("inner_end", "${{ ACTIONS.inner_start.result.iteration < 1 }}", ["inner_body"]),
      reshape("outer_body", "${{ ACTIONS.outer_start.result.iteration }}", { depends_on: ["inner_end"] }),
      end("outer_end", "${{ ACTIONS.outer_start.result.iteration < 1 }}", ["outer_body"]),
      reshape("after", "${{ ACTIONS.outer_body.result }}", { depends_on: ["outer_end"] }),
    ]);
    assert.equal(r.status, "succeeded", r.error?.message);
    assert.deepEqual(results(r), {
      outer_start: { iteration: 1 },
      inner_start: { iteration: 1 },
      inner_body: 1,
      inner_end: { continue: false },
      outer_body: 1,
      outer_end: { continue: false },
      after: 1,
    });
  });

  test("86: a loop inside a scatter runs per stream", async () => {
    const r = await run([
      { ref: "s", action: "core.transform.scatter", args: { collection: [3, 5] } },
      start("loop_start", { depends_on: ["s"] }),
      reshape("body", "${{ ACTIONS.s.result }}", { depends_on: ["loop_start"] }),
      end("loop_end", "${{ ACTIONS.loop_start.result.iteration < 1 }}", ["body"]),
      {
        ref: "g",
        action: "core.transform.gather",
        depends_on: ["loop_end"],
        args: { items: "${{ ACTIONS.loop_end.result.continue }}" },
      },
    ]);
    assert.equal(r.status, "succeeded", r.error?.message);
    assert.deepEqual(results(r), { g: [false, false] });
  });

  test("87/89: a body action skipped in a later iteration keeps its earlier value", async () => {
    const r87 = await run([
      start("loop_start"),
      reshape("body", "${{ ACTIONS.loop_start.result.iteration }}", { depends_on: ["loop_start"] }),
      reshape("maybe_even", "${{ ACTIONS.loop_start.result.iteration }}", {
        depends_on: ["loop_start"],
        run_if: "${{ ACTIONS.loop_start.result.iteration % 2 == 0 }}",
      }),
      end("loop_end", "${{ ACTIONS.loop_start.result.iteration < 1 }}", ["body", "maybe_even"], {
        join_strategy: "any",
      }),
    ]);
    assert.equal(r87.status, "succeeded", r87.error?.message);
    assert.equal(results(r87).maybe_even, 0);
    assert.deepEqual(results(r87).loop_start, { iteration: 1 });
    assert.equal(results(r87).body, 1);
    const r89 = await run([
      start("loop_start"),
      reshape("body", "${{ ACTIONS.loop_start.result.iteration }}", { depends_on: ["loop_start"] }),
      reshape("maybe_even", "${{ ACTIONS.loop_start.result.iteration }}", {
        depends_on: ["loop_start"],
        run_if: "${{ ACTIONS.loop_start.result.iteration == 0 }}",
      }),
      end("loop_end", "${{ ACTIONS.body.result < 2 }}", ["body", "maybe_even"], { join_strategy: "any" }),
      reshape("after", "${{ ACTIONS.loop_end.result.continue }}", { depends_on: ["loop_end"] }),
    ]);
    assert.deepEqual(results(r89), {
      loop_start: { iteration: 2 },
      body: 2,
      maybe_even: 0,
      loop_end: { continue: false },
      after: false,
    });
  });

  test("88: a skip reaching the loop start skips the loop; the end still says continue: false", async () => {
    const r = await run([
      reshape("seed", 1, { run_if: "${{ False }}" }),
      start("loop_start", { depends_on: ["seed"] }),
      reshape("body", 1, { depends_on: ["loop_start"] }),
      end("loop_end", "${{ True }}", ["body"]),
      reshape("after", 1, { depends_on: ["loop_end"] }),
    ]);
    assert.equal(r.status, "succeeded", r.error?.message);
    assert.deepEqual(results(r), { loop_end: { continue: false } });
  });

  test("90: a skip from inside the body ends the loop and continues downstream (Q7)", async () => {
    const r = await run([
      start("loop_start"),
      reshape("a", "${{ ACTIONS.loop_start.result.iteration }}", {
        depends_on: ["loop_start"],
        run_if: "${{ ACTIONS.loop_start.result.iteration == 0 }}",
      }),
      reshape("b", "${{ ACTIONS.a.result }}", { depends_on: ["a"] }),
      end("loop_end", "${{ True }}", ["b"], {}, { max_iterations: 10 }),
      reshape("after", "${{ ACTIONS.loop_end.result.continue }}", { depends_on: ["loop_end"] }),
    ]);
    assert.equal(r.status, "succeeded", r.error?.message);
    assert.deepEqual(results(r), {
      loop_start: { iteration: 1 },
      a: 0,
      b: 0,
      loop_end: { continue: false },
      after: false,
    });
  });
});

describe("loop scope validation (Tracecat §7.7)", () => {
  const refused = (actions: Action[], message: RegExp) =>
    assert.throws(
      () => loadWorkflow(doc(actions)),
      (e: unknown) => {
        assert.ok(isCofferError(e));
        assert.match(e.message, message);
        return true;
      },
    );
  test("98/101: valid loops; a root action after the loop may read the body", () => {
    loadWorkflow(
      doc([
        start("s"),
        reshape("body", 1, { depends_on: ["s"] }),
        end("e", "${{ ACTIONS.body.result < 2 }}", ["body"]),
        reshape("after", "${{ ACTIONS.body.result }}", { depends_on: ["e"] }),
      ]),
    );
  });
  test("99: the condition must read the loop's own scope", () => {
    refused(
      [
        reshape("root", 1),
        start("s", { depends_on: ["root"] }),
        reshape("body", 1, { depends_on: ["s"] }),
        end("e", "${{ ACTIONS.root.result }}", ["body"]),
      ],
      /condition refs must be in loop scope 's'/,
    );
  });
  test("100/103/104: one loop scope per end, balanced loops, edges", () => {
    refused(
      [
        reshape("seed", 1),
        start("s", { depends_on: ["seed"] }),
        reshape("loop_body", 1, { depends_on: ["s"] }),
        end("e", "${{ False }}", ["loop_body", "seed"]),
      ],
      /must depend on actions from exactly one loop scope/,
    );
    refused([start("s"), reshape("b", 1, { depends_on: ["s"] })], /^Loop scopes must be balanced:/);
    refused(
      [
        start("s"),
        reshape("body", 1, { depends_on: ["s"] }),
        end("e", "${{ False }}", ["body"]),
        reshape("after", 1, { depends_on: ["e", "body"] }),
      ],
      /Action 'after' has an edge from 'body', which is in a different scatter-gather scope/,
    );
  });
  test("102: every branch of the body must reach the loop end", () => {
    refused(
      [
        start("s"),
        reshape("body", 1, { depends_on: ["s"] }),
        reshape("stray", 1, { depends_on: ["s"] }),
        end("loop_end", "${{ False }}", ["body"]),
      ],
      /must synchronize at 'loop_end'[\s\S]*\['stray'\]/,
    );
  });
});
