import type { WorkflowDocument } from "./document.js";
import type { WorkflowRunResult } from "./engine.js";

/**
 * The seam between the workflow engine and wherever deployed workflows live (the store, in the
 * server and the CLI; a map, in the engine's own tests). The engine uses it for
 * `core.workflow.execute` (subflows) and `error_handler`; it never reads the store itself.
 */

/** A deployed workflow: one version of a definition stored in the run's workspace. */
export interface DeployedWorkflow {
  /** `wf_` + base62; stable across versions. */
  id: string;
  alias: string | null;
  version: number;
  title: string;
  document: WorkflowDocument;
}

/** How a subflow or an error handler names its workflow. */
export interface WorkflowLookup {
  id?: string;
  alias?: string;
  /** A specific version; absent → the newest. */
  version?: number;
}

export interface ChildRunRequest {
  workflow: DeployedWorkflow;
  kind: "subflow" | "error_handler";
  parentRunId: string;
  /** The `core.workflow.execute` action that started it; null for an error handler. */
  parentActionRef: string | null;
  /** Iteration of a looped subflow; null otherwise. */
  loopIndex: number | null;
  trigger: unknown;
  /** The child's environment override; undefined → the child's own `config.environment`. */
  environment: string | undefined;
  /** Nesting depth of the child (the parent's + 1); the engine refuses past its limit. */
  depth: number;
  /** Aborts the child with the parent (`wait`); undefined for a detached child, which outlives it. */
  signal: AbortSignal | undefined;
}

export interface StartedChildRun {
  /** The child's run id, known before it finishes (a detached subflow's result). */
  id: string;
  done: Promise<WorkflowRunResult>;
}

export interface WorkflowHost {
  /** Null when no such workflow is deployed in the workspace; a throw is an infrastructure failure (the run fails). */
  find(lookup: WorkflowLookup): Promise<DeployedWorkflow | null>;
  /**
   * Starts a child run (stored as a run of its own by store-backed hosts) and returns at once.
   * A host runs `runWorkflow(request.workflow.document, {...the parent's runAction, workspaceId,
   * actor…, trigger: request.trigger, runEnvironment: request.environment (undefined → unset, never
   * the parent's), depth: request.depth, signal: request.signal, workflows: this host,
   * workflowId: request.workflow.id})`; `createMapWorkflowHost` (map-host.ts) is the reference.
   * A throw here is an infrastructure failure; `done` should resolve (a failed child is a result).
   */
  start(request: ChildRunRequest): StartedChildRun;
}
