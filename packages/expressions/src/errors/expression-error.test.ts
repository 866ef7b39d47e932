import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ExpressionError, formatError } from "./expression-error.js";

describe("ExpressionError.format", () => {
  test("prints the message, code, the expression and a caret under the span", () => {
    const e = new ExpressionError("type_error", "bad", "${{ 1 + 'a' }}", { start: 6, end: 7 });
    assert.equal(e.format(), "bad [type_error]\n  ${{ 1 + 'a' }}\n        ^");
    assert.equal(formatError(e), e.format());
  });
  test("a multi-line expression shows the line holding the span, with its number", () => {
    const source = "${{ FN.concat(\n  'a',\n  FN.nope()\n) }}";
    const start = source.indexOf("FN.nope");
    const e = new ExpressionError("unknown_function", "Unknown function 'nope'", source, { start, end: start + 7 });
    assert.equal(e.format(), "Unknown function 'nope' [unknown_function]\n3 |   FN.nope()\n      ^^^^^^^");
  });
  test("a span across lines is cut at the end of its first line; an empty span still gets one caret", () => {
    const e = new ExpressionError("parse_error", "x", "ab\ncd", { start: 1, end: 4 });
    assert.equal(e.format(), "x [parse_error]\n1 | ab\n     ^");
    const empty = new ExpressionError("parse_error", "y", "abc", { start: 3, end: 3 });
    assert.equal(empty.format(), "y [parse_error]\n  abc\n     ^");
  });
  test("the location inside the evaluated object is named", () => {
    const e = new ExpressionError(
      "zero_division",
      "division by zero",
      "${{ 1/0 }}",
      { start: 5, end: 6 },
      {
        location: ["headers", 0, "auth"],
      },
    );
    assert.match(e.format(), /^division by zero \[zero_division\] at headers\[0\]\.auth\n/);
    assert.equal(e.name, "ExpressionError");
    assert.ok(e instanceof Error);
  });
});
