// The transforms of Tracecat §7.9, each run as a workflow through the engine and the executor.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { stringify } from "yaml";
import { type Harness, openHarness } from "../../../workflows/harness.test-support.js";

let h: Harness;
before(async () => {
  h = await openHarness();
});
after(() => h.close());

async function call(action: string, args: Record<string, unknown>): Promise<unknown> {
  const run = await h.run(
    stringify({
      title: "t",
      description: "d",
      entrypoint: {},
      actions: [{ ref: "x", action, args }],
      returns: "${{ ACTIONS.x.result }}",
    }),
  );
  if (run.status !== "succeeded") throw new Error(run.error?.message);
  return run.returns;
}
async function fails(action: string, args: Record<string, unknown>, message: RegExp) {
  await assert.rejects(call(action, args), message);
}

describe("core.transform.* (Tracecat §7.9)", () => {
  test("114: filter", async () => {
    assert.deepEqual(
      await call("core.transform.filter", { items: [1, 2, 3, 4, 5], python_lambda: "lambda x: x % 2 == 0" }),
      [2, 4],
    );
    assert.deepEqual(
      await call("core.transform.filter", { items: ["a", "bb", "ccc"], python_lambda: "lambda x: len(x) > 1" }),
      ["bb", "ccc"],
    );
    assert.deepEqual(await call("core.transform.filter", { items: [1], python_lambda: "lambda x: x > 5" }), []);
    assert.deepEqual(
      await call("core.transform.filter", {
        items: [{ u: { age: 30 } }, { u: { age: 50 } }],
        python_lambda: "lambda x: x['u']['age'] > 40",
      }),
      [{ u: { age: 50 } }],
    );
  });

  test("115/116: apply and map, items from an earlier action", async () => {
    assert.equal(await call("core.transform.apply", { value: 1, python_lambda: "lambda x: x + 1" }), 2);
    assert.deepEqual(
      await call("core.transform.map", {
        items: [
          { n: "a", v: 1 },
          { n: "b", v: 2 },
        ],
        python_lambda: "lambda x: {'name': f\"{x['n']}!\", 'big': x['v'] > 1}",
      }),
      [
        { name: "a!", big: false },
        { name: "b!", big: true },
      ],
    );
  });

  test("117: drop_nulls", async () => {
    assert.deepEqual(await call("core.transform.drop_nulls", { items: [1, null, 2, "", 3] }), [1, 2, "", 3]);
    assert.deepEqual(await call("core.transform.drop_nulls", { items: [null, "", null] }), [""]);
  });

  test("118: is_in and not_in", async () => {
    assert.deepEqual(await call("core.transform.is_in", { items: [1, 2, 3], collection: [2, 3, 4] }), [2, 3]);
    assert.deepEqual(await call("core.transform.is_in", { items: ["a", "b", "b"], collection: ["b", "c"] }), [
      "b",
      "b",
    ]);
    assert.deepEqual(
      await call("core.transform.is_in", {
        items: [{ id: 1 }, { id: 2 }],
        collection: [2],
        python_lambda: "lambda x: x['id']",
      }),
      [{ id: 2 }],
    );
    assert.deepEqual(await call("core.transform.not_in", { items: [1, 2, 3], collection: [2, 3, 4] }), [1]);
    assert.deepEqual(await call("core.transform.not_in", { items: [1, 2], collection: [] }), [1, 2]);
  });

  test("119: deduplicate merges by key, persists, and refuses missing keys", async () => {
    const items = [
      { id: 1, name: "Alice" },
      { id: 2, name: "Bob" },
      { id: 1, name: "Alice2" },
    ];
    assert.deepEqual(await call("core.transform.deduplicate", { items, keys: ["id"], persist: false }), [
      { id: 1, name: "Alice2" },
      { id: 2, name: "Bob" },
    ]);
    assert.deepEqual(
      await call("core.transform.deduplicate", { items: { user: { id: 9 } }, keys: ["user.id"], persist: false }),
      [{ user: { id: 9 } }],
    );
    const once = [{ k: "dedupe-test-1" }, { k: "dedupe-test-2" }];
    assert.equal(((await call("core.transform.deduplicate", { items: once, keys: ["k"] })) as unknown[]).length, 2);
    assert.deepEqual(await call("core.transform.deduplicate", { items: once, keys: ["k"] }), []);
    assert.deepEqual(
      await call("core.transform.deduplicate", { items: [...once, { k: "dedupe-test-3" }], keys: ["k"] }),
      [{ k: "dedupe-test-3" }],
    );
    assert.equal(await call("core.transform.is_duplicate", { item: { k: "dup-x" }, keys: ["k"] }), false);
    assert.equal(await call("core.transform.is_duplicate", { item: { k: "dup-x" }, keys: ["k"] }), true);
    await fails("core.transform.deduplicate", { items: [{ a: 1 }], keys: ["b"], persist: false }, /Key 'b' is missing/);
  });

  test("120: flatten_json", async () => {
    assert.deepEqual(await call("core.transform.flatten_json", { json: { a: { b: 1 } } }), { "a.b": 1 });
    assert.deepEqual(await call("core.transform.flatten_json", { json: { users: [{ id: 1 }], items: [5, 6] } }), {
      "users[0].id": 1,
      "items[0]": 5,
      "items[1]": 6,
    });
    assert.deepEqual(await call("core.transform.flatten_json", { json: { a: {}, b: [] } }), {});
    assert.deepEqual(await call("core.transform.flatten_json", { json: '{"x": {"y": true}}' }), { "x.y": true });
    for (const bad of ["123", '"string"', "true", "null"])
      await fails("core.transform.flatten_json", { json: bad }, /json must be a JSON object/);
  });

  test("121: eval_jsonpaths", async () => {
    const json = { items: [{ id: 1 }, { id: 2 }], a: { b: "x" } };
    assert.deepEqual(
      await call("core.transform.eval_jsonpaths", { json, jsonpaths: ["$.items[*].id", "$.a.b", "$.nope"] }),
      {
        "$.items[*].id": [1, 2],
        "$.a.b": "x",
        "$.nope": null,
      },
    );
    await fails("core.transform.eval_jsonpaths", { json: "{not json", jsonpaths: ["$.a"] }, /not valid JSON/);
    await fails("core.transform.eval_jsonpaths", { json: [1], jsonpaths: ["$.a"] }, /json must be a JSON object/);
    await fails("core.transform.eval_jsonpaths", { json, jsonpaths: ["$.a[[["] }, /Invalid JSONPath/);
  });

  test("core.require", async () => {
    assert.equal(await call("core.require", { conditions: [true, "${{ 1 == 1 }}"] }), true);
    assert.equal(await call("core.require", { conditions: [true, false], require_all: false }), true);
    assert.equal(await call("core.require", { conditions: false, raise_error: false }), false);
    await fails(
      "core.require",
      { conditions: [true, false] },
      /All condition must evaluate to true\. Got values: \[True, False\]/,
    );
    await fails("core.require", { conditions: [1] }, /All conditions must evaluate to a boolean\. Got types: int/);
  });
});
