// Python type names and truthiness of expression values.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isDict, isList, truthy, typeName } from "./types.js";

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
