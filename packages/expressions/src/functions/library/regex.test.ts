import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { regexFunctions } from "./regex.js";
import { assertFails, callerFor } from "./test-support.js";

const fn = callerFor(regexFunctions);

describe("regex", () => {
  it("regex_extract returns the first participating group or the whole match", () => {
    assert.equal(fn("regex_extract", "\\d+", "abc123def"), "123");
    assert.equal(fn("regex_extract", "[a-z]+", "ABC123def"), "def");
    assert.equal(fn("regex_extract", "eventId=(\\d+)", "https://example.com/deployment?eventId=19759328"), "19759328");
    assert.equal(fn("regex_extract", "test", "no match"), null);
    assert.equal(fn("regex_extract", "(a)|(b)", "b"), "b");
    assert.equal(fn("regex_extract", "(x)?y", "y"), "y");
    assert.equal(fn("regex_extract", "()a", "a"), "");
    assert.equal(fn("regex_extract", "\\d+", "١٢٣"), "١٢٣");
    assert.equal(fn("regex_extract", "(?i)ABC", "xabc"), "abc");
    assert.equal(fn("regex_extract", "(?P<id>\\w+)@", "né_1@x"), "né_1");
    assert.equal(fn("regex_extract", "\\s+", "a\u2003b"), "\u2003");
    assert.equal(fn("regex_extract", "(?a)\\d+", "١٢٣ 42"), "42");
    assert.equal(fn("regex_extract", "a{,2}b", "aaab"), "aab");
    assert.equal(fn("regex_extract", "b$", "ab\n"), "b");
    assert.equal(fn("regex_extract", "x(?#comment)y", "xy"), "xy");
    assert.equal(fn("regex_extract", "\\u00e9", "café"), "é");
  });

  it("regex_match is anchored at the start only", () => {
    assert.equal(fn("regex_match", "^test", "test123"), true);
    assert.equal(fn("regex_match", "^test", "123test"), false);
    assert.equal(fn("regex_match", "\\d+", "123"), true);
    assert.equal(fn("regex_match", "[A-Z]+", "abc"), false);
    assert.equal(fn("regex_match", "abc", "abcdef"), true);
    assert.equal(fn("regex_match", "bc", "abc"), false);
    assert.equal(fn("regex_match", "^a$", "a\n"), true);
    assert.equal(fn("regex_match", "^a\\Z", "a\n"), false);
    assert.equal(fn("regex_not_match", "^test", "123test"), true);
    assert.equal(fn("regex_not_match", "\\d+", "123"), false);
  });

  it("runs hostile patterns in linear time", () => {
    const text = `${"a".repeat(50_000)}!`;
    assert.equal(fn("regex_match", "(a+)+$", text), false);
    assert.equal(fn("regex_extract", "(a|aa)*b", text), null);
  });

  it("reports Python-only syntax clearly, without echoing the pattern", () => {
    const cases: [string, RegExp][] = [
      ["a(?=b)", /a lookahead/],
      ["a(?!b)", /a lookahead/],
      ["(?<=a)b", /a lookbehind/],
      ["(?<!a)b", /a lookbehind/],
      ["(a)\\1", /a backreference/],
      ["(?P<x>a)(?P=x)", /a named backreference/],
      ["(?>a)", /an atomic group/],
      ["a++", /a possessive quantifier/],
      ["a{2}+", /a possessive quantifier/],
      ["(a)?(?(1)b|c)", /a conditional group/],
      ["(?x) a b", /verbose mode/],
    ];
    for (const [pattern, message] of cases) {
      assertFails(() => fn("regex_match", pattern, "ab"), "value_error", message);
      assertFails(() => fn("regex_match", pattern, "ab"), "value_error", /linear-time engine \(RE2\) does not support/);
    }
  });

  it("reports invalid patterns and wrong types", () => {
    assertFails(
      () => fn("regex_extract", "[secret", "x"),
      "value_error",
      /^parameter 'pattern' is not a valid regular expression \(missing closing \]\)$/,
    );
    assertFails(() => fn("regex_extract", "a(?i)b", "x"), "value_error", /global flags not at the start/);
    assertFails(
      () => fn("regex_extract", "x**", "x"),
      "value_error",
      /not a valid regular expression \(multiple repeat\)/,
    );
    assertFails(() => fn("regex_extract", "a", null), "type_error", /parameter 'text' must be a str, got NoneType/);
    assertFails(() => fn("regex_match", 1, "x"), "type_error", /parameter 'pattern' must be a str, got int/);
    assertFails(() => fn("regex_match", "a".repeat(20_000), "x"), "limit_exceeded", /longer than/);
  });
});
