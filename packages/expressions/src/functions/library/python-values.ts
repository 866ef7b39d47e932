// Python value semantics over ExprValue: type names, str()/repr(), truthiness, equality, ordering
// and hashing, as Tracecat's functions see them (reference §3.1, §3.4, §3.5, §3.6).

import { tick } from "../../limits/budget.js";
import { ExprObject, type ExprValue, FunctionError } from "../function-definition.js";
import { checkDepth, checkStringLength } from "./limits.js";

export type ExprDict = { [key: string]: ExprValue };

export function isDict(value: ExprValue | undefined): value is ExprDict {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof ExprObject);
}

export function isList(value: ExprValue | undefined): value is ExprValue[] {
  return Array.isArray(value);
}

/** Python's type name of a value, for messages (`str`, `int`, `NoneType`, `datetime`…). */
export function pyTypeName(value: ExprValue | undefined): string {
  if (value === undefined) return "missing";
  if (value === null) return "NoneType";
  if (typeof value === "boolean") return "bool";
  if (typeof value === "number") return Number.isInteger(value) ? "int" : "float";
  if (typeof value === "string") return "str";
  if (Array.isArray(value)) return "list";
  if (value instanceof ExprObject) return value.typeName;
  return "dict";
}

/**
 * Python's repr() of a float. JavaScript numbers do not remember whether they were a Python
 * int or float, so integral values are written as ints by pyStr; this is for the float case.
 */
export function floatRepr(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (x === Number.POSITIVE_INFINITY) return "inf";
  if (x === Number.NEGATIVE_INFINITY) return "-inf";
  const [mantissa, expText] = x.toExponential().split("e") as [string, string];
  const exp = Number(expText);
  const negative = mantissa.startsWith("-");
  const digits = mantissa.replace("-", "").replace(".", "");
  let out: string;
  if (exp < -4 || exp >= 16) {
    const rest = digits.slice(1);
    const e = Math.abs(exp);
    out = `${digits[0]}${rest ? `.${rest}` : ""}e${exp < 0 ? "-" : "+"}${e < 10 ? `0${e}` : e}`;
  } else if (exp < 0) {
    out = `0.${"0".repeat(-exp - 1)}${digits}`;
  } else if (digits.length <= exp + 1) {
    out = `${digits}${"0".repeat(exp + 1 - digits.length)}.0`;
  } else {
    out = `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
  }
  return negative ? `-${out}` : out;
}

/** str() of a number: integral values as Python ints (exact digits), others as float repr. */
export function numberStr(x: number): string {
  if (Number.isInteger(x)) {
    if (Object.is(x, -0)) return "0";
    return Number.isSafeInteger(x) ? String(x) : BigInt(x).toString();
  }
  return floatRepr(x);
}

const NOT_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;

/** Python's repr() of a str: single quotes unless the text has ' and no ". */
export function stringRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    if (ch === quote || ch === "\\") out += `\\${ch}`;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (ch !== " " && NOT_PRINTABLE.test(ch)) {
      const cp = ch.codePointAt(0) ?? 0;
      if (cp < 0x100) out += `\\x${cp.toString(16).padStart(2, "0")}`;
      else if (cp < 0x10000) out += `\\u${cp.toString(16).padStart(4, "0")}`;
      else out += `\\U${cp.toString(16).padStart(8, "0")}`;
    } else out += ch;
  }
  return out + quote;
}

interface PythonReprObject {
  toPythonRepr(): string;
}

function hasRepr(value: ExprObject): value is ExprObject & PythonReprObject {
  return typeof (value as Partial<PythonReprObject>).toPythonRepr === "function";
}

class TextBuilder {
  parts: string[] = [];
  length = 0;
  constructor(readonly fn: string) {}
  push(s: string): void {
    this.length += s.length;
    checkStringLength(this.fn, this.length);
    this.parts.push(s);
  }
}

function writeRepr(value: ExprValue, out: TextBuilder, depth: number): void {
  tick();
  checkDepth(out.fn, depth);
  if (value === null) out.push("None");
  else if (typeof value === "boolean") out.push(value ? "True" : "False");
  else if (typeof value === "number") out.push(numberStr(value));
  else if (typeof value === "string") out.push(stringRepr(value));
  else if (value instanceof ExprObject) out.push(hasRepr(value) ? value.toPythonRepr() : value.toPythonString());
  else if (Array.isArray(value)) {
    out.push("[");
    value.forEach((item, i) => {
      if (i > 0) out.push(", ");
      writeRepr(item, out, depth + 1);
    });
    out.push("]");
  } else {
    out.push("{");
    let first = true;
    for (const [key, item] of Object.entries(value)) {
      if (!first) out.push(", ");
      first = false;
      out.push(stringRepr(key));
      out.push(": ");
      writeRepr(item, out, depth + 1);
    }
    out.push("}");
  }
}

/** Python's repr(). `fn` names the calling function in limit errors. */
export function pyRepr(value: ExprValue, fn = "repr"): string {
  const out = new TextBuilder(fn);
  writeRepr(value, out, 0);
  return out.parts.join("");
}

/** Python's str(): strings as they are, everything else as repr (datetimes in their str form). */
export function pyStr(value: ExprValue, fn = "str"): string {
  if (typeof value === "string") return value;
  if (value instanceof ExprObject) return value.toPythonString();
  return pyRepr(value, fn);
}

/** Python truthiness: None, False, 0, "", [] and {} are false (and objects that say so). */
export function pyTruthy(value: ExprValue): boolean {
  if (value === null) return false;
  if (typeof value === "boolean") return value;
  if (typeof value === "number") return value !== 0;
  if (typeof value === "string") return value.length > 0;
  if (Array.isArray(value)) return value.length > 0;
  if (value instanceof ExprObject) return value.truthy();
  for (const _ in value) return true;
  return false;
}

function numeric(value: ExprValue): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "boolean") return value ? 1 : 0;
  return undefined;
}

/** Python `a == b`: deep for lists and dicts, 1 == 1.0 == True, NaN != NaN. */
export function pyEquals(a: ExprValue, b: ExprValue, depth = 0): boolean {
  tick();
  checkDepth("is_equal", depth);
  const na = numeric(a);
  const nb = numeric(b);
  if (na !== undefined || nb !== undefined) return na !== undefined && nb !== undefined && na === nb;
  if (a === null || b === null) return a === b;
  if (typeof a === "string" || typeof b === "string") return a === b;
  if (a instanceof ExprObject) return a.applyOperator("==", b, false) === true;
  if (b instanceof ExprObject) return b.applyOperator("==", a, true) === true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!pyEquals(a[i] as ExprValue, b[i] as ExprValue, depth + 1)) return false;
    return true;
  }
  if (!isDict(a) || !isDict(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const key of ka) {
    if (!Object.hasOwn(b, key)) return false;
    if (!pyEquals(a[key] as ExprValue, b[key] as ExprValue, depth + 1)) return false;
  }
  return true;
}

/** Compares two strings by Unicode code point (Python), not UTF-16 unit (JavaScript). */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca === cb) continue;
    const start = i > 0 && ca >= 0xdc00 && ca <= 0xdfff && cb >= 0xdc00 && cb <= 0xdfff ? i - 1 : i;
    const pa = a.codePointAt(start) ?? 0;
    const pb = b.codePointAt(start) ?? 0;
    return pa < pb ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/** Python `a < b`, or undefined when Python would raise TypeError for these types. */
export function tryLess(a: ExprValue, b: ExprValue, depth = 0): boolean | undefined {
  tick();
  checkDepth("less_than", depth);
  const na = numeric(a);
  const nb = numeric(b);
  if (na !== undefined && nb !== undefined) return na < nb;
  if (typeof a === "string" && typeof b === "string") return compareCodePoints(a, b) < 0;
  if (Array.isArray(a) && Array.isArray(b)) {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) {
      const x = a[i] as ExprValue;
      const y = b[i] as ExprValue;
      if (!pyEquals(x, y, depth + 1)) return tryLess(x, y, depth + 1);
    }
    return a.length < b.length;
  }
  if (a instanceof ExprObject) {
    const r = a.applyOperator("<", b, false);
    if (typeof r === "boolean") return r;
  } else if (b instanceof ExprObject) {
    const r = b.applyOperator("<", a, true);
    if (typeof r === "boolean") return r;
  }
  return undefined;
}

export type CompareOp = "<" | "<=" | ">" | ">=";

/** Python's ordering operators; a type_error for types Python cannot order. */
export function pyCompare(op: CompareOp, a: ExprValue, b: ExprValue): boolean {
  let result: boolean | undefined;
  if (op === "<") result = tryLess(a, b);
  else if (op === ">") result = tryLess(b, a);
  else if (op === "<=") {
    result = tryLess(a, b);
    if (result === false) result = pyEquals(a, b);
  } else {
    result = tryLess(b, a);
    if (result === false) result = pyEquals(a, b);
  }
  if (result === undefined) {
    throw new FunctionError(
      `'${op}' is not supported between instances of '${pyTypeName(a)}' and '${pyTypeName(b)}'`,
      "type_error",
    );
  }
  return result;
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
    `unhashable type: '${pyTypeName(value)}' (lists and dicts cannot be set members)`,
    "type_error",
  );
}

/** Python's iteration of a value as a collection: list items, string characters, dict keys. */
export function pyIterate(value: ExprValue, _fn: string, param: string): ExprValue[] {
  if (Array.isArray(value)) return value;
  if (typeof value === "string") return Array.from(value);
  if (isDict(value)) return Object.keys(value);
  throw new FunctionError(`parameter '${param}' must be a list, str or dict, got ${pyTypeName(value)}`, "type_error");
}

/** Python len(): code points of a string, items of a list, keys of a dict. */
export function pyLen(value: ExprValue, _fn: string, param: string): number {
  if (typeof value === "string") {
    let n = 0;
    for (const _ of value) n++;
    return n;
  }
  if (Array.isArray(value)) return value.length;
  if (isDict(value)) return Object.keys(value).length;
  throw new FunctionError(`object of type '${pyTypeName(value)}' has no len() (parameter '${param}')`, "type_error");
}

/** Python `item in container`: substring for str, key for dict, `==` membership for list. */
export function pyIn(item: ExprValue, container: ExprValue): boolean {
  if (typeof container === "string") {
    if (typeof item !== "string") {
      throw new FunctionError(`'in <string>' requires a str as left operand, not ${pyTypeName(item)}`, "type_error");
    }
    return container.includes(item);
  }
  if (Array.isArray(container)) {
    for (const element of container) if (pyEquals(item, element)) return true;
    return false;
  }
  if (isDict(container)) {
    if (Array.isArray(item) || isDict(item)) {
      throw new FunctionError(`unhashable type: '${pyTypeName(item)}'`, "type_error");
    }
    return typeof item === "string" && Object.hasOwn(container, item);
  }
  throw new FunctionError(`argument of type '${pyTypeName(container)}' is not a container`, "type_error");
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
