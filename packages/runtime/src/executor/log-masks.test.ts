import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Coffer } from "@coffer/core";
import { canary, createTestEnvironment, LeakHunter, type TestEnvironment } from "@coffer/core/testing";
import { defineAction, z } from "@coffer/sdk";
import { createMasker } from "../masking/masker.js";
import { createRegistry, type LoadedRegistry } from "../registry/registry.js";
import { createExecutor } from "./executor.js";

// The last line of defence: code that logs a value through the process logger directly (not
// ctx.log) while its run is in flight still has it masked in the log stream.
let env: TestEnvironment;
let coffer: Coffer;
let registry: LoadedRegistry;
let workspaceId: string;
const lines: string[] = [];
const value = `${canary("logmask")} "q\\/+% sp"`;

before(async () => {
  env = await createTestEnvironment("sqlite");
  coffer = await env.open({ COFFER_LOG_LEVEL: "info" }, { logStream: { write: (line: string) => lines.push(line) } });
  await coffer.bootstrap({ actor: "test" });
  workspaceId = (await coffer.workspaces.resolve("default")).id;
  await coffer.secrets.create(workspaceId, { name: "careless", keys: [{ key: "TOKEN", value }] }, { actor: "test" });
  const careless = defineAction({
    namespace: "tools.test",
    name: "careless",
    title: "Logs its secret through the process logger",
    args: z.object({}),
    secrets: [{ name: "careless", keys: ["TOKEN"] }],
    handler: (_args, ctx) => {
      coffer.logger.warn(`about to call the API with ${ctx.secrets.get("TOKEN")}`);
      coffer.logger.warn({ header: `Bearer ${ctx.secrets.get("TOKEN")}` }, "headers");
      return { ok: true };
    },
  });
  registry = await createRegistry({ builtins: [careless], paths: [] });
});

after(async () => {
  await registry.close();
  await coffer.close();
  await env.cleanup();
});

test("a value logged through the process logger during its run is masked in the log stream", async () => {
  const executor = createExecutor({
    registry,
    resolution: coffer.resolution,
    logger: coffer.logger,
    logMasks: coffer.logMasks,
    config: coffer.config,
    createMasker,
    runCustomAction: () => Promise.reject(new Error("no custom actions here")),
  });
  const outcome = await executor.runAction({
    workspaceId,
    actionId: "tools.test.careless",
    args: {},
    actor: { actor: "test" },
  });
  assert.equal(outcome.status, "succeeded");
  const written = lines.join("");
  assert.match(written, /about to call the API with \*\*\*/);
  assert.match(written, /Bearer \*\*\*/);
  new LeakHunter([["logmask", value]]).assertClean(written, "the process log");
});

test("without a run in flight the stream passes lines unchanged", () => {
  const before = lines.length;
  coffer.logger.warn("nothing to mask here");
  assert.match(lines.slice(before).join(""), /"msg":"nothing to mask here"/);
});
