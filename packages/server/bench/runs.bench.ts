// `npm run bench -- runs`: workflow runs per second through the HTTP API (deploy once, then
// POST …/workflows/{id}/runs?wait=true: auth, a stored run row, the engine, every action through
// the executor with its secrets, the masked finish write) against the same workflow run straight
// through the engine and executor (no HTTP, no stored run), both measured now, as a ratio.
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig, openCoffer } from "@coffer/core";
import { createExecutor, createMasker, loadWorkflow, runWorkflow } from "@coffer/runtime";
import { startServer } from "../src/http/server.js";
import { openRuntime } from "../src/runtime-context.js";

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
const CONCURRENCY = 16;
const SECONDS = 3;

const WORKFLOW = {
  title: "bench",
  description: "three actions, one secret",
  entrypoint: { ref: "a", expects: { n: { type: "int" } } },
  actions: [
    {
      ref: "a",
      action: "core.transform.reshape",
      args: { value: { n: "${{ TRIGGER.n }}", key: "${{ SECRETS.bench.API_KEY }}" } },
    },
    { ref: "b", action: "core.transform.reshape", depends_on: ["a"], args: { value: "${{ ACTIONS.a.result.n + 1 }}" } },
    { ref: "c", action: "core.transform.reshape", depends_on: ["b"], args: { value: "${{ ACTIONS.b.result * 2 }}" } },
  ],
  returns: "${{ ACTIONS.c.result }}",
};

/** `CONCURRENCY` loops calling `once` for `SECONDS` after a 0.5 s warm-up; runs per second. */
async function runsPerSecond(once: (n: number) => Promise<void>): Promise<number> {
  const loop = async (ms: number) => {
    let n = 0;
    const end = performance.now() + ms;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (performance.now() < end) await once(n++);
      }),
    );
    return n;
  };
  await loop(500);
  const start = performance.now();
  const n = await loop(SECONDS * 1000);
  return (n * 1000) / (performance.now() - start);
}

const dir = mkdtempSync(join(tmpdir(), "coffer-bench-runs-"));
const config = loadConfig({ COFFER_HOME: join(dir, "home"), COFFER_LOG_LEVEL: "warn" });
const coffer = await openCoffer(config);
try {
  await coffer.bootstrap({ actor: "bench" });
  const ws = await coffer.workspaces.resolve("default");
  const token = readFileSync(join(config.home, "admin.token"), "utf8").trim();
  await coffer.secrets.create(
    ws.id,
    { name: "bench", keys: [{ key: "API_KEY", value: randomBytes(24).toString("hex") }] },
    { actor: "bench" },
  );
  const runtime = await openRuntime(config);
  const doc = loadWorkflow(WORKFLOW);
  const executor = createExecutor({
    registry: runtime.registry,
    resolution: coffer.resolution,
    logger: coffer.logger,
    logMasks: coffer.logMasks,
    config,
    createMasker,
    runCustomAction: (request) => runtime.sandbox.runCustomAction(request),
  });
  const direct = await runsPerSecond(async (n) => {
    const r = await runWorkflow(doc, {
      runAction: (request) => executor.runAction(request),
      workspaceId: ws.id,
      actor: { actor: "bench" },
      trigger: { n },
    });
    if (r.status !== "succeeded" || r.returns !== (n + 1) * 2)
      throw new Error(`direct run failed: ${r.error?.message}`);
  });

  const server = await startServer(config, { coffer, port: 0, host: "127.0.0.1", handleSignals: false, logger: false });
  try {
    const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
    const deployed = await fetch(`${server.url}/api/v1/workspaces/default/workflows`, {
      method: "POST",
      headers,
      body: JSON.stringify({ definition: WORKFLOW, alias: "bench" }),
    });
    const { id } = (await deployed.json()) as { id: string };
    const api = await runsPerSecond(async (n) => {
      const res = await fetch(`${server.url}/api/v1/workspaces/default/workflows/${id}/runs?wait=true`, {
        method: "POST",
        headers,
        body: JSON.stringify({ trigger: { n } }),
      });
      const run = (await res.json()) as { status: string; returns: unknown };
      if (res.status !== 200 || run.status !== "succeeded" || run.returns !== (n + 1) * 2)
        throw new Error(`API run failed: ${res.status} ${JSON.stringify(run).slice(0, 300)}`);
    });
    console.log(
      `workflow runs (3 actions, 1 secret; ${CONCURRENCY} in flight, ${SECONDS} s, SQLite): POST /workflows/{id}/runs?wait=true ${fmt(api)} runs/s vs direct runWorkflow + executor ${fmt(direct)} runs/s → ${(api / direct).toFixed(2)}×`,
    );
  } finally {
    await server.close();
    await runtime.close();
  }
} finally {
  await coffer.close();
  rmSync(dir, { recursive: true, force: true });
}
