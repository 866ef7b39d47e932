import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { comparisonFunctions, logicalFunctions } from "./comparison.js";
import { assertFails, callerFor } from "./test-support.js";

const fn = callerFor([...comparisonFunctions, ...logicalFunctions]);

describe("comparison", () => {
  it("orders like Python", () => {
    assert.equal(fn("less_than", 1, 2), true);
    assert.equal(fn("less_than", 2, 2), false);
    assert.equal(fn("less_than", "a", "b"), true);
    assert.equal(fn("less_than", 1.5, 2.5), true);
    assert.equal(fn("greater_than", 2, 2), false);
    assert.equal(fn("greater_than_or_equal", 2, 2), true);
    assert.equal(fn("less_than_or_equal", 3, 2), false);
    assert.equal(fn("less_than", [1, 2], [1, 3]), true);
    assert.equal(fn("less_than", true, 2), true);
    // Code point order: U+1F600 sorts after U+FFFD in Python, before it in UTF-16.
    assert.equal(fn("less_than", "\ufffd", "😀"), true);
  });

  it("refuses to order unrelated types, naming the types only", () => {
    assertFails(
      () => fn("greater_than", null, 1),
      "type_error",
      /'>' not supported between instances of 'NoneType' and 'int'/,
    );
    assertFails(
      () => fn("less_than", 1, "secret"),
      "type_error",
      /'<' not supported between instances of 'int' and 'str'/,
    );
    assertFails(() => fn("less_than_or_equal", { a: 1 }, { a: 1 }), "type_error", /'dict' and 'dict'/);
  });

  it("is_equal / not_equal use Python ==", () => {
    assert.equal(fn("is_equal", 1, 1), true);
    assert.equal(fn("is_equal", "test", "test"), true);
    assert.equal(fn("is_equal", 1, 2), false);
    assert.equal(fn("is_equal", true, 1), true);
    assert.equal(fn("is_equal", 1, 1.0), true);
    assert.equal(fn("is_equal", "1", 1), false);
    assert.equal(fn("is_equal", { a: [1, { b: 2 }], c: 3 }, { c: 3, a: [1, { b: 2 }] }), true);
    assert.equal(fn("is_equal", Number.NaN, Number.NaN), false);
    assert.equal(fn("not_equal", 1, 2), true);
    assert.equal(fn("is_not_equal", "test", "test"), false);
  });

  it("is_null / not_null", () => {
    assert.equal(fn("is_null", null), true);
    assert.equal(fn("is_null", "test"), false);
    assert.equal(fn("is_null", ""), false);
    assert.equal(fn("not_null", null), false);
    assert.equal(fn("is_not_null", "test"), true);
  });
});

describe("logical", () => {
  it("and / or return operands by Python truthiness", () => {
    assert.equal(fn("and", true, true), true);
    assert.equal(fn("and", true, false), false);
    assert.equal(fn("and", 1, "x"), "x");
    assert.equal(fn("and", 0, "x"), 0);
    assert.equal(fn("or", false, true), true);
    assert.equal(fn("or", false, false), false);
    assert.equal(fn("or", null, "default"), "default");
    assert.deepEqual(fn("or", [], "x"), "x");
    assert.deepEqual(fn("or", {}, null), null);
  });

  it("not negates truthiness; the string 'false' is true", () => {
    assert.equal(fn("not", true), false);
    assert.equal(fn("not", false), true);
    assert.equal(fn("not", []), true);
    assert.equal(fn("not", "false"), false);
    assert.equal(fn("not", null), true);
  });
});
