// One real store, registry (the built-ins plus test actions) and executor for the workflow tests.
import type { Coffer } from "@coffer/core";
import { createTestEnvironment, openBootstrapped, type TestEnvironment } from "@coffer/core/testing";
import { type ActionDefinition, defineAction, z } from "@coffer/sdk";
import { BUILTIN_ACTIONS } from "../actions/builtins.js";
import { createExecutor, type Executor } from "../executor/executor.js";
import type { ActionRunRequest } from "../executor/executor.types.js";
import { createMasker } from "../masking/masker.js";
import { createRegistry, type LoadedRegistry } from "../registry/registry.js";
import { parseWorkflowText } from "./document.js";
import { type RunWorkflowOptions, runWorkflow, type WorkflowRunResult } from "./engine.js";
import type { DeployedWorkflow } from "./host.types.js";
import { type ChildRunBase, createMapWorkflowHost, type MapWorkflowHost } from "./map-host.js";

export const actor = { actor: "test:workflows" };

/** Counts its calls per key and fails until `succeedOn`: retry tests observe attempts. */
export const attempts = new Map<string, number>();
const flaky = defineAction({
  namespace: "test",
  name: "flaky",
  title: "Fails until the n-th call",
  args: z.object({ key: z.string(), succeed_on: z.number() }),
  handler: (args) => {
    const n = (attempts.get(args.key) ?? 0) + 1;
    attempts.set(args.key, n);
    if (n < args.succeed_on) throw new Error(`attempt ${n} failed`);
    return { attempt: n, status: n >= args.succeed_on ? "success" : "pending" };
  },
});

/** Sleeps, tracking how many run at once: concurrency tests observe the bound. */
export const gauge = { current: 0, max: 0 };
const slow = defineAction({
  namespace: "test",
  name: "slow",
  title: "Sleeps",
  args: z.object({ ms: z.number(), value: z.unknown().optional() }),
  handler: async (args, ctx) => {
    gauge.current++;
    gauge.max = Math.max(gauge.max, gauge.current);
    try {
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(resolve, args.ms);
        ctx.signal.addEventListener("abort", () => {
          clearTimeout(t);
          reject(ctx.signal.reason);
        });
      });
      return args.value ?? null;
    } finally {
      gauge.current--;
    }
  },
});

/** Returns the token of secret `api` (key TOKEN): environment and masking tests. */
const secretEcho = defineAction({
  namespace: "test",
  name: "secret_echo",
  title: "Echo a secret",
  args: z.object({ prefix: z.string().optional() }),
  secrets: [{ name: "api", keys: ["TOKEN"] }],
  handler: (args, ctx) => `${args.prefix ?? ""}${ctx.secrets.get("TOKEN")}`,
});

export const TEST_ACTIONS = [flaky, slow, secretEcho] as ActionDefinition[];

export interface Harness {
  coffer: Coffer;
  workspaceId: string;
  executor: Executor;
  registry: LoadedRegistry;
  /** Every request the engine sent, in order. */
  requests: ActionRunRequest[];
  run(yaml: string, options?: Partial<RunWorkflowOptions>): Promise<WorkflowRunResult>;
  /** What `run` gives every run (the real executor, workspace, actor): the base of child runs. */
  base: ChildRunBase;
  /** An in-process host over these deployed workflows, whose child runs use `base`. */
  host(workflows: DeployedWorkflow[], base?: Partial<ChildRunBase>): MapWorkflowHost;
  close(): Promise<void>;
}

export async function openHarness(): Promise<Harness> {
  const env: TestEnvironment = await createTestEnvironment("sqlite");
  const { coffer, workspaceId } = await openBootstrapped(env);
  const registry = await createRegistry({ builtins: [...BUILTIN_ACTIONS, ...TEST_ACTIONS], paths: [] });
  const executor = createExecutor({
    registry,
    resolution: coffer.resolution,
    logger: coffer.logger,
    config: coffer.config,
    createMasker,
    runCustomAction: () => {
      throw new Error("no custom actions in these tests");
    },
  });
  const requests: ActionRunRequest[] = [];
  const base: ChildRunBase = {
    runAction: (request) => {
      requests.push(request);
      return executor.runAction(request);
    },
    workspaceId,
    actor,
    retryBaseDelayMs: 5,
  };
  return {
    coffer,
    workspaceId,
    executor,
    registry,
    requests,
    base,
    host: (workflows, extra = {}) => createMapWorkflowHost(workflows, { ...base, ...extra }),
    run: (yaml, options = {}) => runWorkflow(parseWorkflowText(yaml), { ...base, ...options }),
    async close() {
      await registry.close();
      await coffer.close();
      await env.cleanup();
    },
  };
}

/** `{ref: result}` of the final ACTIONS, as Tracecat's acceptance cases list them. */
export function results(run: WorkflowRunResult): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [ref, r] of Object.entries(run.context)) out[ref] = r.result;
  return out;
}
