// @coffer/expressions — the whole public face.

export type { CheckOptions } from "./check/check.js";
export { check } from "./check/check.js";
export type { ExpressionErrorCode, Span } from "./errors/expression-error.js";
export { ExpressionError, formatError } from "./errors/expression-error.js";
export type { EvaluateOptions, EvaluationContext } from "./evaluator/evaluate.js";
export { evaluate, evaluateTemplate } from "./evaluator/evaluate.js";
export { allFunctions } from "./functions/all-functions.js";
export { defaultRegistry } from "./functions/default-registry.js";
export type {
  ExprValue,
  FunctionContext,
  FunctionDefinition,
  FunctionParameter,
  ObjectOperator,
} from "./functions/function-definition.js";
export { ExprObject, FunctionError } from "./functions/function-definition.js";
export type { ArityBounds, CallSite, FunctionRegistry } from "./functions/registry.js";
export {
  arityBounds,
  arityMessage,
  broadcast,
  createRegistry,
  invokeFunction,
} from "./functions/registry.js";
export type { ExpressionLimits } from "./limits/limits.js";
export { DEFAULT_LIMITS, resolveLimits } from "./limits/limits.js";
export type { ExpressionRoot, Node as ExpressionNode } from "./parser/ast.js";
export type { ContextReference, References, SecretReference, VariableReference } from "./references/extract.js";
export { contextReferences, extractReferences, secretPaths, variableNames } from "./references/extract.js";
export type { CompiledTemplate } from "./template/compile.js";
export { isTemplate, parseTemplate as compile } from "./template/compile.js";
export { compareStrings, pyEquals, pyIn, pyLess } from "./values/equality.js";
export { castValue, pyMod } from "./values/operators.js";
export { pyNumber, pyRepr, pyStr } from "./values/python-str.js";
export { isDict, truthy, typeName } from "./values/types.js";
