import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ExprValue } from "../function-definition.js";
import { formatterFunctions } from "./formatters.js";
import { jsonFunctions } from "./json.js";
import { assertFails, callerFor } from "./test-support.js";

const fn = callerFor([...jsonFunctions, ...formatterFunctions]);
const rows: ExprValue = [
  { name: "Alice", age: 30 },
  { name: "Bob", city: "L|A", age: null },
];

describe("JSON functions", () => {
  it("lookup returns None for missing keys", () => {
    assert.equal(fn("lookup", { a: 1 }, "a"), 1);
    assert.equal(fn("lookup", { a: null }, "a"), null);
    assert.equal(fn("lookup", {}, "a"), null);
    assert.equal(fn("lookup", { "1": "one" }, 1), null);
    assertFails(() => fn("lookup", [1], 0), "type_error", /parameter 'd' must be a dict, got list/);
    assertFails(() => fn("lookup", { a: 1 }, ["a"]), "type_error", /parameter 'k'/);
  });

  it("map_keys renames every key", () => {
    assert.deepEqual(fn("map_keys", { a: 1, b: 2 }, { a: "x", b: "y" }), { x: 1, y: 2 });
    assert.deepEqual(fn("map_keys", {}, {}), {});
    assertFails(
      () => fn("map_keys", { missing: 1 }, { other: "x" }),
      "value_error",
      /^a key of 'x' is not in the 'keys' mapping/,
    );
  });

  it("merge is shallow; later dicts win", () => {
    assert.deepEqual(fn("merge", [{ a: 1 }, { b: 2 }]), { a: 1, b: 2 });
    assert.deepEqual(fn("merge", []), {});
    assert.deepEqual(fn("merge", [{ a: 1 }, { a: 2 }]), { a: 2 });
    assert.deepEqual(fn("merge", [{ a: { x: 1 } }, { b: { y: 2 } }]), { a: { x: 1 }, b: { y: 2 } });
    const merged = fn("merge", [
      { a: 1, b: 2 },
      { a: 3, c: 4 },
    ]);
    assert.deepEqual(Object.entries(merged as object), [
      ["a", 3],
      ["b", 2],
      ["c", 4],
    ]);
    assertFails(() => fn("merge", [{ a: 1 }, 5]), "type_error", /parameter 'x\[1\]' must be a dict, got int/);
  });

  it("flatten_dict makes path keys", () => {
    assert.deepEqual(fn("flatten_dict", '{"a": {"b": 1}}'), { "a.b": 1 });
    assert.deepEqual(fn("flatten_dict", '{"items": [1, 2]}'), { "items[0]": 1, "items[1]": 2 });
    assert.deepEqual(fn("flatten_dict", '{"user": {"name": "Alice", "data": [1, 2]}}'), {
      "user.name": "Alice",
      "user.data[0]": 1,
      "user.data[1]": 2,
    });
    assert.deepEqual(fn("flatten_dict", { a: { b: [1, { c: 2 }], e: {}, f: [] }, "x.y": 1 }), {
      "a.b[0]": 1,
      "a.b[1].c": 2,
      "x.y": 1,
    });
    assert.deepEqual(fn("flatten_dict", [1, [2, 3]]), { "[0]": 1, "[1][0]": 2, "[1][1]": 3 });
    assert.deepEqual(fn("flatten_dict", 5), { "": 5 });
    assert.deepEqual(fn("flatten_dict", { a: { b: 1 } }, 1), { "a.b": 1 });
    assertFails(
      () => fn("flatten_dict", { a: { b: { c: 1 } } }, 1),
      "value_error",
      /maximum recursion depth \(1\) exceeded/,
    );
    assertFails(() => fn("flatten_dict", '"just a string"'), "value_error", /must decode to a JSON object or array/);
    assertFails(() => fn("flatten_dict", "{bad json"), "value_error", /not valid JSON/);
  });

  it("to_keys / to_values keep insertion order", () => {
    assert.deepEqual(fn("to_keys", { a: 1, b: 2, c: 3 }), ["a", "b", "c"]);
    assert.deepEqual(fn("to_keys", {}), []);
    assert.deepEqual(fn("to_values", { a: 1, b: 2, c: 3 }), [1, 2, 3]);
    assertFails(() => fn("to_keys", [1]), "type_error", /parameter 'x' must be a dict, got list/);
    assertFails(() => fn("to_values", null), "type_error", /got NoneType/);
  });

  it("tabulate renders markdown, html, csv and xml", () => {
    assert.equal(fn("tabulate", rows, "markdown"), "|age|city|name|\n|-|-|-|\n|30||Alice|\n||L|A|Bob|");
    assert.equal(fn("tabulate", rows, "csv"), "age,city,name\r\n30,,Alice\r\n,L|A,Bob\r\n");
    assert.equal(
      fn("tabulate", rows, "html"),
      "<table>\n  <thead>\n    <tr>\n      <th>age</th>\n      <th>city</th>\n      <th>name</th>\n    </tr>\n  </thead>\n  <tbody>\n    <tr>\n      <td>30</td>\n      <td></td>\n      <td>Alice</td>\n    </tr>\n    <tr>\n      <td>None</td>\n      <td>L|A</td>\n      <td>Bob</td>\n    </tr>\n  </tbody>\n</table>",
    );
    assert.equal(
      fn("tabulate", rows, "xml"),
      '<?xml version="1.0" ?>\n<items>\n  <item>\n    <name>Alice</name>\n    <age>30</age>\n  </item>\n  <item>\n    <name>Bob</name>\n    <city>L|A</city>\n    <age/>\n  </item>\n</items>\n',
    );
    assert.equal(fn("tabulate", [], "markdown"), "");
    assert.equal(fn("tabulate", [{}], "markdown"), "");
    assert.equal(fn("tabulate", [{}], "csv"), "\r\n\r\n");
    assert.ok((fn("tabulate", [{ a: null }], "markdown") as string).split("\n").length >= 3);
    assert.match(fn("tabulate", [{ x: '<script>"' }], "html") as string, /&lt;script&gt;&quot;/);
    assert.equal(fn("tabulate", [{ a: 'x,"y' }], "csv"), 'a\r\n"x,""y"\r\n');
    assertFails(
      () => fn("tabulate", rows, "pdf"),
      "value_error",
      /unsupported table format; expected `markdown`, `html`, `csv`, or `xml`/,
    );
    assertFails(() => fn("tabulate", [{ "1bad": 1 }], "xml"), "value_error", /not a valid XML element name/);
    assertFails(() => fn("tabulate", [1], "csv"), "type_error", /parameter 'x\[0\]' must be a dict/);
  });
});

describe("formatters", () => {
  it("to_markdown_list", () => {
    assert.equal(fn("to_markdown_list", ["a", 1, null]), "- a\n- 1\n- None");
    assert.equal(fn("to_markdown_list", ["a", "b"], true), "1. a\n2. b");
    assert.equal(fn("to_markdown_list", "ab"), "- a\n- b");
    assert.equal(fn("to_markdown_list", []), "");
    assertFails(() => fn("to_markdown_list", 5), "type_error", /parameter 'x'/);
  });

  it("to_markdown_table is tabulate markdown", () => {
    assert.equal(
      fn("to_markdown_table", [
        { id: "f-1", severity: "high" },
        { id: "f-2", severity: "medium" },
      ]),
      "|id|severity|\n|-|-|\n|f-1|high|\n|f-2|medium|",
    );
    assert.equal(fn("to_markdown_table", []), "");
    assertFails(() => fn("to_markdown_table", ["x"]), "type_error", /must be a dict, got str/);
  });

  it("to_markdown_tasks", () => {
    assert.equal(fn("to_markdown_tasks", ["x", "y"]), "- [ ] x\n- [ ] y");
    assert.equal(fn("to_markdown_tasks", []), "");
    assertFails(() => fn("to_markdown_tasks", null), "type_error", /got NoneType/);
  });
});
