export type { CheckProblem, CheckResult, CheckWorkflowOptions } from "./check.js";
export { checkWorkflow } from "./check.js";
export type { ActionStatement, EdgeType, RetryPolicy, WorkflowDocument } from "./document.js";
export { loadWorkflow, parseWorkflowText } from "./document.js";
export type { ActionErrorInfo, ActionOutcome, RunWorkflowOptions, TaskResult, WorkflowRunResult } from "./engine.js";
export { ROOT_STREAM, runWorkflow } from "./engine.js";
export type { ExpectedField, TypeExpr } from "./expects.js";
export { normalizeTrigger, parseExpects, parseTypeExpr } from "./expects.js";
export type {
  ChildRunRequest,
  DeployedWorkflow,
  StartedChildRun,
  WorkflowHost,
  WorkflowLookup,
} from "./host.types.js";
export type { ChildRunBase, MapWorkflowHost, StartedRecord } from "./map-host.js";
export { createMapWorkflowHost } from "./map-host.js";
export { parseWorkflowSource } from "./source.js";
export { isWorkflowId, MAX_SUBFLOW_DEPTH } from "./subflows.js";
