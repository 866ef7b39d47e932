import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ioFunctions } from "./io.js";
import { assertFails, callerFor } from "./test-support.js";

const fn = callerFor(ioFunctions);

describe("parse_csv", () => {
  it("reads rows like csv.DictReader", () => {
    assert.deepEqual(fn("parse_csv", "a,b\n1,2\n3\n4,5,6"), [
      { a: "1", b: "2" },
      { a: "3", b: null },
      { a: "4", b: "5", None: ["6"] },
    ]);
    assert.deepEqual(fn("parse_csv", "a,a\n1,2"), [{ a: "2" }]);
    assert.deepEqual(fn("parse_csv", " a , b\n 1 , 2"), [{ " a ": " 1 ", " b": " 2" }]);
    assert.deepEqual(fn("parse_csv", 'a,b\n"x,""y",z\n\n"multi\nline",q'), [
      { a: 'x,"y', b: "z" },
      { a: "multiline", b: "q" },
    ]);
    assert.deepEqual(fn("parse_csv", 'a\n"ab"c,d\n""'), [{ a: "abc", None: ["d"] }, { a: "" }]);
    assert.deepEqual(fn("parse_csv", "a,b\r\n1,2\r\n"), [{ a: "1", b: "2" }]);
    assert.deepEqual(fn("parse_csv", ""), []);
    assertFails(() => fn("parse_csv", ["a,b"]), "type_error", /parameter 'x' must be a str, got list/);
  });
});
