import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ExpressionError } from "../errors/expression-error.js";
import { isTemplate, parseTemplate, TemplateCache } from "./compile.js";

describe("templates in strings", () => {
  test("isTemplate", () => {
    assert.equal(isTemplate("a ${{ 1 }}"), true);
    assert.equal(isTemplate("a $ {{ 1 }}"), false);
    assert.equal(isTemplate(3), false);
  });
  test("texts and roots alternate; whole means exactly one template and nothing else", () => {
    const t = parseTemplate("a ${{ 1 }} b ${{ 2 }}");
    assert.deepEqual(t.texts, ["a ", " b ", ""]);
    assert.equal(t.roots.length, 2);
    assert.equal(t.whole, false);
    assert.equal(parseTemplate("${{ 1 }}").whole, true);
    assert.equal(parseTemplate(" ${{ 1 }}").whole, false);
    assert.equal(parseTemplate("${{ 1 }}${{ 2 }}").whole, false);
  });
  test("a real lexer: '}}' in strings and nested dicts does not end the template", () => {
    const t = parseTemplate("${{ '}}' }} and ${{ {'a': {'b': '}}'}} }}!");
    assert.deepEqual(t.texts, ["", " and ", "!"]);
  });
  test("a single '}' in the text after a template is text", () => {
    assert.deepEqual(parseTemplate("${{ 1 }}}").texts, ["", "}"]);
  });
});

describe("TemplateCache", () => {
  test("returns the same compiled template for the same source", () => {
    const cache = new TemplateCache(10);
    const a = cache.compile("${{ 1 + 1 }}");
    assert.equal(cache.compile("${{ 1 + 1 }}"), a);
    assert.equal(cache.size, 1);
  });
  test("stays within its capacity", () => {
    const cache = new TemplateCache(3);
    for (let i = 0; i < 10; i++) cache.compile(`\${{ ${i} }}`);
    assert.equal(cache.size, 3);
  });
  test("remembers syntax errors and throws a fresh error each time", () => {
    const cache = new TemplateCache(3);
    let first: unknown;
    let second: unknown;
    try {
      cache.compile("${{ 1 + }}");
    } catch (e) {
      first = e;
    }
    try {
      cache.compile("${{ 1 + }}");
    } catch (e) {
      second = e;
    }
    assert.ok(first instanceof ExpressionError && second instanceof ExpressionError);
    assert.notEqual(first, second);
    assert.equal(first.message, second.message);
    assert.deepEqual(first.span, second.span);
  });
});
