import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { arrayFunctions } from "./arrays.js";
import { assertFails, callerFor } from "./test-support.js";

const fn = callerFor(arrayFunctions);
const sorted = (v: unknown) => [...(v as unknown[])].sort((a, b) => String(a).localeCompare(String(b)));

describe("arrays", () => {
  it("compact removes only None; drop_nulls also removes ''", () => {
    assert.deepEqual(fn("compact", [null, 0, "", false, [], null]), [0, "", false, []]);
    assert.deepEqual(fn("compact", []), []);
    assert.deepEqual(fn("drop_nulls", [null, 0, "", false, [], {}]), [0, false, [], {}]);
    assertFails(() => fn("compact", null), "type_error", /parameter 'x' must be a list, str or dict, got NoneType/);
    assertFails(() => fn("drop_nulls", 5), "type_error", /parameter 'items'/);
  });

  it("contains_any_of / contains_none_of compare as sets", () => {
    assert.equal(fn("contains_any_of", [1, 3], [2, 3, 4]), true);
    assert.equal(fn("contains_any_of", ["ex", "ma"], "hello"), false);
    assert.equal(fn("contains_any_of", ["1", 2, 3.0], ["2", 2, 3.1]), true);
    assert.equal(fn("contains_any_of", "abc", "cde"), true);
    assert.equal(fn("contains_any_of", [1], [true]), true);
    assert.equal(fn("contains_none_of", "enc", ["mic", "kitten"]), true);
    assert.equal(fn("contains_none_of", "x", "hello"), true);
    assert.equal(fn("contains_none_of", ["1", 4.0], ["1", 2.0, 3]), false);
    assert.equal(fn("contains_none_of", [], []), true);
    assertFails(() => fn("contains_any_of", [[1]], [1]), "type_error", /unhashable type: 'list'/);
  });

  it("set operations deduplicate, keeping first-seen order", () => {
    assert.deepEqual(fn("difference", [1, 2, 3], [3, 4, 5]), [1, 2]);
    assert.deepEqual(fn("difference", [1, 2, 3], ["hello", "world"]), [1, 2, 3]);
    assert.deepEqual(fn("intersection", [1, 2, 3], [3, 4, 5]), [3]);
    assert.deepEqual(fn("intersection", [1, 2, 3], ["hello", "world"]), []);
    assert.deepEqual(fn("intersection", [1, 2], [2.5, 2]), [2]);
    assert.deepEqual(fn("symmetric_difference", [1, 2, 3], [3, 4, 5]), [1, 2, 4, 5]);
    assert.deepEqual(fn("union", [1, 2, 3], [3, 4, 5]), [1, 2, 3, 4, 5]);
    assert.deepEqual(fn("union", [1, 2, 3], ["hello", "world"]), [1, 2, 3, "hello", "world"]);
    assertFails(() => fn("union", [{ a: 1 }], []), "type_error", /unhashable type: 'dict'/);
    assertFails(() => fn("difference", 1, []), "type_error", /parameter 'a'/);
  });

  it("unique keeps the first representative", () => {
    assert.deepEqual(fn("unique", [3, 1, 2, 1, 3]), [3, 1, 2]);
    assert.deepEqual(sorted(fn("unique", ["b", "a", "c", "a"])), ["a", "b", "c"]);
    assert.deepEqual(fn("unique", [1, 1.0, true]), [1]);
    assert.deepEqual(fn("unique", []), []);
    assertFails(() => fn("unique", [[1], [1]]), "type_error", /unhashable/);
  });

  it("flatten descends into lists at any depth", () => {
    assert.deepEqual(
      fn("flatten", [
        [1, 2],
        [3, 4],
      ]),
      [1, 2, 3, 4],
    );
    assert.deepEqual(fn("flatten", [[1, [2, 3]], [4]]), [1, 2, 3, 4]);
    assert.deepEqual(fn("flatten", [[1, [2, [3, 4]]], [5]]), [1, 2, 3, 4, 5]);
    assert.deepEqual(fn("flatten", []), []);
    assert.deepEqual(fn("flatten", [[]]), []);
    assert.deepEqual(fn("flatten", [[1, 2], [], [3]]), [1, 2, 3]);
    assert.deepEqual(fn("flatten", [[{ a: 1 }], [{ b: 2 }]]), [{ a: 1 }, { b: 2 }]);
    assert.deepEqual(fn("flatten", [1, [2, [3, [4]]], "ab", { k: [1] }]), [1, 2, 3, 4, "ab", { k: [1] }]);
    assert.deepEqual(fn("flatten", "abc"), ["a", "b", "c"]);
    assert.deepEqual(fn("flatten", { a: 1 }), ["a"]);
    assertFails(() => fn("flatten", null), "type_error", /parameter 'iterables'/);
    let deep: unknown = [1];
    for (let i = 0; i < 1000; i++) deep = [deep];
    assertFails(() => fn("flatten", deep as never), "limit_exceeded", /nested deeper/);
  });

  it("is_in / contains / not_in use Python `in`", () => {
    assert.equal(fn("is_in", 2, [1, 2, 3]), true);
    assert.equal(fn("is_in", "el", "hello"), true);
    assert.equal(fn("is_in", 4, [1, 2, 3]), false);
    assert.equal(fn("contains", "key1", { key1: "v" }), true);
    assert.equal(fn("contains", [1], [[1], 2]), true);
    assert.equal(fn("contains", true, [1]), true);
    assert.equal(fn("contains", "", "abc"), true);
    assert.equal(fn("not_in", 4, [1, 2, 3]), true);
    assert.equal(fn("does_not_contain", "x", "hello"), true);
    assert.equal(fn("is_not_in", 2, [1, 2, 3]), false);
    assertFails(() => fn("is_in", 1, null), "type_error", /argument of type 'NoneType' is not iterable/);
    assertFails(() => fn("is_in", 1, "abc"), "type_error", /requires string as left operand, not int/);
  });

  it("length, is_empty and not_empty use len()", () => {
    assert.equal(fn("length", [1, 2, 3]), 3);
    assert.equal(fn("length", "😀"), 1);
    assert.equal(fn("length", { a: 1, b: 2 }), 2);
    for (const empty of ["", [], {}]) assert.equal(fn("is_empty", empty), true);
    for (const full of ["test", [1]]) assert.equal(fn("is_empty", full), false);
    assert.equal(fn("not_empty", ""), false);
    assert.equal(fn("is_not_empty", [1]), true);
    assertFails(() => fn("length", null), "type_error", /object of type 'NoneType' has no len\(\)/);
    assertFails(() => fn("is_empty", 5), "type_error", /'int' has no len/);
  });

  it("zip_map pairs keys and values; later duplicates win", () => {
    assert.deepEqual(fn("zip_map", ["a", "b", "a"], [1, 2, 3]), { a: 3, b: 2 });
    assert.deepEqual(fn("zip_map", ["a"], [1, 2]), { a: 1 });
    assert.deepEqual(fn("zip_map", ["a"], ["x"]), { a: "x" });
    assert.deepEqual(Object.keys(fn("zip_map", ["__proto__"], [1]) as object), ["__proto__"]);
    assertFails(() => fn("zip_map", [["k"]], [1]), "type_error", /parameter 'x\[0\]'/);
  });

  it("at indexes lists and strings, looks keys up in dicts", () => {
    assert.equal(fn("at", [1, 2, 3, 4, 5], 0), 1);
    assert.equal(fn("at", [1, 2, 3, 4, 5], -1), 5);
    assert.equal(fn("at", "hello", -5), "h");
    assert.equal(fn("at", [1, "two", 3.5, null], 3), null);
    assert.deepEqual(
      fn(
        "at",
        [
          [1, 2],
          [3, 4],
        ],
        1,
      ),
      [3, 4],
    );
    assert.equal(fn("at", { a: 1 }, "a"), 1);
    for (const [seq, i] of [
      [[1, 2, 3], 5],
      [[1, 2, 3], -10],
      ["hello", 10],
      [[], 0],
      ["", 0],
    ] as const) {
      assertFails(() => fn("at", seq as never, i), "value_error", /index out of range/);
    }
    assertFails(() => fn("at", { a: 1 }, "b"), "value_error", /key not found/);
    assertFails(() => fn("at", [1], 0.5), "type_error", /parameter 'index' must be an int, got float/);
  });
});
