import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { compileLambda } from "./safe-lambda.js";

const run = (text: string, value: unknown) => compileLambda(text)(value);

describe("safe Python lambda", () => {
  test("Tracecat's transform examples (§7.9 115/116)", () => {
    assert.equal(run("lambda x: x + 1", 1), 2);
    assert.equal(run("lambda x: x.upper()", "hello"), "HELLO");
    assert.deepEqual(run("lambda x: {**x, 'name': x['name'].upper()}", { id: 1, name: "ann" }), { id: 1, name: "ANN" });
    assert.equal(run("lambda x: f\"{x['a']}-{x['b']:>3}\"", { a: "A", b: 7 }), "A-  7");
    assert.equal(run("lambda x: 'High' if x > 7 else 'Medium' if x > 3 else 'Low'", 9), "High");
    assert.deepEqual(run("lambda x: x[1:3]", [1, 2, 3, 4]), [2, 3]);
    assert.equal(run("lambda x: x[::-1]", "abc"), "cba");
    assert.deepEqual(run("lambda x: [i * 2 for i in x if i % 2 == 0]", [1, 2, 3, 4]), [4, 8]);
    assert.deepEqual(run("lambda x: {k: v for k, v in x.items() if v}", { a: 1, b: 0 }), { a: 1 });
    assert.equal(run("lambda x: sum(i for i in x)", [1, 2, 3]), 6);
    assert.equal(run("lambda x: x.get('missing', 'dflt')", {}), "dflt");
    assert.equal(run("lambda x: jsonpath('$.a.b', x)", { a: { b: 5 } }), 5);
    assert.equal(run("lambda x: len(x) > 1 and not x.startswith('z')", "bb"), true);
    assert.deepEqual(run("lambda x: sorted(x, reverse=True)", [2, 3, 1]), [3, 2, 1]);
    assert.equal(run("lambda x: x is None", null), true);
    assert.equal(run("lambda x: 'a' not in x", ["b"]), true);
    assert.equal(run("lambda x: 7 // 2 + 2 ** 3 - -x", 1), 12);
  });

  test("refuses what would escape the sandbox, with Tracecat's messages", () => {
    assert.throws(() => run("lambda x: eval('1')", 1), /Calling restricted function 'eval' is not allowed/);
    assert.throws(() => run("lambda x: open", 1), /Accessing restricted symbol 'open' is not allowed/);
    assert.throws(() => run("lambda x: x.__class__", 1), /forbidden pattern: '__'/);
    assert.throws(() => run("lambda x: x._secret", {}), /restricted symbol '_secret'/);
    assert.throws(() => run("lambda x: chr(65)", 1), /forbidden pattern: 'chr\('/);
    assert.throws(() => run("x + 1", 1), /Expression must be a lambda function/);
    assert.throws(() => run("lambda x: (", 1), /Invalid syntax in expression/);
    assert.throws(() => run(`lambda x: ${"1+".repeat(600)}1`, 1), /longer than the limit of 1000/);
    assert.throws(() => run("lambda x: x.upper", "a"), /unsafe type: function/);
    assert.throws(() => run("lambda x: 1 / 0", 1), /division by zero/);
  });
});
