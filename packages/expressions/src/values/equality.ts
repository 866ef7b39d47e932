// Python `==`, `<` and `in` over expression values, for the operators and the FN library.
// Bounded: every step ticks the evaluation time budget and nesting deeper than
// MAX_COMPARE_DEPTH is refused (a RangeError, reported as limit_exceeded).
import { ExprObject, type ExprValue } from "../functions/function-definition.js";
import { tick } from "../limits/budget.js";
import { isDict, typeName } from "./types.js";

const MAX_COMPARE_DEPTH = 256;

function tooDeep(): never {
  throw new RangeError("Maximum call stack size exceeded");
}

/**
 * Python `==`: deep for lists and dicts (key order ignored), `1 == 1.0 == True`, NaN ≠ NaN, a
 * list equals itself (Python compares identical items as equal). Objects decide through
 * `applyOperator("==")`, as Python's reflected `__eq__`.
 */
export function pyEquals(a: ExprValue, b: ExprValue, depth = 0): boolean {
  if (a === b) return typeof a !== "number" || !Number.isNaN(a);
  tick();
  if (depth > MAX_COMPARE_DEPTH) tooDeep();
  const ta = typeof a;
  const tb = typeof b;
  if ((ta === "number" || ta === "boolean") && (tb === "number" || tb === "boolean")) return Number(a) === Number(b);
  if (a instanceof ExprObject) return a.applyOperator("==", b, false) === true;
  if (b instanceof ExprObject) return b.applyOperator("==", a, true) === true;
  if (a === null || b === null || ta !== "object" || tb !== "object") return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!pyEquals(a[i] as ExprValue, b[i] as ExprValue, depth + 1)) return false;
    return true;
  }
  if (Array.isArray(b) || !isDict(a) || !isDict(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const key of keys) {
    if (!Object.hasOwn(b, key)) return false;
    if (!pyEquals(a[key] as ExprValue, b[key] as ExprValue, depth + 1)) return false;
  }
  return true;
}

const isHigh = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number) => c >= 0xdc00 && c <= 0xdfff;

/** The code point of the character that covers UTF-16 index `i` (a lone surrogate is its own). */
function codePointCovering(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (isLow(c) && i > 0 && isHigh(s.charCodeAt(i - 1))) return s.codePointAt(i - 1) ?? c;
  return s.codePointAt(i) ?? c;
}

/** Compares two strings by Unicode code point (Python), not UTF-16 unit: negative, zero or positive. */
export function compareStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a.charCodeAt(i) === b.charCodeAt(i)) continue;
    return codePointCovering(a, i) < codePointCovering(b, i) ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/**
 * Python `a < b`. Returns undefined when the types cannot be ordered (the caller reports
 * orderingMessage).
 */
export function pyLess(a: ExprValue, b: ExprValue, depth = 0): boolean | undefined {
  tick();
  if (depth > MAX_COMPARE_DEPTH) tooDeep();
  const ta = typeof a;
  const tb = typeof b;
  if ((ta === "number" || ta === "boolean") && (tb === "number" || tb === "boolean")) return Number(a) < Number(b);
  if (ta === "string" && tb === "string") return compareStrings(a as string, b as string) < 0;
  if (a instanceof ExprObject) {
    const r = a.applyOperator("<", b, false);
    if (typeof r === "boolean") return r;
  } else if (b instanceof ExprObject) {
    // Reversed "<" asks b whether `a < b`.
    const r = b.applyOperator("<", a, true);
    if (typeof r === "boolean") return r;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) {
      const x = a[i] as ExprValue;
      const y = b[i] as ExprValue;
      if (!pyEquals(x, y, depth + 1)) return pyLess(x, y, depth + 1);
    }
    return a.length < b.length;
  }
  return undefined;
}

export type CompareOp = "<" | "<=" | ">" | ">=";

/** Python's ordering operators; undefined when Python would raise TypeError (see orderingMessage). */
export function pyCompare(op: CompareOp, a: ExprValue, b: ExprValue): boolean | undefined {
  const less = op === "<" || op === "<=" ? pyLess(a, b) : pyLess(b, a);
  if (less === undefined) return undefined;
  if (op === "<=" || op === ">=") return less || pyEquals(a, b);
  return less;
}

/** `'<' not supported between instances of 'str' and 'int'` (CPython's TypeError text). */
export function orderingMessage(op: string, a: ExprValue, b: ExprValue): string {
  return `'${op}' not supported between instances of '${typeName(a)}' and '${typeName(b)}'`;
}

/**
 * Python `item in container`: substring for strings, key membership for dicts, `==` membership
 * for lists. Returns undefined where Python raises TypeError (see membershipMessage): a non-str
 * item in a str, an unhashable item (list, dict) in a dict, a container Python cannot search.
 */
export function pyIn(item: ExprValue, container: ExprValue): boolean | undefined {
  if (typeof container === "string") return typeof item === "string" ? container.includes(item) : undefined;
  if (Array.isArray(container)) {
    for (const element of container) {
      tick();
      if (pyEquals(item, element)) return true;
    }
    return false;
  }
  if (isDict(container)) {
    if (Array.isArray(item) || isDict(item)) return undefined;
    return typeof item === "string" && Object.hasOwn(container, item);
  }
  return undefined;
}

/** CPython's TypeError text for an `in` that pyIn refused; `op` is `in` or `not in`. */
export function membershipMessage(item: ExprValue, container: ExprValue, op = "in"): string {
  if (typeof container === "string") return `'in <string>' requires string as left operand, not ${typeName(item)}`;
  if (isDict(container)) return `unhashable type: '${typeName(item)}'`;
  return `argument of type '${typeName(container)}' is not iterable (use a list, dict or str on the right of '${op}')`;
}
