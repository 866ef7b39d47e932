// A workflow whose SQL actions read the `sql` secret from two environments and so reach two
// different databases: `staging` is a PostgreSQL database, `prod` a MariaDB one, each holding
// its own marker row. Through `coffer workflow run`, real processes, the real executor.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { canary, createTestEnvironment, openBootstrapped, type TestEnvironment } from "@coffer/core/testing";
import { stringify } from "yaml";
import { type CliResult, runCli } from "./support.js";

const suffix = randomBytes(4).toString("hex");
const table = `coffer_wf_sql_${suffix}`;
const pgDatabase = `coffer_wf_${suffix}`;
// The setup goes through the servers' own clients (psql, mysql), not the code under test.
const psql = (database: string, sql: string) =>
  execFileSync("psql", ["-h", "127.0.0.1", "-U", "postgres", "-d", database, "-v", "ON_ERROR_STOP=1", "-qc", sql]);
const mariadb = (sql: string) => execFileSync("mysql", ["-h", "127.0.0.1", "-u", "root", "test", "-e", sql]);

describe("coffer workflow run: sql from two environments reaches two databases", () => {
  let env: TestEnvironment;
  let dir: string;
  // trust auth on this PostgreSQL ignores the password: it only has to stay out of every output
  const pgPassword = canary("wf_sql_pg_password");
  const urls = {
    staging: `postgresql+psycopg://postgres:${pgPassword}@127.0.0.1:5432/${pgDatabase}`,
    prod: "mysql+pymysql://root@127.0.0.1:3306/test",
  };

  before(async () => {
    psql("test", `CREATE DATABASE ${pgDatabase}`);
    psql(pgDatabase, `CREATE TABLE ${table} (marker text); INSERT INTO ${table} VALUES ('staging-postgres')`);
    mariadb(`CREATE TABLE ${table} (marker TEXT); INSERT INTO ${table} VALUES ('prod-mariadb')`);

    env = await createTestEnvironment("sqlite");
    const { coffer, workspaceId } = await openBootstrapped(env);
    for (const [environment, value] of Object.entries(urls)) {
      await coffer.secrets.create(
        workspaceId,
        { name: "sql", environment, keys: [{ key: "CONNECTION_URL", value }] },
        { actor: "test" },
      );
    }
    await coffer.close();
    dir = mkdtempSync(join(tmpdir(), "coffer-wf-sql-"));
  });

  after(async () => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    await env?.cleanup();
    psql("test", `DROP DATABASE IF EXISTS ${pgDatabase} WITH (FORCE)`);
    mariadb(`DROP TABLE IF EXISTS ${table}`);
  });

  let n = 0;
  const file = (doc: Record<string, unknown>): string => {
    const path = join(dir, `wf${n++}.yml`);
    writeFileSync(path, stringify({ title: "sql", description: "two environments", entrypoint: {}, ...doc }));
    return path;
  };
  const select = (ref: string, extra: Record<string, unknown> = {}) => ({
    ref,
    action: "core.sql.execute_query",
    args: { query: `SELECT marker, :env AS asked FROM ${table}`, bound_params: { env: ref }, fetch_one: true },
    ...extra,
  });
  /** The CLI must also exit once the workflow is done (open pooled connections must not hold it). */
  const workflowRun = async (args: string[]): Promise<CliResult & { doc: Record<string, unknown> }> => {
    const r = await Promise.race([
      runCli(env.env, ["workflow", "run", ...args, "--json"]),
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error("coffer workflow run did not exit within 60 s")), 60_000).unref(),
      ),
    ]);
    return { ...r, doc: JSON.parse(r.stdout) as Record<string, unknown> };
  };

  test("per-action environment: one workflow, two databases, nothing of either URL printed", async () => {
    const r = await workflowRun([
      file({
        actions: [select("staging", { environment: "staging" }), select("prod", { environment: "prod" })],
        returns: { staging: "${{ ACTIONS.staging.result }}", prod: "${{ ACTIONS.prod.result }}" },
      }),
    ]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.equal(r.doc.status, "succeeded");
    assert.deepEqual(r.doc.returns, {
      staging: { marker: "staging-postgres", asked: "staging" },
      prod: { marker: "prod-mariadb", asked: "prod" },
    });
    for (const shown of [r.stdout, r.stderr]) {
      assert.ok(!shown.includes(pgPassword), "the password is not printed");
      for (const url of Object.values(urls)) assert.ok(!shown.includes(url), "no URL printed");
    }
  });

  test("the run's --env picks the database; an environment without sql fails before connecting", async () => {
    const path = file({ actions: [select("only")], returns: "${{ ACTIONS.only.result.marker }}" });
    const prod = await workflowRun([path, "--env", "prod"]);
    assert.equal(prod.code, 0, prod.stderr + prod.stdout);
    assert.equal(prod.doc.returns, "prod-mariadb");
    const staging = await workflowRun([path, "--env", "staging"]);
    assert.equal(staging.code, 0, staging.stderr + staging.stdout);
    assert.equal(staging.doc.returns, "staging-postgres");
    const missing = await workflowRun([path]);
    assert.equal(missing.code, 1);
    assert.equal(missing.doc.status, "failed");
    assert.match(missing.stdout, /secret_missing_in_environment|sql/);
  });
});
