// An in-process WorkflowHost over a fixed list of deployed workflows: the engine's tests, and any
// caller that has workflows in hand but no store. Child runs are plain runWorkflow calls.

import { randomUUID } from "node:crypto";
import { type RunWorkflowOptions, runWorkflow, type WorkflowRunResult } from "./engine.js";
import type { ChildRunRequest, DeployedWorkflow, WorkflowHost, WorkflowLookup } from "./host.types.js";

/** What every child run shares with the run that started it (its executor, workspace, actor…). */
export type ChildRunBase = Omit<
  RunWorkflowOptions,
  "trigger" | "runEnvironment" | "runId" | "signal" | "workflows" | "depth" | "workflowId"
>;

export interface StartedRecord {
  request: ChildRunRequest;
  id: string;
  done: Promise<WorkflowRunResult>;
}

export interface MapWorkflowHost extends WorkflowHost {
  /** Every child run started, in start order. */
  readonly started: StartedRecord[];
}

export function createMapWorkflowHost(workflows: readonly DeployedWorkflow[], base: ChildRunBase): MapWorkflowHost {
  const started: StartedRecord[] = [];
  const host: MapWorkflowHost = {
    started,
    async find(lookup: WorkflowLookup) {
      const matches = workflows.filter(
        (w) =>
          (lookup.alias !== undefined ? w.alias === lookup.alias : w.id === lookup.id) &&
          (lookup.version === undefined || w.version === lookup.version),
      );
      return matches.reduce<DeployedWorkflow | null>((a, w) => (a && a.version >= w.version ? a : w), null);
    },
    start(request: ChildRunRequest) {
      const id = `wfr_${randomUUID()}`;
      const options: RunWorkflowOptions = {
        ...base,
        trigger: request.trigger,
        runId: id,
        workflows: host,
        depth: request.depth,
        workflowId: request.workflow.id,
      };
      // The child's own config.environment unless the request names one; never the parent's.
      if (request.environment !== undefined) options.runEnvironment = request.environment;
      if (request.signal) options.signal = request.signal;
      const done = runWorkflow(request.workflow.document, options);
      started.push({ request, id, done });
      return { id, done };
    },
  };
  return host;
}
