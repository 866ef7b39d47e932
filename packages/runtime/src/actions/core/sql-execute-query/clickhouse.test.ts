// Against Debian's ClickHouse 18.16 over HTTP on 127.0.0.1:8123 (.ci/run installs and starts it).
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { runAction, testContext } from "../../test-context.test-support.js";
import { refusedWith } from "./sql.test-support.js";
import { sqlExecuteQueryAction } from "./sql-execute-query.js";

const URL_ = process.env.COFFER_TEST_CLICKHOUSE_URL ?? "clickhouse+http://default@127.0.0.1:8123/default";
const table = `sql_action_${randomBytes(4).toString("hex")}`;

const run = (args: Record<string, unknown>, url = URL_) =>
  runAction(sqlExecuteQueryAction, args, testContext({ sql: { CONNECTION_URL: url } }));

before(async () => {
  await run({ query: `CREATE TABLE ${table} (id UInt32, name String, big UInt64) ENGINE = Memory` });
  await run({
    query: `INSERT INTO ${table} VALUES (1, 'Alice', 18446744073709551615), (2, 'Bob', 2), (3, 'it''s :no', 3)`,
  });
});

after(async () => {
  await run({ query: `DROP TABLE IF EXISTS ${table}` });
});

describe("core.sql.execute_query on ClickHouse over HTTP", () => {
  test("rows as objects; 64-bit integers as strings; a :name inside a string literal is text", async () => {
    assert.deepEqual(await run({ query: `SELECT id, name, big FROM ${table} ORDER BY id` }), [
      { id: 1, name: "Alice", big: "18446744073709551615" },
      { id: 2, name: "Bob", big: "2" },
      { id: 3, name: "it's :no", big: "3" },
    ]);
    assert.deepEqual(await run({ query: `SELECT name FROM ${table} WHERE name = 'it''s :no'`, fetch_one: true }), {
      name: "it's :no",
    });
    assert.equal(await run({ query: `SELECT name FROM ${table} WHERE id = 99`, fetch_one: true }), null);
  });

  test("max_rows stops reading an endless result and logs the cut", async () => {
    const ctx = testContext({ sql: { CONNECTION_URL: URL_ } });
    assert.deepEqual(
      await runAction(sqlExecuteQueryAction, { query: "SELECT number FROM system.numbers", max_rows: 2 }, ctx),
      [{ number: "0" }, { number: "1" }],
    );
    assert.ok(ctx.lines.some((l) => /max_rows \(2\)/.test(l.message)));
  });

  test("this server is too old for server-side parameters: bound_params is refused plainly, never spliced", async () => {
    const error = await refusedWith(
      run({ query: `SELECT name FROM ${table} WHERE id = :id`, bound_params: { id: 1 } }),
      "sql_unsupported",
    );
    assert.match(error.message, /18\.16.*server-side query parameters/);
  });

  test("read_only (readonly=1) refuses a write; writes commit otherwise", async () => {
    await refusedWith(
      run({ query: `INSERT INTO ${table} VALUES (9, 'Mallory', 0)`, read_only: true }),
      "sql_read_only",
    );
    assert.deepEqual(await run({ query: `SELECT count() AS n FROM ${table}`, read_only: true }), [{ n: "3" }]);
    await run({ query: `INSERT INTO ${table} VALUES (4, 'Dan', 4)` });
    assert.deepEqual(await run({ query: `SELECT count() AS n FROM ${table}` }), [{ n: "4" }]);
  });

  test("a slow query is cut by timeout_seconds (max_execution_time on the server)", async () => {
    const started = Date.now();
    await refusedWith(run({ query: "SELECT count() FROM system.numbers", timeout_seconds: 1 }), "sql_timeout");
    assert.ok(Date.now() - started < 3500, `took ${Date.now() - started} ms`);
  });

  test("SQL errors are sql_query_failed", async () => {
    const error = await refusedWith(run({ query: "SELECT * FROM nonexistent_table" }), "sql_query_failed");
    assert.match(error.message, /nonexistent_table doesn't exist/);
  });
});
