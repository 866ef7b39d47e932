// The SQL action's connection pools against the real PostgreSQL and MariaDB on this machine:
// reuse, no session state from one run in the next, a bound under concurrency, broken
// connections dropped, and a process that exits once its runs are done.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import mysql from "mysql2/promise";
import pg from "pg";
import { runAction, testContext } from "../../test-context.test-support.js";
import { POOL_MAX, sqlPoolStats } from "./pools.js";
import { sqlExecuteQueryAction } from "./sql-execute-query.js";

const run = (url: string, args: Record<string, unknown>) =>
  runAction(sqlExecuteQueryAction, args, testContext({ sql: { CONNECTION_URL: url } }));
/** MariaDB's reset (COM_RESET_CONNECTION) runs once a run has its result: this lets it finish. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 150));

/** The most server sessions `count` saw at once while `runs` were in flight (sampled until they end). */
async function peak(runs: Promise<unknown>[], count: () => Promise<number>): Promise<number> {
  let done = false;
  const all = Promise.all(runs).finally(() => {
    done = true;
  });
  let most = 0;
  while (!done) {
    most = Math.max(most, await count());
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await all;
  return most;
}

describe("PostgreSQL runs share a bounded pool", () => {
  const marker = `coffer_pool_${randomBytes(3).toString("hex")}`;
  // a URL of its own (application_name), so its pool and its server-side sessions are this test's
  const url = `postgresql://postgres@127.0.0.1:5432/test?application_name=${marker}`;
  const admin = new pg.Client({ host: "127.0.0.1", port: 5432, user: "postgres", database: "test" });
  const probe = {
    query: `SELECT pg_backend_pid() AS pid, current_setting('statement_timeout') AS timeout,
      current_setting('transaction_read_only') AS ro, current_setting('search_path') AS path,
      (SELECT count(*)::int FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()) AS locks`,
    fetch_one: true,
  };
  type Probe = { pid: number; timeout: string; ro: string; path: string; locks: number };
  const sessions = async (name = marker): Promise<number> =>
    (await admin.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1", [name])).rows[0]
      .n;
  before(() => admin.connect());
  after(() => admin.end());

  test("two runs in a row use the same server session (its reset travels with the next run's statement)", async () => {
    const first = (await run(url, probe)) as Probe;
    const second = (await run(url, probe)) as Probe;
    assert.equal(second.pid, first.pid);
    assert.equal(first.timeout, "30s");
    assert.equal(first.ro, "off");
  });

  test("what a run sets for its session (statement_timeout, read-only, search_path, advisory locks, temp tables) does not reach the next", async () => {
    const before_ = (await run(url, probe)) as Probe;
    await settle();
    await run(url, { query: "SELECT set_config('statement_timeout', '1ms', false)" });
    await settle();
    await run(url, { query: "SET default_transaction_read_only = on" });
    await settle();
    await run(url, { query: "SELECT set_config('search_path', 'pg_catalog', false), pg_advisory_lock(4242)" });
    await settle();
    await run(url, { query: "CREATE TEMP TABLE coffer_leak (a int)" });
    await settle();
    const after_ = (await run(url, probe)) as Probe;
    assert.equal(after_.pid, before_.pid, "the same session, reset");
    assert.deepEqual(after_, before_);
    await settle();
    // the temp table went with DISCARD ALL: creating it again works on the same session
    assert.equal(await run(url, { query: "CREATE TEMP TABLE coffer_leak (a int)" }), 0);
  });

  test("a read_only run and a timeout_seconds of its own do not reach a normal run on the same URL", async () => {
    const ro = (await run(url, { ...probe, read_only: true, timeout_seconds: 2 })) as Probe;
    assert.equal(ro.ro, "on");
    assert.equal(ro.timeout, "2s");
    await settle();
    const normal = (await run(url, probe)) as Probe;
    assert.equal(normal.ro, "off");
    assert.equal(normal.timeout, "30s");
    await settle();
    assert.equal(await run(url, { query: "CREATE TEMP TABLE coffer_rw (a int)" }), 0, "writes are allowed again");
  });

  test(`at most ${POOL_MAX} connections per configuration, however many runs at once`, async () => {
    const busy = `${marker}_busy`;
    const own = `postgresql://postgres@127.0.0.1:5432/test?application_name=${busy}`;
    const runs = Array.from({ length: 12 }, () => run(own, { query: "SELECT pg_sleep(0.2) AS s" }));
    const during = await peak(runs, () => sessions(busy));
    assert.ok(during <= POOL_MAX, `${during} sessions`);
    assert.ok(during >= 2, `${during} sessions: runs should overlap`);
    for (const stats of sqlPoolStats()) assert.ok(stats.total <= POOL_MAX, JSON.stringify(stats));
  });

  test("a connection the server kills while idle is dropped, and the next run gets a fresh one", async () => {
    const first = (await run(url, probe)) as Probe;
    await settle();
    await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1", [marker]);
    await settle();
    const next = (await run(url, probe)) as Probe;
    assert.notEqual(next.pid, first.pid);
  });

  test("a run that times out does not hand its connection to the next run", async () => {
    const first = (await run(url, probe)) as Probe;
    await settle();
    await assert.rejects(run(url, { query: "SELECT pg_sleep(5)", timeout_seconds: 0.3 }));
    await settle();
    const sessionsAfter = await sessions();
    const next = (await run(url, probe)) as Probe;
    assert.ok(sessionsAfter <= POOL_MAX);
    // the timed-out session was closed; a new run never sees it
    const alive = await admin.query(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = $1 AND state <> 'idle'",
      [first.pid],
    );
    assert.equal(alive.rows[0].n, 0);
    assert.equal(typeof next.pid, "number");
  });

  test("a statement that leaves a transaction open loses its connection", async () => {
    const first = (await run(url, probe)) as Probe;
    await settle();
    await run(url, { query: "BEGIN" });
    await settle();
    const next = (await run(url, probe)) as Probe;
    const open = await admin.query(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1 AND state LIKE 'idle in transaction%'",
      [marker],
    );
    assert.equal(open.rows[0].n, 0);
    assert.equal(typeof next.pid, "number");
    assert.equal(typeof first.pid, "number");
  });
});

describe("MariaDB runs share a bounded pool", () => {
  // its own URL (connect_timeout), so its pool is this test's
  const url = "mysql://root@127.0.0.1:3306/test?connect_timeout=9";
  let admin: mysql.Connection;
  const probe = {
    query:
      "SELECT CONNECTION_ID() AS id, @@session.sql_mode AS mode, @@session.max_statement_time AS t, @coffer_var AS v, IS_USED_LOCK('coffer_lock') AS lock_holder",
    fetch_one: true,
  };
  type Probe = { id: string; mode: string; t: string; v: string | null; lock_holder: string | null };
  before(async () => {
    admin = await mysql.createConnection({ host: "127.0.0.1", port: 3306, user: "root", database: "test" });
  });
  after(() => admin.end());

  test("two runs in a row use the same server connection", async () => {
    const first = (await run(url, probe)) as Probe;
    await settle();
    const second = (await run(url, probe)) as Probe;
    assert.equal(second.id, first.id);
  });

  test("session variables, user variables, locks and temporary tables of one run do not reach the next", async () => {
    const before_ = (await run(url, probe)) as Probe;
    await settle();
    await run(url, { query: "SET SESSION sql_mode = 'ANSI_QUOTES'" });
    await settle();
    await run(url, { query: "SET @coffer_var = 'leaked'" });
    await settle();
    await run(url, { query: "SET SESSION max_statement_time = 0.001" });
    await settle();
    await run(url, { query: "SELECT GET_LOCK('coffer_lock', 1) AS got" });
    await settle();
    await run(url, { query: "CREATE TEMPORARY TABLE coffer_leak (a INT)" });
    await settle();
    const after_ = (await run(url, probe)) as Probe;
    assert.equal(after_.id, before_.id, "the same connection, reset");
    assert.deepEqual(after_, before_);
    assert.equal(after_.v, null);
    assert.equal(after_.lock_holder, null);
    await settle();
    assert.equal(await run(url, { query: "CREATE TEMPORARY TABLE coffer_leak (a INT)" }), 0);
    // a prepared statement after the reset dropped the server's copies still runs
    await settle();
    assert.deepEqual(await run(url, { query: "SELECT :a + 1 AS b", bound_params: { a: 1 } }), [{ b: 2 }]);
    await settle();
    assert.deepEqual(await run(url, { query: "SELECT :a + 1 AS b", bound_params: { a: 1 } }), [{ b: 2 }]);
  });

  test("back to back (the reset travels in front of the next run's command), nothing of one run reaches the next", async () => {
    const before_ = (await run(url, probe)) as Probe;
    await run(url, { query: "SET SESSION sql_mode = 'ANSI_QUOTES'" });
    await run(url, { query: "SET @coffer_var = 'leaked'" });
    await run(url, { query: "SET SESSION max_statement_time = 0.001" });
    await run(url, { query: "SELECT GET_LOCK('coffer_lock', 1) AS got" });
    await run(url, { query: "CREATE TEMPORARY TABLE coffer_leak (a INT)" });
    await run(url, { query: "START TRANSACTION" });
    const after_ = (await run(url, probe)) as Probe;
    assert.equal(after_.id, before_.id, "the same connection, reset");
    assert.deepEqual(after_, before_);
    const open = (await run(url, { query: "SELECT @@in_transaction AS t", fetch_one: true })) as { t: unknown };
    assert.equal(Number(open.t), 0, "the transaction the last run began was rolled back");
    assert.equal(await run(url, { query: "CREATE TEMPORARY TABLE coffer_leak (a INT)" }), 0);
    // prepared statements: the reset drops the server's copies, mysql2 prepares again
    assert.deepEqual(await run(url, { query: "SELECT :a + 1 AS b", bound_params: { a: 1 } }), [{ b: 2 }]);
    assert.deepEqual(await run(url, { query: "SELECT :a + 1 AS b", bound_params: { a: 2 } }), [{ b: 3 }]);
    await run(url, { query: "SET @coffer_var = 'leaked'" });
    assert.deepEqual(await run(url, { query: "SELECT @coffer_var AS v, :a AS a", bound_params: { a: 5 } }), [
      { v: null, a: 5 },
    ]);
  });

  test("a lock a run took is let go once its connection is idle, with no other run to carry the reset", async () => {
    await run(url, { query: "SELECT GET_LOCK('coffer_idle_lock', 1) AS got" });
    let free: string | null = null;
    for (let i = 0; i < 100 && free === null; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      const [rows] = await admin.query("SELECT IS_FREE_LOCK('coffer_idle_lock') AS free");
      free = Number((rows as { free: number }[])[0]?.free) === 1 ? "free" : null;
    }
    assert.equal(free, "free");
  });

  test("a read_only run does not make the next run read-only", async () => {
    await assert.rejects(
      run(url, { query: "CREATE TEMPORARY TABLE t_ro (a INT)", read_only: true }).then(() => {
        // MariaDB allows temporary tables in a read-only transaction: then try a real write
        return run(url, { query: "INSERT INTO coffer_never_exists VALUES (1)", read_only: true });
      }),
    );
    await settle();
    const [rows] = await admin.query("SELECT 1");
    assert.ok(rows);
    assert.equal(await run(url, { query: "DO 1" }), 0);
  });

  test(`at most ${POOL_MAX} connections per configuration, however many runs at once`, async () => {
    const runs = Array.from({ length: 12 }, () =>
      run(url, { query: "SELECT SLEEP(0.2) AS s, 'coffer-pool-probe' AS m" }),
    );
    const during = await peak(runs, async () => {
      const [rows] = await admin.query(
        "SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE INFO LIKE '%coffer-pool-probe%' AND ID <> CONNECTION_ID()",
      );
      return Number((rows as { n: number }[])[0]?.n);
    });
    assert.ok(during <= POOL_MAX, `${during} connections`);
    assert.ok(during >= 2, `${during} connections: runs should overlap`);
    for (const stats of sqlPoolStats()) assert.ok(stats.total <= POOL_MAX, JSON.stringify(stats));
  });

  test("a connection the server kills while idle is dropped, and the next run gets a fresh one", async () => {
    const first = (await run(url, probe)) as Probe;
    await settle();
    await admin.query(`KILL ${Number(first.id)}`);
    await settle();
    const next = (await run(url, probe)) as Probe;
    assert.notEqual(next.id, first.id);
  });
});

test("a process that ran queries on PostgreSQL, MariaDB and ClickHouse exits on its own, well before idle connections time out", async () => {
  const script = fileURLToPath(new URL("./pools.exit.test-support.js", import.meta.url));
  const child = spawn(process.execPath, [script], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr.on("data", (chunk) => {
    output += chunk;
  });
  // Idle connections close after 10 s; an exit within 8 s shows nothing held the process open.
  const code = await new Promise<number | "hung">((resolve) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      resolve("hung");
    }, 8_000);
    child.on("exit", (exitCode) => {
      clearTimeout(timer);
      resolve(exitCode ?? -1);
    });
  });
  assert.equal(code, 0, output);
  assert.match(output, /ran: \[\{"one":1\}\] \[\{"one":1\}\] \[\{"one":1\}\]/);
});
