// `npm run bench -- workflow`: the engine's overhead per no-op action, against direct executor
// calls of the same action in this same run (target ≤ 1 ms embedded). A chain of 1,000 no-ops
// (every action waits for the previous one) and 1,000 independent no-ops.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig, openCoffer } from "@coffer/core";
import { type ActionDefinition, defineAction, z } from "@coffer/sdk";
import { createExecutor } from "../src/executor/executor.js";
import { createMasker } from "../src/masking/masker.js";
import { createRegistry } from "../src/registry/registry.js";
import { loadWorkflow } from "../src/workflows/document.js";
import { runWorkflow } from "../src/workflows/engine.js";

const noop = defineAction({
  namespace: "bench",
  name: "noop",
  title: "No-op",
  args: z.object({}),
  handler: () => null,
});
const fmt = (ms: number) => (ms < 1 ? `${(ms * 1000).toFixed(1)} µs` : `${ms.toFixed(3)} ms`);
const N = 1000;

const home = mkdtempSync(join(tmpdir(), "coffer-bench-workflow-"));
try {
  const coffer = await openCoffer(loadConfig({ COFFER_HOME: home, COFFER_LOG_LEVEL: "silent" }));
  await coffer.bootstrap({ actor: "bench" });
  const ws = (await coffer.workspaces.resolve("default")).id;
  const registry = await createRegistry({ builtins: [noop] as unknown as ActionDefinition[], paths: [] });
  const executor = createExecutor({
    registry,
    resolution: coffer.resolution,
    logger: coffer.logger,
    config: coffer.config,
    createMasker,
    runCustomAction: async () => ({ ok: true, result: null }),
  });
  const actor = { actor: "bench" };
  const chain = loadWorkflow({
    title: "chain",
    description: "",
    entrypoint: {},
    actions: Array.from({ length: N }, (_, i) => ({
      ref: `a${i}`,
      action: "bench.noop",
      ...(i > 0 ? { depends_on: [`a${i - 1}`] } : {}),
    })),
  });
  const wide = loadWorkflow({
    title: "wide",
    description: "",
    entrypoint: {},
    actions: Array.from({ length: N }, (_, i) => ({ ref: `a${i}`, action: "bench.noop" })),
  });
  const direct = async () => {
    for (let i = 0; i < N; i++) await executor.runAction({ workspaceId: ws, actionId: "bench.noop", args: {}, actor });
  };
  const viaEngine = (doc: typeof chain) => async () => {
    const r = await runWorkflow(doc, {
      runAction: (q) => executor.runAction(q),
      workspaceId: ws,
      actor,
      returnStrategy: "minimal",
    });
    if (r.status !== "succeeded") throw new Error(r.error?.message);
  };
  const time = async (fn: () => Promise<void>, rounds = 5) => {
    await fn();
    let best = Number.POSITIVE_INFINITY;
    for (let i = 0; i < rounds; i++) {
      const t = performance.now();
      await fn();
      best = Math.min(best, performance.now() - t);
    }
    return best / N;
  };
  const floor = await time(direct);
  for (const [name, doc] of [
    ["chain of 1,000", chain],
    ["1,000 in parallel", wide],
  ] as const) {
    const ours = await time(viaEngine(doc));
    const overhead = ours - floor;
    console.log(
      `${name}: ${fmt(ours)} per no-op action through the engine vs ${fmt(floor)} per direct executor call → overhead ${fmt(overhead)} (target ≤ 1 ms: ${overhead <= 1 ? "met" : "MISSED"})`,
    );
  }
  await registry.close();
  await coffer.close();
} finally {
  rmSync(home, { recursive: true, force: true });
}
