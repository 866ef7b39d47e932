// The starter FN set built with the language. The FN library (functions/library/) may replace
// any of these with a fuller version: later definitions win in createRegistry.
import { createHash, randomUUID } from "node:crypto";
import { DateTime } from "luxon";
import { BudgetExceeded } from "../limits/budget.js";
import { membershipMessage, pyEquals, pyIn } from "../values/equality.js";
import { toJsonText } from "../values/json-text.js";
import { isDict, lenMessage, pyLen, setOwn, typeName } from "../values/types.js";
import { type ExprValue, type FunctionDefinition, FunctionError } from "./function-definition.js";
import { pyFormat } from "./library/python-format.js";
import { parseIsoDateTime, StarterDateTime } from "./starter-datetime.js";

function expectString(fn: string, param: string, value: ExprValue | undefined): string {
  if (typeof value !== "string") {
    throw new FunctionError(`argument '${param}' of ${fn} must be str, got ${typeName(value ?? null)}`, "type_error");
  }
  return value;
}

const concat: FunctionDefinition = {
  name: "concat",
  group: "String transforms",
  description: "Joins strings with no separator.",
  params: [{ name: "items", type: "str", variadic: true }],
  returns: "str",
  call(args) {
    let out = "";
    args.forEach((item, i) => {
      if (typeof item !== "string") {
        throw new FunctionError(`sequence item ${i}: expected str instance, ${typeName(item)} found`, "type_error");
      }
      out += item;
    });
    return out;
  },
};

const format: FunctionDefinition = {
  name: "format",
  group: "String transforms",
  description: "Python str.format with positional values.",
  params: [
    { name: "template", type: "str" },
    { name: "values", type: "Any", variadic: true },
  ],
  returns: "str",
  call(args, context) {
    const maxChars = context.limits?.maxOutputChars ?? Number.POSITIVE_INFINITY;
    // The library's str.format (CPython-checked); the library's FN.format replaces this one.
    const out = pyFormat(expectString("format", "template", args[0]), args.slice(1));
    if (out.length > maxChars) {
      throw new FunctionError(`The text would be longer than the limit of ${maxChars} characters`, "limit_exceeded");
    }
    return out;
  },
};

function unescapeSeparator(sep: string): string {
  return sep.replace(/\\([ntr\\])/g, (_, c: string) => (c === "n" ? "\n" : c === "t" ? "\t" : c === "r" ? "\r" : "\\"));
}

const join: FunctionDefinition = {
  name: "join",
  group: "String transforms",
  description: "Joins strings with a separator (\\n, \\t, \\r, \\\\ in the separator are unescaped).",
  params: [
    { name: "items", type: "Sequence[str]" },
    { name: "sep", type: "str" },
  ],
  returns: "str",
  call(args) {
    const items = args[0] ?? null;
    const sep = unescapeSeparator(expectString("join", "sep", args[1]));
    const list = typeof items === "string" ? Array.from(items) : items;
    if (!Array.isArray(list))
      throw new FunctionError(`can only join an iterable, got ${typeName(items)}`, "type_error");
    list.forEach((item, i) => {
      if (typeof item !== "string") {
        throw new FunctionError(`sequence item ${i}: expected str instance, ${typeName(item)} found`, "type_error");
      }
    });
    return (list as string[]).join(sep);
  },
};

const split: FunctionDefinition = {
  name: "split",
  group: "String transforms",
  description: "Splits a string on a separator (None: runs of whitespace).",
  params: [
    { name: "x", type: "str" },
    { name: "sep", type: "str" },
  ],
  returns: "list[str]",
  call(args) {
    const text = expectString("split", "x", args[0]);
    const sep = args[1] ?? null;
    if (sep === null) return text.split(/\s+/u).filter((part) => part.length > 0);
    if (typeof sep !== "string") throw new FunctionError(`must be str or None, not ${typeName(sep)}`, "type_error");
    if (sep === "") throw new FunctionError("empty separator");
    return text.split(sep);
  },
};

const length: FunctionDefinition = {
  name: "length",
  group: "Arrays",
  description: "Number of items of a list, keys of a dict, or characters of a string.",
  params: [{ name: "obj", type: "Sized" }],
  returns: "int",
  call(args) {
    const value = args[0] ?? null;
    const n = pyLen(value);
    if (n === undefined) throw new FunctionError(lenMessage(value), "type_error");
    return n;
  },
};

const lowercase: FunctionDefinition = {
  name: "lowercase",
  group: "String transforms",
  description: "Lower-cases a string.",
  params: [{ name: "x", type: "str" }],
  returns: "str",
  call: (args) => expectString("lowercase", "x", args[0]).toLowerCase(),
};

const uppercase: FunctionDefinition = {
  name: "uppercase",
  group: "String transforms",
  description: "Upper-cases a string.",
  params: [{ name: "x", type: "str" }],
  returns: "str",
  call: (args) => expectString("uppercase", "x", args[0]).toUpperCase(),
};

const isEqual: FunctionDefinition = {
  name: "is_equal",
  group: "Comparison",
  description: "Python a == b (deep for lists and dicts).",
  params: [
    { name: "a", type: "Any" },
    { name: "b", type: "Any" },
  ],
  returns: "bool",
  call: (args) => pyEquals(args[0] ?? null, args[1] ?? null),
};

const isNull: FunctionDefinition = {
  name: "is_null",
  group: "Comparison",
  description: "True when the value is None.",
  params: [{ name: "x", type: "Any" }],
  returns: "bool",
  call: (args) => (args[0] ?? null) === null,
};

const isIn: FunctionDefinition = {
  name: "is_in",
  aliases: ["contains"],
  group: "Arrays",
  description: "Python `item in container` (substring, dict key or list member).",
  params: [
    { name: "item", type: "Any" },
    { name: "container", type: "Sequence[Any]" },
  ],
  returns: "bool",
  call(args) {
    const item = args[0] ?? null;
    const container = args[1] ?? null;
    const found = pyIn(item, container);
    if (found === undefined) {
      throw new FunctionError(membershipMessage(item, container), "type_error");
    }
    return found;
  },
};

const lookup: FunctionDefinition = {
  name: "lookup",
  group: "JSON functions",
  description: "The value under a key of a dict, or None.",
  params: [
    { name: "d", type: "dict[Any, Any]" },
    { name: "k", type: "Any" },
  ],
  returns: "Any",
  call(args) {
    const d = args[0] ?? null;
    const k = args[1] ?? null;
    if (!isDict(d)) throw new FunctionError(`'${typeName(d)}' object has no attribute 'get'`, "type_error");
    if (typeof k !== "string") {
      if (Array.isArray(k) || isDict(k)) throw new FunctionError(`unhashable type: '${typeName(k)}'`, "type_error");
      return null;
    }
    return Object.hasOwn(d, k) ? (d[k] as ExprValue) : null;
  },
};

const merge: FunctionDefinition = {
  name: "merge",
  group: "JSON functions",
  description: "Shallow merge of a list of dicts; later ones win.",
  params: [{ name: "x", type: "list[dict[Any, Any]]" }],
  returns: "dict[Any, Any]",
  call(args) {
    const list = args[0] ?? null;
    if (!Array.isArray(list))
      throw new FunctionError(`argument 'x' of merge must be list, got ${typeName(list)}`, "type_error");
    const out: { [key: string]: ExprValue } = {};
    for (const item of list) {
      if (!isDict(item)) throw new FunctionError(`'${typeName(item)}' object has no attribute 'items'`, "type_error");
      for (const key of Object.keys(item)) setOwn(out, key, item[key] as ExprValue);
    }
    return out;
  },
};

const toBase64: FunctionDefinition = {
  name: "to_base64",
  group: "Base64",
  description: "Standard Base64 of the UTF-8 bytes of a string.",
  params: [{ name: "x", type: "str" }],
  returns: "str",
  call: (args) => Buffer.from(expectString("to_base64", "x", args[0]), "utf8").toString("base64"),
};

const fromBase64: FunctionDefinition = {
  name: "from_base64",
  group: "Base64",
  description: "Decodes standard Base64 (foreign characters ignored, padding required) to UTF-8 text.",
  params: [{ name: "x", type: "str" }],
  returns: "str",
  call(args) {
    const text = expectString("from_base64", "x", args[0]);
    const body = text.replace(/[^A-Za-z0-9+/=]/g, "");
    const data = body.replace(/=+$/, "");
    if (data.includes("=")) throw new FunctionError("Invalid base64-encoded string: padding inside the data");
    if (data.length % 4 === 1) {
      throw new FunctionError(
        `Invalid base64-encoded string: number of data characters (${data.length}) cannot be 1 more than a multiple of 4`,
      );
    }
    if (body.length % 4 !== 0) throw new FunctionError("Incorrect padding");
    const bytes = Buffer.from(data, "base64");
    try {
      return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch {
      throw new FunctionError("the decoded bytes are not valid UTF-8");
    }
  },
};

const serializeJson: FunctionDefinition = {
  name: "serialize_json",
  group: "Type conversion",
  description: "Compact JSON text of a value.",
  params: [{ name: "x", type: "Any" }],
  returns: "str",
  call(args, context) {
    try {
      return toJsonText(args[0] ?? null, context.limits?.maxOutputChars ?? Number.POSITIVE_INFINITY);
    } catch (error) {
      if (error instanceof BudgetExceeded) throw new FunctionError(error.message, "limit_exceeded");
      throw error;
    }
  },
};

const deserializeJson: FunctionDefinition = {
  name: "deserialize_json",
  group: "Type conversion",
  description: "Parses strict JSON text.",
  params: [{ name: "obj", type: "str" }],
  returns: "Any",
  call(args) {
    const text = args[0] ?? null;
    if (typeof text !== "string") throw new FunctionError(`Input must be str, got ${typeName(text)}`, "type_error");
    try {
      return JSON.parse(text) as ExprValue;
    } catch {
      throw new FunctionError("the input is not valid JSON");
    }
  },
};

const uuid4: FunctionDefinition = {
  name: "uuid4",
  group: "Generators",
  description: "A random version-4 UUID.",
  params: [],
  returns: "str",
  call: () => randomUUID(),
};

const now: FunctionDefinition = {
  name: "now",
  group: "Time related",
  description: "The run's logical time as a naive UTC datetime (or ISO text with as_isoformat).",
  params: [
    { name: "as_isoformat", type: "bool", optional: true },
    { name: "timespec", type: "str", optional: true },
  ],
  returns: "datetime | str",
  call(args, context) {
    const value = new StarterDateTime(DateTime.fromMillis(context.now(), { zone: "utc" }), false);
    const asIso = args[0];
    return asIso !== undefined && asIso !== null && asIso !== false && asIso !== 0 && asIso !== ""
      ? value.toJSON()
      : value;
  },
};

const toDatetime: FunctionDefinition = {
  name: "to_datetime",
  group: "Time related",
  description: "A datetime from an ISO 8601 string or epoch seconds (optionally converted to a time zone).",
  params: [
    { name: "x", type: "Any" },
    { name: "timezone", type: "str | None", optional: true },
  ],
  returns: "datetime",
  call(args) {
    const x = args[0] ?? null;
    let result: StarterDateTime | undefined;
    if (x instanceof StarterDateTime) result = x;
    else if (typeof x === "boolean" || (typeof x === "number" && Number.isInteger(x))) {
      result = new StarterDateTime(DateTime.fromSeconds(Number(x), { zone: "utc" }), true);
    } else if (typeof x === "string") {
      result = parseIsoDateTime(x);
      if (!result) throw new FunctionError("Invalid isoformat string: expected ISO 8601 such as 2021-01-01T00:00:00Z");
    } else {
      throw new FunctionError(
        `Expected ISO 8601 string or integer timestamp in seconds. Got ${typeName(x)}`,
        "type_error",
      );
    }
    const tz = args[1] ?? null;
    if (tz === null || tz === "") return result;
    if (typeof tz !== "string") throw new FunctionError(`timezone must be str, got ${typeName(tz)}`, "type_error");
    const zoned = result.value.setZone(tz);
    if (!zoned.isValid) throw new FunctionError(`No time zone found with key ${tz}`);
    return new StarterDateTime(zoned, true);
  },
};

const hashSha256: FunctionDefinition = {
  name: "hash_sha256",
  group: "Hash functions",
  description: "Lower-case hex SHA-256 of the UTF-8 bytes of a string.",
  params: [{ name: "x", type: "str" }],
  returns: "str",
  call(args) {
    const text = args[0] ?? null;
    if (typeof text !== "string") throw new FunctionError("object supporting the buffer API required", "type_error");
    return createHash("sha256").update(text, "utf8").digest("hex");
  },
};

/** The 20 starter functions (21 names with the `contains` alias of `is_in`). */
export const starterFunctions: readonly FunctionDefinition[] = [
  concat,
  format,
  join,
  split,
  length,
  lowercase,
  uppercase,
  isEqual,
  isNull,
  isIn,
  lookup,
  merge,
  toBase64,
  fromBase64,
  serializeJson,
  deserializeJson,
  uuid4,
  now,
  toDatetime,
  hashSha256,
];
