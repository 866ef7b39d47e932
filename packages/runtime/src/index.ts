export { BUILTIN_ACTIONS } from "./actions/builtins.js";
export type {
  ActionRunRequest,
  ActionRunResult,
  PreprocessorInput,
  SecretPreprocessor,
} from "./executor/executor.types.js";
export type { Masker, MaskingStream } from "./masking/masker.types.js";
export type {
  ActionEntry,
  Registry,
  RegistryLoadError,
  TemplateActionBody,
  TemplateStep,
} from "./registry/registry.types.js";
export type { CustomActionDescription, CustomActionOutcome, CustomActionRunRequest } from "./sandbox/sandbox.types.js";
