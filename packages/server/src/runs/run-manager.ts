/**
 * Runs workflows for the HTTP server and the CLI and stores them: each run is recorded `running`
 * before it starts and finished with its action runs in one write, everything masked with the
 * run's mask set (every value any of its actions, or any child run, touched). Deployed workflows
 * reach the engine through a store-backed WorkflowHost, so subflows and error handlers are runs of
 * their own with their parent. The embedded model: the process that starts a run executes it.
 */
import {
  type ActionRunInput,
  type Actor,
  type Coffer,
  CofferError,
  HEARTBEAT_INTERVAL_MS,
  isCofferError,
  newRunId,
  type RunDocument,
  type RunItem,
  type RunParentKind,
  type WorkflowLookupInput,
} from "@coffer/core";
import {
  type ActionOutcome,
  createExecutor,
  createMasker,
  type DeployedWorkflow,
  loadWorkflow,
  type Masker,
  type RunWorkflowOptions,
  runWorkflow,
  type WorkflowDocument,
  type WorkflowHost,
  type WorkflowRunResult,
} from "@coffer/runtime";
import type { RuntimeContext } from "../runtime-context.js";

/** Every value a run (and its children) touched; the masker over them, rebuilt when it grows. */
export class RunMaskSet {
  private readonly values = new Set<string>();
  private cached: Masker | undefined;
  constructor(private readonly parent?: RunMaskSet) {}
  add(values: readonly string[]): void {
    for (const v of values) {
      if (!this.values.has(v)) {
        this.values.add(v);
        this.cached = undefined;
      }
    }
    this.parent?.add(values);
  }
  masker(): Masker {
    this.cached ??= createMasker([...this.values]);
    return this.cached;
  }
  mask<T>(value: T): T {
    if (this.values.size === 0) return value;
    return this.masker().maskValue(value);
  }
}

export interface StartRunInput {
  workspaceId: string;
  actor: Actor;
  doc: WorkflowDocument;
  /** The deployed workflow it is a version of; null for a file run. */
  workflow: { id: string; version: number } | null;
  trigger?: unknown;
  /** The run's environment override (API `environment`, CLI `--env`). */
  environment?: string | undefined;
  runId?: string;
  parent?: { runId: string; kind: RunParentKind; actionRef: string | null; loopIndex: number | null };
  depth?: number;
  signal?: AbortSignal | undefined;
  /** The parent run's mask set: the child's values join it (its result flows into the parent). */
  parentMasks?: RunMaskSet;
  /** Masked output lines of custom actions (CLI: stderr); default the server log. */
  onOutput?: (stream: "log" | "stdout" | "stderr", text: string) => void;
}

export interface StartedRun {
  id: string;
  /** The run as stored at its start (`running`). */
  run: RunItem;
  /** The engine's result, once the run is stored. */
  result: Promise<WorkflowRunResult>;
}

export interface RunManagerOptions {
  /** Engine options for every run (tests shorten retry delays). */
  engine?: Pick<RunWorkflowOptions, "retryBaseDelayMs" | "maxConcurrency" | "forEachConcurrency" | "returnStrategy">;
}

interface InFlight {
  workspaceId: string;
  controller: AbortController;
  cancelled: boolean;
  result: Promise<WorkflowRunResult>;
}

const CANCELLED_MESSAGE = "The run was cancelled.";

function attemptsOf(o: ActionOutcome): number {
  if (o.status === "failed") return o.error.attempt;
  const reported = (o as { attempts?: unknown }).attempts;
  return typeof reported === "number" ? reported : o.status === "skipped" ? 0 : 1;
}

function actionRows(run: WorkflowRunResult): ActionRunInput[] {
  const rows: ActionRunInput[] = [];
  for (const [ref, o] of Object.entries(run.actions)) {
    const status = o.status as ActionRunInput["status"];
    const base = {
      ref,
      status,
      attempts: attemptsOf(o),
      environment: "environment" in o ? (o.environment ?? null) : null,
      startedAt: o.startedAt,
      finishedAt: o.finishedAt,
    };
    if (o.status === "succeeded") rows.push({ ...base, result: o.result });
    else if (o.status === "failed")
      rows.push({ ...base, error: { code: o.error.code, type: o.error.type, message: o.error.message } });
    else rows.push(base);
  }
  return rows;
}

export function createRunManager(coffer: Coffer, runtime: RuntimeContext, options: RunManagerOptions = {}) {
  const inFlight = new Map<string, InFlight>();
  let heartbeat: NodeJS.Timeout | undefined;
  let closing = false;

  const track = (id: string, entry: InFlight) => {
    inFlight.set(id, entry);
    if (!heartbeat) {
      heartbeat = setInterval(() => {
        coffer.runs.heartbeat().catch((error) => coffer.logger.warn({ err: error }, "run heartbeat failed"));
      }, HEARTBEAT_INTERVAL_MS);
      heartbeat.unref();
    }
  };
  const untrack = (id: string) => {
    inFlight.delete(id);
    if (inFlight.size === 0 && heartbeat) {
      clearInterval(heartbeat);
      heartbeat = undefined;
    }
  };

  /** Deployed workflows of one workspace for the engine; children are stored runs with their parent. */
  function hostFor(workspaceId: string, actor: Actor, masks: RunMaskSet): WorkflowHost {
    return {
      find: (lookup) => manager.deployed(workspaceId, lookup),
      start(request) {
        const id = newRunId();
        const started = manager.start({
          workspaceId,
          actor,
          doc: request.workflow.document,
          workflow: { id: request.workflow.id, version: request.workflow.version },
          trigger: request.trigger,
          environment: request.environment,
          runId: id,
          parent: {
            runId: request.parentRunId,
            kind: request.kind,
            actionRef: request.parentActionRef,
            loopIndex: request.loopIndex,
          },
          depth: request.depth,
          signal: request.signal,
          parentMasks: masks,
        });
        return { id, done: started.then((s) => s.result) };
      },
    };
  }

  // Parsed documents by workflow id and version (versions never change): a run start reads two rows, parses nothing.
  const documents = new Map<string, WorkflowDocument>();

  const manager = {
    /** A deployed workflow by id or alias (and version), its document parsed once per version; null when none. */
    async deployed(workspaceId: string, lookup: WorkflowLookupInput): Promise<DeployedWorkflow | null> {
      const found = await coffer.workflows.findVersion(workspaceId, lookup);
      if (!found) return null;
      const key = `${found.id}@${found.version}`;
      let document = documents.get(key);
      if (!document) {
        document = loadWorkflow(found.definition);
        if (documents.size >= 500) documents.clear();
        documents.set(key, document);
      }
      return { id: found.id, alias: found.alias, version: found.version, title: found.title, document };
    },

    /** Records the run as `running` and starts it; resolves once the row exists. */
    async start(input: StartRunInput): Promise<StartedRun> {
      if (closing)
        throw new CofferError("database_unavailable", "The server is shutting down; start the run again later.", {
          status: 503,
        });
      const masks = new RunMaskSet(input.parentMasks);
      const environment = input.environment?.trim() || input.doc.config.environment;
      const row = await coffer.runs.start(
        input.workspaceId,
        {
          ...(input.runId ? { id: input.runId } : {}),
          workflowId: input.workflow?.id ?? null,
          workflowVersion: input.workflow?.version ?? null,
          title: input.doc.title,
          trigger: input.parentMasks ? input.parentMasks.mask(input.trigger ?? null) : (input.trigger ?? null),
          environment,
          ...(input.parent ? { parent: input.parent } : {}),
          depth: input.depth ?? 0,
        },
        input.actor,
      );
      const controller = new AbortController();
      const entry: InFlight = {
        workspaceId: input.workspaceId,
        controller,
        cancelled: false,
        result: undefined as unknown as Promise<WorkflowRunResult>,
      };
      const onParentAbort = () => controller.abort(input.signal?.reason);
      if (input.signal?.aborted) onParentAbort();
      else input.signal?.addEventListener("abort", onParentAbort, { once: true });

      const executor = createExecutor({
        registry: runtime.registry,
        resolution: coffer.resolution,
        logger: coffer.logger.child({ run_id: row.id }),
        logMasks: coffer.logMasks,
        config: { runtime: { actionTimeoutMs: runtime.actionTimeoutMs } },
        createMasker: (values) => {
          masks.add(values);
          return createMasker(values);
        },
        runCustomAction: (request) => runtime.sandbox.runCustomAction(request),
      });

      const execute = async (): Promise<WorkflowRunResult> => {
        let result: WorkflowRunResult;
        try {
          result = await runWorkflow(input.doc, {
            ...options.engine,
            runAction: (request) =>
              executor.runAction(input.onOutput ? { ...request, onOutput: input.onOutput } : request),
            workspaceId: input.workspaceId,
            actor: input.actor,
            trigger: input.trigger,
            ...(input.environment?.trim() ? { runEnvironment: input.environment.trim() } : {}),
            runId: row.id,
            signal: controller.signal,
            workflows: hostFor(input.workspaceId, input.actor, masks),
            depth: input.depth ?? 0,
            ...(input.workflow ? { workflowId: input.workflow.id } : {}),
          });
        } catch (error) {
          // The engine reports failures as results; a throw is an internal fault: still stored.
          const message = isCofferError(error) ? error.message : "The workflow engine failed unexpectedly.";
          const code = isCofferError(error) ? error.code : "internal_error";
          coffer.logger.error({ err: error, run_id: row.id }, "workflow run crashed");
          const now = Date.now();
          result = {
            id: row.id,
            status: "failed",
            environment,
            returns: null,
            actions: {},
            error: { message, code, failures: {} },
            context: {},
            startedAt: now,
            finishedAt: now,
          };
        }
        const status =
          (result.status as string) === "cancelled" || controller.signal.aborted ? "cancelled" : result.status;
        const reason =
          status === "cancelled"
            ? entry.cancelled
              ? "cancelled_by_user"
              : closing
                ? "shutdown"
                : "cancelled_with_parent"
            : null;
        const error = result.error
          ? { code: result.error.code, message: result.error.message }
          : status === "cancelled"
            ? { code: "run_cancelled", message: CANCELLED_MESSAGE }
            : null;
        try {
          await coffer.runs.finish(
            row.id,
            input.workspaceId,
            {
              status,
              reason,
              environment: result.environment,
              trigger: input.trigger ?? null,
              returns: status === "succeeded" ? result.returns : null,
              error,
              actions: actionRows(result),
            },
            (value) => masks.mask(value),
          );
        } finally {
          input.signal?.removeEventListener("abort", onParentAbort);
          untrack(row.id);
        }
        const finished = { ...result, status } as WorkflowRunResult;
        return finished;
      };
      entry.result = execute();
      track(row.id, entry);
      // A caller that never awaits (a detached child, `wait=false`) must not leave a rejection unhandled.
      entry.result.catch((error) => coffer.logger.error({ err: error, run_id: row.id }, "storing a run failed"));
      return { id: row.id, run: row, result: entry.result };
    },

    /**
     * Cancels a run this process executes (its actions see the abort) and waits for it to be
     * stored `cancelled`. A run already ended is returned as it is.
     */
    async cancel(workspaceId: string, runId: string, actor: Actor): Promise<RunDocument> {
      const entry = inFlight.get(runId);
      if (entry && entry.workspaceId === workspaceId) {
        await coffer.runs.recordCancel(workspaceId, runId, actor);
        entry.cancelled = true;
        entry.controller.abort(new CofferError("run_cancelled", CANCELLED_MESSAGE));
        await entry.result.catch(() => {});
        return coffer.runs.get(workspaceId, runId);
      }
      const doc = await coffer.runs.get(workspaceId, runId);
      if (doc.status === "running") {
        throw new CofferError(
          "run_not_cancellable",
          `Run ${runId} is executed by another Coffer process; cancel it there (or wait: if that process died, the run is marked interrupted when Coffer next starts).`,
          { status: 409 },
        );
      }
      return doc;
    },

    inFlight: () => inFlight.size,

    /** Stops taking runs, cancels those in flight and waits until they are stored. */
    async close(): Promise<void> {
      closing = true;
      const pending = [...inFlight.values()];
      for (const e of pending) e.controller.abort(new CofferError("run_cancelled", "The server is shutting down."));
      await Promise.allSettled(pending.map((e) => e.result));
    },
  };
  return manager;
}

export type RunManager = ReturnType<typeof createRunManager>;
