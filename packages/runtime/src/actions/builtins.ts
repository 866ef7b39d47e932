import type { ActionDefinition } from "@coffer/sdk";
import { httpRequestAction } from "./core/http-request/http-request.js";
import { requireAction } from "./core/require/require.js";
import { sqlExecuteQueryAction } from "./core/sql-execute-query/sql-execute-query.js";
import { sshExecuteCommandAction } from "./core/ssh-execute-command/ssh-execute-command.js";
import { dropNullsAction, isInAction, notInAction } from "./core/transform-collections/collections.js";
import { deduplicateAction, isDuplicateAction } from "./core/transform-deduplicate/deduplicate.js";
import { evalJsonpathsAction, flattenJsonAction } from "./core/transform-json/json-transforms.js";
import { applyAction, filterAction, mapAction } from "./core/transform-lambda/lambda-transforms.js";
import { reshapeAction } from "./core/transform-reshape/reshape.js";
import { workflowExecuteAction } from "./core/workflow-execute/workflow-execute.js";

/**
 * The actions that ship with Coffer and run in-process. The cast widens each handler's parameter
 * to the registry's `unknown`: the executor parses args with the action's own schema first.
 */
export const BUILTIN_ACTIONS: readonly ActionDefinition[] = Object.freeze([
  reshapeAction,
  filterAction,
  mapAction,
  applyAction,
  isInAction,
  notInAction,
  dropNullsAction,
  deduplicateAction,
  isDuplicateAction,
  flattenJsonAction,
  evalJsonpathsAction,
  requireAction,
  httpRequestAction,
  sshExecuteCommandAction,
  sqlExecuteQueryAction,
  workflowExecuteAction,
] as ActionDefinition[]);
