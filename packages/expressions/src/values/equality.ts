// Python `==` and `<` over expression values.
import { ExprObject, type ExprValue } from "../functions/function-definition.js";
import { tick } from "../limits/budget.js";
import { isDict, typeName } from "./types.js";

const MAX_COMPARE_DEPTH = 256;

function tooDeep(): never {
  throw new RangeError("Maximum call stack size exceeded");
}

/** Python `==`: deep for lists and dicts (key order ignored), `1 == 1.0 == True`, NaN ≠ NaN. */
export function pyEquals(a: ExprValue, b: ExprValue, depth = 0): boolean {
  if (a === b) return typeof a !== "number" || !Number.isNaN(a);
  tick();
  if (depth > MAX_COMPARE_DEPTH) tooDeep();
  const ta = typeof a;
  const tb = typeof b;
  if ((ta === "number" || ta === "boolean") && (tb === "number" || tb === "boolean")) return Number(a) === Number(b);
  if (a === null || b === null || ta !== "object" || tb !== "object") {
    if (a instanceof ExprObject) return a.applyOperator("==", b, false) === true;
    if (b instanceof ExprObject) return b.applyOperator("==", a, true) === true;
    return false;
  }
  if (a instanceof ExprObject) return a.applyOperator("==", b, false) === true;
  if (b instanceof ExprObject) return b.applyOperator("==", a, true) === true;
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

// UTF-16 code units sort surrogates below U+E000–U+FFFF; Python sorts by code point.
function unitKey(c: number): number {
  if (c >= 0xd800 && c <= 0xdfff) return c + 0x2000;
  if (c >= 0xe000) return c - 0x800;
  return c;
}

/** Compares two strings by code point: negative, zero or positive. */
export function compareStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca !== cb) return unitKey(ca) - unitKey(cb);
  }
  return a.length - b.length;
}

/**
 * Python `a < b`. Returns undefined when the types cannot be ordered (the caller reports
 * `'<' not supported between instances of …`).
 */
export function pyLess(a: ExprValue, b: ExprValue, depth = 0): boolean | undefined {
  const ta = typeof a;
  const tb = typeof b;
  if ((ta === "number" || ta === "boolean") && (tb === "number" || tb === "boolean")) return Number(a) < Number(b);
  if (ta === "string" && tb === "string") return compareStrings(a as string, b as string) < 0;
  if (a instanceof ExprObject) {
    const r = a.applyOperator("<", b, false);
    return typeof r === "boolean" ? r : undefined;
  }
  if (b instanceof ExprObject) {
    // b > a ⇔ a < b: ask b for "<" reversed, meaning `a < b`.
    const r = b.applyOperator("<", a, true);
    return typeof r === "boolean" ? r : undefined;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (depth > MAX_COMPARE_DEPTH) tooDeep();
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) {
      tick();
      const x = a[i] as ExprValue;
      const y = b[i] as ExprValue;
      if (!pyEquals(x, y, depth + 1)) return pyLess(x, y, depth + 1);
    }
    return a.length < b.length;
  }
  return undefined;
}

/** `'<' not supported between instances of 'str' and 'int'` */
export function orderingMessage(op: string, a: ExprValue, b: ExprValue): string {
  return `'${op}' not supported between instances of '${typeName(a)}' and '${typeName(b)}'`;
}

/**
 * Python `item in container`: substring for strings, key membership for dicts, `==` membership
 * for lists. Returns undefined for a container Python cannot search (or a non-str item in a str).
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
    if (typeof item === "string") return Object.hasOwn(container, item);
    if (item === null || typeof item === "number" || typeof item === "boolean") return false;
    return undefined;
  }
  return undefined;
}
