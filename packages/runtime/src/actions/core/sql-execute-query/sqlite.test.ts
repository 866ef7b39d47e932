// SQLite in a worker thread, with Coffer itself on SQLite: its own store must stay out of reach.
import assert from "node:assert/strict";
import { linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { createTestEnvironment, type TestEnvironment } from "@coffer/core/testing";
import Database from "better-sqlite3";
import { runAction, testContext } from "../../test-context.test-support.js";
import { ownDatabaseFromUrl } from "./own-database.js";
import { refusedWith } from "./sql.test-support.js";
import { createSqlAction, sqlExecuteQueryAction } from "./sql-execute-query.js";

let coffer: TestEnvironment;
let dir = "";
let action: ReturnType<typeof createSqlAction>;

const run = (args: Record<string, unknown>, url: string) =>
  runAction(action, args, testContext({ sql: { CONNECTION_URL: url } }));

before(async () => {
  coffer = await createTestEnvironment("sqlite");
  const store = await coffer.open();
  await store.close?.();
  dir = mkdtempSync(join(tmpdir(), "coffer-sql-sqlite-"));
  action = createSqlAction({
    ownDatabase: ownDatabaseFromUrl(coffer.databaseUrl),
    protectedPaths: [coffer.home],
    sqliteDir: dir,
  });
  const db = new Database(join(dir, "app.db"));
  db.exec(`CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT, age INT, active BOOLEAN, big INT, raw BLOB, doc TEXT);
    INSERT INTO users (name, age, active, big, raw) VALUES ('Alice', 30, 1, 9007199254740993, X'00ff10'), ('Bob', 25, 1, 1, NULL), ('Charlie', 35, 0, 2, NULL);`);
  db.close();
});

after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await coffer.cleanup();
});

describe("core.sql.execute_query on SQLite", () => {
  test("relative and absolute paths inside COFFER_SQL_SQLITE_DIR; big integers as strings, blobs as base64", async () => {
    const rows = await run({ query: "SELECT id, name, big, raw FROM users ORDER BY id" }, "sqlite:///app.db");
    assert.deepEqual((rows as unknown[])[0], { id: 1, name: "Alice", big: "9007199254740993", raw: "AP8Q" });
    assert.deepEqual(await run({ query: "SELECT count(*) AS n FROM users" }, `sqlite:///${join(dir, "app.db")}`), [
      { n: 3 },
    ]);
  });

  test("bound params (an injection-shaped value kept verbatim), fetch_one, writes commit", async () => {
    const evil = "x'); DROP TABLE users; -- :name";
    assert.equal(
      await run(
        {
          query: "INSERT INTO users (name, age, active) VALUES (:name, :age, :active)",
          bound_params: { name: evil, age: 9, active: true },
        },
        "sqlite:///app.db",
      ),
      1,
    );
    assert.deepEqual(
      await run(
        { query: "SELECT name, active FROM users WHERE name = :name", bound_params: { name: evil }, fetch_one: true },
        "sqlite:///app.db",
      ),
      { name: evil, active: 1 },
    );
    assert.equal(
      await run({ query: "DELETE FROM users WHERE name = :name", bound_params: { name: evil } }, "sqlite:///app.db"),
      1,
    );
    assert.equal(
      await run(
        { query: "SELECT 1 FROM users WHERE age > :a", bound_params: { a: 99 }, fetch_one: true },
        "sqlite:///app.db",
      ),
      null,
    );
  });

  test("max_rows reads only what it returns and logs the cut", async () => {
    const ctx = testContext({ sql: { CONNECTION_URL: "sqlite://" } });
    const rows = await runAction(
      action,
      { query: "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x FROM c", max_rows: 2 },
      ctx,
    );
    assert.deepEqual(rows, [{ x: 1 }, { x: 2 }]);
    assert.ok(ctx.lines.some((l) => /max_rows \(2\)/.test(l.message)));
  });

  test("a slow query is cut by timeout_seconds without blocking the event loop", async () => {
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 20);
    const started = Date.now();
    await refusedWith(
      run(
        {
          query:
            "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 12000000) SELECT x FROM c WHERE x < 0",
          timeout_seconds: 0.3,
        },
        "sqlite://",
      ),
      "sql_timeout",
    );
    clearInterval(ticker);
    assert.ok(Date.now() - started < 2500, `took ${Date.now() - started} ms`);
    assert.ok(ticks >= 5, `the event loop ran ${ticks} times`);
  });

  test("read_only opens the file read-only: a write is refused", async () => {
    await refusedWith(
      run({ query: "INSERT INTO users (name) VALUES ('Mallory')", read_only: true }, "sqlite:///app.db"),
      "sql_read_only",
    );
    assert.deepEqual(await run({ query: "SELECT count(*) AS n FROM users", read_only: true }, "sqlite:///app.db"), [
      { n: 3 },
    ]);
  });

  test("paths outside the folder, through symlinks or .., and Coffer's own files are refused", async () => {
    const outside = mkdtempSync(join(tmpdir(), "coffer-sql-outside-"));
    try {
      symlinkSync(outside, join(dir, "escape"));
      symlinkSync(coffer.databaseUrl, join(dir, "own.db"));
      linkSync(coffer.databaseUrl, join(dir, "hard.db"));
      for (const url of ["sqlite:///../x.db", `sqlite:///${join(outside, "x.db")}`, "sqlite:///escape/x.db"]) {
        const error = await refusedWith(run({ query: "SELECT 1" }, url), "sql_path_refused");
        assert.match(error.message, /COFFER_SQL_SQLITE_DIR/);
      }
      for (const url of ["sqlite:///own.db", "sqlite:///hard.db", `sqlite:///${coffer.databaseUrl}`]) {
        const error = await refusedWith(run({ query: "SELECT 1" }, url), "sql_path_refused");
        assert.match(error.message, /Coffer's own files|outside/);
      }
      // Coffer's files are refused even when the folder is Coffer's home
      const homeAction = createSqlAction({
        ownDatabase: ownDatabaseFromUrl(coffer.databaseUrl),
        protectedPaths: [coffer.home],
        sqliteDir: coffer.home,
      });
      await refusedWith(
        runAction(homeAction, { query: "SELECT 1" }, testContext({ sql: { CONNECTION_URL: "sqlite:///coffer.db" } })),
        "sql_path_refused",
      );
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  test("without COFFER_SQL_SQLITE_DIR every SQLite file is refused, naming the variable", async () => {
    const error = await refusedWith(
      runAction(
        sqlExecuteQueryAction,
        { query: "SELECT 1" },
        testContext({ sql: { CONNECTION_URL: "sqlite:///app.db" } }),
      ),
      "sql_path_refused",
    );
    assert.match(error.message, /COFFER_SQL_SQLITE_DIR/);
    mkdirSync(join(dir, "sub"), { recursive: true });
    assert.deepEqual(await run({ query: "CREATE TABLE t (x)" }, "sqlite:///sub/new.db"), 0);
  });

  test("Coffer on SQLite: the guard lets PostgreSQL URLs through (no own PostgreSQL to protect)", async () => {
    assert.deepEqual(await run({ query: "SELECT 1 AS one" }, "postgresql://postgres@127.0.0.1:5432/test"), [
      { one: 1 },
    ]);
  });
});
