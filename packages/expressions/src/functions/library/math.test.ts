import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { mathFunctions } from "./math.js";
import { assertFails, callerFor } from "./test-support.js";

const fn = callerFor(mathFunctions);

describe("math", () => {
  it("add is Python +", () => {
    assert.equal(fn("add", 2, 3), 5);
    assert.equal(fn("add", 5, 2), 7);
    assert.equal(fn("add", 0.1, 0.2), 0.30000000000000004);
    assert.equal(fn("add", "a", "b"), "ab");
    assert.deepEqual(fn("add", [1], [2]), [1, 2]);
    assert.equal(fn("add", true, 1), 2);
    assertFails(() => fn("add", "a", 1), "type_error", /can only concatenate str \(not "int"\) to str/);
    assertFails(() => fn("add", null, 1), "type_error", /'NoneType' and 'int'/);
  });

  it("sub, mul", () => {
    assert.equal(fn("sub", 5, 3), 2);
    assert.equal(fn("sub", 0.3, 0.1), 0.19999999999999998);
    assert.equal(fn("mul", 4, 3), 12);
    assert.equal(fn("mul", 1.5, 2), 3);
    assert.equal(fn("mul", "ab", 3), "ababab");
    assert.equal(fn("mul", "ab", -1), "");
    assert.deepEqual(fn("mul", [1], 2), [1, 1]);
    assert.deepEqual(fn("mul", 2, [1]), [1, 1]);
    assert.deepEqual(fn("mul", 1e16, []), []);
    assert.equal(fn("mul", "", 1e16), "");
    assertFails(() => fn("sub", "a", "b"), "type_error", /for -: 'str' and 'str'/);
    assertFails(() => fn("mul", "ab", 1.5), "type_error", /can't multiply sequence by non-int of type 'float'/);
    assertFails(() => fn("mul", "ab", 1e9), "limit_exceeded", /longer than/);
  });

  it("div is true division and refuses zero", () => {
    assert.equal(fn("div", 6, 2), 3);
    assert.equal(fn("div", 5, 2), 2.5);
    assert.equal(fn("div", 7, -2), -3.5);
    assertFails(() => fn("div", 1, 0), "value_error", /^Cannot divide by zero$/);
    assertFails(() => fn("div", 1, 0.0), "value_error", /Cannot divide by zero/);
    assertFails(() => fn("div", 1, false), "value_error", /Cannot divide by zero/);
    assertFails(() => fn("div", "a", 2), "type_error", /for \/: 'str' and 'int'/);
  });

  it("mod is floored; a str on the left is %-formatting", () => {
    assert.equal(fn("mod", 7, 3), 1);
    assert.equal(fn("mod", 5, 2), 1);
    assert.equal(fn("mod", -7, 3), 2);
    assert.equal(fn("mod", 7, -3), -2);
    assert.equal(fn("mod", -5.5, 2), 0.5);
    assert.equal(fn("mod", 10, 2.5), 0);
    assert.equal(fn("mod", "Hello %s", "x"), "Hello x");
    assert.equal(fn("mod", "%05.1f|", 3.14158), "003.1|");
    assert.equal(fn("mod", "%-4d|%%", 5), "5   |%");
    assert.equal(fn("mod", "%(a)s-%(b)x-%(c)r", { a: "x", b: 255, c: "q" }), "x-ff-'q'");
  });

  it("mod errors", () => {
    assertFails(() => fn("mod", 1, 0), "value_error", /^Cannot calculate modulo with zero$/);
    assertFails(() => fn("mod", "%s %s", "x"), "type_error", /not enough arguments/);
    assertFails(() => fn("mod", "no fields", "x"), "type_error", /not all arguments converted/);
  });

  it("pow keeps ints exact and rejects complex results", () => {
    assert.equal(fn("pow", 2, 3), 8);
    assert.equal(fn("pow", 3, 0), 1);
    assert.equal(fn("pow", 2, -1), 0.5);
    assert.equal(fn("pow", 10, 2.0), 100);
    assert.equal(fn("pow", 2, 100), 1.2676506002282294e30);
    assertFails(() => fn("pow", 0, -1), "value_error", /cannot be raised to a negative power/);
    assertFails(() => fn("pow", -8, 1 / 3), "value_error", /complex number/);
    assertFails(() => fn("pow", 10, 400), "value_error", /out of range/);
    assertFails(() => fn("pow", "a", 2), "type_error", /'str' and 'int'/);
  });

  it("sum uses compensated summation", () => {
    assert.equal(fn("sum", [1, 2, 3]), 6);
    assert.equal(fn("sum", []), 0);
    assert.equal(fn("sum", [1, -1, 0]), 0);
    assert.equal(fn("sum", [1, 2], 10), 13);
    assert.equal(fn("sum", [0.1, 0.2, 0.3]), 0.6);
    assert.equal(fn("sum", [true, true]), 2);
    assert.deepEqual(fn("sum", [[1], [2]], []), [1, 2]);
    assertFails(() => fn("sum", ["a", "b"]), "type_error", /for \+: 'int' and 'str'/);
    assertFails(() => fn("sum", ["a"], ""), "type_error", /can't sum strings/);
    assertFails(() => fn("sum", null), "type_error", /parameter 'iterable'/);
  });

  it("min / max keep the first argument on ties", () => {
    assert.equal(fn("min", 1, 2), 1);
    assert.equal(fn("max", 1, 2), 2);
    assert.equal(fn("min", 1, true), 1);
    assert.equal(fn("max", true, 1), true);
    assert.equal(fn("min", "a", "B"), "B");
    assertFails(() => fn("max", 1, "a"), "type_error", /'>' not supported between instances of 'str' and 'int'/);
  });
});
