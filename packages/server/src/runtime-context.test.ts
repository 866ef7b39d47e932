import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { loadConfig } from "@coffer/core";
import { databaseFiles, openRuntime, type RuntimeContext } from "./runtime-context.js";

const PROBE = `
import { readFileSync } from "node:fs";
import { defineAction, z } from "@coffer/sdk";
const tryRead = (p) => { try { return readFileSync(p, "utf8"); } catch (e) { return e.code; } };
export const probe = defineAction({
  namespace: "tools.probe", name: "files", title: "Reads files", args: z.object({ paths: z.array(z.string()) }),
  handler: ({ paths }) => paths.map(tryRead),
});
`;

describe("openRuntime", () => {
  let home: string;
  let actions: string;
  let database: string;
  let runtime: RuntimeContext;
  before(async () => {
    home = await mkdtemp(join(tmpdir(), "coffer-rt-home-"));
    actions = await mkdtemp(join(tmpdir(), "coffer-rt-actions-"));
    // The database outside COFFER_HOME: hidden by its own path.
    database = join(await mkdtemp(join(tmpdir(), "coffer-rt-db-")), "coffer.db");
    await writeFile(join(home, "master.key"), "the-master-key");
    await writeFile(database, "the-database");
    await writeFile(join(actions, "probe.mjs"), PROBE);
    const config = loadConfig({
      COFFER_HOME: home,
      COFFER_DATABASE_URL: `sqlite:${database}`,
      COFFER_REGISTRY_PATH: actions,
      COFFER_ACTION_TIMEOUT_SECONDS: "42",
    });
    runtime = await openRuntime(config);
  });
  after(async () => {
    await runtime.close();
    for (const dir of [home, actions, join(database, "..")]) await rm(dir, { recursive: true, force: true });
  });

  test("the registry from COFFER_REGISTRY_PATH, the timeout from the config", () => {
    assert.deepEqual(runtime.registry.errors, []);
    assert.equal(runtime.registry.get("tools.probe.files")?.kind, "custom");
    assert.equal(runtime.actionTimeoutMs, 42_000);
  });

  test("a custom action reads neither master.key nor the database file the config names", async () => {
    const entry = runtime.registry.get("tools.probe.files");
    assert.ok(entry?.kind === "custom");
    const outcome = await runtime.sandbox.runCustomAction({
      moduleFile: entry.moduleFile,
      exportName: entry.exportName,
      readablePaths: entry.readablePaths,
      args: { paths: [join(home, "master.key"), database, join(actions, "probe.mjs")] },
      secrets: {},
      environment: "default",
      runId: "r",
      actionId: entry.id,
      timeoutMs: runtime.actionTimeoutMs,
    });
    assert.equal(outcome.ok, true, JSON.stringify(outcome));
    const [key, db, own] = (outcome as { result: string[] }).result;
    assert.equal(key, "ERR_ACCESS_DENIED");
    assert.equal(db, "ERR_ACCESS_DENIED");
    assert.match(own!, /defineAction/, "its own folder stays readable");
  });

  test("databaseFiles: the SQLite file and its companions; nothing for PostgreSQL", () => {
    assert.deepEqual(databaseFiles(loadConfig({ COFFER_DATABASE_URL: "/data/c.db" })), [
      "/data/c.db",
      "/data/c.db-wal",
      "/data/c.db-shm",
      "/data/c.db-journal",
    ]);
    assert.deepEqual(databaseFiles(loadConfig({ COFFER_DATABASE_URL: "postgres://u@127.0.0.1/db" })), []);
  });
});
