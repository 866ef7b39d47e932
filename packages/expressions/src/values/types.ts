// Python's view of ExprValue: type names for messages, truthiness, containers.
import { ExprObject, type ExprValue } from "../functions/function-definition.js";

export type ExprDict = { [key: string]: ExprValue };

export function isDict(value: ExprValue | undefined): value is ExprDict {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof ExprObject);
}

/** Python's type name of a value (`NoneType`, `bool`, `int`, `float`, `str`, `list`, `dict`, …). */
export function isList(value: ExprValue | undefined): value is ExprValue[] {
  return Array.isArray(value);
}

export function typeName(value: ExprValue | undefined): string {
  if (value === null || value === undefined) return "NoneType";
  switch (typeof value) {
    case "boolean":
      return "bool";
    case "number":
      return Number.isInteger(value) ? "int" : "float";
    case "string":
      return "str";
  }
  if (Array.isArray(value)) return "list";
  if (value instanceof ExprObject) return value.typeName;
  return "dict";
}

/** Python truthiness: None, False, 0, "", [] and {} are false (NaN is true, as in Python). */
export function truthy(value: ExprValue): boolean {
  if (value === null) return false;
  switch (typeof value) {
    case "boolean":
      return value;
    case "number":
      return value !== 0;
    case "string":
      return value.length > 0;
  }
  if (Array.isArray(value)) return value.length > 0;
  if (value instanceof ExprObject) return value.truthy();
  for (const _ in value) return true;
  return false;
}

/** What `.map` zips over: lists, but not strings or dicts (Tracecat's `is_iterable`). */
export function isMapIterable(value: ExprValue): value is ExprValue[] {
  return Array.isArray(value);
}

/** Sets an own property, even `__proto__`, without touching the prototype chain. */
export function setOwn(target: ExprDict, key: string, value: ExprValue): void {
  if (key === "__proto__")
    Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  else target[key] = value;
}
