import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ExpressionError } from "../errors/expression-error.js";
import { evaluateTemplate } from "../evaluator/evaluate.js";
import { defaultRegistry as registry } from "./default-registry.js";

const NOW = Date.UTC(2024, 5, 15, 10, 30, 0);
const fn = (expr: string, context = {}) => evaluateTemplate(`\${{ ${expr} }}`, context, { registry, now: () => NOW });
const fnFails = (expr: string, message: RegExp) =>
  assert.throws(
    () => fn(expr),
    (e: unknown) => e instanceof ExpressionError && message.test(e.message),
  );

describe("the most used functions, through evaluation", () => {
  test("all present; contains is an alias of is_in", () => {
    assert.equal(registry.get("contains"), registry.get("is_in"));
    for (const name of [
      "concat",
      "format",
      "join",
      "split",
      "length",
      "lowercase",
      "uppercase",
      "is_equal",
      "is_null",
      "contains",
      "lookup",
      "merge",
      "to_base64",
      "from_base64",
      "serialize_json",
      "deserialize_json",
      "uuid4",
      "now",
      "to_datetime",
      "hash_sha256",
    ]) {
      assert.ok(registry.has(name), name);
    }
  });
  test("concat", () => {
    assert.equal(fn("FN.concat('a', 'b', 'c')"), "abc");
    assert.equal(fn("FN.concat()"), "");
    fnFails("FN.concat('a', 1)", /parameter 'items\[1\]' must be a str, got int/);
  });
  test("format", () => {
    assert.equal(fn("FN.format('Hello {}', 'World')"), "Hello World");
    assert.equal(fn("FN.format('{} {} {}', 'a', 'b', 'c')"), "a b c");
    assert.equal(fn("FN.format('Value: {:.2f}', 3.14159)"), "Value: 3.14");
    assert.equal(fn("FN.format('{:>6}|{:<6}|{:^6}', 'a', 'b', 'c')"), "     a|b     |  c   ");
    assert.equal(fn("FN.format('{:,}', 1234567)"), "1,234,567");
    assert.equal(fn("FN.format('{:x}', 255)"), "ff");
    assert.equal(fn("FN.format('{:05.1f}', 3.14159)"), "003.1");
    assert.equal(fn("FN.format('{}', [1, 'a', None])"), "[1, 'a', None]");
    assert.equal(fn("FN.format('{} {}', True, None)"), "True None");
    assert.equal(fn("FN.format('{1}{0}', 'a', 'b')"), "ba");
    assert.equal(fn("FN.format('{{}} {0[k]}', {'k': 'v'})"), "{} v");
    fnFails("FN.format('{} {}', 'a')", /Replacement index 1 out of range/);
    fnFails("FN.format('{name}', 'a')", /positional/);
    fnFails("FN.format('{} {0}', 'a')", /cannot switch/);
  });
  test("join unescapes its separator", () => {
    assert.equal(fn("FN.join(['A', 'B', 'C'], ',')"), "A,B,C");
    assert.equal(fn("FN.join(['a', 'b'], '\\\\n')"), "a\nb");
    assert.equal(fn("FN.join('abc', '-')"), "a-b-c");
    fnFails("FN.join([1, 2], ',')", /parameter 'items\[0\]' must be a str, got int/);
  });
  test("split", () => {
    assert.deepEqual(fn("FN.split('a,b,c', ',')"), ["a", "b", "c"]);
    assert.deepEqual(fn("FN.split('a||b||c', '||')"), ["a", "b", "c"]);
    assert.deepEqual(fn("FN.split('a  b', ' ')"), ["a", "", "b"]);
    assert.deepEqual(fn("FN.split('  a  b ', None)"), ["a", "b"]);
    fnFails("FN.split('a', '')", /empty separator/);
  });
  test("length counts code points, items and keys", () => {
    assert.equal(fn("FN.length('\u{1F600}')"), 1);
    assert.equal(fn("FN.length([1, 2, 3])"), 3);
    assert.equal(fn("FN.length({'a': 1})"), 1);
    fnFails("FN.length(None)", /object of type 'NoneType' has no len\(\)/);
  });
  test("lowercase and uppercase", () => {
    assert.equal(fn("FN.lowercase('HELLO')"), "hello");
    assert.equal(fn("FN.uppercase('straße')"), "STRASSE");
    fnFails("FN.uppercase(1)", /parameter 'x' must be a str, got int/);
  });
  test("is_equal and is_null", () => {
    assert.equal(fn("FN.is_equal(1, 1.0)"), true);
    assert.equal(fn("FN.is_equal('1', 1)"), false);
    assert.equal(fn("FN.is_equal({'a': [1]}, {'a': [1]})"), true);
    assert.equal(fn("FN.is_null(None)"), true);
    assert.equal(fn("FN.is_null('')"), false);
  });
  test("contains / is_in (item first)", () => {
    assert.equal(fn("FN.contains('a', ['a', 'b'])"), true);
    assert.equal(fn("FN.is_in('el', 'hello')"), true);
    assert.equal(fn("FN.is_in(4, [1, 2, 3])"), false);
    assert.equal(fn("FN.contains('key1', {'key1': 1})"), true);
    fnFails("FN.contains(1, None)", /argument of type 'NoneType' is not iterable/);
  });
  test("lookup and merge", () => {
    assert.equal(fn("FN.lookup({'a': 1}, 'a')"), 1);
    assert.equal(fn("FN.lookup({}, 'a')"), null);
    assert.equal(fn("FN.lookup({'1': 'a'}, 1)"), null);
    fnFails("FN.lookup([1], 'a')", /parameter 'd' must be a dict, got list/);
    assert.deepEqual(fn("FN.merge([{'a': 1, 'b': 2}, {'a': 3, 'c': 4}])"), { a: 3, b: 2, c: 4 });
    assert.deepEqual(fn("FN.merge([])"), {});
    fnFails("FN.merge([1])", /parameter 'x\[0\]' must be a dict, got int/);
    const merged = fn("FN.merge([ACTIONS.a.result])", {
      ACTIONS: { a: { result: JSON.parse('{"__proto__": {"x": 1}}') } },
    });
    assert.equal(Object.getPrototypeOf(merged), Object.prototype);
  });
  test("base64", () => {
    assert.equal(fn("FN.to_base64('Hello, World!')"), "SGVsbG8sIFdvcmxkIQ==");
    assert.equal(fn("FN.to_base64('')"), "");
    assert.equal(fn("FN.from_base64('SGVsbG8sIFdvcmxkIQ==')"), "Hello, World!");
    assert.equal(fn("FN.from_base64('aGVs bG8=\\n')"), "hello");
    fnFails(
      "FN.from_base64('invalid base64')",
      /invalid base64: the number of data characters cannot be 1 more than a multiple of 4/,
    );
    fnFails("FN.from_base64('aGVsbG8')", /incorrect padding \(add '=' to a multiple of 4\)/);
    fnFails("FN.from_base64('/w==')", /UTF-8/);
  });
  test("JSON", () => {
    assert.equal(fn("FN.serialize_json({'a': [1, None]})"), '{"a":[1,null]}');
    assert.deepEqual(fn('FN.deserialize_json(\'{"status": "open", "count": 3}\')'), { status: "open", count: 3 });
    fnFails("FN.deserialize_json('{bad')", /not valid JSON/);
    fnFails("FN.deserialize_json(1)", /parameter 'obj' must be a str, got int/);
  });
  test("uuid4", () => {
    const a = fn("FN.uuid4()") as string;
    assert.match(a, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.notEqual(fn("FN.uuid4()"), a);
  });
  test("now uses the injected clock", () => {
    assert.equal(fn("FN.now()"), "2024-06-15T10:30:00");
    assert.equal(fn("FN.now(True)"), "2024-06-15T10:30:00");
    assert.equal(
      evaluateTemplate("at ${{ str(FN.now()) }}", {}, { registry, now: () => NOW }),
      "at 2024-06-15 10:30:00",
    );
  });
  test("to_datetime", () => {
    assert.equal(fn("FN.to_datetime(1609459200, 'UTC')"), "2021-01-01T00:00:00+00:00");
    assert.equal(fn("FN.to_datetime('2021-01-01T00:00:00')"), "2021-01-01T00:00:00");
    assert.equal(fn("FN.to_datetime('2021-01-01T00:00:00Z')"), "2021-01-01T00:00:00+00:00");
    assert.equal(fn("FN.to_datetime('2021-01-01T00:00:00+05:30')"), "2021-01-01T00:00:00+05:30");
    assert.equal(fn("FN.to_datetime('2021-01-01')"), "2021-01-01T00:00:00");
    assert.equal(fn("FN.to_datetime('2021-01-01T00:00:00', 'Asia/Tokyo')"), "2021-01-01T09:00:00+09:00");
    assert.equal(fn("FN.to_datetime('2021-01-01T00:00:00Z') == FN.to_datetime(1609459200)"), true);
    assert.equal(fn("FN.to_datetime('2021-01-01T00:00:00Z') < FN.to_datetime(1609459201)"), true);
    fnFails("FN.to_datetime('1/1/2021')", /invalid isoformat string: expected ISO 8601/);
    fnFails("FN.to_datetime('2021-02-31T00:00:00')", /day is out of range for month/);
    fnFails(
      "FN.to_datetime(1.5)",
      /parameter 'x' must be an ISO 8601 str, an integer timestamp in seconds or a datetime, got float/,
    );
    fnFails("FN.to_datetime('2021-01-01', 'Nowhere/Land')", /parameter 'timezone' is not a known IANA time zone name/);
  });
  test("hash_sha256", () => {
    assert.equal(fn("FN.hash_sha256('test')"), "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
    fnFails("FN.hash_sha256(1)", /parameter 'x' must be a str, got int/);
  });
});
