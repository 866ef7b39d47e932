// `SELECT 1` through core.sql.execute_query against the same query on a raw driver, per database.
// PostgreSQL runs are pooled (a small pool per configuration), MariaDB runs open and close a
// connection each, so two raw floors are measured: a new connection per query and one kept open.
// Ratio = action ms per query / floor ms per query. Run: npm run bench -- sql
import mysql from "mysql2/promise";
import pg from "pg";
import { sqlExecuteQueryAction } from "../src/actions/core/sql-execute-query/sql-execute-query.js";
import { runAction, testContext } from "../src/actions/test-context.test-support.js";

const N = 200;

async function time(label: string, work: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 10; i++) await work();
  const start = process.hrtime.bigint();
  for (let i = 0; i < N; i++) await work();
  const ms = Number(process.hrtime.bigint() - start) / 1e6 / N;
  console.log(`${label.padEnd(44)} ${ms.toFixed(3)} ms/query`);
  return ms;
}

async function bench(
  name: string,
  url: string,
  fresh: () => Promise<unknown>,
  kept: { query(): Promise<unknown>; close(): Promise<unknown> },
) {
  console.log(`-- ${name}`);
  const ctx = testContext({ sql: { CONNECTION_URL: url } });
  const action = await time("action", () => runAction(sqlExecuteQueryAction, { query: "SELECT 1 AS one" }, ctx));
  const rawFresh = await time("raw driver, new connection per query", fresh);
  const rawKept = await time("raw driver, one open connection", () => kept.query());
  await kept.close();
  console.log(
    `ratio vs new connection: ${(action / rawFresh).toFixed(2)}x; vs open connection: ${(action / rawKept).toFixed(2)}x`,
  );
}

const pgConfig = { host: "127.0.0.1", port: 5432, user: "postgres", database: "test" };
const pgKept = new pg.Client(pgConfig);
await pgKept.connect();
await bench(
  "PostgreSQL",
  "postgresql://postgres@127.0.0.1:5432/test",
  async () => {
    const c = new pg.Client(pgConfig);
    await c.connect();
    await c.query("SELECT 1 AS one");
    await c.end();
  },
  { query: () => pgKept.query("SELECT 1 AS one"), close: () => pgKept.end() },
);

const myConfig = { host: "127.0.0.1", port: 3306, user: "root", database: "test" };
const myKept = await mysql.createConnection(myConfig);
await bench(
  "MariaDB",
  "mysql://root@127.0.0.1:3306/test",
  async () => {
    const c = await mysql.createConnection(myConfig);
    await c.execute("SELECT 1 AS one");
    await c.end();
  },
  { query: () => myKept.execute("SELECT 1 AS one"), close: () => myKept.end() },
);
