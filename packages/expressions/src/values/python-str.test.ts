// str()/repr() and number formatting against CPython (functions/library/cpython-vectors.txt,
// written by cpython-vectors.py) and the language's bounds.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { ExprObject, type ExprValue } from "../functions/function-definition.js";
import { BudgetExceeded } from "../limits/budget.js";
import { floatRepr, pyNumber, pyRepr, pyStr, stringRepr } from "./python-str.js";

// dist/src/values → the package's src/functions/library (the data is not compiled).
const vectors = JSON.parse(
  readFileSync(new URL("../../../src/functions/library/cpython-vectors.txt", import.meta.url), "utf8"),
) as Record<string, unknown>;

/** A datetime-like object whose str() and repr() differ, as Python's datetime does. */
class Stamp extends ExprObject {
  readonly typeName = "datetime";
  toJSON(): string {
    return "2024-01-02T00:00:00";
  }
  toPythonString(): string {
    return "2024-01-02 00:00:00";
  }
  toPythonRepr(): string {
    return "datetime.datetime(2024, 1, 2, 0, 0)";
  }
}

describe("CPython reference vectors", () => {
  it("float repr", () => {
    const bad = (vectors.float_repr as [number, string][]).filter(([x, e]) => floatRepr(x) !== e);
    assert.deepEqual(bad, []);
  });

  it("str repr, alone and inside containers", () => {
    const bad: string[] = [];
    for (const c of vectors.strings as Record<string, unknown>[]) {
      const s = c.s as string;
      if (pyRepr(s) !== c.repr) bad.push(`repr ${JSON.stringify(s)}`);
      if (pyRepr([s, 1.5, null, true, { k: s }]) !== c.repr_list) bad.push(`repr_list ${JSON.stringify(s)}`);
    }
    assert.deepEqual(bad, []);
  });
});

describe("pyNumber", () => {
  it("writes integral numbers as Python ints, exactly also above 2**53", () => {
    assert.equal(pyNumber(1), "1");
    assert.equal(pyNumber(-0), "0");
    assert.equal(pyNumber(2 ** 53), "9007199254740992");
    // CPython: str(2**60) == '1152921504606846976' (JS String() gives 1152921504606847000).
    assert.equal(pyNumber(2 ** 60), "1152921504606846976");
    assert.equal(pyNumber(1e22), "10000000000000000000000");
  });

  it("writes other numbers as float repr", () => {
    assert.equal(pyNumber(0.1), "0.1");
    assert.equal(pyNumber(1e-5), "1e-05");
    assert.equal(pyNumber(123456.789), "123456.789");
    assert.equal(pyNumber(Number.NaN), "nan");
    assert.equal(pyNumber(Number.NEGATIVE_INFINITY), "-inf");
  });
});

describe("pyRepr / pyStr", () => {
  it("renders None, bools, lists and dicts as Python does", () => {
    assert.equal(pyRepr([null, true, false, 1, "a", { k: [] }]), "[None, True, False, 1, 'a', {'k': []}]");
    assert.equal(pyStr({ "it's": 'say "hi"' }), `{"it's": 'say "hi"'}`);
    assert.equal(pyStr("raw 'text'"), "raw 'text'");
  });

  it("escapes non-printable characters as CPython's repr does", () => {
    // CPython: repr('\x85\xa0\u200b\ud800\x7f') == "'\\x85\\xa0\\u200b\\ud800\\x7f'"
    assert.equal(stringRepr("\x85\xa0\u200b\ud800\x7f"), "'\\x85\\xa0\\u200b\\ud800\\x7f'");
    assert.equal(stringRepr("é €😀"), "'é €😀'");
  });

  it("uses str() for an object alone and repr() inside containers", () => {
    const stamp = new Stamp();
    assert.equal(pyStr(stamp), "2024-01-02 00:00:00");
    assert.equal(pyRepr(stamp), "datetime.datetime(2024, 1, 2, 0, 0)");
    assert.equal(pyStr([stamp]), "[datetime.datetime(2024, 1, 2, 0, 0)]");
    assert.equal(pyStr({ at: stamp }), "{'at': datetime.datetime(2024, 1, 2, 0, 0)}");
  });

  it("refuses to build more than maxChars characters or to go too deep", () => {
    assert.equal(pyStr([1, 2], 6), "[1, 2]");
    assert.throws(() => pyStr([1, 2], 5), BudgetExceeded);
    assert.throws(() => pyRepr("x".repeat(100), 50), BudgetExceeded);
    const shared = ["a".repeat(1000)];
    assert.throws(() => pyStr(Array(10_000).fill(shared), 100_000), BudgetExceeded);
    let deep: ExprValue = [];
    for (let i = 0; i < 300; i++) deep = [deep];
    assert.throws(() => pyStr(deep), /nested too deeply/);
  });
});
