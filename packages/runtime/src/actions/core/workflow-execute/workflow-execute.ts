import { CofferError } from "@coffer/core";
import { defineAction, z } from "@coffer/sdk";

/** A whole number, also written as a numeric string (`timeout: "123"` in Tracecat's own files). */
const numberish = z.union([
  z.number(),
  z
    .string()
    .regex(/^\s*\d+(\.\d+)?\s*$/)
    .transform(Number),
]);

/**
 * The args of `core.workflow.execute` (Tracecat §6.1). The workflow engine evaluates and parses
 * them itself; the schema lives here so `workflow check` and `actions list` know the action.
 */
export const subflowArgsSchema = z
  .object({
    workflow_id: z.string().trim().min(1).nullish(),
    workflow_alias: z.string().trim().min(1).nullish(),
    trigger_inputs: z.unknown().optional(),
    environment: z.string().nullish(),
    /** Accepted; not enforced on the child run (Tracecat Q11): the child's own `config.timeout` applies. */
    timeout: numberish.nullish(),
    version: z.number().int().min(1).nullish(),
    loop_strategy: z.enum(["parallel", "batch", "sequential"]).default("batch"),
    batch_size: z.number().int().min(1).default(32),
    fail_strategy: z.enum(["isolated", "all"]).default("isolated"),
    /** Unset: `detach` for a single subflow, `wait` for a looped one (Tracecat's runtime defaults). */
    wait_strategy: z.enum(["wait", "detach"]).nullish(),
    /** Accepted and ignored: a child's clock is the wall clock, which is never behind the parent's. */
    time_anchor: z.string().nullish(),
  })
  .strict()
  .refine((a) => Boolean(a.workflow_id || a.workflow_alias), {
    message: "Either workflow_id or workflow_alias must be provided",
  });

export type SubflowArgs = z.output<typeof subflowArgsSchema>;

export const WORKFLOW_EXECUTE = "core.workflow.execute";

export const workflowExecuteAction = defineAction({
  namespace: "core.workflow",
  name: "execute",
  title: "Execute child workflow",
  description:
    "Run a deployed workflow of the workspace (by id or alias) as a subflow, once or per for_each item; wait for its result or detach.",
  display_group: "Workflows",
  args: subflowArgsSchema,
  handler: () => {
    // Only the engine can start a child run (it owns the run, its depth and its cancellation).
    throw new CofferError(
      "workflow_invalid",
      "core.workflow.execute runs only inside a workflow run: put it in a workflow and run that (`coffer workflow run`).",
    );
  },
});
