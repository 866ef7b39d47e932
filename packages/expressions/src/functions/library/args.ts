// Argument checking shared by the library. Messages name the function, the parameter and the
// type received, never the value (it may be a secret).

import { type ExprDict, isDict, typeName } from "../../values/types.js";
import { type ExprValue, FunctionError, type FunctionParameter } from "../function-definition.js";

export function typeError(_fn: string, param: string, expected: string, got: ExprValue | undefined): FunctionError {
  // An absent argument is "missing", not Python's NoneType.
  const kind = got === undefined ? "missing" : typeName(got);
  return new FunctionError(`parameter '${param}' must be ${expected}, got ${kind}`, "type_error");
}

export function valueError(_fn: string, message: string): FunctionError {
  return new FunctionError(`${message}`, "value_error");
}

export function expectString(fn: string, param: string, value: ExprValue | undefined): string {
  if (typeof value !== "string") throw typeError(fn, param, "a str", value);
  return value;
}

/** A Python int: an integral number, or a bool (bool is an int in Python). */
export function expectInt(fn: string, param: string, value: ExprValue | undefined): number {
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value !== "number" || !Number.isInteger(value)) throw typeError(fn, param, "an int", value);
  return value;
}

export function expectNumber(fn: string, param: string, value: ExprValue | undefined): number {
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value !== "number") throw typeError(fn, param, "an int or float", value);
  return value;
}

export function expectList(fn: string, param: string, value: ExprValue | undefined): ExprValue[] {
  if (!Array.isArray(value)) throw typeError(fn, param, "a list", value);
  return value;
}

export function expectDict(fn: string, param: string, value: ExprValue | undefined): ExprDict {
  if (!isDict(value)) throw typeError(fn, param, "a dict", value);
  return value;
}

/** An optional argument: `undefined` when omitted. None passed explicitly stays null. */
export function optionalArg(args: readonly ExprValue[], index: number): ExprValue | undefined {
  return index < args.length ? args[index] : undefined;
}

export function param(name: string, type: string, extra: Partial<FunctionParameter> = {}): FunctionParameter {
  return { name, type, ...extra };
}
