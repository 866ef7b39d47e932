// Python's str() and repr() of expression values, for casts (`str(x)`, `-> str`) and the FN
// library. Checked against CPython (functions/library/cpython-vectors.txt).
// Numbers: int and float are one JS number, so an integral float prints as an int (`1.0` → `1`).
// Inline interpolation is JSON (json-text.ts), not str().
import { ExprObject, type ExprValue } from "../functions/function-definition.js";
import { BudgetExceeded, tick } from "../limits/budget.js";

/** Deepest nesting str()/repr() renders. */
export const MAX_RENDER_DEPTH = 256;

/**
 * Python's repr() of a float (`1.0`, `1e-05`, `1e+16`, `nan`). JavaScript numbers do not remember
 * whether they were a Python int or float; pyNumber writes integral values as ints.
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

/**
 * str()/repr() of a number: integral values as Python ints with their exact digits (also above
 * 2⁵³: `2**60` is `1152921504606846976`), others as float repr.
 */
export function pyNumber(x: number): string {
  if (Number.isInteger(x)) {
    if (Object.is(x, -0)) return "0";
    return Number.isSafeInteger(x) ? String(x) : BigInt(x).toString();
  }
  return floatRepr(x);
}

// What repr() may escape: backslash, quotes, and what str.isprintable() refuses (space is printable).
const SPECIAL = /[\\'"]|[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/gu;
const SHORT_ESCAPES: Record<string, string> = { "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/** Python's repr() of a str: single quotes unless the text has ' and no "; non-printables escaped. */
export function stringRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  const body = s.replace(SPECIAL, (ch) => {
    if (ch === " " || ((ch === "'" || ch === '"') && ch !== quote)) return ch;
    if (ch === quote) return `\\${ch}`;
    const short = SHORT_ESCAPES[ch];
    if (short) return short;
    const cp = ch.codePointAt(0) ?? 0;
    if (cp < 0x100) return `\\x${cp.toString(16).padStart(2, "0")}`;
    if (cp < 0x10000) return `\\u${cp.toString(16).padStart(4, "0")}`;
    return `\\U${cp.toString(16).padStart(8, "0")}`;
  });
  return quote + body + quote;
}

interface PythonReprObject {
  toPythonRepr(): string;
}

function objectRepr(value: ExprObject): string {
  const repr = (value as Partial<PythonReprObject>).toPythonRepr;
  return typeof repr === "function" ? repr.call(value) : value.toPythonString();
}

function tooLong(maxChars: number): never {
  throw new BudgetExceeded(`The text would be longer than the limit of ${maxChars} characters`);
}

/**
 * Python `repr()`: strings quoted, containers rendered recursively, datetimes as
 * `datetime.datetime(…)`. Refuses (BudgetExceeded) to build more than `maxChars` characters or to
 * go deeper than MAX_RENDER_DEPTH, and ticks the evaluation time budget.
 */
export function pyRepr(value: ExprValue, maxChars = Number.POSITIVE_INFINITY): string {
  const parts: string[] = [];
  let length = 0;
  const push = (text: string) => {
    length += text.length;
    if (length > maxChars) tooLong(maxChars);
    parts.push(text);
  };
  const write = (v: ExprValue, depth: number): void => {
    tick();
    if (depth > MAX_RENDER_DEPTH) throw new BudgetExceeded("The value is nested too deeply to render");
    if (v === null) push("None");
    else if (typeof v === "boolean") push(v ? "True" : "False");
    else if (typeof v === "number") push(pyNumber(v));
    else if (typeof v === "string") {
      // Each character renders as at least one; refuse before escaping a huge string.
      if (length + v.length > maxChars) tooLong(maxChars);
      push(stringRepr(v));
    } else if (v instanceof ExprObject) push(objectRepr(v));
    else if (Array.isArray(v)) {
      push("[");
      for (let i = 0; i < v.length; i++) {
        if (i) push(", ");
        write(v[i] as ExprValue, depth + 1);
      }
      push("]");
    } else {
      push("{");
      let first = true;
      for (const key of Object.keys(v)) {
        if (!first) push(", ");
        first = false;
        if (length + key.length > maxChars) tooLong(maxChars);
        push(stringRepr(key));
        push(": ");
        write(v[key] as ExprValue, depth + 1);
      }
      push("}");
    }
  };
  write(value, 0);
  return parts.join("");
}

/** Python `str()`: strings as they are, objects (datetimes) in their str form, the rest as repr. */
export function pyStr(value: ExprValue, maxChars = Number.POSITIVE_INFINITY): string {
  if (typeof value === "string") return value;
  if (value instanceof ExprObject) return value.toPythonString();
  return pyRepr(value, maxChars);
}
