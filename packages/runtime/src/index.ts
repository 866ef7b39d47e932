export type { ActionDefinition, SecretDeclaration } from "@coffer/sdk";
export { defineAction, isOAuthDeclaration, z } from "@coffer/sdk";
export { BUILTIN_ACTIONS } from "./actions/builtins.js";
export { ownDatabaseFromUrl } from "./actions/core/sql-execute-query/own-database.js";
export type { SqlActionOptions } from "./actions/core/sql-execute-query/sql-execute-query.js";
export { createSqlAction } from "./actions/core/sql-execute-query/sql-execute-query.js";
export { createActionLog, createSecretsAccessor } from "./executor/action-context.js";
export { baseEnvironment, effectiveEnvironment } from "./executor/environment.js";
export type { Executor, ExecutorDeps } from "./executor/executor.js";
export { createExecutor } from "./executor/executor.js";
export type {
  ActionRunRequest,
  ActionRunResult,
  PreprocessorInput,
  SecretPreprocessor,
  WorkflowContext,
} from "./executor/executor.types.js";
export type { RunNeeds, SecretNeed } from "./executor/needs.js";
export { collectNeeds } from "./executor/needs.js";
export { unresolvedError } from "./executor/unresolved.js";
export type { LineDestination, Masker, MaskingStream } from "./masking/index.js";
export { createMasker, createMaskingDestination, createMaskingTransform, maskForms } from "./masking/index.js";
export type { AnyActionDefinition, CreateRegistryOptions, LoadedRegistry } from "./registry/registry.js";
export { createRegistry } from "./registry/registry.js";
export type {
  ActionEntry,
  Registry,
  RegistryLoadError,
  TemplateActionBody,
  TemplateStep,
} from "./registry/registry.types.js";
export type { SecretDefinition } from "./registry/secret-definitions.js";
export { deriveSecretDefinitions, inferSecretType } from "./registry/secret-definitions.js";
export type { Sandbox, SandboxKind, SandboxModeSetting, SandboxOptions } from "./sandbox/sandbox.js";
export { bubblewrapArgs, bubblewrapWorks, cofferModules, createSandbox } from "./sandbox/sandbox.js";
export type { CustomActionDescription, CustomActionOutcome, CustomActionRunRequest } from "./sandbox/sandbox.types.js";
export type { DescribedAction } from "./sandbox/sandbox-protocol.js";
export type {
  ActionErrorInfo,
  ActionOutcome,
  ActionStatement,
  CheckProblem,
  CheckResult,
  ChildRunBase,
  ChildRunRequest,
  DeployedWorkflow,
  ExpectedField,
  MapWorkflowHost,
  RunWorkflowOptions,
  StartedChildRun,
  TaskResult,
  WorkflowDocument,
  WorkflowHost,
  WorkflowLookup,
  WorkflowRunResult,
} from "./workflows/index.js";
export {
  checkWorkflow,
  createMapWorkflowHost,
  isWorkflowId,
  loadWorkflow,
  MAX_SUBFLOW_DEPTH,
  normalizeTrigger,
  parseTypeExpr,
  parseWorkflowSource,
  parseWorkflowText,
  ROOT_STREAM,
  runWorkflow,
} from "./workflows/index.js";
