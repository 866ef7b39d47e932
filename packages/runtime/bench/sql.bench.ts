// `npm run bench -- sql`: one `SELECT 1` through core.sql.execute_query against the same query on
// a raw driver connection kept open (the floor), per database, pooling on. Ratio = our ms per
// query / the floor's. Two figures for the action: its handler with a plain context (the action
// itself: URL parse, guard, translation, pool checkout, driver, result shaping) and a whole run
// through the executor (secret read and decrypt, use-audit, masking) on an embedded store.
// Then where the time goes: each step of the action path timed on its own.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@clickhouse/client";
import { loadConfig, openCoffer } from "@coffer/core";
import { type ActionDefinition, defineAction, z } from "@coffer/sdk";
import mysql from "mysql2";
import pg from "pg";
import { translateQuery } from "../src/actions/core/sql-execute-query/bound-params.js";
import { clickhouseType } from "../src/actions/core/sql-execute-query/clickhouse.js";
import { parseConnectionUrl, sensitiveParts } from "../src/actions/core/sql-execute-query/connection-url.js";
import { closeSqlPools, urlPoolKey } from "../src/actions/core/sql-execute-query/pools.js";
import { sqlExecuteQueryAction } from "../src/actions/core/sql-execute-query/sql-execute-query.js";
import { jsonRow } from "../src/actions/core/sql-execute-query/values.js";
import { runAction, testContext } from "../src/actions/test-context.test-support.js";
import { createExecutor } from "../src/executor/executor.js";
import { createMasker } from "../src/masking/masker.js";
import { createRegistry } from "../src/registry/registry.js";

/** Mean milliseconds per call of `fn`, over about `ms` milliseconds after a warm-up. */
async function msPerCall(fn: () => Promise<unknown> | unknown, ms = 1500, warmup = 200): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    await fn();
    n++;
  }
  return (performance.now() - start) / n;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
};

/**
 * The floor and each contender in alternating short blocks (so a busy machine slows them alike);
 * per contender: the median ms per call, and the median of its per-block ratios to the floor.
 */
async function interleaved(
  floor: () => Promise<unknown>,
  contenders: Record<string, () => Promise<unknown>>,
  blocks = 15,
): Promise<{ floor: number; results: Record<string, { ms: number; ratio: number }> }> {
  for (const fn of [floor, ...Object.values(contenders)]) await msPerCall(fn, 200);
  const floors: number[] = [];
  const times: Record<string, number[]> = {};
  const ratios: Record<string, number[]> = {};
  for (let b = 0; b < blocks; b++) {
    const f = await msPerCall(floor, 120, 0);
    floors.push(f);
    for (const [name, fn] of Object.entries(contenders)) {
      const t = await msPerCall(fn, 120, 0);
      times[name] = [...(times[name] ?? []), t];
      ratios[name] = [...(ratios[name] ?? []), t / f];
    }
  }
  const results: Record<string, { ms: number; ratio: number }> = {};
  for (const name of Object.keys(contenders)) {
    results[name] = { ms: median(times[name] ?? []), ratio: median(ratios[name] ?? []) };
  }
  return { floor: median(floors), results };
}

const fmt = (ms: number) => (ms < 1 ? `${(ms * 1000).toFixed(1)} µs` : `${ms.toFixed(3)} ms`);
const line = (label: string, ms: number, floor?: number) =>
  console.log(`  ${label.padEnd(46)} ${fmt(ms).padStart(10)}${floor ? `   ${(ms / floor).toFixed(2)}x` : ""}`);

/** Reads the sql secret and does nothing: the executor's share of a run (resolution, use-audit, masker). */
const secretOnly = defineAction({
  namespace: "bench",
  name: "sql_secret_only",
  title: "Reads the sql secret",
  args: z.object({}),
  secrets: [{ name: "sql", keys: ["CONNECTION_URL"] }],
  handler: (_args, ctx) => ctx.secrets.of("sql").CONNECTION_URL?.length ?? 0,
});

const home = mkdtempSync(join(tmpdir(), "coffer-bench-sql-"));
try {
  const coffer = await openCoffer(loadConfig({ COFFER_HOME: home, COFFER_LOG_LEVEL: "silent" }));
  await coffer.bootstrap({ actor: "bench" });
  const ws = (await coffer.workspaces.resolve("default")).id;
  const registry = await createRegistry({
    builtins: [sqlExecuteQueryAction, secretOnly] as unknown as ActionDefinition[],
    paths: [],
  });
  const executor = createExecutor({
    registry,
    resolution: coffer.resolution,
    logger: coffer.logger,
    config: coffer.config,
    createMasker,
    runCustomAction: async () => ({ ok: true, result: null }),
  });

  const databases: {
    name: string;
    environment: string;
    url: string;
    raw: { query(): Promise<unknown>; close(): void };
  }[] = [];

  const pgClient = new pg.Client({ host: "127.0.0.1", port: 5432, user: "postgres", database: "test" });
  await pgClient.connect();
  databases.push({
    name: "PostgreSQL",
    environment: "bench_pg",
    url: "postgresql://postgres@127.0.0.1:5432/test",
    raw: { query: () => pgClient.query("SELECT 1 AS one"), close: () => void pgClient.end() },
  });
  const myConnection = mysql.createConnection({ host: "127.0.0.1", port: 3306, user: "root", database: "test" });
  databases.push({
    name: "MariaDB",
    environment: "bench_mariadb",
    url: "mysql://root@127.0.0.1:3306/test",
    raw: {
      query: () =>
        new Promise((resolve, reject) =>
          myConnection.query("SELECT 1 AS one", (error, rows) => (error ? reject(error) : resolve(rows))),
        ),
      close: () => myConnection.end(),
    },
  });

  const clickhouse = createClient({ url: "http://127.0.0.1:8123", compression: { request: false, response: false } });
  databases.push({
    name: "ClickHouse",
    environment: "bench_clickhouse",
    url: process.env.COFFER_TEST_CLICKHOUSE_URL ?? "clickhouse+http://default@127.0.0.1:8123/default",
    raw: {
      query: async () => (await clickhouse.query({ query: "SELECT 1 AS one", format: "JSONEachRow" })).json(),
      close: () => void clickhouse.close(),
    },
  });

  for (const db of databases) {
    await coffer.secrets.create(
      ws,
      { name: "sql", environment: db.environment, keys: [{ key: "CONNECTION_URL", value: db.url }] },
      { actor: "bench" },
    );
    console.log(`-- ${db.name}: SELECT 1 (medians of 15 alternating blocks)`);
    const ctx = testContext({ sql: { CONNECTION_URL: db.url } });
    const viaExecutor = () =>
      executor.runAction({
        workspaceId: ws,
        actionId: "core.sql.execute_query",
        args: { query: "SELECT 1 AS one" },
        environment: db.environment,
        actor: { actor: "bench" },
      });
    const check = await viaExecutor();
    if (check.status !== "succeeded" || JSON.stringify(check.result) !== '[{"one":1}]') {
      throw new Error(`the run through the executor did not return [{"one":1}]: ${JSON.stringify(check)}`);
    }
    const { floor, results } = await interleaved(() => db.raw.query(), {
      handler: () => runAction(sqlExecuteQueryAction, { query: "SELECT 1 AS one" }, ctx),
      executor: viaExecutor,
      secretOnly: () =>
        executor.runAction({
          workspaceId: ws,
          actionId: "bench.sql_secret_only",
          args: {},
          environment: db.environment,
          actor: { actor: "bench" },
        }),
    });
    ctx.lines.length = 0;
    const handler = results.handler as { ms: number; ratio: number };
    const whole = results.executor as { ms: number; ratio: number };
    line("raw driver, one open connection (floor)", floor);
    console.log(
      `  ${"the action (handler, pooled connection)".padEnd(46)} ${fmt(handler.ms).padStart(10)}   ${handler.ratio.toFixed(2)}x (target ≤ 2x: ${handler.ratio <= 2 ? "met" : "MISSED"})`,
    );
    const secretOnlyMs = (results.secretOnly as { ms: number }).ms;
    console.log(
      `  ${"a whole run through the executor".padEnd(46)} ${fmt(whole.ms).padStart(10)}   ${whole.ratio.toFixed(2)}x`,
    );
    console.log(
      `  ${"  of which the executor alone (sql secret read,".padEnd(46)} ${fmt(secretOnlyMs).padStart(10)}   (a no-query action)`,
    );
    console.log("      decrypt, use-audit write, masker)");
    db.raw.close();
  }

  console.log("-- where the time goes, per run (each step alone)");
  const text = "postgresql://postgres:s3cr%40t@127.0.0.1:5432/test?application_name=x";
  const url = parseConnectionUrl(text);
  line("parse the URL", await msPerCall(() => parseConnectionUrl(text), 500));
  line("its sensitive parts (only when a run fails)", await msPerCall(() => sensitiveParts(text, url), 500));
  line(
    "the pool key (JSON of the URL's parts)",
    await msPerCall(() => urlPoolKey(url, 30_000, false, null, "disable"), 500),
  );
  line(
    "translate :params",
    await msPerCall(() => translateQuery("SELECT :a::int AS one", { a: 1 }, "postgresql", clickhouseType), 500),
  );
  line("shape 1 row", await msPerCall(() => jsonRow({ one: 1 }), 500));
} finally {
  await closeSqlPools();
  rmSync(home, { recursive: true, force: true });
}
