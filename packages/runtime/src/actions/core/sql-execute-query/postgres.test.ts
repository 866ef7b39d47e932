// Against the real PostgreSQL on this machine (127.0.0.1:5432, user postgres, db test; .ci/run starts it).
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { isCofferError } from "@coffer/core";
import pg from "pg";
import { runAction, testContext } from "../../test-context.test-support.js";
import { refusedWith } from "./sql.test-support.js";
import { createSqlAction, sqlExecuteQueryAction } from "./sql-execute-query.js";
import { startThrowawayPostgres, type ThrowawayPostgres } from "./throwaway-postgres.test-support.js";

const URL_ = "postgresql+psycopg://postgres@127.0.0.1:5432/test";
const table = `sql_action_${randomBytes(4).toString("hex")}`;
const admin = new pg.Client({ host: "127.0.0.1", port: 5432, user: "postgres", database: "test" });

const run = (args: Record<string, unknown>, url = URL_) =>
  runAction(sqlExecuteQueryAction, args, testContext({ sql: { CONNECTION_URL: url } }));

before(async () => {
  await admin.connect();
  await admin.query(
    `CREATE TABLE ${table} (id serial PRIMARY KEY, name text NOT NULL, email text, age int, active boolean,
      big bigint, price numeric(10,2), born date, seen timestamptz, at timestamp, raw bytea, doc jsonb)`,
  );
  await admin.query(
    `INSERT INTO ${table} (name, email, age, active, big, price, born, seen, at, raw, doc) VALUES
      ('Alice','alice@example.com',30,true, 9007199254740993, 12.50, '1994-03-01', '2024-01-02 03:04:05.123456+00', '2024-01-02 03:04:05', '\\x00ff10', '{"a":[1,2]}'),
      ('Bob','bob@example.com',25,true, 1, 0.10, NULL, NULL, NULL, NULL, NULL),
      ('Charlie','charlie@example.com',35,false, 2, 1, NULL, NULL, NULL, NULL, NULL),
      ('Diana','diana@example.com',28,true, 3, 1, NULL, NULL, NULL, NULL, NULL),
      ('Eve','eve@example.com',32,true, 4, 1, NULL, NULL, NULL, NULL, NULL)`,
  );
});

after(async () => {
  await admin.query(`DROP TABLE IF EXISTS ${table}`);
  await admin.end();
});

describe("core.sql.execute_query on PostgreSQL", () => {
  test("rows as objects in Tracecat's shapes: ISO dates, bigints and decimals as strings, bytea base64, jsonb as values", async () => {
    const rows = (await run({
      query: `SELECT id, name, email, age, active, big, price, born, seen, at, raw, doc FROM ${table} ORDER BY id`,
    })) as Record<string, unknown>[];
    assert.equal(rows.length, 5);
    assert.deepEqual(rows[0], {
      id: 1,
      name: "Alice",
      email: "alice@example.com",
      age: 30,
      active: true,
      big: "9007199254740993",
      price: "12.50",
      born: "1994-03-01",
      seen: rows[0]?.seen,
      at: "2024-01-02T03:04:05",
      raw: Buffer.from([0, 255, 16]).toString("base64"),
      doc: { a: [1, 2] },
    });
    assert.equal(new Date(rows[0]?.seen as string).toISOString(), "2024-01-02T03:04:05.123Z");
    assert.match(rows[0]?.seen as string, /^2024-01-0\dT\d\d:04:05\.123456[+-]\d\d:\d\d$/);
  });

  test("bound params (T-SQL-05/12), fetch_one (06/07) and a count without params (15)", async () => {
    const active = (await run({
      query: `SELECT name FROM ${table} WHERE active = :active ORDER BY id`,
      bound_params: { active: true },
    })) as { name: string }[];
    assert.deepEqual(
      active.map((r) => r.name),
      ["Alice", "Bob", "Diana", "Eve"],
    );
    const between = (await run({
      query: `SELECT name FROM ${table} WHERE age BETWEEN :min_age AND :max_age AND active = :active ORDER BY id`,
      bound_params: { min_age: 25, max_age: 30, active: true },
    })) as { name: string }[];
    assert.deepEqual(
      between.map((r) => r.name),
      ["Alice", "Bob", "Diana"],
    );
    assert.deepEqual(
      await run({
        query: `SELECT name, email FROM ${table} WHERE age > :min_age ORDER BY age LIMIT 1`,
        bound_params: { min_age: 30 },
        fetch_one: true,
      }),
      { name: "Eve", email: "eve@example.com" },
    );
    assert.equal(
      await run({
        query: `SELECT name FROM ${table} WHERE age > :min_age`,
        bound_params: { min_age: 100 },
        fetch_one: true,
      }),
      null,
    );
    assert.deepEqual(await run({ query: `SELECT COUNT(*) as total FROM ${table} WHERE active = TRUE` }), [
      { total: "4" },
    ]);
  });

  test("a value shaped like SQL injection is stored and read back verbatim; ::cast right after :param", async () => {
    const evil = `Robert'); DROP TABLE ${table}; -- :name \\ $1 "x"`;
    assert.equal(
      await run({
        query: `INSERT INTO ${table} (name, age) VALUES (:name, :age::int)`,
        bound_params: { name: evil, age: "41" },
      }),
      1,
    );
    const back = await run({
      query: `SELECT name, age, :age::int + 1 AS next FROM ${table} WHERE name = :name`,
      bound_params: { name: evil, age: "41" },
      fetch_one: true,
    });
    assert.deepEqual(back, { name: evil, age: 41, next: 42 });
    assert.equal(await run({ query: `DELETE FROM ${table} WHERE name = :name`, bound_params: { name: evil } }), 1);
  });

  test("writes commit and return the affected row count (T-SQL-08/09/10)", async () => {
    assert.equal(
      await run({
        query: `INSERT INTO ${table} (name, age, active) VALUES (:n, 40, true)`,
        bound_params: { n: "Frank" },
      }),
      1,
    );
    const { rows } = await admin.query(`SELECT name FROM ${table} WHERE name = 'Frank'`);
    assert.deepEqual(rows, [{ name: "Frank" }]);
    assert.equal(await run({ query: `UPDATE ${table} SET age = age WHERE active = true` }), 5);
    assert.equal(await run({ query: `DELETE FROM ${table} WHERE name = 'Frank'` }), 1);
  });

  test("max_rows cuts the result and says so in the log, not in the result", async () => {
    const ctx = testContext({ sql: { CONNECTION_URL: URL_ } });
    const rows = await runAction(
      sqlExecuteQueryAction,
      { query: "SELECT g FROM generate_series(1, 1000000) g", max_rows: 2 },
      ctx,
    );
    assert.deepEqual(rows, [{ g: 1 }, { g: 2 }]);
    assert.ok(ctx.lines.some((l) => l.level === "warn" && /max_rows \(2\)/.test(l.message)));
    const small = testContext({ sql: { CONNECTION_URL: URL_ } });
    await runAction(sqlExecuteQueryAction, { query: "SELECT 1 AS one", max_rows: 2 }, small);
    assert.ok(!small.lines.some((l) => /max_rows/.test(l.message)));
  });

  test("max_rows: the server computes only the rows sent, never the whole result", async () => {
    // row 1000 divides by zero: a result computed whole would fail; a suspended portal never gets there
    const rows = await run({ query: "SELECT g, 10 / (g - 1000) AS q FROM generate_series(1, 2000) g", max_rows: 3 });
    assert.deepEqual(rows, [
      { g: 1, q: 0 },
      { g: 2, q: 0 },
      { g: 3, q: 0 },
    ]);
    await refusedWith(
      run({ query: "SELECT g, 10 / (g - 1000) AS q FROM generate_series(1, 2000) g", max_rows: 1000 }),
      "sql_query_failed",
    );
  });

  test("a slow query is cut by timeout_seconds and its connection is gone", async () => {
    const started = Date.now();
    const marker = `coffer-timeout-${randomBytes(3).toString("hex")}`;
    const error = await refusedWith(
      run({ query: `SELECT pg_sleep(30), '${marker}'`, timeout_seconds: 0.5 }, `${URL_}?application_name=${marker}`),
      "sql_timeout",
    );
    assert.match(error.message, /timeout_seconds \(0\.5 s\)/);
    assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`);
    await new Promise((r) => setTimeout(r, 200));
    const { rows } = await admin.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1", [
      marker,
    ]);
    assert.equal(rows[0].n, 0);
  });

  test("read_only refuses a write on the server and commits nothing", async () => {
    const error = await refusedWith(
      run({ query: `INSERT INTO ${table} (name) VALUES ('Mallory')`, read_only: true }),
      "sql_read_only",
    );
    assert.match(error.message, /read_only/);
    const { rows } = await admin.query(`SELECT count(*)::int AS n FROM ${table} WHERE name = 'Mallory'`);
    assert.equal(rows[0].n, 0);
    assert.deepEqual(await run({ query: `SELECT count(*)::int AS n FROM ${table}`, read_only: true }), [{ n: 5 }]);
  });

  test("SQL errors are sql_query_failed with the SQLSTATE (T-SQL-13); a missing :param names it", async () => {
    const error = await refusedWith(run({ query: "SELECT * FROM nonexistent_table" }), "sql_query_failed");
    assert.match(error.message, /nonexistent_table/);
    assert.deepEqual((error as { details?: unknown }).details, { sqlstate: "42P01" });
    await refusedWith(run({ query: "SELECT :a" }), "sql_missing_parameter");
  });

  test("an unknown dialect (T-SQL-14) and an unknown option are refused", async () => {
    await refusedWith(run({ query: "SELECT 1" }, "invalid://url"), "unsupported_sql_dialect");
    await refusedWith(run({ query: "SELECT 1" }, `${URL_}?sslrootcert=/etc/x.pem`), "invalid_sql_option");
    await refusedWith(run({ query: "SELECT 1" }, `${URL_}?sslmode=prefer`), "invalid_sql_option");
  });

  test("sslmode=require against a server without TLS fails as a connection error", async () => {
    await refusedWith(run({ query: "SELECT 1" }, `${URL_}?sslmode=require`), "sql_connection_failed");
  });

  test("pooled connections are reused, and a SET in one run does not reach the next", async () => {
    const first = (await run({
      query: "SELECT pg_backend_pid() AS pid, current_setting('search_path') AS path",
      fetch_one: true,
    })) as { pid: number; path: string };
    await run({ query: "SET search_path TO pg_catalog" });
    const second = (await run({
      query: "SELECT pg_backend_pid() AS pid, current_setting('search_path') AS path",
      fetch_one: true,
    })) as { pid: number; path: string };
    assert.equal(second.pid, first.pid);
    assert.equal(second.path, first.path);
  });

  test("the guard refuses Coffer's own PostgreSQL under any loopback alias, and allows another port", async () => {
    const action = createSqlAction({ ownDatabase: { dialect: "postgres", host: "127.0.0.1", port: 5432 } });
    const internalUrl = "postgres://coffer:internal-secret@127.0.0.1:5432/coffer";
    for (const url of [
      "postgresql+psycopg://user:pass@localhost:5432/other",
      "postgresql://user:pass@127.0.0.2/other",
      "postgresql://user:pass@[::1]:5432/other",
      "postgresql://user:pass@[::ffff:127.0.0.1]:5432/other",
      "postgresql://user:pass@LOCALHOST./other",
      "mysql://user:pass@127.0.0.1:5432/other",
    ]) {
      const error = await refusedWith(
        runAction(action, { query: "SELECT 1" }, testContext({ sql: { CONNECTION_URL: url } })),
        "sql_internal_database",
      );
      assert.match(error.message.toLowerCase(), /internal database endpoint/);
      assert.ok(!error.message.includes("internal-secret") && !error.message.includes(internalUrl));
    }
    // a different port is someone else's database (MariaDB's port here): the guard lets it through
    try {
      await runAction(
        action,
        { query: "SELECT 1" },
        testContext({ sql: { CONNECTION_URL: "postgresql://u:p@127.0.0.1:3306/x?connect_timeout=2" } }),
      );
      assert.fail("a PostgreSQL client cannot talk to MariaDB");
    } catch (error) {
      assert.ok(isCofferError(error));
      assert.equal(error.code, "sql_connection_failed");
    }
  });
});

// A throwaway cluster with password authentication: the shared server trusts every loopback login.
describe("a wrong password on PostgreSQL", () => {
  let server: ThrowawayPostgres | undefined;
  let port = 0;
  before(async () => {
    server = await startThrowawayPostgres({ password: "right-pass" });
    port = server.port;
  });
  after(() => server?.stop());

  test("the error and the log contain neither the password nor the URL", async () => {
    const password = "Wr0ng:p@ss/w%rd";
    const url = `postgresql+psycopg://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
    const ctx = testContext({ sql: { CONNECTION_URL: url } });
    const error = await refusedWith(runAction(sqlExecuteQueryAction, { query: "SELECT 1" }, ctx), "sql_auth_failed");
    const shown = `${error.message} ${JSON.stringify((error as { details?: unknown }).details)} ${error.stack} ${JSON.stringify(ctx.lines)}`;
    for (const part of [password, encodeURIComponent(password), url]) assert.ok(!shown.includes(part), shown);
    const ok = `postgresql://postgres:right-pass@127.0.0.1:${port}/postgres`;
    assert.deepEqual(await run({ query: "SELECT 1 AS one" }, ok), [{ one: 1 }]);
  });
});
