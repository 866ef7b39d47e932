import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ExpressionError } from "../errors/expression-error.js";
import { Lexer, type Token } from "./lexer.js";

function tokens(text: string): Token[] {
  const lexer = new Lexer(text, 0);
  const out: Token[] = [];
  for (;;) {
    const token = lexer.next();
    if (token.type === "eof") return out;
    out.push(token);
  }
}

const types = (text: string) => tokens(text).map((t) => t.type);

describe("lexer", () => {
  test("operators, longest match first", () => {
    assert.deepEqual(types("|| && == != <= >= < > + - * / % -> ( ) [ ] { } , : ."), [
      "||",
      "&&",
      "==",
      "!=",
      "<=",
      ">=",
      "<",
      ">",
      "+",
      "-",
      "*",
      "/",
      "%",
      "->",
      "(",
      ")",
      "[",
      "]",
      "{",
      "}",
      ",",
      ":",
      ".",
    ]);
    assert.deepEqual(types("a->b"), ["ident", "->", "ident"]);
    assert.deepEqual(types("1--1"), ["number", "-", "-", "number"]);
  });
  test("tokens carry exact offsets and values", () => {
    const [a, b, c] = tokens("  foo 12.5 'x'");
    assert.deepEqual(a, { type: "ident", start: 2, end: 5, value: "foo" });
    assert.deepEqual(b, { type: "number", start: 6, end: 10, value: 12.5 });
    assert.deepEqual(c, { type: "string", start: 11, end: 14, value: "x" });
  });
  test("whitespace includes newlines and tabs", () => {
    assert.deepEqual(types("\n\t1\r\n+\n2"), ["number", "+", "number"]);
  });
  test("'}' is always a single token (the parser decides what '}}' means)", () => {
    assert.deepEqual(types("}}"), ["}", "}"]);
    assert.deepEqual(types("'}}'"), ["string"]);
  });
  test("string literals: both quotes, the five escapes, other backslashes kept", () => {
    assert.equal(tokens("'a\\nb'")[0]?.value, "a\nb");
    assert.equal(tokens('"a\\tb"')[0]?.value, "a\tb");
    assert.equal(tokens("'\\\\'")[0]?.value, "\\");
    assert.equal(tokens("'\\''")[0]?.value, "'");
    assert.equal(tokens('"\\""')[0]?.value, '"');
    assert.equal(tokens("'\\d\\s\\r'")[0]?.value, "\\d\\s\\r");
    assert.equal(tokens('"it\'s"')[0]?.value, "it's");
    assert.equal(tokens("'😀'")[0]?.value, "😀");
  });
  test("errors have spans", () => {
    const at = (text: string) => {
      try {
        tokens(text);
      } catch (error) {
        assert.ok(error instanceof ExpressionError);
        return [error.message, text.slice(error.span.start, error.span.end)];
      }
      assert.fail(`no error for ${text}`);
    };
    assert.deepEqual(at("1 # 2"), ["Unexpected character '#'", "#"]);
    assert.deepEqual(at("'open"), ["Unterminated string literal: add the closing '", "'open"]);
    assert.deepEqual(at("12abc"), [
      "Invalid number: numbers are digits with an optional fraction (`12`, `1.5`); no exponents or suffixes",
      "12abc",
    ]);
    assert.equal(at("a 😀")[1], "😀");
  });
});
