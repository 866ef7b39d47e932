// `entrypoint.expects`: Tracecat's type grammar and the normalisation of a trigger payload into TRIGGER.
import { CofferError } from "@coffer/core";

export type TypeExpr =
  | { kind: "int" | "str" | "bool" | "float" | "datetime" | "duration" | "any" | "none" }
  | { kind: "list"; item: TypeExpr }
  | { kind: "dict"; key: TypeExpr; value: TypeExpr }
  | { kind: "union"; options: TypeExpr[] }
  | { kind: "enum"; values: string[] }
  | { kind: "reference"; name: string };

export interface ExpectedField {
  type: string;
  parsed: TypeExpr;
  description: string | null;
  hasDefault: boolean;
  default: unknown;
}

const ENTRY_KEYS = new Set(["type", "description", "default", "enum", "optional"]);
const EXAMPLES =
  "Supported examples include 'str', 'int', 'list[str]', 'dict[str, Any]', 'str | None', 'enum[\"open\", \"closed\"]', or '$SomeReference'.";

function invalid(message: string, details: Record<string, unknown>): CofferError {
  return new CofferError("workflow_invalid", message, { details });
}

/** Checks `entrypoint.expects` and parses each type; null or `{}` mean no schema. */
export function parseExpects(raw: unknown): Record<string, ExpectedField> | null {
  if (raw === undefined || raw === null) return null;
  if (typeof raw !== "object" || Array.isArray(raw))
    throw invalid("`entrypoint.expects` must be a mapping of input names to {type, default?, description?}.", {
      field: "entrypoint.expects",
    });
  const out: Record<string, ExpectedField> = {};
  for (const [name, entry] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof entry !== "object" || entry === null || Array.isArray(entry))
      throw invalid(`Invalid entrypoint expected field '${name}'. It must be a mapping with a \`type\`.`, {
        field: name,
      });
    const e = entry as Record<string, unknown>;
    for (const key of Object.keys(e))
      if (!ENTRY_KEYS.has(key))
        throw invalid(
          `Invalid entrypoint expected field '${name}'. \`${key}\` is not allowed (use type, description, default, enum, optional).`,
          { field: name, key },
        );
    if (typeof e.type !== "string")
      throw invalid(`Invalid entrypoint expected field '${name}'. \`type\` is required and must be a string.`, {
        field: name,
      });
    out[name] = {
      type: e.type,
      parsed: parseTypeExpr(e.type, name),
      description: typeof e.description === "string" ? e.description : null,
      hasDefault: Object.hasOwn(e, "default"),
      default: e.default ?? null,
    };
  }
  return Object.keys(out).length === 0 ? null : out;
}

/** Parses one type expression (§2.2). */
export function parseTypeExpr(text: string, field: string): TypeExpr {
  const fail = (): never => {
    const bareList = text.trim() === "list";
    throw invalid(
      `Invalid type annotation for expected field '${field}': '${text}'. ${bareList ? "Lists must include an item type, e.g. 'list[str]' or 'list[Any]'." : EXAMPLES}`,
      { field, type: text },
    );
  };
  const tokens = text.match(/\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|\$?[A-Za-z_][A-Za-z0-9_]*|[[\],|])/gy);
  if (!tokens || tokens.join("").replace(/\s+/g, "") !== text.replace(/\s+/g, "")) fail();
  const toks = (tokens as string[]).map((t) => t.trim());
  let i = 0;
  const peek = () => toks[i];
  const eat = (t: string) => {
    if (toks[i] !== t) fail();
    i++;
  };
  const parseUnion = (): TypeExpr => {
    const options = [parseOne()];
    while (peek() === "|") {
      i++;
      options.push(parseOne());
    }
    return options.length === 1 ? (options[0] as TypeExpr) : { kind: "union", options };
  };
  const parseOne = (): TypeExpr => {
    const t = toks[i++];
    if (t === undefined) return fail();
    switch (t) {
      case "int":
      case "str":
      case "bool":
      case "float":
      case "datetime":
      case "duration":
        return { kind: t };
      case "any":
      case "Any":
        return { kind: "any" };
      case "None":
        return { kind: "none" };
      case "list": {
        if (peek() !== "[") return fail();
        eat("[");
        const item = parseUnion();
        eat("]");
        return { kind: "list", item };
      }
      case "dict": {
        if (peek() !== "[") return { kind: "dict", key: { kind: "str" }, value: { kind: "any" } };
        eat("[");
        const key = parseUnion();
        eat(",");
        const value = parseUnion();
        eat("]");
        return { kind: "dict", key, value };
      }
      case "enum": {
        eat("[");
        const values: string[] = [];
        for (;;) {
          const lit = toks[i++];
          if (!lit || !/^["']/.test(lit)) return fail();
          values.push(lit.slice(1, -1));
          if (peek() === ",") i++;
          else break;
        }
        eat("]");
        if (values.length > 20) throw invalid("Too many enum values (maximum 20)", { field });
        const lower = new Set<string>();
        for (const v of values) {
          if (v === "") throw invalid("Enum value cannot be empty", { field });
          if (lower.has(v.toLowerCase())) throw invalid(`Duplicate enum value: ${v}`, { field });
          lower.add(v.toLowerCase());
        }
        return { kind: "enum", values };
      }
      default:
        if (t.startsWith("$") && t.length > 1) return { kind: "reference", name: t.slice(1) };
        return fail();
    }
  };
  const result = parseUnion();
  if (i !== toks.length) fail();
  return result;
}

interface Issue {
  loc: string;
  kind: string;
  msg: string;
}

const BOOL_TRUE = new Set(["true", "t", "yes", "y", "on", "1"]);
const BOOL_FALSE = new Set(["false", "f", "no", "n", "off", "0"]);

function coerce(type: TypeExpr, value: unknown, loc: string, issues: Issue[]): unknown {
  const wrong = (kind: string, msg: string) => {
    issues.push({ loc, kind, msg });
    return undefined;
  };
  switch (type.kind) {
    case "any":
    case "reference":
      return value;
    case "none":
      return value === null ? null : wrong("none_required", "Input should be None");
    case "str":
      return typeof value === "string" ? value : wrong("string_type", "Input should be a valid string");
    case "int":
      if (typeof value === "number" && Number.isInteger(value)) return value;
      if (typeof value === "number")
        return wrong("int_from_float", "Input should be a valid integer, got a number with a fractional part");
      if (typeof value === "string" && /^\s*[-+]?\d+\s*$/.test(value)) return Number.parseInt(value, 10);
      if (typeof value === "string")
        return wrong("int_parsing", "Input should be a valid integer, unable to parse string as an integer");
      return wrong("int_type", "Input should be a valid integer");
    case "float":
      if (typeof value === "number") return value;
      if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))) return Number(value);
      if (typeof value === "string")
        return wrong("float_parsing", "Input should be a valid number, unable to parse string as a number");
      return wrong("float_type", "Input should be a valid number");
    case "bool":
      if (typeof value === "boolean") return value;
      if (value === 0 || value === 1) return value === 1;
      if (typeof value === "string") {
        const v = value.toLowerCase();
        if (BOOL_TRUE.has(v)) return true;
        if (BOOL_FALSE.has(v)) return false;
        return wrong("bool_parsing", "Input should be a valid boolean, unable to interpret input");
      }
      return wrong("bool_type", "Input should be a valid boolean");
    case "datetime": {
      if (typeof value === "number") return new Date(value * 1000).toISOString();
      if (typeof value === "string" && /^\d{4}-\d{2}-\d{2}/.test(value) && !Number.isNaN(Date.parse(value)))
        return value;
      return wrong("datetime_parsing", "Input should be a valid datetime");
    }
    case "duration": {
      if (typeof value === "number") return `PT${value}S`;
      if (
        typeof value === "string" &&
        /^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/.test(value)
      )
        return value;
      return wrong("time_delta_parsing", "Input should be a valid duration");
    }
    case "enum":
      if (typeof value === "string" && type.values.includes(value)) return value;
      return wrong("enum", `Input should be ${type.values.map((v) => `'${v}'`).join(", ")}`);
    case "list":
      if (!Array.isArray(value)) return wrong("list_type", "Input should be a valid list");
      return value.map((item, idx) => coerce(type.item, item, `${loc}.${idx}`, issues));
    case "dict": {
      if (typeof value !== "object" || value === null || Array.isArray(value))
        return wrong("dict_type", "Input should be a valid dictionary");
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = coerce(type.value, v, `${loc}.${k}`, issues);
      return out;
    }
    case "union": {
      for (const option of type.options) {
        const local: Issue[] = [];
        const result = coerce(option, value, loc, local);
        if (local.length === 0) return result;
      }
      return wrong("union", `Input should match one of: ${type.options.map(describe).join(" | ")}`);
    }
  }
}

function describe(t: TypeExpr): string {
  switch (t.kind) {
    case "list":
      return `list[${describe(t.item)}]`;
    case "dict":
      return `dict[${describe(t.key)}, ${describe(t.value)}]`;
    case "union":
      return t.options.map(describe).join(" | ");
    case "enum":
      return `enum[${t.values.map((v) => JSON.stringify(v)).join(", ")}]`;
    case "reference":
      return `$${t.name}`;
    case "none":
      return "None";
    default:
      return t.kind;
  }
}

/**
 * The payload as TRIGGER (§2.3): unchanged without a schema or when it is not a mapping
 * (Tracecat quirk Q13, kept); otherwise unknown keys refused, values coerced, defaults filled.
 */
export function normalizeTrigger(expects: Record<string, ExpectedField> | null, payload: unknown): unknown {
  if (!expects) return payload === undefined ? null : payload;
  const input = payload === undefined || payload === null ? {} : payload;
  if (typeof input !== "object" || Array.isArray(input)) return input;
  const given = input as Record<string, unknown>;
  const issues: Issue[] = [];
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(given))
    if (!Object.hasOwn(expects, key))
      issues.push({ loc: key, kind: "extra_forbidden", msg: "Extra inputs are not permitted" });
  for (const [name, field] of Object.entries(expects)) {
    if (Object.hasOwn(given, name)) out[name] = coerce(field.parsed, given[name], name, issues);
    else if (field.hasDefault) out[name] = field.default;
    else issues.push({ loc: name, kind: "missing", msg: "Field required" });
  }
  if (issues.length > 0) {
    const lines = issues.map((issue, i) => {
      const n = `${i + 1}. `;
      if (issue.kind === "extra_forbidden")
        return `${n}The attribute '${issue.loc}' is not allowed in the input schema.`;
      if (issue.kind === "missing") return `${n}Missing required field(s): '${issue.loc}'.`;
      return `${n}The attribute '${issue.loc}' does not match the input schema:\n${issue.msg}.\n(pydantic.${issue.kind})`;
    });
    throw new CofferError("trigger_invalid", `Failed to validate trigger inputs:\n\n${lines.join("\n")}`, {
      details: { errors: issues.map((x) => ({ type: `pydantic.${x.kind}`, msg: x.msg, loc: x.loc.split(".") })) },
    });
  }
  return out;
}
