import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Coffer } from "../coffer.js";
import {
  canary,
  countQueries,
  createTestEnvironment,
  internalsOf,
  openBootstrapped,
  type TestEnvironment,
  testDialects,
} from "../testing/index.js";

const actor = { actor: "run:tester", requestId: "req-run" };

for (const dialect of await testDialects("run-path resolution")) {
  describe(`resolveForRun (${dialect})`, () => {
    let env: TestEnvironment;
    let coffer: Coffer;
    let ws: string;
    const values = new Map<string, string>();

    before(async () => {
      env = await createTestEnvironment(dialect);
      ({ coffer, workspaceId: ws } = await openBootstrapped(env));
      for (let i = 0; i < 12; i++) {
        const value = canary(`run${i}`);
        values.set(`svc_${i}`, value);
        await coffer.secrets.create(ws, { name: `svc_${i}`, keys: [{ key: "TOKEN", value }] }, actor);
      }
      await coffer.secrets.create(
        ws,
        { name: "svc_0", environment: "prod", keys: [{ key: "TOKEN", value: canary("prod") }] },
        actor,
      );
      await coffer.variables.create(ws, { name: "settings", values: { region: "eu", retries: 3 } }, actor);
      await coffer.variables.create(ws, { name: "limits", values: { max: 10 } }, actor);
    });
    after(async () => {
      await coffer.close();
      await env.cleanup();
    });

    test("ten secrets and two variables in one round trip; values decrypted; one use-audit row per secret", async () => {
      const names = Array.from({ length: 10 }, (_, i) => `svc_${i}`);
      const before = (await coffer.audit.list({ workspaceId: ws, limit: 1000 })).length;
      const reads = countQueries(coffer);
      const result = await coffer.resolution.resolveForRun({
        workspaceId: ws,
        environment: "default",
        secretNames: names,
        variableNames: ["settings", "limits"],
        runId: "run-42",
        actionId: "tools.acme.ping",
        actor,
      });
      reads.stop();
      assert.equal(reads.count(), 1, "one query reads every secret and variable");
      assert.equal(result.complete, true);
      for (const name of names) assert.equal(result.secrets.get(name)?.values?.TOKEN, values.get(name));
      assert.deepEqual(result.variables.get("settings"), { region: "eu", retries: 3 });
      assert.deepEqual(result.variables.get("limits"), { max: 10 });

      const events = (await coffer.audit.list({ workspaceId: ws, limit: 1000 })).slice(before);
      assert.equal(events.length, 10);
      const first = events.find((e) => e.targetName === "svc_3")!;
      assert.equal(first.action, "secret.use");
      assert.equal(first.runId, "run-42");
      assert.equal(first.environment, "default");
      assert.equal(first.actor, "run:tester");
      assert.deepEqual(first.details, { version: 1, action: "tools.acme.ping" });
      assert.equal(new Set(events.map((e) => e.occurredAt)).size, 1, "written in one batch");
      const text = JSON.stringify(events);
      for (const value of values.values()) assert.ok(!text.includes(value), "no value in audit");
    });

    test("lookup is exact per environment; missing secrets, variables and keys are reported", async () => {
      const result = await coffer.resolution.resolveForRun({
        workspaceId: ws,
        environment: "prod",
        secretNames: ["svc_0", "svc_1", "nope"],
        variableNames: ["settings"],
        requiredKeys: { svc_0: ["TOKEN", "SECRET"] },
        actor,
      });
      assert.equal(result.complete, false);
      assert.deepEqual(result.missingSecrets, ["svc_1", "nope"], "svc_1 exists only in default");
      assert.deepEqual(result.missingVariables, ["settings"]);
      assert.deepEqual(result.missingKeys, [{ secret: "svc_0", missing: ["SECRET"], available: ["TOKEN"] }]);
      assert.equal(result.secrets.get("svc_0")?.environment, "prod");
    });

    test("useAudit 'return' hands the use events to the caller, who writes them in its own batch", async () => {
      const before = (await coffer.audit.list({ workspaceId: ws, limit: 1000 })).length;
      const result = await coffer.resolution.resolveForRun({
        workspaceId: ws,
        environment: "default",
        secretNames: ["svc_1", "svc_2"],
        runId: "run-deferred",
        actor,
        useAudit: "return",
      });
      assert.equal(result.secrets.get("svc_1")?.values?.TOKEN, values.get("svc_1"));
      assert.equal((await coffer.audit.list({ workspaceId: ws, limit: 1000 })).length, before, "nothing written yet");
      assert.deepEqual(result.useEvents.map((e) => [e.action, e.targetName, e.runId]).sort(), [
        ["secret.use", "svc_1", "run-deferred"],
        ["secret.use", "svc_2", "run-deferred"],
      ]);
      assert.ok(!JSON.stringify(result.useEvents).includes(values.get("svc_1")!), "no value in the events");
      await coffer.audit.record(result.useEvents);
      const written = (await coffer.audit.list({ workspaceId: ws, limit: 1000 })).slice(before);
      assert.deepEqual(written.map((e) => e.targetName).sort(), ["svc_1", "svc_2"]);
      assert.equal((await coffer.audit.verify()).ok, true, "the chain still verifies");
    });

    test("variables alone are read too (no secrets asked for)", async () => {
      const result = await coffer.resolution.resolveForRun({
        workspaceId: ws,
        environment: "default",
        secretNames: [],
        variableNames: ["limits"],
        actor,
      });
      assert.deepEqual(result.variables.get("limits"), { max: 10 });
      assert.equal(result.complete, true);
    });

    test("nothing to resolve reads nothing and writes nothing", async () => {
      const reads = countQueries(coffer);
      const result = await coffer.resolution.resolveForRun({
        workspaceId: ws,
        environment: "default",
        secretNames: [],
        actor,
      });
      reads.stop();
      assert.equal(reads.count(), 0);
      assert.equal(result.complete, true);
    });

    test("a version that does not decrypt is reported as corrupted and marked for metadata reads", async () => {
      const item = await coffer.secrets.getByName(ws, "svc_11");
      const db = internalsOf(coffer).database.db;
      const row = await db
        .selectFrom("secret_versions")
        .selectAll()
        .where("secret_id", "=", item.id)
        .executeTakeFirstOrThrow();
      const bytes = Buffer.from(row.ciphertext, "base64");
      bytes[20] = (bytes[20] ?? 0) ^ 0xff;
      await db
        .updateTable("secret_versions")
        .set({ ciphertext: bytes.toString("base64") })
        .where("id", "=", row.id)
        .execute();
      const result = await coffer.resolution.resolveForRun({
        workspaceId: ws,
        environment: "default",
        secretNames: ["svc_11", "svc_10"],
        actor,
      });
      assert.deepEqual(result.corrupted, [{ secret: "svc_11", version: 1 }]);
      assert.equal(result.secrets.get("svc_11")?.values, null);
      assert.equal(result.secrets.get("svc_10")?.values?.TOKEN, values.get("svc_10"));
      assert.equal(result.complete, false);
      assert.equal((await coffer.secrets.get(ws, item.id)).status, "corrupted");
    });
  });
}
