// Against the real MariaDB on this machine (127.0.0.1:3306, root without password, db test; .ci/run starts it).
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import mysql from "mysql2/promise";
import { runAction, testContext } from "../../test-context.test-support.js";
import { refusedWith } from "./sql.test-support.js";
import { sqlExecuteQueryAction } from "./sql-execute-query.js";

const URL_ = "mysql+pymysql://root@127.0.0.1:3306/test";
const suffix = randomBytes(4).toString("hex");
const table = `sql_action_${suffix}`;
const user = `coffer_sql_${suffix}`;
let admin: mysql.Connection;

const run = (args: Record<string, unknown>, url = URL_) =>
  runAction(sqlExecuteQueryAction, args, testContext({ sql: { CONNECTION_URL: url } }));

before(async () => {
  admin = await mysql.createConnection({ host: "127.0.0.1", port: 3306, user: "root", database: "test" });
  await admin.query(
    `CREATE TABLE ${table} (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(200) NOT NULL, email TEXT, age INT,
      active BOOLEAN, big BIGINT, price DECIMAL(10,2), born DATE, at DATETIME(6), raw VARBINARY(16))`,
  );
  await admin.query(
    `INSERT INTO ${table} (name, email, age, active, big, price, born, at, raw) VALUES
      ('Alice','alice@example.com',30,true, 9007199254740993, 12.50, '1994-03-01', '2024-01-02 03:04:05.123456', X'00ff10'),
      ('Bob','bob@example.com',25,true, 1, 0.10, NULL, NULL, NULL),
      ('Charlie','charlie@example.com',35,false, 2, 1, NULL, NULL, NULL),
      ('Diana','diana@example.com',28,true, 3, 1, NULL, NULL, NULL),
      ('Eve','eve@example.com',32,true, 4, 1, NULL, NULL, NULL)`,
  );
  await admin.query(`CREATE USER '${user}'@'127.0.0.1' IDENTIFIED BY 'right-pass'`);
  await admin.query(`GRANT SELECT ON test.${table} TO '${user}'@'127.0.0.1'`);
});

after(async () => {
  await admin.query(`DROP TABLE IF EXISTS ${table}`);
  await admin.query(`DROP USER IF EXISTS '${user}'@'127.0.0.1'`);
  await admin.end();
});

describe("core.sql.execute_query on MariaDB", () => {
  test("rows in Tracecat's shapes: ISO datetimes, bigints and decimals as strings, binary as base64, JSON as values", async () => {
    const rows = (await run({
      query: `SELECT id, name, age, active, big, price, born, at, raw FROM ${table} ORDER BY id`,
    })) as Record<string, unknown>[];
    assert.equal(rows.length, 5);
    assert.deepEqual(rows[0], {
      id: 1,
      name: "Alice",
      age: 30,
      active: 1,
      big: "9007199254740993",
      price: "12.50",
      born: "1994-03-01",
      at: "2024-01-02T03:04:05.123456",
      raw: Buffer.from([0, 255, 16]).toString("base64"),
    });
    assert.deepEqual(await run({ query: "SELECT JSON_OBJECT('a', 1) AS doc" }), [{ doc: { a: 1 } }]);
  });

  test("bound params, fetch_one, and a count", async () => {
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
      await run({ query: `SELECT name FROM ${table} WHERE age > :a`, bound_params: { a: 100 }, fetch_one: true }),
      null,
    );
    assert.deepEqual(await run({ query: `SELECT COUNT(*) AS total FROM ${table} WHERE active = TRUE` }), [
      { total: "4" },
    ]);
  });

  test("a value shaped like SQL injection is stored and read back verbatim; a repeated :param", async () => {
    const evil = `Robert\\'); DROP TABLE ${table}; -- :name # ? "x"`;
    assert.equal(
      await run({
        query: `INSERT INTO ${table} (name, age) VALUES (:name, :age)`,
        bound_params: { name: evil, age: 41 },
      }),
      1,
    );
    const back = await run({
      query: `SELECT name, :age + 1 AS next FROM ${table} WHERE name = :name AND :name = name`,
      bound_params: { name: evil, age: 41 },
      fetch_one: true,
    });
    assert.deepEqual(back, { name: evil, next: 42 });
    const [rows] = await admin.query(`SELECT COUNT(*) AS n FROM ${table} WHERE name = ?`, [evil]);
    assert.equal((rows as { n: number }[])[0]?.n, 1);
    assert.equal(await run({ query: `DELETE FROM ${table} WHERE name = :name`, bound_params: { name: evil } }), 1);
  });

  test("writes commit", async () => {
    assert.equal(await run({ query: `INSERT INTO ${table} (name, age) VALUES ('Frank', 40)` }), 1);
    const [rows] = await admin.query(`SELECT name FROM ${table} WHERE name = 'Frank'`);
    assert.deepEqual(rows, [{ name: "Frank" }]);
    assert.equal(await run({ query: `DELETE FROM ${table} WHERE name = 'Frank'` }), 1);
  });

  test("max_rows cuts the result and says so in the log", async () => {
    const ctx = testContext({ sql: { CONNECTION_URL: URL_ } });
    const rows = await runAction(sqlExecuteQueryAction, { query: "SELECT seq FROM seq_1_to_100000", max_rows: 3 }, ctx);
    assert.deepEqual(rows, [{ seq: "1" }, { seq: "2" }, { seq: "3" }]);
    assert.ok(ctx.lines.some((l) => l.level === "warn" && /max_rows \(3\)/.test(l.message)));
  });

  test("a slow query is cut by timeout_seconds (max_statement_time)", async () => {
    const started = Date.now();
    const error = await refusedWith(
      run({
        query: "SELECT SLEEP(30) AS s, 1 AS x FROM DUAL WHERE 1 = 1 AND (SELECT COUNT(*) FROM seq_1_to_10) > 0",
        timeout_seconds: 0.5,
      }),
      "sql_timeout",
    );
    assert.match(error.message, /timeout_seconds \(0\.5 s\)/);
    assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`);
    await new Promise((r) => setTimeout(r, 200));
    const [left] = await admin.query(
      "SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE INFO LIKE '%SELECT SLEEP(30) AS s%' AND ID <> CONNECTION_ID()",
    );
    assert.equal((left as { n: number }[])[0]?.n, 0);
  });

  test("read_only refuses a write on the server", async () => {
    await refusedWith(
      run({ query: `INSERT INTO ${table} (name) VALUES ('Mallory')`, read_only: true }),
      "sql_read_only",
    );
    const [rows] = await admin.query(`SELECT COUNT(*) AS n FROM ${table} WHERE name = 'Mallory'`);
    assert.equal((rows as { n: number }[])[0]?.n, 0);
    assert.deepEqual(await run({ query: `SELECT COUNT(*) AS n FROM ${table}`, read_only: true }), [{ n: "5" }]);
  });

  test("ssl_mode=REQUIRED against this MariaDB (TLS disabled) fails clearly", async () => {
    const error = await refusedWith(
      run({ query: "SELECT 1" }, "mysql://root@127.0.0.1:3306/test?ssl_mode=REQUIRED"),
      "sql_connection_failed",
    );
    assert.match(error.message, /does not offer TLS/);
  });

  test("SQL errors are sql_query_failed with the SQLSTATE", async () => {
    const error = await refusedWith(run({ query: "SELECT * FROM nonexistent_table" }), "sql_query_failed");
    assert.deepEqual((error as { details?: unknown }).details, { sqlstate: "42S02" });
  });

  test("a wrong password: the error and the log contain neither the password nor the URL", async () => {
    const password = "Wr0ng:p@ss/w%rd";
    const url = `mariadb+pymysql://${user}:${encodeURIComponent(password)}@127.0.0.1:3306/test`;
    const ctx = testContext({ sql: { CONNECTION_URL: url } });
    const error = await refusedWith(runAction(sqlExecuteQueryAction, { query: "SELECT 1" }, ctx), "sql_auth_failed");
    const shown = `${error.message} ${JSON.stringify((error as { details?: unknown }).details)} ${error.stack} ${JSON.stringify(ctx.lines)}`;
    for (const part of [password, encodeURIComponent(password), url]) assert.ok(!shown.includes(part), shown);
    assert.deepEqual(await run({ query: "SELECT 1 AS one" }, `mariadb://${user}:right-pass@127.0.0.1:3306/test`), [
      { one: 1 },
    ]);
  });
});
