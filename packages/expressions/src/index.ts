// @coffer/expressions — the whole public face.

export type { ExpressionErrorCode, Span } from "./errors/expression-error.js";
export { ExpressionError, formatError } from "./errors/expression-error.js";
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
export { starterFunctions } from "./functions/starter.js";
export type { ExpressionLimits } from "./limits/limits.js";
export { DEFAULT_LIMITS, resolveLimits } from "./limits/limits.js";
export { compareStrings, pyEquals, pyIn, pyLess } from "./values/equality.js";
export { pyNumber, pyRepr, pyStr } from "./values/python-str.js";
export { isDict, truthy, typeName } from "./values/types.js";
