// Python's str() and repr() of expression values, for casts (`str(x)`, `-> str`) and FN.format.
// Numbers: int and float are one JS number, so an integral float prints as an int (`1.0` → `1`).
import { ExprObject, type ExprValue } from "../functions/function-definition.js";
import { BudgetExceeded, tick } from "../limits/budget.js";

/** Python `repr(float)`-like rendering of a number: exponent below 1e-4 and from 1e16 on. */
export function pyNumber(value: number): string {
  if (Number.isNaN(value)) return "nan";
  if (value === Number.POSITIVE_INFINITY) return "inf";
  if (value === Number.NEGATIVE_INFINITY) return "-inf";
  if (Number.isInteger(value)) {
    return Math.abs(value) < 1e21 ? String(value) : BigInt(value).toString();
  }
  const abs = Math.abs(value);
  if (abs >= 1e-4 && abs < 1e16) {
    const s = String(value);
    if (!s.includes("e")) return s;
  }
  const [mantissa, exponent = "0"] = value.toExponential().split("e");
  const sign = exponent.startsWith("-") ? "-" : "+";
  const digits = exponent.replace(/^[+-]/, "").padStart(2, "0");
  return `${mantissa}e${sign}${digits}`;
}

/** Python `str()`, refusing to build more than `maxChars` characters. */
export function pyStr(value: ExprValue, maxChars = Number.POSITIVE_INFINITY): string {
  if (typeof value === "string") return value;
  return pyRepr(value, maxChars);
}

/** Python `repr()`: strings quoted, containers rendered recursively; bounded by `maxChars`. */
export function pyRepr(value: ExprValue, maxChars = Number.POSITIVE_INFINITY): string {
  const parts: string[] = [];
  let length = 0;
  const push = (text: string) => {
    length += text.length;
    if (length > maxChars)
      throw new BudgetExceeded(`The text would be longer than the limit of ${maxChars} characters`);
    parts.push(text);
  };
  const write = (v: ExprValue, depth: number): void => {
    tick();
    if (depth > 200) throw new BudgetExceeded("The value is nested too deeply to render");
    if (v === null) {
      push("None");
      return;
    }
    switch (typeof v) {
      case "boolean": {
        push(v ? "True" : "False");
        return;
      }
      case "number": {
        push(pyNumber(v));
        return;
      }
      case "string":
        if (v.length > maxChars)
          throw new BudgetExceeded(`The text would be longer than the limit of ${maxChars} characters`);
        {
          push(pyQuote(v));
          return;
        }
    }
    if (v instanceof ExprObject) {
      push(v.toPythonString());
      return;
    }
    if (Array.isArray(v)) {
      push("[");
      for (let i = 0; i < v.length; i++) {
        if (i) push(", ");
        write(v[i] as ExprValue, depth + 1);
      }
      push("]");
      return;
    }
    push("{");
    let first = true;
    for (const key of Object.keys(v)) {
      if (!first) push(", ");
      first = false;
      push(pyQuote(key));
      push(": ");
      write(v[key] as ExprValue, depth + 1);
    }
    push("}");
  };
  write(value, 0);
  return parts.join("");
}

const ESCAPES: Record<string, string> = { "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t" };

function pyQuote(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  const special = quote === "'" ? /[\\'\x00-\x1f\x7f]/g : /[\\"\x00-\x1f\x7f]/g;
  const body = text.replace(
    special,
    (ch) => ESCAPES[ch] ?? (ch === quote ? `\\${ch}` : `\\x${ch.charCodeAt(0).toString(16).padStart(2, "0")}`),
  );
  return quote + body + quote;
}
