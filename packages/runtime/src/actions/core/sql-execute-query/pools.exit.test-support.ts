// TEST ONLY (pools.test.ts spawns it): runs one query on PostgreSQL, MariaDB and ClickHouse each, then
// leaves the pools as they are. The process must exit by itself.
import { runAction, testContext } from "../../test-context.test-support.js";
import { sqlExecuteQueryAction } from "./sql-execute-query.js";

const run = (url: string) =>
  runAction(sqlExecuteQueryAction, { query: "SELECT 1 AS one" }, testContext({ sql: { CONNECTION_URL: url } }));
const pgRows = await run("postgresql://postgres@127.0.0.1:5432/test");
const myRows = await run("mysql://root@127.0.0.1:3306/test");
const chRows = await run(process.env.COFFER_TEST_CLICKHOUSE_URL ?? "clickhouse+http://default@127.0.0.1:8123/default");
console.log(`ran: ${JSON.stringify(pgRows)} ${JSON.stringify(myRows)} ${JSON.stringify(chRows)}`);
