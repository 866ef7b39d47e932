// A run that is cancelled (its signal aborts) on the real PostgreSQL and MariaDB: it rejects at
// once with action_aborted, its connection is closed and never handed to another run, and a run
// cancelled before it starts never opens a connection at all. (Its statements are spelled so no
// other test file that counts sleeping statements on the same servers matches them.)
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { isCofferError } from "@coffer/core";
import mysql from "mysql2/promise";
import pg from "pg";
import { runAction, testContext } from "../../test-context.test-support.js";
import { sqlPoolStats } from "./pools.js";
import { sqlExecuteQueryAction } from "./sql-execute-query.js";

const run = (url: string, args: Record<string, unknown>, signal: AbortSignal) =>
  runAction(sqlExecuteQueryAction, args, testContext({ sql: { CONNECTION_URL: url } }, { signal }));

const aborted = (error: unknown): boolean => {
  assert.ok(isCofferError(error), String(error));
  assert.equal(error.code, "action_aborted");
  return true;
};

/**
 * Polls `check` until it holds: the server notices a closed socket a moment later (MariaDB's
 * SLEEP looks at its connection every few seconds).
 */
async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.fail(what);
}

describe("cancelling a run on PostgreSQL", () => {
  const marker = `coffer_cancel_${randomBytes(3).toString("hex")}`;
  const url = `postgresql://postgres@127.0.0.1:5432/test?application_name=${marker}`;
  const admin = new pg.Client({ host: "127.0.0.1", port: 5432, user: "postgres", database: "test" });
  const sessions = async (name: string, state?: string): Promise<number> =>
    (
      await admin.query(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1 AND ($2::text IS NULL OR state = $2)",
        [name, state ?? null],
      )
    ).rows[0].n;
  before(() => admin.connect());
  after(() => admin.end());

  test("a cancelled slow query rejects with action_aborted, and its connection is closed, never reused", async () => {
    const controller = new AbortController();
    const running = run(url, { query: "SELECT pg_sleep(30) AS s" }, controller.signal);
    await eventually(async () => (await sessions(marker, "active")) === 1, "the query never started");
    const [busy] = (
      await admin.query("SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND state = 'active'", [marker])
    ).rows;
    controller.abort();
    await assert.rejects(running, aborted);
    // the socket is cut at once and the connection leaves the pool (PostgreSQL itself notices only
    // when pg_sleep returns)
    await eventually(
      async () => sqlPoolStats().every((stats) => stats.total === stats.idle),
      "the cancelled connection is still checked out",
    );
    const next = (await run(
      url,
      { query: "SELECT pg_backend_pid() AS pid", fetch_one: true },
      new AbortController().signal,
    )) as {
      pid: number;
    };
    assert.notEqual(next.pid, busy.pid);
    await admin.query("SELECT pg_terminate_backend($1)", [busy.pid]);
  });

  test("a run cancelled before it starts opens no connection", async () => {
    const own = `postgresql://postgres@127.0.0.1:5432/test?application_name=${marker}_never`;
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(run(own, { query: "SELECT 1 AS one" }, controller.signal), aborted);
    assert.equal(await sessions(`${marker}_never`), 0);
  });
});

describe("cancelling a run on MariaDB", () => {
  const url = "mysql://root@127.0.0.1:3306/test";
  let admin: mysql.Connection;
  const probe = `coffer-cancel-${randomBytes(3).toString("hex")}`;
  const running = async (): Promise<number> => {
    const [rows] = await admin.query(
      "SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE INFO LIKE ? AND ID <> CONNECTION_ID()",
      [`%${probe}%`],
    );
    return Number((rows as { n: number }[])[0]?.n);
  };
  before(async () => {
    admin = await mysql.createConnection({ host: "127.0.0.1", port: 3306, user: "root", database: "test" });
  });
  after(() => admin.end());

  test("a cancelled slow query rejects with action_aborted and its connection goes", async () => {
    const controller = new AbortController();
    const pending = run(url, { query: `SELECT SLEEP(30) AS cancelled, '${probe}' AS m` }, controller.signal);
    await eventually(async () => (await running()) === 1, "the query never started");
    controller.abort();
    await assert.rejects(pending, aborted);
    await eventually(async () => (await running()) === 0, "the cancelled statement still runs");
    assert.deepEqual(await run(url, { query: "SELECT 1 AS one" }, new AbortController().signal), [{ one: 1 }]);
  });
});
