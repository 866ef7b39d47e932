// `core.workflow.execute` (Tracecat §6): the engine starts a deployed workflow of the workspace as
// a child run through the WorkflowHost, once or per for_each iteration, and waits for it or not.

import { evaluate, extractReferences } from "@coffer/expressions";
import { type SubflowArgs, subflowArgsSchema } from "../actions/core/workflow-execute/workflow-execute.js";
import type { ActionStatement } from "./document.js";
import type { ActionErrorInfo, WorkflowRunResult } from "./engine.js";
import type { DeployedWorkflow, StartedChildRun, WorkflowHost, WorkflowLookup } from "./host.types.js";
import { describe, iterate } from "./iterate.js";

/** Runs nested deeper than this are refused: a workflow that calls itself must stop somewhere. */
export const MAX_SUBFLOW_DEPTH = 10;
/** Tracecat's cap on looped subflows. */
export const MAX_SUBFLOW_ITERATIONS = 4096;
/** Children started per group within a batch (Tracecat's TRACECAT__CHILD_WORKFLOW_DISPATCH_WINDOW). */
export const DEFAULT_DISPATCH_WINDOW = 16;

export function clampDispatchWindow(n: number | undefined): number {
  const v = n === undefined || !Number.isFinite(n) ? DEFAULT_DISPATCH_WINDOW : Math.floor(n);
  return Math.min(128, Math.max(8, v));
}

/** `wf-<32 hex>` (legacy) and `wf_<base62>` are ids; anything else names an alias. */
export function isWorkflowId(text: string): boolean {
  return /^wf-[0-9a-f]{32}$/i.test(text) || /^wf_[0-9A-Za-z]+$/.test(text);
}

export interface SubflowDeps {
  host: WorkflowHost | undefined;
  runId: string;
  /** This run's depth; children get depth + 1. */
  depth: number;
  /** The run's own signal: a waited-for child is aborted with it. */
  signal: AbortSignal;
  dispatchWindow: number;
}

export type SubflowOutcome =
  | { ok: true; result: unknown; environment: string | null }
  | {
      ok: false;
      code: string;
      message: string;
      type: string;
      children: ActionErrorInfo[] | null;
      environment: string | null;
      /** Not the user's doing (the host failed): the run fails, error edges do not catch it (§6.2, case 52). */
      infrastructure: boolean;
    };

type Failure = Extract<SubflowOutcome, { ok: false }>;

const failure = (code: string, message: string, extra: Partial<Failure> = {}): Failure => ({
  ok: false,
  code,
  message,
  type: "ExecutionError",
  children: null,
  environment: null,
  infrastructure: false,
  ...extra,
});

class PrepareError extends Error {
  constructor(readonly outcome: Failure) {
    super(outcome.message);
  }
}

interface Prepared {
  workflow: DeployedWorkflow;
  args: SubflowArgs;
  environment: string | undefined;
}

/** SECRETS/VARS in the args: refused, since the child's trigger is stored as given. */
function forbiddenReferences(args: unknown): string[] {
  try {
    const refs = extractReferences(args);
    return [...(refs.secrets.length > 0 ? ["SECRETS"] : []), ...(refs.variables.length > 0 ? ["VARS"] : [])];
  } catch {
    // A template that does not parse fails in evaluation, with its position.
    return [];
  }
}

export async function executeSubflow(
  a: ActionStatement,
  context: { ACTIONS: unknown; TRIGGER: unknown; ENV: unknown },
  deps: SubflowDeps,
): Promise<SubflowOutcome> {
  const forbidden = forbiddenReferences(a.args);
  if (forbidden.length > 0)
    return failure(
      "workflow_invalid",
      `Error evaluating subflow arguments: ${forbidden.join(" and ")} cannot be used in the args of core.workflow.execute: the child's trigger is stored as given. Let the child workflow read its own secrets and variables.`,
    );
  if (!deps.host)
    return failure(
      "workflows_unavailable",
      "core.workflow.execute needs deployed workflows, and this run has none to look in: deploy the child (`coffer workflow deploy FILE --alias NAME`) and run the parent as a deployed workflow.",
    );
  const host = deps.host;
  const lookups = new Map<string, Promise<DeployedWorkflow | null>>();
  const prepare = async (vars: unknown): Promise<Prepared> => {
    let raw: unknown;
    try {
      raw = evaluate(a.args, { ...context, var: vars });
    } catch (error) {
      throw new PrepareError(failure("expression_error", `Error evaluating subflow arguments: ${describe(error)}`));
    }
    const parsed = subflowArgsSchema.safeParse(raw);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(args)"}: ${i.message}`).join("; ");
      throw new PrepareError(failure("action_args_invalid", `Invalid subflow arguments: ${issues}`));
    }
    const args = parsed.data;
    // The alias wins when both are given (Tracecat).
    const lookup: WorkflowLookup = args.workflow_alias
      ? { alias: args.workflow_alias }
      : { id: args.workflow_id as string };
    if (args.version != null) lookup.version = args.version;
    const key = JSON.stringify(lookup);
    let found = lookups.get(key);
    if (!found) {
      found = host.find(lookup);
      lookups.set(key, found);
    }
    let workflow: DeployedWorkflow | null;
    try {
      workflow = await found;
    } catch (error) {
      throw new PrepareError(
        failure("workflows_unavailable", `Couldn't look up the subflow: ${describe(error)}`, { infrastructure: true }),
      );
    }
    if (!workflow) {
      const version = args.version != null ? `, version ${args.version}` : "";
      throw new PrepareError(
        failure(
          "workflow_not_found",
          lookup.alias
            ? `Workflow alias '${lookup.alias}' not found${version}`
            : `Workflow definition not found for ${lookup.id}${version}`,
        ),
      );
    }
    if (deps.depth + 1 > MAX_SUBFLOW_DEPTH)
      throw new PrepareError(
        failure(
          "subflow_depth_exceeded",
          `Subflow depth limit reached: starting '${workflow.title}' (${workflow.id}) would nest runs ${deps.depth + 1} deep, past the limit of ${MAX_SUBFLOW_DEPTH}. A workflow that calls itself, directly or through others, needs a run_if that stops it.`,
        ),
      );
    const environment = args.environment?.trim() || undefined;
    return { workflow, args, environment };
  };

  try {
    if (a.forEach === null) return await single(a, await prepare(null), host, deps);
    let iterations: unknown[];
    try {
      iterations = iterate(a.forEach, context);
    } catch (error) {
      return failure("expression_error", `Error evaluating subflow for_each expression: ${describe(error)}`);
    }
    if (iterations.length > MAX_SUBFLOW_ITERATIONS)
      return failure(
        "workflow_invalid",
        `Loop exceeds max iterations: ${iterations.length} > ${MAX_SUBFLOW_ITERATIONS}`,
      );
    // Every iteration is prepared before any child starts: a bad one fails the action cleanly.
    const prepared: Prepared[] = [];
    for (const vars of iterations) prepared.push(await prepare(vars));
    return await looped(a, prepared, host, deps);
  } catch (error) {
    if (error instanceof PrepareError) return error.outcome;
    throw error;
  }
}

function start(
  host: WorkflowHost,
  a: ActionStatement,
  p: Prepared,
  deps: SubflowDeps,
  wait: boolean,
  loopIndex: number | null,
): StartedChildRun {
  try {
    const started = host.start({
      workflow: p.workflow,
      kind: "subflow",
      parentRunId: deps.runId,
      parentActionRef: a.ref,
      loopIndex,
      trigger: p.args.trigger_inputs ?? null,
      environment: p.environment,
      depth: deps.depth + 1,
      signal: wait ? deps.signal : undefined,
    });
    // A detached child's end is nobody's business here; never an unhandled rejection.
    started.done.catch(() => {});
    return started;
  } catch (error) {
    throw new PrepareError(
      failure("workflows_unavailable", `Couldn't start the subflow: ${describe(error)}`, { infrastructure: true }),
    );
  }
}

const childEnvironment = (p: Prepared) => p.environment ?? p.workflow.document.config.environment;

async function settled(started: StartedChildRun): Promise<WorkflowRunResult | { crashed: string }> {
  try {
    return await started.done;
  } catch (error) {
    return { crashed: describe(error) };
  }
}

function childFailure(p: Prepared, id: string, r: WorkflowRunResult | { crashed: string }): Failure {
  if ("crashed" in r)
    return failure("workflows_unavailable", `The subflow run ${id} crashed: ${r.crashed}`, { infrastructure: true });
  if (r.status === "cancelled")
    return failure("action_cancelled", `The subflow run ${id} was cancelled.`, { environment: r.environment });
  const error = r.error ?? { code: "workflow_failed", message: "failed", failures: {} };
  const children = Object.values(error.failures);
  return failure(
    error.code,
    `Subflow '${p.workflow.title}' (${p.workflow.id}) failed in run ${id}:\n\n${error.message}`,
    { type: "ChildWorkflowError", children: children.length > 0 ? children : null, environment: r.environment },
  );
}

async function single(a: ActionStatement, p: Prepared, host: WorkflowHost, deps: SubflowDeps): Promise<SubflowOutcome> {
  // Tracecat's runtime default for a single subflow is detach (quirk Q3).
  const wait = p.args.wait_strategy === "wait";
  const started = start(host, a, p, deps, wait, null);
  if (!wait) return { ok: true, result: started.id, environment: childEnvironment(p) };
  const r = await settled(started);
  if ("crashed" in r || r.status !== "succeeded") return childFailure(p, started.id, r);
  return { ok: true, result: mask(a, r.returns), environment: r.environment };
}

async function looped(
  a: ActionStatement,
  prepared: Prepared[],
  host: WorkflowHost,
  deps: SubflowDeps,
): Promise<SubflowOutcome> {
  const n = prepared.length;
  if (n === 0) return { ok: true, result: [], environment: null };
  // Strategies come from the first iteration's args.
  const first = (prepared[0] as Prepared).args;
  const wait = first.wait_strategy !== "detach";
  const requested =
    first.loop_strategy === "sequential" ? 1 : first.loop_strategy === "parallel" ? n : first.batch_size;
  const batchSize = Math.max(1, Math.min(requested, n));
  const results: unknown[] = new Array(n);
  const failed: ActionErrorInfo[] = [];
  let environment: string | null = null;
  for (let b = 0; b < n; b += batchSize) {
    if (deps.signal.aborted)
      return failure("action_cancelled", "The workflow run ended; this subflow loop was cancelled.");
    const end = Math.min(n, b + batchSize);
    const batch: { index: number; started: StartedChildRun }[] = [];
    for (let i = b; i < end; i++) {
      // Children start in groups of the dispatch window; the event loop breathes between groups.
      if (i > b && (i - b) % deps.dispatchWindow === 0) await new Promise((resolve) => setImmediate(resolve));
      const p = prepared[i] as Prepared;
      batch.push({ index: i, started: start(host, a, p, deps, wait, i) });
      environment = childEnvironment(p);
    }
    if (!wait) {
      for (const { index, started } of batch) results[index] = started.id;
      continue;
    }
    const ends = await Promise.all(batch.map(({ started }) => settled(started)));
    let batchFailed = false;
    ends.forEach((r, k) => {
      const { index, started } = batch[k] as { index: number; started: StartedChildRun };
      if (!("crashed" in r) && r.status === "succeeded") {
        results[index] = r.returns;
        environment = r.environment;
        return;
      }
      const f = childFailure(prepared[index] as Prepared, started.id, r);
      if (f.infrastructure) throw new PrepareError(f);
      batchFailed = true;
      failed.push({
        ref: a.ref,
        message: f.message,
        type: f.type,
        code: f.code,
        expr_context: "ACTIONS",
        attempt: 1,
        stream_id: `<root>:0`,
        children: f.children,
      });
      results[index] = { is_error: true, type: "ChildWorkflowError", message: "Child Workflow execution failed" };
    });
    if (deps.signal.aborted)
      return failure("action_cancelled", "The workflow run ended; this subflow loop was cancelled.");
    if (batchFailed && first.fail_strategy === "all")
      return failure(
        "workflow_failed",
        "Task execution failed with unexpected error: One or more child workflows failed",
        {
          type: "RuntimeError",
          children: failed,
          environment,
        },
      );
  }
  return { ok: true, result: mask(a, results), environment };
}

/** `mask_output: true` on the action: every leaf of the result, as the executor does for actions. */
function mask(a: ActionStatement, value: unknown): unknown {
  if (!a.maskOutput) return value;
  const leaves = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(leaves);
    if (typeof v === "object" && v !== null)
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, leaves(x)]));
    return "***";
  };
  return leaves(value);
}
