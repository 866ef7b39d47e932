// Python ==, <, in over expression values (checked by hand against CPython 3.11).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ExprObject, type ExprValue } from "../functions/function-definition.js";
import { compareStrings, membershipMessage, orderingMessage, pyCompare, pyEquals, pyIn, pyLess } from "./equality.js";

class Stamp extends ExprObject {
  readonly typeName = "datetime";
  constructor(readonly at: number) {
    super();
  }
  toJSON(): number {
    return this.at;
  }
  toPythonString(): string {
    return String(this.at);
  }
  override applyOperator(op: string, other: ExprValue, reversed: boolean): ExprValue | undefined {
    if (!(other instanceof Stamp)) return undefined;
    if (op === "==") return this.at === other.at;
    if (op === "<") return reversed ? other.at < this.at : this.at < other.at;
    return undefined;
  }
}

describe("pyEquals", () => {
  it("is deep, ignores key order, and treats 1, 1.0 and True as equal", () => {
    assert.equal(pyEquals([1, { a: true, b: [null] }], [true, { b: [null], a: 1 }]), true);
    assert.equal(pyEquals({ a: 1 }, { a: 1, b: 2 }), false);
    assert.equal(pyEquals([1], { 0: 1 }), false);
    assert.equal(pyEquals("1", 1), false);
    assert.equal(pyEquals(null, false), false);
    assert.equal(pyEquals(Number.NaN, Number.NaN), false);
  });

  it("asks objects, either side", () => {
    assert.equal(pyEquals(new Stamp(1), new Stamp(1)), true);
    assert.equal(pyEquals(new Stamp(1), "1"), false);
    assert.equal(pyEquals(1, new Stamp(1)), false);
  });

  it("refuses values nested too deeply", () => {
    let a: ExprValue = [];
    let b: ExprValue = [];
    for (let i = 0; i < 300; i++) {
      a = [a];
      b = [b];
    }
    assert.throws(() => pyEquals(a, b), RangeError);
  });
});

describe("ordering", () => {
  it("orders numbers, strings by code point, lists lexicographically", () => {
    assert.equal(pyLess(false, 0.5), true);
    assert.equal(pyLess([1, "b"], [1, "c"]), true);
    assert.equal(pyLess([1], [1, 0]), true);
    assert.equal(pyLess(1, "a"), undefined);
    assert.equal(pyCompare(">=", [2], [2]), true);
    assert.equal(pyCompare("<", new Stamp(1), new Stamp(2)), true);
    assert.equal(pyCompare(">", new Stamp(1), new Stamp(2)), false);
    assert.equal(pyCompare("<=", null, 1), undefined);
    assert.equal(orderingMessage("<", 1, "a"), "'<' not supported between instances of 'int' and 'str'");
  });

  it("compares strings by code point, surrogate pairs and lone surrogates alike", () => {
    // CPython: '\uffff' < '\U00010000', '\udc00' < '\U00010000', '\udc00\udc00' < '\udc00\udc01'
    assert.ok(compareStrings("\uffff", "😀") < 0);
    assert.ok(compareStrings("\udc00", "\ud800\udc00") < 0);
    assert.ok(compareStrings("\udc00\udc00", "\udc00\udc01") < 0);
    assert.ok(compareStrings("\ud800\udc01", "\ud800\udc00") > 0);
    assert.ok(compareStrings("\ud800", "\ue000") < 0);
    assert.equal(compareStrings("ab", "ab"), 0);
    assert.ok(compareStrings("a", "ab") < 0);
  });
});

describe("pyIn", () => {
  it("is substring for str, key for dict, == for list", () => {
    assert.equal(pyIn("bc", "abc"), true);
    assert.equal(pyIn(1, [true]), true);
    assert.equal(pyIn("a", { a: 0 }), true);
    // CPython: 1 in {'1': 0} is False, None in {} is False, a datetime in a dict is False.
    assert.equal(pyIn(1, { 1: 0 }), false);
    assert.equal(pyIn(null, {}), false);
    assert.equal(pyIn(new Stamp(1), { 1: 0 }), false);
  });

  it("refuses what CPython refuses, with CPython's message", () => {
    assert.equal(pyIn(1, "abc"), undefined);
    assert.equal(membershipMessage(1, "abc"), "'in <string>' requires string as left operand, not int");
    assert.equal(pyIn([1], { a: 1 }), undefined);
    assert.equal(membershipMessage([1], { a: 1 }), "unhashable type: 'list'");
    assert.equal(pyIn(1, 5), undefined);
    assert.match(membershipMessage(1, 5), /^argument of type 'int' is not iterable/);
  });
});
