// Python type names and truthiness of expression values.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isDict, isList, lenMessage, pyLen, truthy, typeName } from "./types.js";

describe("typeName", () => {
  it("names values as Python does", () => {
    assert.deepEqual(
      [null, true, 1, 1.5, "s", [], {}].map((v) => typeName(v)),
      ["NoneType", "bool", "int", "float", "str", "list", "dict"],
    );
    assert.equal(typeName(undefined), "NoneType");
  });
});

describe("truthy", () => {
  it("is false for None, False, 0, '', [] and {} only", () => {
    assert.deepEqual(
      [null, false, 0, -0, "", [], {}].map((v) => truthy(v)),
      [false, false, false, false, false, false, false],
    );
    assert.deepEqual(
      [true, 1, -1, "0", "False", [0], { a: null }].map((v) => truthy(v)),
      [true, true, true, true, true, true, true],
    );
  });

  it("is true for NaN, as bool(float('nan')) is in CPython", () => {
    assert.equal(truthy(Number.NaN), true);
  });
});

describe("isDict / isList", () => {
  it("tells containers apart", () => {
    assert.equal(isDict({}), true);
    assert.equal(isDict([]), false);
    assert.equal(isDict(null), false);
    assert.equal(isList([]), true);
    assert.equal(isList("ab"), false);
  });
});

describe("pyLen", () => {
  it("counts code points, items and keys as Python's len()", () => {
    // CPython: len('a😀') == 2, len('\ud800x') == 2, len('\udc00\ud800') == 2
    assert.equal(pyLen("a😀"), 2);
    assert.equal(pyLen("\ud800x"), 2);
    assert.equal(pyLen("\udc00\ud800"), 2);
    assert.equal(pyLen([1, [2, 3]]), 2);
    assert.equal(pyLen({ a: 1, b: 2 }), 2);
  });

  it("has no answer for values without a length", () => {
    assert.equal(pyLen(5), undefined);
    assert.equal(pyLen(null), undefined);
    assert.equal(lenMessage(null), "object of type 'NoneType' has no len()");
  });
});
