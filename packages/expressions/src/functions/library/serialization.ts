// Type conversion group (reference §2.12): JSON (orjson and stdlib flavours), NDJSON, YAML 1.1.
import { type Document, isScalar, parseDocument, stringify } from "yaml";
import { tick } from "../../limits/budget.js";
import { floatRepr, pyNumber } from "../../values/python-str.js";
import { type ExprDict, isDict } from "../../values/types.js";
import { ExprObject, type ExprValue, type FunctionDefinition, FunctionError } from "../function-definition.js";
import { expectString, param } from "./args.js";
import { PyDate, PyDateTime } from "./datetime-values.js";
import { checkDepth, checkStringLength, limitsOf } from "./limits.js";
import { checkRenderSize } from "./python-values.js";
import { pySplitLines, setKey } from "./text.js";

const GROUP = "Type conversion";

function jsonString(s: string, asciiOnly: boolean): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ch = s[i] as string;
    if (ch === '"') out += '\\"';
    else if (ch === "\\") out += "\\\\";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\b") out += "\\b";
    else if (ch === "\f") out += "\\f";
    else if (c < 0x20 || (asciiOnly && c > 0x7e)) out += `\\u${c.toString(16).padStart(4, "0")}`;
    else out += ch;
  }
  return `${out}"`;
}

/** orjson's number form: ints as digits, floats fixed in [1e-5, 1e16), else `1e-6` / `1e+16`. */
function orjsonNumber(x: number): string {
  if (!Number.isFinite(x)) return "null";
  if (Number.isInteger(x)) return pyNumber(x);
  const abs = Math.abs(x);
  if (abs >= 1e-5 && abs < 1e16) {
    const text = floatRepr(x);
    if (!text.includes("e")) return text;
    const [mantissa, exp] = x.toExponential().split("e") as [string, string];
    const digits = mantissa.replace(/[-.]/g, "");
    const e = Number(exp);
    const body = e < 0 ? `0.${"0".repeat(-e - 1)}${digits}` : digits;
    return x < 0 ? `-${body}` : body;
  }
  const [mantissa, exp] = x.toExponential().split("e") as [string, string];
  return `${mantissa}e${exp}`;
}

class JsonBuilder {
  parts: string[] = [];
  length = 0;
  constructor(readonly limit: number) {}
  push(text: string): void {
    this.length += text.length;
    if (this.length > this.limit) {
      throw new FunctionError(`the JSON text would be longer than ${this.limit} characters`, "limit_exceeded");
    }
    this.parts.push(text);
  }
}

function writeJson(value: ExprValue, out: JsonBuilder, depth: number): void {
  tick();
  checkDepth("serialize_json", depth);
  if (value === null) out.push("null");
  else if (typeof value === "boolean") out.push(value ? "true" : "false");
  else if (typeof value === "number") out.push(orjsonNumber(value));
  else if (typeof value === "string") {
    out.push(jsonString(value, false));
  } else if (value instanceof ExprObject) out.push(JSON.stringify(value.toJSON()));
  else if (Array.isArray(value)) {
    out.push("[");
    value.forEach((v, i) => {
      if (i > 0) out.push(",");
      writeJson(v, out, depth + 1);
    });
    out.push("]");
  } else {
    out.push("{");
    let first = true;
    for (const [k, v] of Object.entries(value)) {
      if (!first) out.push(",");
      first = false;
      out.push(jsonString(k, false));
      out.push(":");
      writeJson(v, out, depth + 1);
    }
    out.push("}");
  }
}

/** orjson.dumps: compact, raw UTF-8, NaN/inf as null, datetimes as RFC 3339. */
export function serializeJson(value: ExprValue, limit: number): string {
  const out = new JsonBuilder(limit);
  writeJson(value, out, 0);
  return out.parts.join("");
}

/** Python json.dumps(x, indent=2): ASCII-only, Python float repr, NaN/Infinity literals. */
function prettifyJson(value: ExprValue, indent: string, depth = 0): string {
  tick();
  checkDepth("prettify_json", depth);
  if (value === null) return "null";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") {
    if (Number.isNaN(value)) return "NaN";
    if (!Number.isFinite(value)) return value > 0 ? "Infinity" : "-Infinity";
    return pyNumber(value);
  }
  if (typeof value === "string") return jsonString(value, true);
  if (value instanceof ExprObject) {
    throw new FunctionError(`Object of type ${value.typeName} is not JSON serializable`, "type_error");
  }
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    return `[\n${value.map((v) => inner + prettifyJson(v, inner, depth + 1)).join(",\n")}\n${indent}]`;
  }
  const entries = Object.entries(value);
  if (entries.length === 0) return "{}";
  return `{\n${entries.map(([k, v]) => `${inner}${jsonString(k, true)}: ${prettifyJson(v, inner, depth + 1)}`).join(",\n")}\n${indent}}`;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function parseJson(text: string, _fn: string, what = "the text"): ExprValue {
  try {
    return JSON.parse(text) as ExprValue;
  } catch {
    throw new FunctionError(`${what} is not valid JSON (check quotes, commas and brackets)`, "value_error");
  }
}

// --- YAML 1.1 (PyYAML safe_load / dump) ---------------------------------------------------

const YAML_TIMESTAMP =
  /^(\d{4})-(\d{1,2})-(\d{1,2})(?:(?:[Tt]|[ \t]+)(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d*))?(?:[ \t]*(Z|[-+]\d{1,2}(?::?\d{2})?))?)?$/;

function yamlTimestamp(text: string): ExprValue {
  const m = YAML_TIMESTAMP.exec(text);
  if (!m) return text;
  const [, y, mo, d, h, mi, s, frac = "", tz] = m;
  if (h === undefined) return PyDate.fromFields(Number(y), Number(mo), Number(d));
  let offsetSeconds: number | null = null;
  if (tz !== undefined) {
    if (tz === "Z") offsetSeconds = 0;
    else {
      const sign = tz.startsWith("-") ? -1 : 1;
      const [hh = "0", mm = "0"] = tz.slice(1).split(":");
      const minutes = tz.includes(":")
        ? Number(hh) * 60 + Number(mm)
        : tz.length > 3
          ? Number(tz.slice(1, -2)) * 60 + Number(tz.slice(-2))
          : Number(hh) * 60;
      offsetSeconds = sign * minutes * 60;
    }
  }
  return PyDateTime.fromFields(
    {
      year: Number(y),
      month: Number(mo),
      day: Number(d),
      hour: Number(h),
      minute: Number(mi),
      second: Number(s),
      microsecond: Number(frac.slice(0, 6).padEnd(6, "0")),
    },
    offsetSeconds === null ? null : { kind: "fixed", offsetSeconds },
  );
}

const timestampTag = {
  tag: "tag:yaml.org,2002:timestamp",
  default: true,
  identify: (value: unknown) => value instanceof PyDateTime || value instanceof PyDate,
  stringify: (item: { value: unknown }) => (item.value as ExprObject).toPythonString(),
  test: /^\d{4}-\d{1,2}-\d{1,2}(?:(?:[Tt]|[ \t]+)\d{1,2}:\d{2}:\d{2}(?:\.\d*)?(?:[ \t]*(?:Z|[-+]\d{1,2}(?::?\d{2})?))?)?$/,
  resolve: (text: string) => yamlTimestamp(text) as unknown,
};

// PyYAML's float needs a dot: `1e3` stays a string (YAML 1.1), `1.0e+3` is a float.
const floatTag = {
  tag: "tag:yaml.org,2002:float",
  default: true,
  identify: (value: unknown) => typeof value === "number" && !Number.isInteger(value),
  stringify(item: { value: unknown }): string {
    const x = item.value as number;
    if (Number.isNaN(x)) return ".nan";
    if (!Number.isFinite(x)) return x > 0 ? ".inf" : "-.inf";
    const text = floatRepr(x);
    return text.includes("e") && !text.includes(".") ? text.replace("e", ".0e") : text;
  },
  test: /^(?:[-+]?[0-9][0-9_]*\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/,
  resolve(text: string): number {
    const clean = text.replace(/_/g, "");
    if (/nan$/i.test(clean)) return Number.NaN;
    if (/inf$/i.test(clean)) return clean.startsWith("-") ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
    if (clean.includes(":")) {
      const sign = clean.startsWith("-") ? -1 : 1;
      return (
        sign *
        clean
          .replace(/^[-+]/, "")
          .split(":")
          .reduce((acc, part) => acc * 60 + Number(part), 0)
      );
    }
    return Number(clean);
  },
};

// PyYAML's booleans: no `y`/`n` (which the yaml package's 1.1 schema adds).
const boolTag = {
  tag: "tag:yaml.org,2002:bool",
  default: true,
  identify: (value: unknown) => typeof value === "boolean",
  test: /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/,
  resolve: (text: string) => /^(?:yes|true|on)$/i.test(text),
  stringify: (item: { value: unknown }) => (item.value ? "true" : "false"),
};

// PyYAML's ints: `08` is not an int (a leading 0 means octal), sexagesimal `1:20` is.
const intTag = {
  tag: "tag:yaml.org,2002:int",
  default: true,
  identify: (value: unknown) => typeof value === "number" && Number.isInteger(value),
  test: /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/,
  resolve(text: string): number {
    const clean = text.replace(/_/g, "");
    const sign = clean.startsWith("-") ? -1 : 1;
    const body = clean.replace(/^[-+]/, "");
    if (body.includes(":")) return sign * body.split(":").reduce((acc, part) => acc * 60 + Number(part), 0);
    if (/^0b/.test(body)) return sign * Number.parseInt(body.slice(2), 2);
    if (/^0x/.test(body)) return sign * Number.parseInt(body.slice(2), 16);
    if (body.length > 1 && body.startsWith("0")) return sign * Number.parseInt(body.slice(1), 8);
    return sign * Number(body);
  },
  stringify: (item: { value: unknown }) => pyNumber(item.value as number),
};

const REPLACED_TAGS = new Set([timestampTag.tag, floatTag.tag, boolTag.tag, intTag.tag]);

function pyyamlTags<T>(tags: T[]): T[] {
  const kept = tags.filter(
    (t) => typeof t !== "object" || t === null || !REPLACED_TAGS.has((t as unknown as { tag: string }).tag),
  );
  return [...kept, timestampTag, floatTag, boolTag, intTag] as T[];
}

function yamlToValue(value: unknown, depth: number): ExprValue {
  checkDepth("deserialize_yaml", depth);
  if (value === null || value === undefined) return null;
  if (typeof value === "boolean" || typeof value === "string" || typeof value === "number") return value;
  if (typeof value === "bigint") return Number(value);
  if (value instanceof ExprObject) return value;
  if (value instanceof Uint8Array) return Buffer.from(value).toString("latin1");
  if (Array.isArray(value)) return value.map((v) => yamlToValue(v, depth + 1));
  if (value instanceof Map) {
    const out: ExprDict = {};
    for (const [k, v] of value) setKey(out, yamlKey(k), yamlToValue(v, depth + 1));
    return out;
  }
  if (value instanceof Set) return [...value].map((v) => yamlToValue(v, depth + 1));
  if (typeof value === "object") {
    const out: ExprDict = {};
    for (const [k, v] of Object.entries(value)) setKey(out, k, yamlToValue(v, depth + 1));
    return out;
  }
  return String(value);
}

function yamlKey(key: unknown): string {
  if (typeof key === "string") return key;
  if (key === null || key === undefined) return "None";
  if (typeof key === "boolean") return key ? "True" : "False";
  if (typeof key === "number") return pyNumber(key);
  if (key instanceof ExprObject) return key.toPythonString();
  throw new FunctionError("a YAML mapping key is a list or mapping, which a dict key cannot be", "type_error");
}

function deserializeYaml(text: string): ExprValue {
  let doc: Document.Parsed;
  try {
    const docs = parseAllDocuments(text);
    if (docs.length > 1)
      throw new FunctionError("expected a single YAML document in the stream, found several", "value_error");
    doc = docs[0] as Document.Parsed;
  } catch (error) {
    if (error instanceof FunctionError) throw error;
    throw new FunctionError("the text is not valid YAML", "value_error");
  }
  if (doc === undefined) return null;
  if (doc.errors.length > 0)
    throw new FunctionError(`the text is not valid YAML (${doc.errors[0]?.code ?? "syntax error"})`, "value_error");
  const unresolved = doc.warnings.find((w) => w.code === "TAG_RESOLVE_FAILED");
  if (unresolved)
    throw new FunctionError("the YAML uses a tag that safe loading does not allow (e.g. !!python/…)", "value_error");
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100, mapAsMap: true });
  } catch (error) {
    if (error instanceof FunctionError) throw error;
    throw new FunctionError("the YAML is not valid (an alias without its anchor, or too many aliases)", "value_error");
  }
  return yamlToValue(data, 0);
}

function parseAllDocuments(text: string): Document.Parsed[] {
  const docs: Document.Parsed[] = [];
  // parseDocument rejects a second document with an error; count documents by trying it.
  const doc = parseDocument(text, {
    version: "1.1",
    customTags: pyyamlTags,
    uniqueKeys: false,
    prettyErrors: false,
  });
  if (doc.errors.some((e) => e.code === "MULTIPLE_DOCS")) return [doc, doc];
  if (doc.contents === null && text.trim() === "") return [];
  docs.push(doc);
  return docs;
}

function toYamlData(value: ExprValue, depth: number): unknown {
  tick();
  checkDepth("serialize_yaml", depth);
  if (value instanceof PyDateTime || value instanceof PyDate) return value;
  if (value instanceof ExprObject) return value.toPythonString();
  if (Array.isArray(value)) return value.map((v) => toYamlData(v, depth + 1));
  if (isDict(value)) {
    const out: ExprDict = {};
    for (const [k, v] of Object.entries(value)) setKey(out, k, toYamlData(v, depth + 1) as ExprValue);
    return out;
  }
  return value;
}

function serializeYaml(value: ExprValue): string {
  const text = stringify(toYamlData(value, 0), {
    version: "1.1",
    sortMapEntries: (a, b) => {
      const ka = isScalar(a.key) ? String(a.key.value) : String(a.key);
      const kb = isScalar(b.key) ? String(b.key.value) : String(b.key);
      return ka < kb ? -1 : ka > kb ? 1 : 0;
    },
    indentSeq: false,
    lineWidth: 80,
    singleQuote: true,
    aliasDuplicateObjects: false,
    customTags: pyyamlTags,
    nullStr: "null",
    trueStr: "true",
    falseStr: "false",
  });
  // PyYAML ends a document whose root is a plain (unquoted) scalar with `...`.
  const plainScalar = !Array.isArray(value) && !isDict(value) && !/^['"]/.test(text);
  return plainScalar ? `${text}...\n` : text;
}

export const serializationFunctions: FunctionDefinition[] = [
  {
    name: "is_json",
    group: GROUP,
    description: "True if the value is a str holding valid strict JSON (any JSON value).",
    params: [param("x", "str")],
    returns: "bool",
    call(args) {
      const x = args[0];
      if (typeof x !== "string" || LONE_SURROGATE.test(x)) return false;
      try {
        JSON.parse(x);
        return true;
      } catch {
        return false;
      }
    },
  },
  {
    name: "deserialize_json",
    group: GROUP,
    description: "Parses a JSON string into a value.",
    params: [param("obj", "str")],
    returns: "Any",
    call: (args) => parseJson(expectString("deserialize_json", "obj", args[0]), "deserialize_json"),
  },
  {
    name: "deserialize_ndjson",
    group: GROUP,
    description: "Parses newline-delimited JSON: one value per line.",
    params: [param("x", "str")],
    returns: "list[dict[str, Any]]",
    call(args) {
      const lines = pySplitLines(expectString("deserialize_ndjson", "x", args[0]));
      return lines.map((line, i) => parseJson(line, "deserialize_ndjson", `line ${i + 1}`));
    },
  },
  {
    name: "deserialize_yaml",
    group: GROUP,
    description: "Parses one YAML 1.1 document safely (yes/no are booleans, dates become date values).",
    params: [param("x", "str")],
    returns: "Any",
    call: (args) => deserializeYaml(expectString("deserialize_yaml", "x", args[0])),
  },
  {
    name: "prettify_json",
    group: GROUP,
    description: "Python json.dumps(x, indent=2): indented JSON with non-ASCII escaped.",
    params: [param("x", "Any")],
    returns: "str",
    call(args, context) {
      checkRenderSize(args[0] as ExprValue, limitsOf(context).maxOutputChars);
      const out = prettifyJson(args[0] as ExprValue, "");
      checkStringLength("prettify_json", out.length, limitsOf(context));
      return out;
    },
  },
  {
    name: "serialize",
    group: GROUP,
    description: "Compact JSON text of a value (same as serialize_json).",
    params: [param("x", "Any")],
    returns: "str",
    call: (args, context) => serializeJsonChecked(args[0] as ExprValue, limitsOf(context).maxOutputChars),
  },
  {
    name: "serialize_json",
    group: GROUP,
    description: "Compact JSON text of a value (orjson style: raw UTF-8, datetimes as ISO 8601).",
    params: [param("x", "Any")],
    returns: "str",
    call: (args, context) => serializeJsonChecked(args[0] as ExprValue, limitsOf(context).maxOutputChars),
  },
  {
    name: "serialize_yaml",
    group: GROUP,
    description: "YAML text of a value (block style, keys sorted, `...` after a top-level scalar).",
    params: [param("x", "Any")],
    returns: "str",
    call(args, context) {
      checkRenderSize(args[0] as ExprValue, limitsOf(context).maxOutputChars);
      const out = serializeYaml(args[0] as ExprValue);
      checkStringLength("serialize_yaml", out.length, limitsOf(context));
      return out;
    },
  },
];

function serializeJsonChecked(value: ExprValue, limit: number): string {
  return serializeJson(value, limit);
}
