import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ExprObject, ExprValue } from "../function-definition.js";
import { PyDate, PyDateTime } from "./datetime-values.js";
import { serializationFunctions } from "./serialization.js";
import { assertFails, callerFor } from "./test-support.js";
import { timeFunctions } from "./time.js";

const fn = callerFor([...serializationFunctions, ...timeFunctions]);

describe("JSON", () => {
  it("is_json accepts any strict JSON value", () => {
    for (const ok of ['{"a":1}', "123", "null", '"x"']) assert.equal(fn("is_json", ok), true, ok);
    for (const bad of ["", "{'a':1}", "NaN", "[1,]", "// c\n1"]) assert.equal(fn("is_json", bad), false, bad);
    assert.equal(fn("is_json", 123), false);
    assert.equal(fn("is_json", null), false);
  });

  it("deserialize_json parses strict JSON", () => {
    assert.deepEqual(fn("deserialize_json", '{"status": "open", "count": 3}'), { status: "open", count: 3 });
    assert.deepEqual(fn("deserialize_json", '{"a":1,"a":2}'), { a: 2 });
    assert.equal(fn("deserialize_json", "null"), null);
    assertFails(() => fn("deserialize_json", "{'secret': 1}"), "value_error", /^the text is not valid JSON/);
    assertFails(() => fn("deserialize_json", 5), "type_error", /parameter 'obj' must be a str, got int/);
  });

  it("deserialize_ndjson parses one value per line", () => {
    assert.deepEqual(fn("deserialize_ndjson", '{"key": "value"}\n{"key": "value"}\n'), [
      { key: "value" },
      { key: "value" },
    ]);
    assert.deepEqual(fn("deserialize_ndjson", '{"key": "value"}'), [{ key: "value" }]);
    assert.deepEqual(fn("deserialize_ndjson", '{"a":1}\r\n[1,2]\n3\n"x"\n'), [{ a: 1 }, [1, 2], 3, "x"]);
    assert.deepEqual(fn("deserialize_ndjson", ""), []);
    assertFails(() => fn("deserialize_ndjson", '{"a":1}\n\n{"b":2}'), "value_error", /line 2 is not valid JSON/);
  });

  it("prettify_json is json.dumps(indent=2)", () => {
    assert.equal(fn("prettify_json", { a: 1 }), '{\n  "a": 1\n}');
    assert.equal(fn("prettify_json", [1, 2]), "[\n  1,\n  2\n]");
    assert.equal(fn("prettify_json", "test"), '"test"');
    assert.equal(
      fn("prettify_json", { é: [1, 2.5, null, true], e: {}, l: [] }),
      '{\n  "\\u00e9": [\n    1,\n    2.5,\n    null,\n    true\n  ],\n  "e": {},\n  "l": []\n}',
    );
    assert.equal(fn("prettify_json", [Number.NaN, 1e16, 1e-5]), "[\n  NaN,\n  10000000000000000,\n  1e-05\n]");
    assertFails(() => fn("prettify_json", fn("today")), "type_error", /Object of type date is not JSON serializable/);
  });

  it("serialize / serialize_json are compact orjson", () => {
    for (const name of ["serialize", "serialize_json"]) {
      assert.equal(fn(name, { status: "ok", count: 3 }), '{"status":"ok","count":3}');
      for (const v of [{ a: 1 }, [1, 2, 3], "test", 123]) assert.deepEqual(JSON.parse(fn(name, v) as string), v);
    }
    assert.equal(
      fn("serialize_json", ["é", "\n", 1.5e-7, 0.00001, Number.NaN, Number.POSITIVE_INFINITY]),
      '["é","\\n",1.5e-7,0.00001,null,null]',
    );
    assert.equal(
      fn("serialize_json", [fn("to_datetime", "2021-01-01T00:00:00Z"), fn("to_datetime", "2021-01-01")]),
      '["2021-01-01T00:00:00+00:00","2021-01-01T00:00:00"]',
    );
    const deep: ExprValue[] = [];
    let cursor = deep;
    for (let i = 0; i < 1000; i++) {
      const next: ExprValue[] = [];
      cursor.push(next);
      cursor = next;
    }
    assertFails(() => fn("serialize_json", deep), "limit_exceeded", /nested deeper/);
  });
});

describe("YAML", () => {
  it("deserialize_yaml is YAML 1.1 safe_load", () => {
    const v = fn(
      "deserialize_yaml",
      "a: yes\nb: 012\nc: 0x1F\nd: 1_000\ne: 1:20\nh: ~\ni: .inf\nj: 1e3\nk: 1.0e+3\nl: On\n",
    );
    assert.deepEqual(v, {
      a: true,
      b: 10,
      c: 31,
      d: 1000,
      e: 80,
      h: null,
      i: Number.POSITIVE_INFINITY,
      j: "1e3",
      k: 1000,
      l: true,
    });
    assert.deepEqual(fn("deserialize_yaml", "- a\n- b"), ["a", "b"]);
    assert.deepEqual(fn("deserialize_yaml", "x: 0777\ny: 08\nz: +12\nw: 0b101\nv: -1:20:30\nf: 1:20.5\ne: y"), {
      x: 511,
      y: "08",
      z: 12,
      w: 5,
      v: -4830,
      f: 80.5,
      e: "y",
    });
    assert.equal(fn("deserialize_yaml", ""), null);
    const dates = fn("deserialize_yaml", "f: 2021-01-01\ng: 2021-01-01T10:00:00Z\nm: 2021-01-01 10:00:00\n") as Record<
      string,
      ExprObject
    >;
    assert.ok(dates.f instanceof PyDate);
    assert.equal(dates.f.toPythonString(), "2021-01-01");
    assert.ok(dates.g instanceof PyDateTime);
    assert.equal(dates.g.toPythonString(), "2021-01-01 10:00:00+00:00");
    assert.equal(dates.m?.toPythonString(), "2021-01-01 10:00:00");
    assertFails(() => fn("deserialize_yaml", "a: 1\n---\nb: 2\n"), "value_error", /single YAML document/);
    assertFails(
      () => fn("deserialize_yaml", "!!python/tuple [1, 2]"),
      "value_error",
      /tag that safe loading does not allow/,
    );
    assertFails(() => fn("deserialize_yaml", "a: [1, 2"), "value_error", /not valid YAML/);
    assertFails(() => fn("deserialize_yaml", 1), "type_error", /parameter 'x' must be a str/);
  });

  it("serialize_yaml is yaml.dump: sorted keys, unindented sequences, `...` after scalars", () => {
    assert.equal(fn("serialize_yaml", { b: 1, a: [1, 2], c: { d: "e" } }), "a:\n- 1\n- 2\nb: 1\nc:\n  d: e\n");
    assert.equal(fn("serialize_yaml", [1, "a"]), "- 1\n- a\n");
    assert.equal(fn("serialize_yaml", []), "[]\n");
    assert.equal(fn("serialize_yaml", {}), "{}\n");
    assert.equal(fn("serialize_yaml", "hello"), "hello\n...\n");
    assert.equal(fn("serialize_yaml", 1), "1\n...\n");
    assert.equal(fn("serialize_yaml", null), "null\n...\n");
    assert.equal(fn("serialize_yaml", "2021-01-01"), "'2021-01-01'\n");
    assert.equal(
      fn("serialize_yaml", { k: "a: b", l: "- x", m: "#c", o: " lead", q: "null", r: "1.5", s: "08", u: "y" }),
      "k: 'a: b'\nl: '- x'\nm: '#c'\no: ' lead'\nq: 'null'\nr: '1.5'\ns: 08\nu: y\n",
    );
    assert.equal(
      fn("serialize_yaml", { x: "yes", y: "123", z: "", n: null, t: true, nested: [[1, 2], [3]] }),
      "n: null\nnested:\n- - 1\n  - 2\n- - 3\nt: true\nx: 'yes'\ny: '123'\nz: ''\n",
    );
  });
});
