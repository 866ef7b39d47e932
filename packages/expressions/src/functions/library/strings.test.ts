import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { stringFunctions } from "./strings.js";
import { assertFails, callerFor } from "./test-support.js";

const fn = callerFor(stringFunctions);

describe("string transforms", () => {
  it("capitalize follows str.capitalize (rest lower-cased, title case of the first letter)", () => {
    assert.equal(fn("capitalize", "hello world"), "Hello world");
    assert.equal(fn("capitalize", "hELLO wORLD"), "Hello world");
    assert.equal(fn("capitalize", "ßtraße"), "Sstraße");
    assert.equal(fn("capitalize", ""), "");
    assertFails(() => fn("capitalize", 5), "type_error", /parameter 'x' must be a str, got int/);
  });

  it("concat joins strings and rejects non-strings without implicit str()", () => {
    assert.equal(fn("concat", "ITEM", "5"), "ITEM5");
    assert.equal(fn("concat"), "");
    assertFails(() => fn("concat", "a", 1), "type_error", /parameter 'items\[1\]' must be a str, got int/);
  });

  it("endswith / startswith", () => {
    assert.equal(fn("endswith", "Hello World", "World"), true);
    assert.equal(fn("endswith", "Hello World", "Hello"), false);
    assert.equal(fn("endswith", "", ""), true);
    assert.equal(fn("endswith", "", "x"), false);
    assert.equal(fn("startswith", "Hello World", "Hello"), true);
    assert.equal(fn("startswith", "", ""), true);
    assertFails(() => fn("endswith", "abc", ["c"]), "type_error", /parameter 'suffix' must be a str, got list/);
    assertFails(() => fn("startswith", null, "a"), "type_error", /parameter 'x' must be a str, got NoneType/);
  });

  it("format implements Python's format language", () => {
    assert.equal(fn("format", "Hello {}", "World"), "Hello World");
    assert.equal(fn("format", "{} {} {}", "a", "b", "c"), "a b c");
    assert.equal(fn("format", "Value: {:.2f}", 3.14158), "Value: 3.14");
    assert.equal(fn("format", "{:>6}|{:<6}|{:^6}", "a", "b", "c"), "     a|b     |  c   ");
    assert.equal(fn("format", "{:,}", 1234567), "1,234,567");
    assert.equal(fn("format", "{:x}", 255), "ff");
    assert.equal(fn("format", "{:05.1f}", 3.14158), "003.1");
    assert.equal(fn("format", "{}", [1, "a", null]), "[1, 'a', None]");
    assert.equal(fn("format", "{} {}", true, null), "True None");
    assert.equal(fn("format", "{0[key]} {1[1]} {{x}}", { key: "v" }, [1, 2]), "v 2 {x}");
    assert.equal(
      fn("format", "{!r} {:#x} {:+d} {:e} {:g} {:.0f} {:.0f}", "a", 255, 5, 12345.678, 1e-5, 2.5, 3.5),
      "'a' 0xff +5 1.234568e+04 1e-05 2 4",
    );
    assert.equal(fn("format", "{:{}}|", "ab", 4), "ab  |");
    assert.equal(fn("format", "{:%}", 0.25), "25.000000%");
    assert.equal(fn("format", "{}", 1e16), "10000000000000000");
    assert.equal(fn("format", "{}", 0.1), "0.1");
    assert.equal(fn("format", "{}", 1.5e-7), "1.5e-07");
    assert.equal(fn("format", "{:020,.2f}|{:+08,d}|{:05}", 1234567, 7, "ab"), "0,000,001,234,567.00|+000,007|ab000");
    assert.equal(fn("format", "{:#.3g}|{:#g}|{:*^12,.2f}", 255, 1e-5, -1234.5), "255.|1.00000e-05|*-1,234.50**");
  });

  it("format errors name the problem, never the values", () => {
    assertFails(
      () => fn("format", "{} {}", "secret"),
      "value_error",
      /Replacement index 1 out of range for positional args tuple: only 1 value/,
    );
    assertFails(() => fn("format", "{name}", "x"), "value_error", /named replacement fields are not supported/);
    assertFails(() => fn("format", "{} {0}", "x"), "value_error", /cannot switch from automatic/);
    assertFails(
      () => fn("format", "{:d}", "secret"),
      "value_error",
      /unknown format code 'd' for object of type 'str'/,
    );
    assertFails(() => fn("format", "a } b"), "value_error", /single '}'/);
    assertFails(() => fn("format", "{:d}", null), "type_error", /NoneType/);
    assertFails(() => fn("format", 5), "type_error", /parameter 'template' must be a str/);
  });

  it("join unescapes \\n, \\t, \\r and \\\\ in the separator", () => {
    assert.equal(fn("join", ["A", "B", "C"], ","), "A,B,C");
    assert.equal(fn("join", ["A", "B", "C"], "@"), "A@B@C");
    assert.equal(fn("join", ["a", "b"], "\\n"), "a\nb");
    assert.equal(fn("join", ["a", "b"], "\\x"), "a\\xb");
    assert.equal(fn("join", "abc", "-"), "a-b-c");
    assert.equal(fn("join", [], ","), "");
    assertFails(() => fn("join", [1, 2], ","), "type_error", /parameter 'items\[0\]' must be a str, got int/);
    assertFails(() => fn("join", ["a"], null), "type_error", /parameter 'sep' must be a str, got NoneType/);
  });

  it("lowercase / uppercase use full Unicode mappings", () => {
    assert.equal(fn("lowercase", "HELLO"), "hello");
    assert.equal(fn("lowercase", "ΣΑΣ"), "σας");
    assert.equal(fn("uppercase", "hello"), "HELLO");
    assert.equal(fn("uppercase", "straße"), "STRASSE");
    assertFails(() => fn("uppercase", null), "type_error", /got NoneType/);
  });

  it("prefix / suffix render with Python str()", () => {
    assert.equal(fn("prefix", "test", "prefix"), "prefixtest");
    assert.deepEqual(fn("prefix", ["hello", "world"], "prefix"), ["prefixhello", "prefixworld"]);
    assert.deepEqual(fn("prefix", [1, 1.5, true, null], "p-"), ["p-1", "p-1.5", "p-True", "p-None"]);
    assert.equal(fn("prefix", { a: 1 }, "p-"), "p-{'a': 1}");
    assert.equal(fn("prefix", null, "p-"), "p-None");
    assert.equal(fn("suffix", "test", "suffix"), "testsuffix");
    assert.deepEqual(fn("suffix", ["hello", "world"], "suffix"), ["hellosuffix", "worldsuffix"]);
    assert.equal(fn("suffix", "a", 1), "a1");
  });

  it("replace is literal and handles an empty pattern like Python", () => {
    assert.equal(fn("replace", "in_progress_now", "_", " "), "in progress now");
    assert.equal(fn("replace", "abc", "", "-"), "-a-b-c-");
    assert.equal(fn("replace", "", "", "-"), "-");
    assert.equal(fn("replace", "a$b", "$", "$&"), "a$&b");
    assert.equal(fn("replace", "a\\nb", "\\n", "x"), "axb");
    assertFails(() => fn("replace", "abc", null, "x"), "type_error", /parameter 'old' must be a str/);
  });

  it("slice uses Python slice bounds over code points", () => {
    assert.equal(fn("slice", "hello", 1, 3), "ell");
    assert.equal(fn("slice", "hello", -3, 2), "ll");
    assert.equal(fn("slice", "hello", -2, 5), "");
    assert.equal(fn("slice", "hello", 1, -1), "");
    assert.equal(fn("slice", "hello", 10, 2), "");
    assert.deepEqual(fn("slice", [1, 2, 3, 4], 1, 2), [2, 3]);
    assert.equal(fn("slice", "😀ab", 0, 2), "😀a");
    assertFails(() => fn("slice", "hello", 1.5, 2), "type_error", /parameter 'start_index' must be an int, got float/);
    assertFails(() => fn("slice", 5, 0, 1), "type_error", /parameter 'x' must be a str or list, got int/);
  });

  it("slugify follows python-slugify", () => {
    assert.equal(fn("slugify", "Hello World!"), "hello-world");
    assert.equal(fn("slugify", "Ünïcödé Straße"), "unicode-strasse");
    assert.equal(fn("slugify", "It's a test"), "it-s-a-test");
    assert.equal(fn("slugify", "C'est déjà l'été"), "c-est-deja-l-ete");
    assert.equal(fn("slugify", "1,000 items"), "1000-items");
    assert.equal(fn("slugify", "  --Foo__Bar--  "), "foo-bar");
    assert.equal(fn("slugify", "影師嗎"), "ying-shi-ma");
    assert.equal(fn("slugify", "a &amp; b"), "a-b");
    assert.equal(fn("slugify", "&#169; 2024"), "2024");
    assert.equal(fn("slugify", ""), "");
    // Characters text-unidecode does not know become separators; C1 controls and emoji vanish.
    assert.equal(fn("slugify", "a\u0800b x\x85y 😀z"), "a-b-xy-z");
    assertFails(() => fn("slugify", 5), "type_error", /parameter 'x' must be a str, got int/);
  });

  it("split keeps empty strings and splits on whitespace runs with None", () => {
    assert.deepEqual(fn("split", "a,b,c", ","), ["a", "b", "c"]);
    assert.deepEqual(fn("split", "a b c", " "), ["a", "b", "c"]);
    assert.deepEqual(fn("split", "a||b||c", "||"), ["a", "b", "c"]);
    assert.deepEqual(fn("split", "a,b,", ","), ["a", "b", ""]);
    assert.deepEqual(fn("split", "a  b", " "), ["a", "", "b"]);
    assert.deepEqual(fn("split", "  a \t b\n", null), ["a", "b"]);
    assertFails(() => fn("split", "abc", ""), "value_error", /empty separator/);
  });

  it("strip removes a set of characters", () => {
    assert.equal(fn("strip", "  hello  ", " "), "hello");
    assert.equal(fn("strip", "xxhixyx", "xy"), "hi");
    assert.equal(fn("strip", "  hi \t\n\x85", null), "hi");
    assert.equal(fn("strip", " a ", ""), " a ");
    assertFails(() => fn("strip", "a", 1), "type_error", /parameter 'chars' must be a str/);
  });

  it("titleize follows str.title", () => {
    assert.equal(fn("titleize", "hello world"), "Hello World");
    assert.equal(fn("titleize", "they're bill's friends from the UK"), "They'Re Bill'S Friends From The Uk");
    assert.equal(fn("titleize", "abc123def"), "Abc123Def");
    assert.equal(fn("titleize", "HELLO"), "Hello");
    // Python's title case (ʼN, ᾼ), final sigma in context and U+0345 counting as cased.
    assert.equal(fn("titleize", "ŉ ᾳ σΑΣ ıσ\u0345ı"), "ʼN ᾼ Σας Iσ\u0345ı");
    assert.equal(fn("capitalize", "ﬀΣ µ"), "Ffς µ");
    assert.equal(fn("capitalize", "ǆemal"), "ǅemal");
    assertFails(() => fn("titleize", []), "type_error", /got list/);
  });

  it("url_encode encodes like urllib.parse.quote", () => {
    assert.equal(fn("url_encode", "admin+tracecat1@gmail.com"), "admin%2Btracecat1%40gmail.com");
    assert.equal(fn("url_encode", "path/segment with space"), "path%2Fsegment%20with%20space");
    assert.equal(fn("url_encode", 123), "123");
    assert.equal(fn("url_encode", "feature/security report", "/"), "feature/security%20report");
    assert.equal(fn("url_encode", "a b/c?d=e&f=g~_.-!*'()"), "a%20b%2Fc%3Fd%3De%26f%3Dg~_.-%21%2A%27%28%29");
    assert.equal(fn("url_encode", true), "True");
    assert.equal(fn("url_encode", "é"), "%C3%A9");
    assertFails(() => fn("url_encode", "a", null), "type_error", /parameter 'safe' must be a str, got NoneType/);
  });

  it("url_decode leaves + and malformed escapes alone", () => {
    assert.equal(fn("url_decode", "admin%2Btracecat1%40gmail.com"), "admin+tracecat1@gmail.com");
    assert.equal(fn("url_decode", "a+b%20c"), "a+b c");
    assert.equal(fn("url_decode", "%zz%4"), "%zz%4");
    assert.equal(fn("url_decode", "%ff"), "\ufffd");
    assert.equal(fn("url_decode", "%C3%A9"), "é");
    assertFails(() => fn("url_decode", 1), "type_error", /got int/);
  });
});
