import type { ActionDefinition } from "@coffer/sdk";
import { httpRequestAction } from "./core/http-request/http-request.js";
import { sqlExecuteQueryAction } from "./core/sql-execute-query/sql-execute-query.js";
import { sshExecuteCommandAction } from "./core/ssh-execute-command/ssh-execute-command.js";
import { reshapeAction } from "./core/transform-reshape/reshape.js";

/**
 * The actions that ship with Coffer and run in-process. The cast widens each handler's parameter
 * to the registry's `unknown`: the executor parses args with the action's own schema first.
 */
export const BUILTIN_ACTIONS: readonly ActionDefinition[] = Object.freeze([
  reshapeAction,
  httpRequestAction,
  sshExecuteCommandAction,
  sqlExecuteQueryAction,
] as ActionDefinition[]);
