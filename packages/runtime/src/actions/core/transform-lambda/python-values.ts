// Python value semantics for the transforms, from @coffer/expressions (one definition of `==`,
// `in`, `str()` and truthiness for expressions and lambdas alike).
import { CofferError } from "@coffer/core";
import {
  ExpressionError,
  evaluateTemplate,
  pyEquals as exprEquals,
  pyIn as exprIn,
  pyLess as exprLess,
  pyRepr as exprRepr,
  pyStr as exprStr,
  truthy as exprTruthy,
  typeName as exprTypeName,
} from "@coffer/expressions";

type V = Parameters<typeof exprTruthy>[0];
export const pyEquals = (a: unknown, b: unknown): boolean => exprEquals(a as V, b as V);
export function pyIn(a: unknown, b: unknown): boolean {
  const r = exprIn(a as V, b as V);
  if (r === undefined)
    throw new CofferError("expression_error", `argument of type '${exprTypeName(b as V)}' does not support 'in' here`);
  return r;
}
export function pyLess(a: unknown, b: unknown): boolean {
  const r = exprLess(a as V, b as V);
  if (r === undefined)
    throw new CofferError(
      "expression_error",
      `'<' not supported between instances of '${exprTypeName(a as V)}' and '${exprTypeName(b as V)}'`,
    );
  return r;
}
export const pyRepr = (v: unknown): string => exprRepr(v as V);
export const pyStr = (v: unknown): string => exprStr(v as V);
export const truthy = (v: unknown): boolean => exprTruthy(v as V);
export const typeName = (v: unknown): string => exprTypeName(v as V);

/**
 * A JSONPath (`$.a.b`, `$.items[*]`) over a value, with the expression language's rules: a
 * wildcard or filter gives a list, one match the value, none null. It reuses the expression
 * evaluator by reading the value as TRIGGER.
 */
export function findJsonPathValue(path: string, value: unknown): unknown {
  const text = path.trim();
  if (!text.startsWith("$") || text.includes("}}")) {
    throw new CofferError(
      "expression_error",
      `Invalid JSONPath '${path}': a path starts with '$', e.g. $.items[*].id.`,
    );
  }
  let rest = text.slice(1);
  if (rest !== "" && !rest.startsWith(".") && !rest.startsWith("[")) rest = `.${rest}`;
  try {
    return evaluateTemplate(`\${{ TRIGGER${rest} }}`, { TRIGGER: value });
  } catch (error) {
    if (error instanceof ExpressionError)
      throw new CofferError("expression_error", `Invalid JSONPath '${path}': ${error.reason}`, { details: { path } });
    throw error;
  }
}
