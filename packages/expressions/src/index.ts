export type {
  ExprValue,
  FunctionContext,
  FunctionDefinition,
  FunctionParameter,
  ObjectOperator,
} from "./functions/function-definition.js";
export { ExprObject, FunctionError } from "./functions/function-definition.js";
