// Python's str() and repr() of expression values, for casts (`str(x)`, `-> str`) and FN.format.
// Numbers: int and float are one JS number, so an integral float prints as an int (`1.0` → `1`).
import { ExprObject, type ExprValue } from "../functions/function-definition.js";

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

/** Python `str()`. */
export function pyStr(value: ExprValue): string {
  if (typeof value === "string") return value;
  return pyRepr(value, 0);
}

/** Python `repr()`: strings quoted, containers rendered recursively. */
export function pyRepr(value: ExprValue, depth = 0): string {
  if (depth > 200) throw new RangeError("Maximum call stack size exceeded");
  if (value === null) return "None";
  switch (typeof value) {
    case "boolean":
      return value ? "True" : "False";
    case "number":
      return pyNumber(value);
    case "string":
      return pyQuote(value);
  }
  if (Array.isArray(value)) return `[${value.map((v) => pyRepr(v, depth + 1)).join(", ")}]`;
  if (value instanceof ExprObject) return value.toPythonString();
  const parts: string[] = [];
  for (const key of Object.keys(value)) parts.push(`${pyQuote(key)}: ${pyRepr(value[key] as ExprValue, depth + 1)}`);
  return `{${parts.join(", ")}}`;
}

function pyQuote(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of text) {
    if (ch === quote || ch === "\\") out += `\\${ch}`;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (ch < " " || ch === "\x7f") out += `\\x${ch.charCodeAt(0).toString(16).padStart(2, "0")}`;
    else out += ch;
  }
  return out + quote;
}
