// The scheduler (Tracecat §4): a ready-set walk over the action graph. Each completed task marks
// its outgoing edges visited or skipped and queues successors whose every incoming edge resolved.

import { randomUUID } from "node:crypto";
import { setMaxListeners } from "node:events";
import { type Actor, CofferError, isCofferError } from "@coffer/core";
import {
  compile,
  evaluate,
  evaluateTemplate,
  extractReferences,
  isTemplate,
  truthy,
  typeName,
} from "@coffer/expressions";
import { WORKFLOW_EXECUTE } from "../actions/core/workflow-execute/workflow-execute.js";
import type { ActionRunRequest, ActionRunResult } from "../executor/executor.types.js";
import {
  type ActionStatement,
  actionReferences,
  type EdgeType,
  expressionFields,
  type WorkflowDocument,
} from "./document.js";
import { runErrorHandler } from "./error-handler.js";
import { normalizeTrigger } from "./expects.js";
import type { WorkflowHost } from "./host.types.js";
import { codeOf, describe, iterate } from "./iterate.js";
import { GATHER, LOOP_END, LOOP_START, loopRegions, SCATTER } from "./scopes.js";
import { clampDispatchWindow, executeSubflow, MAX_SUBFLOW_DEPTH } from "./subflows.js";

export const ROOT_STREAM = "<root>:0";

export interface ActionErrorInfo {
  ref: string;
  message: string;
  type: string;
  /** Coffer's stable error code of the cause (`secrets_unresolved`, `expression_error`, …). */
  code: string;
  expr_context: "ACTIONS";
  attempt: number;
  stream_id: string;
  children: ActionErrorInfo[] | null;
}

/** `ACTIONS.<ref>` exactly as expressions read it (§4.9). */
export interface TaskResult {
  result: unknown;
  result_typename: string;
  error: ActionErrorInfo | null;
  error_typename: string | null;
  interaction: null;
  interaction_id: null;
  interaction_type: null;
}

export type ActionOutcome =
  | { status: "succeeded"; result: unknown; environment: string | null; startedAt: number; finishedAt: number }
  | { status: "failed"; error: ActionErrorInfo; environment: string | null; startedAt: number; finishedAt: number }
  | { status: "skipped"; startedAt: number; finishedAt: number };

export interface WorkflowRunResult {
  id: string;
  /** `cancelled`: `options.signal` aborted the run (no error handler runs then). */
  status: "succeeded" | "failed" | "cancelled";
  environment: string;
  returns: unknown;
  /** Per action, in document order; actions that never became ready are absent. */
  actions: Record<string, ActionOutcome>;
  /** Run failure: the message (Tracecat's format) and the failed tasks. */
  error: { message: string; code: string; failures: Record<string, ActionErrorInfo> } | null;
  /** The root ACTIONS context at the end (what `returns` saw). */
  context: Record<string, TaskResult>;
  startedAt: number;
  finishedAt: number;
  /** Set when the run failed and its `error_handler` workflow was started: that child run. */
  errorHandler?: { runId: string; workflowId: string; status: WorkflowRunResult["status"] };
}

export interface RunWorkflowOptions {
  runAction: (request: ActionRunRequest) => Promise<ActionRunResult>;
  workspaceId: string;
  actor: Actor;
  trigger?: unknown;
  /** `--env`: overrides `config.environment` for the run. */
  runEnvironment?: string;
  /** Task instances in flight at once (Tracecat's default 64). */
  maxConcurrency?: number;
  /** for_each iterations in flight per action (Tracecat's default 4). */
  forEachConcurrency?: number;
  /** What a run with no `returns` gives: `context` ({ACTIONS, TRIGGER}, the default) or `minimal`. */
  returnStrategy?: "context" | "minimal";
  /** First retry delay (doubling, capped at 100 s); tests shorten it. */
  retryBaseDelayMs?: number;
  runId?: string;
  signal?: AbortSignal;
  onActionDone?: (ref: string, outcome: ActionOutcome) => void;
  /** Deployed workflows, for `core.workflow.execute` and `error_handler`; absent → those fail clearly. */
  workflows?: WorkflowHost;
  /** Subflow nesting depth of this run: 0 for a run nobody else started. */
  depth?: number;
  /** The deployed workflow this run runs (`wf_…`); absent for a file run. The error handler's `orig_wf_id`. */
  workflowId?: string;
  /** Looped subflows start children in groups of this many (Tracecat's default 16, clamped to 8..128). */
  childDispatchWindow?: number;
}

interface Node {
  statement: ActionStatement;
  index: number;
  incoming: { source: string; type: EdgeType }[];
  /** Sorted by (destination ref, edge type): queueing order is deterministic. */
  outgoing: { target: string; type: EdgeType }[];
  hasErrorEdges: boolean;
  kind: "action" | "scatter" | "gather" | "loopStart" | "loopEnd";
  /** Every `ACTIONS.<ref>` this action's fields mention: what a stream-aware lookup resolves. */
  refs: string[];
}

/** A scatter stream (§4.12): its own ACTIONS and bookkeeping; the root is `<root>:0`. */
interface Stream {
  id: string;
  parent: Stream | null;
  ACTIONS: Record<string, TaskResult>;
  /** The scatter that opened it and its item index (not set on the root). */
  scatter?: string;
  index?: number;
  /** A skip stream: the scatter was skipped, or its collection was empty (observed). */
  skip?: "skipped" | "empty";
  /** The first failure without error edges inside the stream (it ends the stream). */
  failure?: ActionErrorInfo;
}

const UNSET = Symbol("unset");
interface PendingGather {
  slots: unknown[];
  arrived: number;
}

type Marker = "visited" | "skipped";

const MAX_LOOP_ITERATIONS = 2048;

/**
 * Runs a workflow to its end. A failed run whose document names an `error_handler` starts that
 * workflow (through `options.workflows`) and waits for it before returning; the run stays failed.
 */
export async function runWorkflow(doc: WorkflowDocument, options: RunWorkflowOptions): Promise<WorkflowRunResult> {
  const result = await runGraph(doc, options);
  if (result.status !== "failed" || !result.error || !doc.errorHandler?.trim() || options.signal?.aborted)
    return result;
  return runErrorHandler(
    doc,
    result as WorkflowRunResult & { error: NonNullable<WorkflowRunResult["error"]> },
    options,
  );
}

async function runGraph(doc: WorkflowDocument, options: RunWorkflowOptions): Promise<WorkflowRunResult> {
  const runId = options.runId ?? `wfr_${randomUUID()}`;
  const startedAt = Date.now();
  const environment = options.runEnvironment?.trim() || doc.config.environment;
  const maxConcurrency = Math.max(1, options.maxConcurrency ?? 64);
  const forEachConcurrency = Math.max(1, options.forEachConcurrency ?? 4);
  const retryBase = options.retryBaseDelayMs ?? 1000;
  const controller = new AbortController();
  // Every in-flight action listens for the run's cancellation: up to maxConcurrency × for_each.
  setMaxListeners(0, controller.signal);
  let cancelled = false;
  // Set once the graph exists: a cancellation stops the ready set and wakes the run's end.
  let stopForCancel: () => void = () => {};
  const onOuterAbort = () => {
    cancelled = true;
    controller.abort(new CofferError("run_cancelled", "The workflow run was cancelled."));
    stopForCancel();
  };
  options.signal?.addEventListener("abort", onOuterAbort, { once: true });

  const root: Stream = { id: ROOT_STREAM, parent: null, ACTIONS: {} };
  const ACTIONS = root.ACTIONS;
  const outcomes: Record<string, ActionOutcome> = {};
  const failures: Record<string, ActionErrorInfo> = {};
  const ENV = {
    environment,
    workflow: {
      start_time: new Date(startedAt).toISOString(),
      time_anchor: new Date(startedAt).toISOString(),
      dispatch_type: "push",
      execution_id: runId,
      run_id: runId,
      trigger_type: "manual",
      logical_time: new Date(startedAt).toISOString(),
    },
    variables: {},
  };
  const finish = (
    status: WorkflowRunResult["status"],
    returns: unknown,
    error: WorkflowRunResult["error"],
  ): WorkflowRunResult => {
    options.signal?.removeEventListener("abort", onOuterAbort);
    const ordered: Record<string, ActionOutcome> = {};
    for (const a of doc.actions) {
      const o = outcomes[a.ref];
      if (o) ordered[a.ref] = o;
    }
    return {
      id: runId,
      status,
      environment,
      returns,
      actions: ordered,
      error,
      context: ACTIONS,
      startedAt,
      finishedAt: Date.now(),
    };
  };

  if (options.signal?.aborted)
    return finish("cancelled", null, {
      message: "The workflow run was cancelled.",
      code: "run_cancelled",
      failures: {},
    });
  const depth = options.depth ?? 0;
  if (depth > MAX_SUBFLOW_DEPTH)
    return finish("failed", null, {
      message: `Subflow depth limit reached: this run is nested ${depth} deep, past the limit of ${MAX_SUBFLOW_DEPTH}.`,
      code: "subflow_depth_exceeded",
      failures: {},
    });
  const dispatchWindow = clampDispatchWindow(options.childDispatchWindow);

  let TRIGGER: unknown;
  try {
    TRIGGER = normalizeTrigger(doc.expects, options.trigger);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const code = isCofferError(error) ? error.code : "trigger_invalid";
    return finish("failed", null, { message, code, failures: {} });
  }

  // ---- graph ----
  const nodes = new Map<string, Node>();
  doc.actions.forEach((statement, index) => {
    nodes.set(statement.ref, {
      statement,
      index,
      incoming: statement.dependsOn.map((d) => ({ source: d.source, type: d.type })),
      outgoing: [],
      hasErrorEdges: false,
      kind:
        statement.action === SCATTER
          ? "scatter"
          : statement.action === GATHER
            ? "gather"
            : statement.action === LOOP_START
              ? "loopStart"
              : statement.action === LOOP_END
                ? "loopEnd"
                : "action",
      refs: [...new Set(expressionFields(statement).flatMap(([f, v]) => [...actionReferences(v, statement.ref, f)]))],
    });
  });
  for (const node of nodes.values()) {
    for (const edge of node.incoming) {
      const source = nodes.get(edge.source) as Node;
      source.outgoing.push({ target: node.statement.ref, type: edge.type });
      if (edge.type === "error") source.hasErrorEdges = true;
    }
  }
  for (const node of nodes.values())
    node.outgoing.sort((a, b) =>
      a.target < b.target ? -1 : a.target > b.target ? 1 : a.type < b.type ? -1 : a.type > b.type ? 1 : 0,
    );

  const remaining = new Map<string, number>();
  const markers = new Map<string, Marker>();
  const edgeKey = (stream: Stream, source: string, target: string, type: EdgeType) =>
    `${stream.id}\u0000${source}\u0000${target}\u0000${type}`;
  const pendingGathers = new Map<string, PendingGather>();
  // Do-while loops (§5.8): each start's region, the start an end closes, the iteration per stream.
  const regions = doc.scopes ? loopRegions(doc.actions, doc.scopes) : new Map<string, Set<string>>();
  const startOfEnd = new Map<string, string>();
  for (const [start, region] of regions)
    for (const ref of region) if (nodes.get(ref)?.kind === "loopEnd") startOfEnd.set(ref, start);
  const loopIndex = new Map<string, number>();
  const scatterSizes = new Map<string, number>();

  // ---- the ready set ----
  interface Ready {
    node: Node;
    stream: Stream;
    delayMs: number;
    /** A loop start queued again by its loop end: its dependencies were decided on the first pass. */
    again?: boolean;
  }
  const queue: Ready[] = [];
  let head = 0;
  for (const node of nodes.values()) if (node.incoming.length === 0) queue.push({ node, stream: root, delayMs: 0 });
  let inFlight = 0;
  let fatal = false;
  let settle: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    settle = resolve;
  });
  stopForCancel = () => {
    fatal = true;
    if (inFlight === 0) settle();
  };

  const complete = (node: Node, stream: Stream, outcome: "success" | "handled" | "skip" | "all", delayMs = 0) => {
    for (const edge of node.outgoing) {
      let marker: Marker;
      if (outcome === "all") marker = "visited";
      else if (outcome === "success") marker = edge.type === "success" ? "visited" : "skipped";
      else if (outcome === "handled") marker = edge.type === "error" ? "visited" : "skipped";
      else marker = "skipped";
      markers.set(edgeKey(stream, node.statement.ref, edge.target, edge.type), marker);
      const target = nodes.get(edge.target) as Node;
      const key = `${stream.id}\u0000${edge.target}`;
      const left = (remaining.get(key) ?? target.incoming.length) - 1;
      if (left === 0) {
        remaining.delete(key);
        queue.push({ node: target, stream, delayMs });
      } else remaining.set(key, left);
    }
  };

  /** ACTIONS as an action in `stream` sees them: each mentioned ref from the nearest stream holding it. */
  const actionsView = (node: Node, stream: Stream): Record<string, TaskResult> => {
    if (stream === root) return ACTIONS;
    const view: Record<string, TaskResult> = {};
    for (const ref of node.refs)
      for (let s: Stream | null = stream; s; s = s.parent) {
        const hit = s.ACTIONS[ref];
        if (hit) {
          view[ref] = hit;
          break;
        }
      }
    return view;
  };

  const pump = () => {
    while (!fatal && inFlight < maxConcurrency && head < queue.length) {
      const { node, stream, delayMs, again } = queue[head++] as Ready;
      inFlight++;
      runTask(node, stream, delayMs, again === true).then(
        () => {
          inFlight--;
          pump();
        },
        (error) => {
          // runTask handles its own failures; reaching here is a bug, reported as the run's failure.
          inFlight--;
          fatal = true;
          failures[node.statement.ref] = errorInfo(
            node.statement.ref,
            "internal_error",
            `Unexpected error: ${String(error)}`,
            1,
          );
          pump();
        },
      );
    }
    if (head > 4096 && head === queue.length) {
      queue.length = 0;
      head = 0;
    }
    if (inFlight === 0 && (fatal || head >= queue.length)) settle();
  };

  const record = (ref: string, stream: Stream, outcome: ActionOutcome) => {
    // Actions inside scatter streams run once per item; the run's summary lists the root's.
    if (stream !== root) return;
    outcomes[ref] = outcome;
    options.onActionDone?.(ref, outcome);
  };

  const fail = (
    node: Node,
    stream: Stream,
    info: ActionErrorInfo,
    written: boolean,
    t0: number,
    env: string | null,
  ) => {
    const ref = node.statement.ref;
    info.stream_id = stream.id;
    if (written) {
      stream.ACTIONS[ref] = {
        result: null,
        result_typename: "NoneType",
        error: info,
        error_typename: info.type,
        interaction: null,
        interaction_id: null,
        interaction_type: null,
      };
    }
    record(ref, stream, { status: "failed", error: info, environment: env, startedAt: t0, finishedAt: Date.now() });
    // Cancelled because another action failed the run, or the run was cancelled: not a failure of its own.
    const cancellation = info.code === "action_cancelled" || info.code === "run_cancelled";
    if ((fatal || cancelled) && cancellation) return;
    if (node.hasErrorEdges && !cancellation) {
      complete(node, stream, "handled");
      return;
    }
    if (stream !== root) {
      // A failure inside a scatter stream ends that stream; it surfaces at the gather (§5.7).
      stream.failure ??= info;
      complete(node, stream, "skip");
      return;
    }
    failures[ref] = info;
    if (!fatal) {
      fatal = true;
      // Tracecat cancels what is still in flight when the run fails.
      controller.abort(
        new CofferError("action_cancelled", `The workflow failed at action '${ref}'; this action was cancelled.`),
      );
    }
  };

  const runTask = async (node: Node, stream: Stream, delayMs: number, again = false): Promise<void> => {
    const a = node.statement;
    const t0 = Date.now();
    const skip = () => {
      record(a.ref, stream, { status: "skipped", startedAt: t0, finishedAt: Date.now() });
      if (node.kind === "scatter") return scatterSkipped(node, stream);
      if (node.kind === "gather") return gatherArrive(node, stream, null);
      if (node.kind === "loopEnd") {
        writeResult(stream, a.ref, { continue: false });
        const key = `${stream.id}\u0000${startOfEnd.get(a.ref)}`;
        // A skip from inside the body ends the loop and continues downstream (quirk Q7); a skip
        // that reached the loop start from outside skips everything after the loop.
        if (loopIndex.delete(key)) return complete(node, stream, "success");
      }
      complete(node, stream, "skip");
    };
    if (again) return loopStart(node, stream, t0);
    // 1. Force-skip: every incoming edge skipped.
    const taken = node.incoming.map((e) => markers.get(edgeKey(stream, e.source, a.ref, e.type)) === "visited");
    if (node.incoming.length > 0 && taken.every((t) => !t)) return skip();
    const exprContext = { ACTIONS: actionsView(node, stream), TRIGGER, ENV };
    // 2. run_if
    let runIfError: ActionErrorInfo | null = null;
    if (a.runIf !== null) {
      try {
        if (!a.runIf.trimStart().startsWith("${{"))
          throw new CofferError("expression_error", `\`run_if\` must be one \${{ … }} expression, got '${a.runIf}'.`);
        if (!truthy(evaluateTemplate(first(a.runIf), exprContext) as never)) return skip();
      } catch (error) {
        runIfError = errorInfo(
          a.ref,
          "expression_error",
          `Error evaluating \`run_if\` condition: ${describe(error)}`,
          1,
        );
      }
    }
    // 3. Reachability (join strategy).
    if (node.incoming.length > 0) {
      const reachable =
        node.incoming.length === 1 || a.joinStrategy === "all" ? taken.every(Boolean) : taken.some(Boolean);
      if (!reachable) {
        const info = errorInfo(
          a.ref,
          "workflow_failed",
          `Task '${a.ref}' is unreachable: with join_strategy 'all' every dependency must be taken, but ${node.incoming
            .filter((_, i) => !taken[i])
            .map((e) => `'${e.source}${e.type === "error" ? ".error" : ""}'`)
            .join(", ")} was skipped. Use join_strategy: any, or a run_if that skips this action too.`,
          1,
          "TaskUnreachable",
        );
        return fail(node, stream, info, false, t0, null);
      }
    }
    if (runIfError) return fail(node, stream, runIfError, false, t0, null);
    if (delayMs > 0) await sleep(delayMs, controller.signal).catch(() => {});
    if (controller.signal.aborted)
      return fail(
        node,
        stream,
        errorInfo(a.ref, "action_cancelled", "The run ended before this action started.", 1),
        false,
        t0,
        null,
      );
    if (node.kind === "scatter") return scatter(node, stream, exprContext, t0);
    if (node.kind === "loopStart") return loopStart(node, stream, t0);
    if (node.kind === "loopEnd") return loopEnd(node, stream, exprContext, t0);
    if (node.kind === "gather") {
      let items: unknown;
      try {
        // Tracecat evaluates gather items against the stream's own ACTIONS only (quirk Q4).
        items = evaluate(a.args.items ?? null, { ACTIONS: stream.ACTIONS, TRIGGER: null, ENV });
      } catch (error) {
        return fail(
          node,
          stream,
          errorInfo(
            a.ref,
            "expression_error",
            `Error evaluating \`items\` expression in \`core.transform.gather\`: ${describe(error)}`,
            1,
          ),
          false,
          t0,
          null,
        );
      }
      return gatherArrive(node, stream, { value: items });
    }
    if (a.interaction !== null) {
      return fail(
        node,
        stream,
        errorInfo(
          a.ref,
          "workflow_invalid",
          `Action '${a.ref}': \`interaction\` is not supported by Coffer; remove it.`,
          1,
        ),
        false,
        t0,
        null,
      );
    }
    // 4. Timers, before anything else of the action (and before a concurrency slot would matter).
    try {
      await timers(a, exprContext, controller.signal);
    } catch (error) {
      return fail(node, stream, errorInfo(a.ref, codeOf(error), describe(error), 1), true, t0, null);
    }
    // 5. Execute with retries.
    const policy = a.retryPolicy;
    let attempt = 0;
    for (;;) {
      attempt++;
      const outcome =
        a.action === WORKFLOW_EXECUTE
          ? await subflow(node, stream, exprContext, attempt)
          : await execute(a, exprContext, attempt);
      if (outcome === null) return;
      if (!outcome.ok) {
        const unlimited = policy.maxAttempts === 0;
        const retryable = !NOT_RETRIED.has(outcome.error.code);
        if (retryable && (unlimited || attempt < policy.maxAttempts)) {
          await sleep(Math.min(retryBase * 2 ** (attempt - 1), 100_000), controller.signal).catch(() => {});
          if (!controller.signal.aborted) continue;
        }
        return fail(node, stream, outcome.error, true, t0, outcome.environment);
      }
      stream.ACTIONS[a.ref] = {
        result: outcome.result,
        result_typename: typeName(outcome.result as never),
        error: null,
        error_typename: null,
        interaction: null,
        interaction_id: null,
        interaction_type: null,
      };
      if (policy.retryUntil !== null) {
        let stop: boolean;
        try {
          stop = truthy(
            evaluateTemplate(first(policy.retryUntil), { ACTIONS: actionsView(node, stream), TRIGGER, ENV }) as never,
          );
        } catch (error) {
          return fail(
            node,
            stream,
            errorInfo(a.ref, "expression_error", `Error evaluating \`retry_until\`: ${describe(error)}`, attempt),
            true,
            t0,
            outcome.environment,
          );
        }
        if (!stop && !controller.signal.aborted) {
          try {
            await timers(a, exprContext, controller.signal);
          } catch (error) {
            return fail(node, stream, errorInfo(a.ref, codeOf(error), describe(error), attempt), true, t0, null);
          }
          continue;
        }
      }
      record(a.ref, stream, {
        status: "succeeded",
        result: outcome.result,
        environment: outcome.environment,
        startedAt: t0,
        finishedAt: Date.now(),
      });
      complete(node, stream, "success");
      return;
    }
  };

  // ---- do-while loops (§5.8) ----
  const writeResult = (stream: Stream, ref: string, result: unknown) => {
    stream.ACTIONS[ref] = {
      result,
      result_typename: typeName(result as never),
      error: null,
      error_typename: null,
      interaction: null,
      interaction_id: null,
      interaction_type: null,
    };
  };

  const loopStart = (node: Node, stream: Stream, t0: number) => {
    const key = `${stream.id}\u0000${node.statement.ref}`;
    const iteration = loopIndex.get(key) ?? 0;
    loopIndex.set(key, iteration);
    writeResult(stream, node.statement.ref, { iteration });
    record(node.statement.ref, stream, {
      status: "succeeded",
      result: { iteration },
      environment: null,
      startedAt: t0,
      finishedAt: Date.now(),
    });
    complete(node, stream, "success");
  };

  const loopEnd = (node: Node, stream: Stream, exprContext: Record<string, unknown>, t0: number) => {
    const a = node.statement;
    const startRef = startOfEnd.get(a.ref) as string;
    const key = `${stream.id}\u0000${startRef}`;
    const max = a.args.max_iterations ?? 100;
    if (typeof max !== "number" || !Number.isInteger(max) || max < 1)
      return fail(
        node,
        stream,
        errorInfo(a.ref, "workflow_invalid", "`max_iterations` must be a whole number ≥ 1.", 1),
        false,
        t0,
        null,
      );
    if (max > MAX_LOOP_ITERATIONS)
      return fail(
        node,
        stream,
        errorInfo(
          a.ref,
          "workflow_invalid",
          `Loop max_iterations exceeds platform cap: ${max} > ${MAX_LOOP_ITERATIONS}.`,
          1,
        ),
        false,
        t0,
        null,
      );
    let go: boolean;
    try {
      const condition = a.args.condition;
      if (typeof condition !== "string")
        throw new CofferError("expression_error", "`condition` must be a ${{ … }} template.");
      go = truthy(evaluateTemplate(condition, exprContext) as never);
    } catch (error) {
      return fail(
        node,
        stream,
        errorInfo(
          a.ref,
          "expression_error",
          `Error evaluating \`condition\` in \`core.loop.end\`: ${describe(error)}`,
          1,
        ),
        false,
        t0,
        null,
      );
    }
    writeResult(stream, a.ref, { continue: go });
    record(a.ref, stream, {
      status: "succeeded",
      result: { continue: go },
      environment: null,
      startedAt: t0,
      finishedAt: Date.now(),
    });
    if (!go) {
      loopIndex.delete(key);
      return complete(node, stream, "success");
    }
    const next = (loopIndex.get(key) ?? 0) + 1;
    if (next >= max) {
      loopIndex.delete(key);
      return fail(
        node,
        stream,
        errorInfo(
          a.ref,
          "workflow_failed",
          `Loop '${a.ref}' exceeded max_iterations=${max}. Update \`condition\` or increase \`max_iterations\`.`,
          1,
        ),
        false,
        t0,
        null,
      );
    }
    resetRegion(regions.get(startRef) as Set<string>, stream);
    loopIndex.set(key, next);
    queue.push({ node: nodes.get(startRef) as Node, stream, delayMs: 0, again: true });
  };

  /** Forget the region's edge markers and counts (and its nested streams') so it can run again. */
  const resetRegion = (region: Set<string>, stream: Stream) => {
    const nested = (id: string) => {
      if (!id.startsWith(`${stream.id}/`)) return false;
      const ref = id.slice(stream.id.length + 1).split(":")[0] as string;
      return region.has(ref);
    };
    for (const key of markers.keys()) {
      const [sid, source, target] = key.split("\u0000") as [string, string, string];
      if ((sid === stream.id && region.has(source) && region.has(target)) || nested(sid)) markers.delete(key);
    }
    for (const key of remaining.keys()) {
      const [sid, target] = key.split("\u0000") as [string, string];
      if ((sid === stream.id && region.has(target)) || nested(sid)) remaining.delete(key);
    }
  };

  // ---- scatter / gather (§5.6, §5.7) ----
  const scatterSkipped = (node: Node, stream: Stream) => {
    const skipStream: Stream = {
      id: `${stream.id}/${node.statement.ref}:skip`,
      parent: stream,
      ACTIONS: {},
      scatter: node.statement.ref,
      skip: "skipped",
    };
    complete(node, skipStream, "skip");
  };

  const scatter = (node: Node, stream: Stream, exprContext: Record<string, unknown>, t0: number) => {
    const a = node.statement;
    let collection: unknown;
    try {
      // The collection sees the current stream's own ACTIONS (root streams see the root).
      collection = evaluate(a.args.collection ?? null, {
        ...exprContext,
        ACTIONS: stream === root ? ACTIONS : stream.ACTIONS,
      });
      if (collection !== null && (typeof collection !== "object" || !Array.isArray(collection)))
        throw new CofferError(
          "expression_error",
          `Scatter collection is not iterable: ${typeName(collection as never)}. Give a list (strings and mappings are not scattered).`,
        );
    } catch (error) {
      return fail(node, stream, errorInfo(a.ref, codeOf(error), describe(error), 1), false, t0, null);
    }
    const items = (collection ?? []) as unknown[];
    const intervalS = typeof a.args.interval === "number" ? a.args.interval : 0;
    scatterSizes.set(`${stream.id}/${a.ref}`, items.length);
    if (items.length === 0) {
      const empty: Stream = {
        id: `${stream.id}/${a.ref}:skip`,
        parent: stream,
        ACTIONS: {},
        scatter: a.ref,
        skip: "empty",
      };
      complete(node, empty, "skip");
      return;
    }
    items.forEach((item, i) => {
      const child: Stream = {
        id: `${stream.id}/${a.ref}:${i}`,
        parent: stream,
        scatter: a.ref,
        index: i,
        ACTIONS: {
          [a.ref]: {
            result: item,
            result_typename: "collection_item",
            error: null,
            error_typename: null,
            interaction: null,
            interaction_id: null,
            interaction_type: null,
          },
        },
      };
      complete(node, child, "success", intervalS > 0 ? i * intervalS * 1000 : 0);
    });
  };

  /** One stream reaches the gather: `arrived` is its value, or null when the gather was skipped there. */
  const gatherArrive = (node: Node, stream: Stream, arrived: { value: unknown } | null) => {
    const a = node.statement;
    const parent = stream.parent;
    if (!parent) {
      // A gather in the root stream (validation forbids it): nothing to gather.
      complete(node, stream, "skip");
      return;
    }
    if (stream.skip === "skipped") {
      // The scatter itself was skipped: everything after the gather is skipped too (quirk Q6).
      complete(node, stream, "skip");
      return;
    }
    if (stream.skip === "empty") {
      writeGather(node, parent, [], null);
      return;
    }
    const key = `${parent.id}/${stream.scatter}`;
    const total = scatterSizes.get(key) ?? 0;
    let pending = pendingGathers.get(key);
    if (!pending) {
      pending = { slots: new Array(total).fill(UNSET), arrived: 0 };
      pendingGathers.set(key, pending);
    }
    const index = stream.index ?? 0;
    if (arrived) pending.slots[index] = arrived.value;
    else if (stream.failure) pending.slots[index] = stream.failure;
    pending.arrived++;
    if (pending.arrived < total) return;
    pendingGathers.delete(key);
    let values = pending.slots.filter((v) => v !== UNSET);
    if (a.args.drop_nulls === true) values = values.filter((v) => v !== null && v !== undefined);
    const strategy = typeof a.args.error_strategy === "string" ? a.args.error_strategy : "partition";
    const isError = (v: unknown) =>
      typeof v === "object" && v !== null && !Array.isArray(v) && "ref" in v && "message" in v && "type" in v;
    const errors = values.filter(isError) as ActionErrorInfo[];
    const ok = values.filter((v) => !isError(v));
    if (strategy === "raise" && errors.length > 0) {
      const info = errorInfo(
        a.ref,
        "workflow_failed",
        `Gather '${a.ref}' encountered ${errors.length} error(s)`,
        1,
        "ApplicationError",
      );
      info.stream_id = parent.id;
      info.children = errors;
      failures[a.ref] = info;
      if (!fatal) {
        fatal = true;
        controller.abort(new CofferError("action_cancelled", `The workflow failed at gather '${a.ref}'.`));
      }
      return;
    }
    if (strategy === "include") writeGather(node, parent, values, null);
    else if (strategy === "drop") writeGather(node, parent, ok, null);
    else writeGather(node, parent, ok, errors.length > 0 ? errors : null);
  };

  const writeGather = (node: Node, parent: Stream, result: unknown[], errors: ActionErrorInfo[] | null) => {
    const now = Date.now();
    parent.ACTIONS[node.statement.ref] = {
      result,
      result_typename: "list",
      error: errors as never,
      error_typename: errors ? "list" : null,
      interaction: null,
      interaction_id: null,
      interaction_type: null,
    };
    record(node.statement.ref, parent, {
      status: "succeeded",
      result,
      environment: null,
      startedAt: now,
      finishedAt: now,
    });
    // Tracecat marks every outgoing edge of a finished gather visited, error edges too (quirk Q5).
    complete(node, parent, "all");
  };

  type Executed =
    | { ok: true; result: unknown; environment: string | null }
    | { ok: false; error: ActionErrorInfo; environment: string | null };

  /** `core.workflow.execute`; null when an infrastructure failure already failed the run. */
  const subflow = async (
    node: Node,
    stream: Stream,
    exprContext: { ACTIONS: unknown; TRIGGER: unknown; ENV: unknown },
    attempt: number,
  ): Promise<Executed | null> => {
    const a = node.statement;
    ENV.workflow.logical_time = new Date().toISOString();
    const r = await executeSubflow(a, exprContext, {
      host: options.workflows,
      runId,
      depth,
      signal: controller.signal,
      dispatchWindow,
    });
    if (r.ok) return r;
    const info = errorInfo(a.ref, r.code, r.message, attempt, r.type);
    info.children = r.children;
    if (r.infrastructure) {
      // Not the user's doing: the run fails here, whatever error edges the action has (§6.2).
      info.stream_id = stream.id;
      record(a.ref, stream, {
        status: "failed",
        error: info,
        environment: r.environment,
        startedAt: Date.now(),
        finishedAt: Date.now(),
      });
      failures[a.ref] = info;
      if (!fatal) {
        fatal = true;
        controller.abort(
          new CofferError("action_cancelled", `The workflow failed at action '${a.ref}'; this action was cancelled.`),
        );
      }
      return null;
    }
    return { ok: false, error: info, environment: r.environment };
  };

  const execute = async (
    a: ActionStatement,
    exprContext: { ACTIONS: unknown; TRIGGER: unknown; ENV: unknown },
    attempt: number,
  ): Promise<Executed> => {
    const timeoutMs = Math.round(a.retryPolicy.timeoutSeconds * 1000);
    const once = async (vars: unknown): Promise<ActionRunResult> => {
      let actionEnvironment: string | undefined;
      try {
        actionEnvironment = resolveActionEnvironment(a.environment, { ...exprContext, var: vars });
      } catch (error) {
        return { status: "failed", environment: environment, error: { code: codeOf(error), message: describe(error) } };
      }
      // The run's clock: without an explicit time anchor, anchor + elapsed is the wall clock.
      ENV.workflow.logical_time = new Date().toISOString();
      const request: ActionRunRequest = {
        workspaceId: options.workspaceId,
        actionId: a.action,
        args: a.args,
        context: { ...exprContext, var: vars },
        workflowEnvironment: doc.config.environment,
        runId,
        actor: options.actor,
        timeoutMs,
        signal: controller.signal,
        maskOutput: a.maskOutput,
      };
      if (options.runEnvironment) request.runEnvironment = options.runEnvironment;
      if (actionEnvironment !== undefined) request.environment = actionEnvironment;
      return options.runAction(request);
    };
    if (a.forEach === null) {
      const r = await once(null);
      if (r.status === "succeeded") return { ok: true, result: r.result, environment: r.environment };
      return {
        ok: false,
        environment: r.environment,
        error: errorInfo(a.ref, r.error.code, executorMessage(a.action, r.error), attempt, "ExecutionError"),
      };
    }
    // for_each: zipped iterators, at most forEachConcurrency iterations at a time.
    let iterations: unknown[];
    try {
      iterations = iterate(a.forEach, exprContext);
    } catch (error) {
      return {
        ok: false,
        environment: null,
        error: errorInfo(a.ref, "expression_error", describe(error), attempt, "ExpressionError"),
      };
    }
    const results: unknown[] = new Array(iterations.length);
    const errors: { index: number; code: string; message: string }[] = [];
    let next = 0;
    let lastEnvironment: string | null = null;
    const worker = async () => {
      while (next < iterations.length && !controller.signal.aborted) {
        const i = next++;
        const r = await once(iterations[i]);
        lastEnvironment = r.environment;
        if (r.status === "succeeded") results[i] = r.result;
        else errors.push({ index: i, code: r.error.code, message: r.error.message });
      }
    };
    await Promise.all(Array.from({ length: Math.min(forEachConcurrency, iterations.length) }, worker));
    if (errors.length > 0) {
      errors.sort((x, y) => x.index - y.index);
      const lines = errors.slice(0, 10).map((e) => `  iteration ${e.index}: ${e.code}: ${e.message}`);
      if (errors.length > 10) lines.push(`  … and ${errors.length - 10} more`);
      return {
        ok: false,
        environment: lastEnvironment,
        error: errorInfo(
          a.ref,
          (errors[0] as { code: string }).code,
          `Loop execution failed with ${errors.length} error(s) calling action '${a.action}':\n${lines.join("\n")}`,
          attempt,
          "LoopExecutionError",
        ),
      };
    }
    if (controller.signal.aborted) {
      return {
        ok: false,
        environment: lastEnvironment,
        error: errorInfo(a.ref, "action_cancelled", "The workflow failed; this loop was cancelled.", attempt),
      };
    }
    return { ok: true, result: results, environment: lastEnvironment };
  };

  // ---- run ----
  // config.timeout (seconds, 0 = none) bounds the whole run: what is in flight is cancelled.
  let timedOut = false;
  const runTimer =
    doc.config.timeout > 0
      ? setTimeout(() => {
          timedOut = true;
          fatal = true;
          controller.abort(new CofferError("action_cancelled", "The workflow run exceeded config.timeout."));
          if (inFlight === 0) settle();
        }, doc.config.timeout * 1000)
      : undefined;
  pump();
  await done;
  if (runTimer) clearTimeout(runTimer);
  if (cancelled) {
    return finish("cancelled", null, { message: "The workflow run was cancelled.", code: "run_cancelled", failures });
  }
  if (timedOut) {
    return finish("failed", null, {
      message: `The workflow did not finish within config.timeout (${doc.config.timeout} s); the actions still running were cancelled.`,
      code: "action_timeout",
      failures,
    });
  }

  const failed = Object.entries(failures);
  if (failed.length > 0) {
    const blocks = failed.map(
      ([ref, info], i) =>
        `${"=".repeat(10)} (${i + 1}/${failed.length}) ACTIONS.${ref} ${"=".repeat(10)}\n\n${info.message}`,
    );
    return finish("failed", null, {
      message: `Workflow failed with ${failed.length} error(s)\n\n${blocks.join("\n")}`,
      code: (failed[0] as [string, ActionErrorInfo])[1].code,
      failures: Object.fromEntries(failed),
    });
  }
  if (doc.returns !== null && doc.returns !== undefined) {
    try {
      return finish("succeeded", evaluate(doc.returns, { ACTIONS, TRIGGER, ENV }), null);
    } catch (error) {
      return finish("failed", null, {
        message: `Couldn't evaluate the return value: ${describe(error)}`,
        code: codeOf(error),
        failures: {},
      });
    }
  }
  const returns =
    options.returnStrategy === "minimal"
      ? {
          wf_id: options.workflowId ?? null,
          wf_exec_id: runId,
          wf_run_id: runId,
          environment,
          logical_time: new Date().toISOString(),
        }
      : { ACTIONS: ACTIONS, TRIGGER };
  return finish("succeeded", returns, null);
}

// ---------------------------------------------------------------------------------------------

/** Codes a retry cannot fix: waiting does not create a secret, a workflow or a shallower stack. */
const NOT_RETRIED = new Set([
  "action_cancelled",
  "run_cancelled",
  "secrets_unresolved",
  "workflow_not_found",
  "workflows_unavailable",
  "subflow_depth_exceeded",
]);

function errorInfo(
  ref: string,
  code: string,
  message: string,
  attempt: number,
  type = "ExecutionError",
): ActionErrorInfo {
  return { ref, message, type, code, expr_context: "ACTIONS", attempt, stream_id: ROOT_STREAM, children: null };
}

function executorMessage(action: string, error: { code: string; message: string }): string {
  return `There was an error in the executor when calling action '${action}'.\n\n${error.code}: ${error.message}`;
}

/** Tracecat hands `run_if` to the single-template evaluator: the first template decides. */
function first(text: string): string {
  const t = text.trim();
  const compiled = compile(t);
  const root = compiled.roots[0];
  if (!root) throw new CofferError("expression_error", "Expression cannot be empty");
  return t.slice(root.start, root.end);
}

/**
 * The per-action `environment`: a literal is passed as is; a template over VARS/FN goes to the
 * executor (which reads VARS in the base environment); a template over ACTIONS/TRIGGER/var/ENV is
 * evaluated here, since only the engine has those.
 */
function resolveActionEnvironment(text: string | null, context: Record<string, unknown>): string | undefined {
  if (text === null) return undefined;
  const t = text.trim();
  if (t === "") return undefined;
  if (!isTemplate(t)) return t;
  const refs = extractReferences(t);
  if (refs.variables.length > 0 || refs.secrets.length > 0) return t;
  const value = evaluateTemplate(t, context);
  if (typeof value !== "string" || value.trim() === "") {
    throw new CofferError(
      "invalid_environment",
      `The action's environment \`${t}\` must evaluate to an environment name, not ${value === null ? "None" : typeName(value as never)}.`,
    );
  }
  return value.trim();
}

async function timers(a: ActionStatement, context: Record<string, unknown>, signal: AbortSignal): Promise<void> {
  if (a.waitUntil !== null) {
    let text: unknown = a.waitUntil;
    if (isTemplate(a.waitUntil)) text = evaluateTemplate(a.waitUntil, context);
    const at = typeof text === "string" ? parseWhen(text) : Number.NaN;
    if (Number.isNaN(at))
      throw new CofferError(
        "workflow_invalid",
        `Invalid wait until date for action '${a.ref}': write an ISO-8601 date-time such as 2025-01-01T10:00:00Z (natural language is not supported).`,
      );
    const wait = at - Date.now();
    if (wait > 0) await sleep(wait, signal);
    return;
  }
  if (a.startDelay > 0) await sleep(a.startDelay * 1000, signal);
}

function parseWhen(text: string): number {
  const t = text.trim();
  if (!/^\d{4}-\d{2}-\d{2}/.test(t)) return Number.NaN;
  // No zone given: UTC, as Tracecat's default timezone.
  const zoned = /T.*(Z|[+-]\d{2}:?\d{2})$/i.test(t) || !t.includes("T") ? t : `${t}Z`;
  return Date.parse(t.includes("T") ? zoned : `${t}T00:00:00Z`);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
