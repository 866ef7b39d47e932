import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isCofferError } from "@coffer/core";
import { translateQuery } from "./bound-params.js";

describe(":name bound parameters", () => {
  test("PostgreSQL gets $n, one per distinct name, reused when repeated", () => {
    const t = translateQuery("SELECT * FROM t WHERE a = :a AND b > :b OR a2 = :a", { a: 1, b: "x" }, "postgresql");
    assert.equal(t.sql, "SELECT * FROM t WHERE a = $1 AND b > $2 OR a2 = $1");
    assert.deepEqual(t.values, [1, "x"]);
    assert.deepEqual(t.names, ["a", "b"]);
  });

  test("MySQL and SQLite get ?, values repeated in order", () => {
    for (const family of ["mysql", "sqlite"] as const) {
      const t = translateQuery("SELECT :a, :b, :a", { a: 1, b: 2 }, family);
      assert.equal(t.sql, "SELECT ?, ?, ?");
      assert.deepEqual(t.values, [1, 2, 1]);
    }
  });

  test("ClickHouse gets {name:Type}", () => {
    const t = translateQuery("SELECT :n, :s", { n: 5, s: "x" }, "clickhouse", (v) =>
      typeof v === "number" ? "Int64" : "String",
    );
    assert.equal(t.sql, "SELECT {n:Int64}, {s:String}");
    assert.deepEqual(t.values, []);
  });

  test("::casts stay, also right next to a parameter", () => {
    const t = translateQuery(
      "SELECT :v::int, '1'::text, x::jsonb, :w ::date",
      { v: "5", w: "2024-01-01" },
      "postgresql",
    );
    assert.equal(t.sql, "SELECT $1::int, '1'::text, x::jsonb, $2 ::date");
  });

  test("string literals, quoted identifiers, comments and dollar quotes are not scanned", () => {
    const q = [
      "SELECT ':no', 'it''s :no', \"col:no\", E'\\' :no', $$ :no $$, $f$ :no $f$ -- :no",
      "/* :no /* nested :no */ still :no */ , :yes",
    ].join("\n");
    const t = translateQuery(q, { yes: 1 }, "postgresql");
    assert.equal(t.sql, q.replace(":yes", "$1"));
    assert.deepEqual(t.names, ["yes"]);
  });

  test("MySQL: backslash escapes in strings, backticks and # comments", () => {
    const q = "SELECT 'a\\' :no', `x:no`, \"d\\\" :no\" # :no\n, :yes";
    const t = translateQuery(q, { yes: 1 }, "mysql");
    assert.equal(t.sql, q.replace(":yes", "?"));
  });

  test("a colon glued to a word, a time literal or \\: is not a parameter", () => {
    const t = translateQuery("SELECT a:b, 10:30, x\\:lit", {}, "sqlite");
    assert.equal(t.sql, "SELECT a:b, 10:30, x:lit");
  });

  test("a missing parameter names itself; the value is never interpolated", () => {
    assert.throws(
      () => translateQuery("SELECT :present, :absent", { present: 1 }, "postgresql"),
      (error: unknown) =>
        isCofferError(error) && error.code === "sql_missing_parameter" && /:absent/.test(error.message),
    );
    const t = translateQuery("SELECT :v", { v: "'; DROP TABLE t; --" }, "postgresql");
    assert.equal(t.sql, "SELECT $1");
  });
});
