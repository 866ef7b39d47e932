// The FN library's view of Python values: hashing, iteration and the throwing forms of len()
// and the ordering and membership operators. The value semantics themselves (type names, str()/repr(),
// truthiness, len(), ==, <, in) are the language's, in ../../values/.

import { tick } from "../../limits/budget.js";
import { type CompareOp, membershipMessage, orderingMessage, pyCompare, pyIn } from "../../values/equality.js";
import { isDict, lenMessage, pyLen, typeName } from "../../values/types.js";
import { ExprObject, type ExprValue, FunctionError } from "../function-definition.js";
import { checkDepth } from "./limits.js";

/** Python's ordering operators; a type_error for types Python cannot order. */
export function compareOrFail(op: CompareOp, a: ExprValue, b: ExprValue): boolean {
  const result = pyCompare(op, a, b);
  if (result === undefined) throw new FunctionError(orderingMessage(op, a, b), "type_error");
  return result;
}

/** Python `item in container`; a type_error where Python raises TypeError. */
export function inOrFail(item: ExprValue, container: ExprValue): boolean {
  const found = pyIn(item, container);
  if (found === undefined) throw new FunctionError(membershipMessage(item, container), "type_error");
  return found;
}

let nanCounter = 0;

/**
 * A string key under which Python's hash equality holds (1, 1.0 and True collide), for the set
 * functions. Lists and dicts are unhashable in Python: a type_error naming the function.
 */
export function hashKey(value: ExprValue, _fn: string): string {
  tick();
  if (value === null) return "N";
  if (typeof value === "boolean") return value ? "n:1" : "n:0";
  if (typeof value === "number") {
    if (Number.isNaN(value)) return `nan:${nanCounter++}`;
    return `n:${Object.is(value, -0) ? 0 : value}`;
  }
  if (typeof value === "string") return `s:${value}`;
  if (value instanceof ExprObject) return `o:${value.typeName}:${String(value.toJSON())}`;
  throw new FunctionError(
    `unhashable type: '${typeName(value)}' (lists and dicts cannot be set members)`,
    "type_error",
  );
}

/** Python's iteration of a value as a collection: list items, string characters, dict keys. */
export function pyIterate(value: ExprValue, _fn: string, param: string): ExprValue[] {
  if (Array.isArray(value)) return value;
  if (typeof value === "string") return Array.from(value);
  if (isDict(value)) return Object.keys(value);
  throw new FunctionError(`parameter '${param}' must be a list, str or dict, got ${typeName(value)}`, "type_error");
}

/** Python len(); a type_error naming the parameter for a value without a length. */
export function lenOrFail(value: ExprValue, param: string): number {
  const n = pyLen(value);
  if (n === undefined) throw new FunctionError(`${lenMessage(value)} (parameter '${param}')`, "type_error");
  return n;
}

/**
 * Throws limit_exceeded when rendering `value` as text would exceed `limit` characters (an
 * estimate that counts shared references each time they would be written). Guards functions
 * that turn whole values into text before they build it.
 */
export function checkRenderSize(value: ExprValue, limit: number): void {
  let total = 0;
  const add = (n: number) => {
    total += n;
    if (total > limit) {
      throw new FunctionError(
        `the result would be longer than ${limit} characters; work on smaller inputs`,
        "limit_exceeded",
      );
    }
  };
  const walk = (v: ExprValue, depth: number): void => {
    tick();
    checkDepth("render", depth);
    if (typeof v === "string") add(v.length + 2);
    else if (Array.isArray(v)) {
      add(2);
      for (const item of v) {
        add(2);
        walk(item, depth + 1);
      }
    } else if (isDict(v)) {
      add(2);
      for (const [key, item] of Object.entries(v)) {
        add(key.length + 4);
        walk(item, depth + 1);
      }
    } else add(8);
  };
  walk(value, 0);
}
