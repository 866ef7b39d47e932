// `error_handler` (Tracecat §4.11): when a run fails, the named deployed workflow runs as a child
// with what went wrong as its TRIGGER; the run still ends failed.

import type { WorkflowDocument } from "./document.js";
import type { RunWorkflowOptions, WorkflowRunResult } from "./engine.js";
import type { DeployedWorkflow, WorkflowLookup } from "./host.types.js";
import { describe } from "./iterate.js";
import { isWorkflowId, MAX_SUBFLOW_DEPTH } from "./subflows.js";

type Failed = WorkflowRunResult & { error: NonNullable<WorkflowRunResult["error"]> };

export async function runErrorHandler(
  doc: WorkflowDocument,
  failed: Failed,
  options: RunWorkflowOptions,
): Promise<WorkflowRunResult> {
  const name = (doc.errorHandler ?? "").trim();
  const original = failed.error;
  // The handler could not run: its reason replaces the run's error (as in Tracecat), and the run's
  // own failure is kept below it and in `failures`.
  const replace = (code: string, message: string): WorkflowRunResult => ({
    ...failed,
    error: {
      code,
      message: `${message}\n\nThe error handler did not run. The run's own failure:\n\n${original.message}`,
      failures: original.failures,
    },
    finishedAt: Date.now(),
  });
  const host = options.workflows;
  if (!host)
    return replace(
      "workflows_unavailable",
      `The error handler '${name}' could not be looked up: this run has no deployed workflows (deploy the handler with \`coffer workflow deploy FILE --alias ${isWorkflowId(name) ? "NAME" : name}\` and run this workflow as a deployed one, or remove error_handler).`,
    );
  const depth = (options.depth ?? 0) + 1;
  const lookup: WorkflowLookup = isWorkflowId(name) ? { id: name } : { alias: name };
  let handler: DeployedWorkflow | null;
  try {
    handler = await host.find(lookup);
  } catch (error) {
    return replace("workflows_unavailable", `Couldn't look up the error handler '${name}': ${describe(error)}`);
  }
  if (!handler)
    return replace(
      "workflow_not_found",
      lookup.alias
        ? `Couldn't find matching workflow for alias '${name}' (error_handler)`
        : `Workflow definition not found for ${name} (error_handler)`,
    );
  if (depth > MAX_SUBFLOW_DEPTH)
    return replace(
      "subflow_depth_exceeded",
      `Subflow depth limit reached: the error handler '${handler.title}' (${handler.id}) would nest runs ${depth} deep, past the limit of ${MAX_SUBFLOW_DEPTH}.`,
    );
  const errors = Object.values(original.failures);
  const trigger = {
    message: original.message,
    handler_wf_id: handler.id,
    orig_wf_id: options.workflowId ?? null,
    orig_wf_exec_id: failed.id,
    orig_wf_exec_url: null,
    orig_wf_title: doc.title,
    trigger_type: "manual",
    errors: errors.length > 0 ? errors : null,
  };
  let r: WorkflowRunResult;
  let id: string;
  try {
    const started = host.start({
      workflow: handler,
      kind: "error_handler",
      parentRunId: failed.id,
      parentActionRef: null,
      loopIndex: null,
      trigger,
      environment: failed.environment,
      depth,
      signal: options.signal,
    });
    id = started.id;
    r = await started.done;
  } catch (error) {
    return replace("workflows_unavailable", `Couldn't run the error handler '${name}': ${describe(error)}`);
  }
  const errorHandler = { runId: id, workflowId: handler.id, status: r.status };
  if (r.status === "failed" && r.error) {
    return {
      ...failed,
      error: {
        code: "error_handler_failed",
        message: `The error handler '${handler.title}' (${handler.id}) failed in run ${id}:\n\n${r.error.message}\n\nThe run's own failure:\n\n${original.message}`,
        failures: original.failures,
      },
      errorHandler,
      finishedAt: Date.now(),
    };
  }
  return { ...failed, errorHandler, finishedAt: Date.now() };
}
