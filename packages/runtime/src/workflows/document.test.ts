import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isCofferError } from "@coffer/core";
import { loadWorkflow, parseWorkflowText } from "./document.js";

const base = { title: "t", description: "d", entrypoint: {} };
function refused(doc: unknown, message: string | RegExp) {
  assert.throws(
    () => loadWorkflow(doc),
    (error: unknown) => {
      assert.ok(isCofferError(error) && error.code === "workflow_invalid", String(error));
      if (typeof message === "string") assert.equal(error.message, message);
      else assert.match(error.message, message);
      return true;
    },
  );
}
const r = (ref: string, extra: Record<string, unknown> = {}) => ({
  ref,
  action: "core.transform.reshape",
  args: { value: 1 },
  ...extra,
});

describe("workflow document", () => {
  test("a YAML file with legacy keys loads and gets defaults", () => {
    const doc = parseWorkflowText(`
title: Legacy
description: Old file
entrypoint:
  ref: start
config:
  scheduler: dynamic
triggers:
  - type: webhook
    ref: my_webhook
    id: wh-1
    entrypoint: a
    args: { url: http://x, method: POST }
tests: []
inputs: { x: 1 }
actions:
  - ref: a
    action: core.transform.reshape
    version: "0.1.0"
    args: { value: 1 }
`);
    assert.equal(doc.config.environment, "default");
    assert.equal(doc.config.timeout, 0);
    assert.equal(doc.triggers[0]?.ref, "my_webhook");
    const a = doc.actions[0];
    assert.deepEqual(a?.retryPolicy, { maxAttempts: 1, timeoutSeconds: 300, retryUntil: null });
    assert.equal(a?.joinStrategy, "all");
    assert.equal(a?.maskOutput, false);
  });

  test("Tracecat's structural checks, with its messages", () => {
    refused({ ...base, actions: [] }, "At least one action must be defined.");
    refused(
      { ...base, actions: [r("a"), r("a"), r("b"), r("b")] },
      "All action references (the action title in snake case) must be unique. Duplicate refs: 'a', 'b'",
    );
    refused(
      { ...base, actions: [r("a", { depends_on: ["b"] }), r("b", { depends_on: ["a"] })] },
      "No entrypoints found",
    );
    refused(
      { ...base, actions: [r("a"), r("x", { depends_on: ["a.foo"] })] },
      "Invalid depends_on ref: 'a.foo' in action 'x'",
    );
    refused(
      { ...base, actions: [r("a"), r("b", { depends_on: ["zz"] })] },
      "Invalid depends_on refs in actions: {'zz'}. Valid actions: {'a', 'b'}",
    );
    refused(
      { ...base, actions: [r("x", { args: { value: "${{ ACTIONS.zz.result }}" } })] },
      "Action 'x' has an expression in field 'inputs' that references unknown action 'zz'",
    );
    refused(
      { ...base, actions: [r("x", { run_if: "${{ ACTIONS.zz.result }}" })] },
      "Action 'x' has an expression in field 'run_if' that references unknown action 'zz'",
    );
    refused(
      { ...base, actions: [r("x", { for_each: "${{ for var.a in [1] }}", interaction: { type: "response" } })] },
      "Interaction is not allowed when for_each is provided.",
    );
  });

  test("field problems name the action and the field", () => {
    refused({ ...base, actions: [r("Bad-Ref")] }, /`ref` must be a string matching/);
    refused(
      { ...base, actions: [r("a", { join_strategy: "some" })] },
      "Action 'a': `join_strategy` must be `all` or `any`.",
    );
    refused(
      { ...base, actions: [r("a", { retry_policy: { retry_until: "x > 1" } })] },
      /Action 'a': `retry_policy.retry_until`/,
    );
    refused(
      { ...base, actions: [r("a", { args: { value: "${{ 1 + }}" } })] },
      /Action 'a' has an invalid expression in field 'inputs'/,
    );
    refused(
      { ...base, actions: [r("a"), r("b", { depends_on: ["a", "a"] })] },
      /Action 'b': `depends_on` lists 'a' twice/,
    );
    refused({ ...base, config: { scheduler: "eager" }, actions: [r("a")] }, /config.scheduler/);
    refused({ title: "t", description: "d", entrypoint: null, actions: [r("a")] }, /`entrypoint` is required/);
    refused({ description: "d", entrypoint: {}, actions: [r("a")] }, /`title` is required/);
  });

  test("a file that is not YAML names the problem", () => {
    assert.throws(() => parseWorkflowText("title: [unclosed"), /not valid YAML/);
  });
});
