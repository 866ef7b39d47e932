// The binary operators' Python semantics (shared by the evaluator and FN.add/sub/mul/div/mod).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { applyBinary, OperationError, pyMod } from "./operators.js";

const limits = { maxOutputChars: 100, maxListLength: 10 };

function typeErrorOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof OperationError);
    assert.equal(error.code, "type_error");
    return error.message;
  }
  assert.fail("expected a type_error");
}

describe("applyBinary", () => {
  it("adds, concatenates and repeats as Python does", () => {
    assert.equal(applyBinary("+", true, 1.5, limits), 2.5);
    assert.equal(applyBinary("+", "a", "b", limits), "ab");
    assert.deepEqual(applyBinary("+", [1], [2], limits), [1, 2]);
    assert.equal(applyBinary("*", 2, "ab", limits), "abab");
    assert.deepEqual(applyBinary("*", [0], true, limits), [0]);
  });

  it("uses CPython's TypeError texts for +", () => {
    // CPython 3.11: 1 + 'a', [1] + 'a', 'a' + [1], None + 'a'
    assert.equal(
      typeErrorOf(() => applyBinary("+", 1, "a", limits)),
      "unsupported operand type(s) for +: 'int' and 'str'",
    );
    assert.equal(
      typeErrorOf(() => applyBinary("+", [1], "a", limits)),
      'can only concatenate list (not "str") to list',
    );
    assert.match(
      typeErrorOf(() => applyBinary("+", "a", [1], limits)),
      /^can only concatenate str \(not "list"\) to str/,
    );
    assert.equal(
      typeErrorOf(() => applyBinary("+", null, "a", limits)),
      "unsupported operand type(s) for +: 'NoneType' and 'str'",
    );
  });

  it("bounds the text and lists it builds", () => {
    assert.throws(() => applyBinary("*", "ab", 51, limits), /longer than the limit of 100/);
    assert.throws(() => applyBinary("+", Array(6).fill(0), Array(5).fill(0), limits), /limit of 10/);
  });
});

describe("pyMod", () => {
  it("floors, the result taking the divisor's sign (zero too, as float % in CPython)", () => {
    assert.equal(pyMod(-7, 3), 2);
    assert.equal(pyMod(7, -3), -2);
    assert.equal(pyMod(-7.5, 2), 0.5);
    // CPython: 6.0 % -3 == -0.0 and -6.0 % 3 == 0.0
    assert.ok(Object.is(pyMod(6, -3), -0));
    assert.ok(Object.is(pyMod(-6, 3), 0));
  });
});
