// `workflow check` on engine-handled actions: scatter/gather/loops and core.workflow.execute.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { stringify } from "yaml";
import { checkWorkflow } from "./check.js";
import { type Harness, openHarness } from "./harness.test-support.js";

let h: Harness;
before(async () => {
  h = await openHarness();
});
after(() => h.close());

const check = (actions: Record<string, unknown>[]) =>
  checkWorkflow(stringify({ title: "t", description: "d", entrypoint: {}, actions }), {
    registry: h.registry,
    listSecrets: async () => [],
  });

test("scatter, gather, loops and subflows are known actions", async () => {
  const r = await check([
    { ref: "s", action: "core.transform.scatter", args: { collection: [1, 2] } },
    { ref: "g", action: "core.transform.gather", depends_on: ["s"], args: { items: "${{ ACTIONS.s.result }}" } },
    { ref: "l", action: "core.loop.start", depends_on: ["g"] },
    { ref: "e", action: "core.loop.end", depends_on: ["l"], args: { condition: "${{ False }}" } },
    {
      ref: "c",
      action: "core.workflow.execute",
      depends_on: ["e"],
      args: { workflow_alias: "child", wait_strategy: "wait" },
    },
  ]);
  assert.deepEqual(r.problems, []);
});

test("subflow args: schema problems, and SECRETS/VARS refused", async () => {
  const r = await check([
    { ref: "bad", action: "core.workflow.execute", args: { workflow_alias: "child", wait_strategy: "later" } },
    { ref: "none", action: "core.workflow.execute", args: { trigger_inputs: 1 } },
    {
      ref: "leak",
      action: "core.workflow.execute",
      args: {
        workflow_alias: "child",
        trigger_inputs: { token: "${{ SECRETS.api.TOKEN }}", v: "${{ VARS.cfg.url }}" },
      },
    },
  ]);
  const messages = r.problems.map((p) => p.message);
  assert.ok(
    messages.some((m) => /Action 'bad': invalid args for core\.workflow\.execute: wait_strategy/.test(m)),
    messages.join("\n"),
  );
  assert.ok(
    messages.some((m) => /Action 'none': .*Either workflow_id or workflow_alias must be provided/.test(m)),
    messages.join("\n"),
  );
  assert.ok(
    messages.includes(
      "Action 'leak': SECRETS and VARS cannot be used in the args of core.workflow.execute (the child's trigger is stored as given); let the child workflow read its own secrets and variables.",
    ),
    messages.join("\n"),
  );
  // The refused secret is not reported as missing: the subflow never resolves it.
  assert.ok(!messages.some((m) => /needs secret 'api'/.test(m)));
});
