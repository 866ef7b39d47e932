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

/**
 * Python `len()`: code points of a string (a lone surrogate counts as one), items of a list,
 * keys of a dict; undefined for a value without a length (see lenMessage).
 */
export function pyLen(value: ExprValue): number | undefined {
  if (typeof value === "string") {
    let n = 0;
    for (let i = 0; i < value.length; i++) {
      const c = value.charCodeAt(i);
      n++;
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < value.length) {
        const d = value.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) i++;
      }
    }
    return n;
  }
  if (Array.isArray(value)) return value.length;
  if (isDict(value)) return Object.keys(value).length;
  return undefined;
}

/** `object of type 'int' has no len()` (CPython's TypeError text). */
export function lenMessage(value: ExprValue): string {
  return `object of type '${typeName(value)}' has no len()`;
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
