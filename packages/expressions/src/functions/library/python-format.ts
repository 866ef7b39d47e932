// Python's str.format() and format-spec mini-language, and printf-style `%` formatting, over
// ExprValue (reference §2.2 `format`, §2.6 `mod`). Messages never quote argument values.

import { DEFAULT_LIMITS } from "../../limits/limits.js";
import { floatRepr, pyRepr, pyStr } from "../../values/python-str.js";
import { isDict, typeName } from "../../values/types.js";
import { ExprObject, type ExprValue, FunctionError } from "../function-definition.js";
import { checkStringLength, MAX_TEXT } from "./limits.js";

/** An ExprObject that understands format specs (datetimes: strftime). */
interface SpecFormattable {
  formatSpec(spec: string, fn: string): string;
}

function isSpecFormattable(value: ExprObject): value is ExprObject & SpecFormattable {
  return typeof (value as Partial<SpecFormattable>).formatSpec === "function";
}

function fail(_fn: string, message: string, code: "type_error" | "value_error" = "value_error"): never {
  throw new FunctionError(`${message}`, code);
}

interface Spec {
  explicitAlign: boolean;
  fill: string;
  align: string | undefined;
  sign: string;
  z: boolean;
  alternate: boolean;
  zero: boolean;
  width: number;
  grouping: string | undefined;
  precision: number | undefined;
  type: string;
}

const SPEC = /^(?:([\s\S])?([<>=^]))?([-+ ])?(z)?(#)?(0)?(\d+)?([,_])?(?:\.(\d+))?([a-zA-Z%])?$/u;

function parseSpec(spec: string, fn: string): Spec {
  const m = SPEC.exec(spec);
  if (!m) fail(fn, "invalid format specifier");
  const width = m[7] ? Number(m[7]) : 0;
  const precision = m[9] !== undefined ? Number(m[9]) : undefined;
  if (width > DEFAULT_LIMITS.maxOutputChars || (precision ?? 0) > 10_000)
    fail(fn, "format width or precision too big", "value_error");
  return {
    explicitAlign: m[2] !== undefined,
    fill: m[1] ?? (m[6] && !m[2] ? "0" : " "),
    align: m[2] ?? (m[6] ? "=" : undefined),
    sign: m[3] ?? "-",
    z: m[4] !== undefined,
    alternate: m[5] !== undefined,
    zero: m[6] !== undefined,
    width,
    grouping: m[8],
    precision,
    type: m[10] ?? "",
  };
}

function pad(body: string, prefix: string, spec: Spec, defaultAlign: string): string {
  const length = [...prefix].length + [...body].length;
  const missing = spec.width - length;
  if (missing <= 0) return prefix + body;
  const align = spec.align ?? defaultAlign;
  const fill = spec.fill.repeat(missing);
  switch (align) {
    case "<":
      return prefix + body + fill;
    case ">":
      return fill + prefix + body;
    case "=":
      return prefix + fill + body;
    default: {
      const left = Math.floor(missing / 2);
      return spec.fill.repeat(left) + prefix + body + spec.fill.repeat(missing - left);
    }
  }
}

function group(digits: string, sep: string, size: number): string {
  let out = "";
  for (let i = digits.length; i > 0; i -= size) {
    const chunk = digits.slice(Math.max(0, i - size), i);
    out = out ? `${chunk}${sep}${out}` : chunk;
  }
  return out;
}

function formatString(s: string, specIn: Spec, fn: string): string {
  let spec = specIn;
  if (spec.type !== "" && spec.type !== "s") fail(fn, `unknown format code '${spec.type}' for object of type 'str'`);
  if (spec.sign !== "-" || spec.alternate || spec.z)
    fail(fn, "sign, '#' and 'z' are not allowed in a string format specifier");
  if (spec.align === "=" && spec.explicitAlign) fail(fn, "'=' alignment not allowed in string format specifier");
  if (spec.align === "=") spec = { ...spec, align: "<" };
  if (spec.grouping) fail(fn, `cannot specify '${spec.grouping}' with 's'`);
  const body = spec.precision !== undefined ? [...s].slice(0, spec.precision).join("") : s;
  return pad(body, "", spec, "<");
}

function signPrefix(negative: boolean, spec: Spec): string {
  if (negative) return "-";
  return spec.sign === "+" ? "+" : spec.sign === " " ? " " : "";
}

function formatInt(n: bigint, spec: Spec, fn: string): string {
  const type = spec.type === "" ? "d" : spec.type;
  if (spec.precision !== undefined) fail(fn, "precision not allowed in integer format specifier");
  if (spec.z) fail(fn, "negative zero coercion (z) not allowed in integer format specifier");
  if (type === "c") {
    if (n < 0n || n > 0x10ffffn) fail(fn, "%c arg not in range(0x110000)");
    if (spec.sign !== "-") fail(fn, "sign not allowed with integer format specifier 'c'");
    return pad(String.fromCodePoint(Number(n)), "", spec, ">");
  }
  const negative = n < 0n;
  const abs = negative ? -n : n;
  const base = type === "b" ? 2 : type === "o" ? 8 : type === "x" || type === "X" ? 16 : 10;
  let digits = abs.toString(base);
  if (type === "X") digits = digits.toUpperCase();
  if (spec.grouping === "," && base !== 10) fail(fn, `cannot specify ',' with '${type}'`);
  let prefix = signPrefix(negative, spec);
  if (spec.alternate && base !== 10) prefix += type === "b" ? "0b" : type === "o" ? "0o" : type === "X" ? "0X" : "0x";
  if (spec.grouping) digits = groupPadded(digits, spec, base === 10 ? 3 : 4, prefix.length);
  return pad(digits, prefix, spec, ">");
}

/** x.toFixed(digits) with Python's round-half-even on exact ties and no 1e21 limit. */
function toFixedPy(x: number, digits: number): string {
  if (Math.abs(x) >= 1e21) {
    const whole = BigInt(x).toString();
    return digits > 0 ? `${whole}.${"0".repeat(digits)}` : whole;
  }
  let out = x.toFixed(digits);
  const probe = x.toFixed(Math.min(100, digits + 25));
  const tail = probe.slice(probe.length - 25);
  if (/^50*$/.test(tail)) {
    // An exact tie: JavaScript rounded away from zero; Python rounds to even.
    const last = out.replace(/[-.]/g, "").slice(-1);
    if (Number(last) % 2 === 1) {
      const down = probe.slice(0, probe.length - 25);
      out = down.endsWith(".") ? down.slice(0, -1) : down;
    }
  }
  return out;
}

function toExponentialPy(x: number, digits: number): { mantissa: string; exp: number } {
  let text = x.toExponential(digits);
  const probe = x.toExponential(Math.min(100, digits + 25));
  const [probeMantissa] = probe.split("e") as [string];
  const tail = probeMantissa.slice(probeMantissa.length - 25);
  if (/^50*$/.test(tail)) {
    const [m] = text.split("e") as [string];
    if (Number(m.slice(-1)) % 2 === 1) {
      const truncated = probeMantissa.slice(0, probeMantissa.length - 25);
      text = `${truncated.endsWith(".") ? truncated.slice(0, -1) : truncated}e${probe.split("e")[1]}`;
    }
  }
  const [mantissa, exp] = text.split("e") as [string, string];
  return { mantissa, exp: Number(exp) };
}

function expSuffix(exp: number, upper: boolean): string {
  const e = Math.abs(exp);
  return `${upper ? "E" : "e"}${exp < 0 ? "-" : "+"}${e < 10 ? `0${e}` : e}`;
}

function stripZeros(s: string, keepPoint: boolean): string {
  if (!s.includes(".")) return keepPoint ? `${s}.` : s;
  let out = s.replace(/0+$/, "");
  if (out.endsWith(".") && !keepPoint) out = out.slice(0, -1);
  return out;
}

function withPoint(s: string): string {
  return s.includes(".") ? s : `${s}.`;
}

/** Digits grouped, zero-padded first when the '0' flag asks for a width (Python pads through the separators). */
function groupPadded(digits: string, spec: Spec, size: number, otherLength: number): string {
  if (!spec.grouping) return digits;
  let d = digits;
  let grouped = group(d, spec.grouping, size);
  if (spec.zero && !spec.explicitAlign) {
    const target = spec.width - otherLength;
    while (grouped.length < target) {
      d = `0${d}`;
      grouped = group(d, spec.grouping, size);
    }
  }
  return grouped;
}

function formatFloat(x: number, spec: Spec, fn: string): string {
  let type = spec.type;
  if (type === "n") type = "g";
  const upper = type === "E" || type === "F" || type === "G";
  let negative = x < 0 || Object.is(x, -0);
  let abs = Math.abs(x);
  let body: string;
  let suffix = "";
  if (!Number.isFinite(x)) {
    body = Number.isNaN(x) ? "nan" : "inf";
    if (Number.isNaN(x)) negative = false;
    if (upper) body = body.toUpperCase();
    if (type === "%") suffix = "%";
  } else {
    if (type === "%") {
      abs *= 100;
      suffix = "%";
    }
    const precision = spec.precision;
    switch (type) {
      case "f":
      case "F":
      case "%":
        body = toFixedPy(abs, precision ?? 6);
        if (spec.alternate && !body.includes(".")) body += ".";
        break;
      case "e":
      case "E": {
        const { mantissa, exp } = toExponentialPy(abs, precision ?? 6);
        body = (spec.alternate && !mantissa.includes(".") ? `${mantissa}.` : mantissa) + expSuffix(exp, upper);
        break;
      }
      case "g":
      case "G":
      case "": {
        if (type === "" && precision === undefined) {
          body = floatRepr(abs);
          if (spec.alternate && !body.includes(".")) body = body.includes("e") ? body.replace("e", ".e") : `${body}.`;
          break;
        }
        const p = precision === undefined ? 6 : precision === 0 ? 1 : precision;
        const { exp } = toExponentialPy(abs, p - 1);
        if (abs !== 0 && (exp < -4 || exp >= p)) {
          const { mantissa, exp: e } = toExponentialPy(abs, p - 1);
          body = (spec.alternate ? withPoint(mantissa) : stripZeros(mantissa, false)) + expSuffix(e, upper);
        } else {
          body = toFixedPy(abs, Math.max(0, p - 1 - (abs === 0 ? 0 : exp)));
          body = spec.alternate ? withPoint(body) : stripZeros(body, false);
          if (type === "" && !body.includes(".")) body += ".0";
        }
        break;
      }
      default:
        fail(fn, `unknown format code '${type}' for object of type 'float'`);
    }
    if (spec.z && negative && /^[0.]*$/.test(body.replace(/e.*$/i, ""))) negative = false;
  }
  if (spec.grouping && Number.isFinite(x)) {
    const [intPart, rest] = splitNumber(body);
    const prefixLength = signPrefix(negative, spec).length;
    body = groupPadded(intPart, spec, 3, prefixLength + rest.length + suffix.length) + rest;
  }
  return pad(body + suffix, signPrefix(negative, spec), spec, ">");
}

function splitNumber(body: string): [string, string] {
  const m = /^(\d*)(.*)$/s.exec(body);
  return [m?.[1] ?? "", m?.[2] ?? ""];
}

/** Python's format(value, spec). */
export function formatValue(value: ExprValue, spec: string, fn: string): string {
  if (value instanceof ExprObject) {
    if (isSpecFormattable(value)) return value.formatSpec(spec, fn);
    if (spec === "") return value.toPythonString();
    return fail(fn, `unsupported format string passed to ${value.typeName}.__format__`, "type_error");
  }
  if (spec === "") return pyStr(value, MAX_TEXT);
  if (typeof value === "string") return formatString(value, parseSpec(spec, fn), fn);
  if (typeof value === "number" || typeof value === "boolean") {
    const parsed = parseSpec(spec, fn);
    const n = typeof value === "boolean" ? (value ? 1 : 0) : value;
    const floatType = "eEfFgG%".includes(parsed.type) && parsed.type !== "";
    if (Number.isInteger(n) && !floatType) {
      if (parsed.type === "n" || parsed.type === "") return formatInt(BigInt(n), { ...parsed, type: "d" }, fn);
      if (!"dbcoxX".includes(parsed.type)) fail(fn, `unknown format code '${parsed.type}' for object of type 'int'`);
      return formatInt(BigInt(n), parsed, fn);
    }
    if (!Number.isInteger(n) && "dbcoxX".includes(parsed.type) && parsed.type !== "") {
      fail(fn, `unknown format code '${parsed.type}' for object of type 'float'`);
    }
    return formatFloat(n, parsed, fn);
  }
  return fail(fn, `unsupported format string passed to ${typeName(value)}.__format__`, "type_error");
}

function asciiRepr(value: ExprValue): string {
  return pyRepr(value, MAX_TEXT).replace(/[^\x00-\x7f]/gu, (ch) => {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp < 0x100) return `\\x${cp.toString(16).padStart(2, "0")}`;
    if (cp < 0x10000) return `\\u${cp.toString(16).padStart(4, "0")}`;
    return `\\U${cp.toString(16).padStart(8, "0")}`;
  });
}

function convert(value: ExprValue, conversion: string | undefined, fn: string): ExprValue {
  if (conversion === undefined) return value;
  if (conversion === "s") return pyStr(value, MAX_TEXT);
  if (conversion === "r") return pyRepr(value, MAX_TEXT);
  if (conversion === "a") return asciiRepr(value);
  return fail(fn, "unknown conversion specifier in format string; use !s, !r or !a");
}

class FieldCounter {
  auto = 0;
  mode: "auto" | "manual" | undefined;
}

function resolveField(fieldName: string, values: readonly ExprValue[], counter: FieldCounter, fn: string): ExprValue {
  const m = /^([^.[]*)(.*)$/s.exec(fieldName) as RegExpExecArray;
  const argName = m[1] ?? "";
  let rest = m[2] ?? "";
  let index: number;
  if (argName === "") {
    if (counter.mode === "manual")
      fail(fn, "cannot switch from manual field specification to automatic field numbering");
    counter.mode = "auto";
    index = counter.auto++;
  } else if (/^\d+$/.test(argName)) {
    if (counter.mode === "auto") fail(fn, "cannot switch from automatic field numbering to manual field specification");
    counter.mode = "manual";
    index = Number(argName);
  } else {
    return fail(fn, "named replacement fields are not supported (only positional arguments exist); use {} or {0}");
  }
  if (index >= values.length) {
    fail(
      fn,
      `Replacement index ${index} out of range for positional args tuple: only ${values.length} value(s) were given`,
    );
  }
  let value = values[index] as ExprValue;
  while (rest.length > 0) {
    if (rest.startsWith(".")) {
      const m = /^\.([A-Za-z_][A-Za-z0-9_]*)/.exec(rest);
      const attribute = m?.[1];
      const read = (value as Partial<{ pyAttribute(name: string): ExprValue | undefined }>)?.pyAttribute;
      const found = attribute && value instanceof ExprObject && read ? read.call(value, attribute) : undefined;
      if (!m || found === undefined) {
        fail(fn, "attribute access in replacement fields works only for datetime parts ({0.year}); use {0[key]}");
      }
      value = found as ExprValue;
      rest = rest.slice(m[0].length);
      continue;
    }
    const close = rest.indexOf("]");
    if (!rest.startsWith("[") || close < 0) fail(fn, "expected '[' or '.' and a closing ']' in a replacement field");
    const key = rest.slice(1, close);
    if (key === "") fail(fn, "empty attribute in format string");
    rest = rest.slice(close + 1);
    if (Array.isArray(value)) {
      if (!/^\d+$/.test(key)) fail(fn, "list indices must be integers", "type_error");
      const i = Number(key);
      if (i >= value.length) fail(fn, "list index out of range in a replacement field");
      value = value[i] as ExprValue;
    } else if (isDict(value)) {
      if (/^\d+$/.test(key) || !Object.hasOwn(value, key))
        fail(fn, "a key used in a replacement field is missing from the dict");
      value = value[key] as ExprValue;
    } else if (typeof value === "string") {
      if (!/^\d+$/.test(key)) fail(fn, "string indices must be integers", "type_error");
      const chars = [...value];
      const i = Number(key);
      if (i >= chars.length) fail(fn, "string index out of range in a replacement field");
      value = chars[i] as string;
    } else {
      fail(fn, `'${typeName(value)}' object is not subscriptable`, "type_error");
    }
  }
  return value;
}

/** Python's `template.format(*values)`. */
export function pyFormat(template: string, values: readonly ExprValue[], fn = "format"): string {
  const counter = new FieldCounter();
  return formatTemplate(template, values, counter, fn, 0);
}

function formatTemplate(
  template: string,
  values: readonly ExprValue[],
  counter: FieldCounter,
  fn: string,
  depth: number,
): string {
  if (depth > 1) fail(fn, "max string recursion exceeded");
  let out = "";
  let i = 0;
  while (i < template.length) {
    const ch = template[i] as string;
    if (ch === "}") {
      if (template[i + 1] === "}") {
        out += "}";
        i += 2;
        continue;
      }
      fail(fn, "single '}' encountered in format string");
    }
    if (ch !== "{") {
      const next = template.slice(i).search(/[{}]/);
      const end = next < 0 ? template.length : i + next;
      out += template.slice(i, end);
      i = end;
      continue;
    }
    if (template[i + 1] === "{") {
      out += "{";
      i += 2;
      continue;
    }
    // A replacement field: find its closing brace, allowing one level of nested {} in the spec.
    let j = i + 1;
    let nesting = 1;
    let inBracket = false;
    while (j < template.length && nesting > 0) {
      const c = template[j];
      if (c === "[" && nesting === 1) inBracket = true;
      else if (c === "]") inBracket = false;
      else if (!inBracket && c === "{") nesting++;
      else if (!inBracket && c === "}") nesting--;
      if (nesting > 0) j++;
    }
    if (nesting > 0) fail(fn, "expected '}' before end of string");
    const field = template.slice(i + 1, j);
    i = j + 1;
    // Split field name, conversion and spec (a ':' or '!' inside [...] belongs to the name).
    let k = 0;
    let bracket = false;
    while (k < field.length) {
      const c = field[k];
      if (c === "[") bracket = true;
      else if (c === "]") bracket = false;
      else if (!bracket && (c === "!" || c === ":")) break;
      k++;
    }
    const name = field.slice(0, k);
    let conversion: string | undefined;
    let spec = "";
    let rest = field.slice(k);
    if (rest.startsWith("!")) {
      conversion = rest[1];
      rest = rest.slice(2);
      if (rest !== "" && !rest.startsWith(":")) fail(fn, "expected ':' after conversion specifier");
    }
    if (rest.startsWith(":")) spec = rest.slice(1);
    const value = convert(resolveField(name, values, counter, fn), conversion, fn);
    if (spec.includes("{")) spec = formatTemplate(spec, values, counter, fn, depth + 1);
    out += formatValue(value, spec, fn);
    checkStringLength(fn, out.length);
  }
  return out;
}

/**
 * Python's printf-style `text % value` (what `FN.mod` does with a str on the left). A list is
 * one value (Python tuples do not exist here); a dict feeds `%(name)s` fields.
 */
export function pyPercentFormat(template: string, value: ExprValue, fn = "mod"): string {
  const re = /%(?:\(([^)]*)\))?([-+ #0]*)(\*|\d+)?(?:\.(\*|\d+))?[hlL]?([diouxXeEfFgGcrsa%])?/gsu;
  let out = "";
  let last = 0;
  let used = 0;
  let usedMapping = false;
  for (const m of template.matchAll(re)) {
    out += template.slice(last, m.index);
    last = m.index + m[0].length;
    const type = m[5];
    if (type === undefined) fail(fn, "incomplete or unsupported format in a % template");
    if (type === "%") {
      if (m[0] !== "%%") fail(fn, "unsupported format: '%' with a width, precision or flags");
      out += "%";
      continue;
    }
    if (m[3] === "*" || m[4] === "*") fail(fn, "'*' width or precision is not supported in % formatting");
    let arg: ExprValue;
    if (m[1] !== undefined) {
      if (!isDict(value)) fail(fn, "format requires a mapping", "type_error");
      if (!Object.hasOwn(value, m[1])) fail(fn, "a key used in a %(name) field is missing from the dict");
      arg = value[m[1]] as ExprValue;
      usedMapping = true;
    } else {
      if (used > 0) fail(fn, "not enough arguments for format string", "type_error");
      arg = value;
      used++;
    }
    const flags = m[2] ?? "";
    const width = m[3] ?? "";
    const precision = m[4] !== undefined ? `.${m[4]}` : "";
    const align = flags.includes("-") ? "<" : flags.includes("0") && type !== "s" && type !== "r" ? "=" : ">";
    const fill = align === "=" ? "0" : " ";
    const sign = flags.includes("+") ? "+" : flags.includes(" ") ? " " : "";
    const alt = flags.includes("#") ? "#" : "";
    if (type === "s" || type === "r" || type === "a") {
      const text = type === "s" ? pyStr(arg, MAX_TEXT) : type === "r" ? pyRepr(arg, MAX_TEXT) : asciiRepr(arg);
      out += formatValue(text, `${fill}${align}${width}${precision}`, fn);
      continue;
    }
    if (type === "c" && typeof arg === "string") {
      if ([...arg].length !== 1) fail(fn, "%c requires an int or a single character", "type_error");
      out += formatValue(arg, `${fill === "0" ? " " : fill}${align === "=" ? ">" : align}${width}`, fn);
      continue;
    }
    if (typeof arg !== "number" && typeof arg !== "boolean") {
      fail(fn, `%${type} format: a real number is required, not ${typeName(arg)}`, "type_error");
    }
    let n = typeof arg === "boolean" ? Number(arg) : arg;
    let t: string = type;
    if (t === "i" || t === "u") t = "d";
    if ("xXoc".includes(t) && !Number.isInteger(n)) {
      fail(fn, `%${type} format: an integer is required, not float`, "type_error");
    }
    if (t === "d") n = Math.trunc(n);
    const spec = `${fill}${align}${sign}${alt}${width}${"dxXoc".includes(t) ? "" : precision}${t}`;
    out += formatValue(n, spec, fn);
  }
  out += template.slice(last);
  if (used === 0 && !usedMapping && !isDict(value)) {
    fail(fn, "not all arguments converted during string formatting", "type_error");
  }
  checkStringLength(fn, out.length);
  return out;
}
