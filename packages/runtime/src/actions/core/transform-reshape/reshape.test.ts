import assert from "node:assert/strict";
import { test } from "node:test";
import { runAction } from "../../test-context.test-support.js";
import { reshapeAction } from "./reshape.js";

test("core.transform.reshape returns its value, whatever its shape", async () => {
  const value = { list: [1, "two", null, { deep: true }], text: "x" };
  assert.deepEqual(await runAction(reshapeAction, { value }), value);
  assert.equal(await runAction(reshapeAction, { value: "plain" }), "plain");
  assert.equal(await runAction(reshapeAction, { value: 0 }), 0);
  assert.equal(await runAction(reshapeAction, { value: null }), null);
});

test("core.transform.reshape requires value and refuses other arguments", () => {
  assert.throws(() => reshapeAction.args.parse({}), /value/);
  assert.throws(() => reshapeAction.args.parse({ value: 1, valu: 2 }), /valu/);
});
