// Tracecat's extended JSONPath: the dialect of jsonpath_ng's `ext` parser (1.7), as Tracecat
// evaluates context paths with it. No JavaScript library implements this dialect, so it is parsed
// and evaluated here: `.name`, quoted names, `.*`, `..`, `[n]`, `[*]`, slices, filters
// (`[?age >= 40]`, `[?(@.a.b == 'x')]`, `&` between conditions, `=~`), sorting (`[/f]`, `[\f]`)
// and the backtick operators `len`, `sorted`, `keys`, `this`, `str()`, `sub(/re/, repl)`,
// `split(sep, index, maxsplit)`. Messages name types and path text, never values.
import type { ExprValue } from "../functions/function-definition.js";
import { pyReExtract, pySub } from "../functions/library/regex.js";
import { compareStrings, pyCompare, pyEquals, pyLess } from "../values/equality.js";
import { pyStr } from "../values/python-str.js";
import { isDict, typeName } from "../values/types.js";

/** A path the dialect cannot parse; offsets are into the path text. */
export class JsonPathSyntaxError extends Error {
  constructor(
    message: string,
    readonly start: number,
    readonly end: number,
  ) {
    super(message);
  }
}

/** A path that parsed but cannot be applied (jsonpath_ng raises here too). */
export class JsonPathEvalError extends Error {}

export type FilterOp = "==" | "=" | "!=" | "<" | "<=" | ">" | ">=" | "=~";
export interface Condition {
  readonly target: Step[];
  readonly op?: FilterOp;
  readonly value?: string | number | boolean;
  /** The literal was an integer (jsonpath_ng converts the field with int() first). */
  readonly intLiteral?: boolean;
}

export type Step =
  | { readonly kind: "field"; readonly name: string }
  | { readonly kind: "allFields" }
  | { readonly kind: "descend"; readonly rest: Step[] }
  | { readonly kind: "index"; readonly index: number }
  | { readonly kind: "indices"; readonly indices: number[] }
  | { readonly kind: "fields"; readonly names: string[] }
  | { readonly kind: "slice"; readonly start?: number; readonly end?: number; readonly step?: number }
  | { readonly kind: "filter"; readonly conditions: Condition[] }
  | { readonly kind: "sort"; readonly keys: { path: Step[]; reverse: boolean }[] }
  | { readonly kind: "len" }
  | { readonly kind: "keys" }
  | { readonly kind: "this" }
  | { readonly kind: "sorted" }
  | { readonly kind: "str" }
  | { readonly kind: "sub"; readonly pattern: string; readonly repl: string }
  | { readonly kind: "split"; readonly sep: string; readonly segment: number | "*"; readonly maxSplit: number };

export interface CompiledPath {
  readonly steps: Step[];
  /** Tracecat's rule: `[*]`, `[?(` or `[?@` in the text makes the result a list whatever the count. */
  readonly alwaysList: boolean;
}

const SUB = /^sub\(\/(.*)\/,\s+(.*)\)/s;
const SPLIT =
  /^split(?:\s+)?\((?:\s+)?(?<quote>(?:(?:'|"))?)(.+)\k<quote>(?:\s+)?,(?:\s+)?((?:-)?\d+|\*)(?:\s+)?,(?:\s+)?((?:-)?\d+)(?:\s+)?\)/s;

const ID_START = /[A-Za-z_]/;
const ID_PART = /[A-Za-z0-9_@-]/;

class PathParser {
  private pos = 0;
  constructor(private readonly src: string) {}

  fail(message: string, start = this.pos, end = Math.min(this.src.length, start + 1)): never {
    throw new JsonPathSyntaxError(message, start, Math.max(end, start + 1));
  }

  private skipSpace(): void {
    while (this.src[this.pos] === " " || this.src[this.pos] === "\t") this.pos++;
  }

  private peek(s: string): boolean {
    return this.src.startsWith(s, this.pos);
  }

  /** A chain of steps; `stop` returns true at a character that ends the chain (inside filters). */
  chain(relative: boolean, stop: (c: string) => boolean): Step[] {
    const steps: Step[] = [];
    let first = true;
    for (;;) {
      this.skipSpace();
      const c = this.src[this.pos];
      if (c === undefined || stop(c)) break;
      if (this.peek("..")) {
        this.pos += 2;
        this.skipSpace();
        const next = this.src[this.pos];
        if (next === undefined || stop(next))
          this.fail("`..` must be followed by a name, `*` or a bracket", this.pos - 2, this.pos);
        const rest: Step[] = next === "[" ? [] : [this.atom()];
        rest.push(...this.chain(false, stop));
        steps.push({ kind: "descend", rest });
        break;
      }
      if (c === ".") {
        this.pos++;
        this.skipSpace();
        if (this.src[this.pos] === "[") continue;
        steps.push(this.atom());
      } else if (c === "[") {
        steps.push(this.bracket());
      } else if (first && relative) {
        if (c === "@") {
          this.pos++;
          if (ID_START.test(this.src[this.pos] ?? "")) steps.push(this.atom());
          else steps.push({ kind: "this" });
        } else steps.push(this.atom());
      } else {
        this.fail(`Unexpected '${c}' in the path: expected '.', '..' or '['`);
      }
      first = false;
    }
    return steps;
  }

  /** A name, `*`, a quoted name or a backtick operator. */
  private atom(): Step {
    const start = this.pos;
    const c = this.src[this.pos];
    if (c === "*") {
      this.pos++;
      return { kind: "allFields" };
    }
    if (c === "'" || c === '"') return { kind: "field", name: this.quoted() };
    if (c === "`") return this.operator();
    if (c !== undefined && (ID_START.test(c) || /\d/.test(c))) {
      while (this.pos < this.src.length && ID_PART.test(this.src[this.pos] as string)) this.pos++;
      const name = this.src.slice(start, this.pos);
      return { kind: "field", name };
    }
    return this.fail(c === undefined ? "The path ends after '.': add a name" : `Unexpected '${c}' after '.'`);
  }

  private quoted(): string {
    const start = this.pos;
    const q = this.src[this.pos] as string;
    let out = "";
    this.pos++;
    while (this.pos < this.src.length && this.src[this.pos] !== q) {
      if (this.src[this.pos] === "\\" && this.pos + 1 < this.src.length) this.pos++;
      out += this.src[this.pos];
      this.pos++;
    }
    if (this.pos >= this.src.length) this.fail("Unterminated quoted name in the path", start, this.src.length);
    this.pos++;
    return out;
  }

  private operator(): Step {
    const start = this.pos;
    const close = this.src.indexOf("`", start + 1);
    if (close === -1) this.fail("Unterminated backtick operator in the path", start, this.src.length);
    const text = this.src.slice(start + 1, close);
    this.pos = close + 1;
    const bad = (why: string): never => this.fail(`Invalid \`${text}\`: ${why}`, start, close + 1);
    if (text === "len") return { kind: "len" };
    if (text === "keys") return { kind: "keys" };
    if (text === "this") return { kind: "this" };
    if (text === "sorted") return { kind: "sorted" };
    if (text.startsWith("str(")) {
      if (!text.startsWith("str()")) bad("write `str()`");
      return { kind: "str" };
    }
    if (text.startsWith("sub(")) {
      const m = SUB.exec(text);
      if (!m) return bad("write `sub(/regex/, replacement)` (a space after the comma is required)");
      return { kind: "sub", pattern: (m[1] as string).trim(), repl: (m[2] as string).trim() };
    }
    if (text.startsWith("split(")) {
      const m = SPLIT.exec(text);
      if (!m) return bad("write `split(separator, index or *, maxsplit)`, e.g. `split(-, 0, -1)`");
      const segment = m[3] === "*" ? "*" : Number(m[3]);
      return { kind: "split", sep: m[2] as string, segment, maxSplit: Number(m[4]) };
    }
    if (text === "parent") return bad("`parent` is not supported by Coffer");
    return bad("unknown operator; use `len`, `keys`, `sorted`, `str()`, `sub(/re/, repl)` or `split(sep, i, max)`");
  }

  private int(): number | undefined {
    this.skipSpace();
    const m = /^-?\d+/.exec(this.src.slice(this.pos));
    if (!m) return undefined;
    this.pos += m[0].length;
    return Number(m[0]);
  }

  private bracket(): Step {
    const open = this.pos;
    this.pos++;
    this.skipSpace();
    const c = this.src[this.pos];
    let step: Step;
    if (c === "?") {
      this.pos++;
      step = { kind: "filter", conditions: this.conditions() };
    } else if (c === "/" || c === "\\") {
      step = this.sorts();
    } else if (c === "*") {
      this.pos++;
      step = { kind: "slice" };
    } else if (c === "'" || c === '"') {
      const names = [this.quoted()];
      for (;;) {
        this.skipSpace();
        if (this.src[this.pos] !== ",") break;
        this.pos++;
        this.skipSpace();
        const q = this.src[this.pos];
        if (q !== "'" && q !== '"') this.fail("Expected a quoted name after ',' in the bracket");
        names.push(this.quoted());
      }
      step = names.length === 1 ? { kind: "field", name: names[0] as string } : { kind: "fields", names };
    } else {
      const a = this.int();
      this.skipSpace();
      if (this.src[this.pos] === ":") {
        this.pos++;
        const b = this.int();
        let s: number | undefined;
        this.skipSpace();
        if (this.src[this.pos] === ":") {
          this.pos++;
          s = this.int();
          if (s === 0) this.fail("A slice step cannot be zero", open, this.pos);
        }
        step = { kind: "slice", start: a, end: b, step: s };
      } else if (a !== undefined && this.src[this.pos] === ",") {
        const indices = [a];
        while (this.src[this.pos] === ",") {
          this.pos++;
          const n = this.int();
          if (n === undefined) this.fail("Expected an index after ',' in the bracket");
          indices.push(n);
          this.skipSpace();
        }
        step = { kind: "indices", indices };
      } else if (a !== undefined) {
        step = { kind: "index", index: a };
      } else if (c !== undefined && ID_START.test(c)) {
        const start = this.pos;
        while (this.pos < this.src.length && ID_PART.test(this.src[this.pos] as string)) this.pos++;
        step = { kind: "field", name: this.src.slice(start, this.pos) };
      } else {
        return this.fail(
          "Unsupported bracket: use an index `[0]`, `[*]`, a slice `[1:3]`, a quoted name `['a.b']`, a filter `[?field == 'x']` or a sort `[/field]`",
          open,
          this.closeOf(open),
        );
      }
    }
    this.skipSpace();
    if (this.src[this.pos] !== "]") {
      this.fail(`Unexpected text in the bracket: expected ']'`, this.pos, this.closeOf(open));
    }
    this.pos++;
    return step;
  }

  private closeOf(open: number): number {
    const close = this.src.indexOf("]", open);
    return close === -1 ? this.src.length : close + 1;
  }

  private sorts(): Step {
    const keys: { path: Step[]; reverse: boolean }[] = [];
    for (;;) {
      this.skipSpace();
      const c = this.src[this.pos];
      if (c !== "/" && c !== "\\") this.fail("Expected '/field' or '\\field' in the sort");
      this.pos++;
      const path = this.chain(true, (ch) => ch === "]" || ch === "," || ch === "/" || ch === "\\");
      if (!path.length) this.fail("The sort needs a field after '/' or '\\'");
      keys.push({ path, reverse: c === "\\" });
      this.skipSpace();
      if (this.src[this.pos] === ",") this.pos++;
      if (this.src[this.pos] === "]") break;
    }
    return { kind: "sort", keys };
  }

  private conditions(): Condition[] {
    const out: Condition[] = [];
    for (;;) {
      this.skipSpace();
      if (this.src[this.pos] === "(") {
        this.pos++;
        out.push(...this.conditions());
        this.skipSpace();
        if (this.src[this.pos] !== ")") this.fail("Expected ')' to close the '(' in the filter");
        this.pos++;
      } else out.push(this.condition());
      this.skipSpace();
      if (this.src[this.pos] === "&") {
        this.pos++;
        continue;
      }
      if (this.src[this.pos] === "|") this.fail("`|` (or) is not supported in filters; use two references with `||`");
      return out;
    }
  }

  private condition(): Condition {
    const start = this.pos;
    const target = this.chain(true, (c) => "=!<>&|)] ".includes(c));
    if (!target.length) this.fail("The filter needs a field to test, e.g. [?age >= 40]", start);
    this.skipSpace();
    const m = /^(=~|==?|<=|>=|!=|<|>)/.exec(this.src.slice(this.pos));
    if (!m) return { target };
    const op = m[0] as FilterOp;
    this.pos += op.length;
    this.skipSpace();
    const vstart = this.pos;
    const rest = this.src.slice(this.pos);
    const c = rest[0];
    let value: string | number | boolean;
    let intLiteral = false;
    const float = /^-?\d+\.\d+/.exec(rest);
    const int = /^-?\d+/.exec(rest);
    const bool = /^(true|false)(?![a-zA-Z0-9_@-])/.exec(rest);
    const word = /^@?[a-zA-Z_][a-zA-Z0-9_@-]*/.exec(rest);
    if (c === "'" || c === '"') value = this.quoted();
    else if (float) {
      value = Number(float[0]);
      this.pos += float[0].length;
    } else if (int) {
      value = Number(int[0]);
      intLiteral = true;
      this.pos += int[0].length;
    } else if (bool) {
      value = bool[0] === "true";
      this.pos += bool[0].length;
    } else if (word) {
      value = word[0];
      this.pos += word[0].length;
      this.skipSpace();
      if (this.src[this.pos] === ".") {
        this.fail("Comparing two paths in a filter is not supported; compare with a literal", vstart, this.pos + 1);
      }
    } else {
      return this.fail(`The filter needs a value after '${op}' (a number, true/false or a quoted string)`, vstart);
    }
    return { target, op, value, intLiteral };
  }

  done(): void {
    this.skipSpace();
    if (this.pos < this.src.length) this.fail(`Unexpected '${this.src[this.pos]}' in the path`);
  }
}

/** Parses a path as written after the context name (`.users[?age >= 40].name`). */
export function compileJsonPath(text: string): CompiledPath {
  const parser = new PathParser(text);
  const steps = parser.chain(false, () => false);
  parser.done();
  const alwaysList = text.includes("[*]") || text.includes("[?(") || text.includes("[?@");
  return { steps, alwaysList };
}

// --- evaluation ------------------------------------------------------------------------------

export interface FindLimits {
  readonly maxMatches: number;
  readonly tick?: () => void;
}

/** Every match of `steps` from `root`, in jsonpath_ng's order. */
export function findJsonPath(steps: readonly Step[], root: ExprValue, limits: FindLimits): ExprValue[] {
  let current: ExprValue[] = [root];
  for (let i = 0; i < steps.length; i++) {
    current = applyStep(steps[i] as Step, current, limits);
    if (current.length > limits.maxMatches) {
      throw new JsonPathEvalError(`The path matched more than the limit of ${limits.maxMatches} items`);
    }
    if (!current.length) break;
  }
  return current;
}

function applyStep(step: Step, values: ExprValue[], limits: FindLimits): ExprValue[] {
  const out: ExprValue[] = [];
  for (const value of values) {
    limits.tick?.();
    switch (step.kind) {
      case "field":
        if (isDict(value) && Object.hasOwn(value, step.name)) out.push(value[step.name] as ExprValue);
        break;
      case "fields":
        if (isDict(value)) for (const k of step.names) if (Object.hasOwn(value, k)) out.push(value[k] as ExprValue);
        break;
      case "indices":
        if (Array.isArray(value)) {
          for (const index of step.indices) {
            const i = index < 0 ? value.length + index : index;
            if (i >= 0 && i < value.length) out.push(value[i] as ExprValue);
          }
        }
        break;
      case "allFields":
        if (isDict(value)) for (const k of Object.keys(value)) out.push(value[k] as ExprValue);
        break;
      case "index":
        if (Array.isArray(value) || typeof value === "string") {
          const list: readonly ExprValue[] = typeof value === "string" ? Array.from(value) : value;
          const i = step.index < 0 ? list.length + step.index : step.index;
          if (i >= 0 && i < list.length) out.push(list[i] as ExprValue);
        }
        break;
      case "slice":
        out.push(...slice(value, step));
        break;
      case "descend":
        descend(value, step.rest, out, limits, 0);
        break;
      case "filter":
        out.push(...filter(value, step.conditions, limits));
        break;
      case "sort":
        out.push(sortBy(value, step.keys, limits));
        break;
      case "sorted":
        out.push(sorted(value));
        break;
      case "len":
        if (typeof value === "string") out.push([...value].length);
        else if (Array.isArray(value)) out.push(value.length);
        else if (isDict(value)) out.push(Object.keys(value).length);
        break;
      case "keys":
        if (isDict(value)) out.push(...Object.keys(value));
        break;
      case "this":
        out.push(value);
        break;
      case "str":
        out.push(pyStr(value));
        break;
      case "sub": {
        if (typeof value !== "string") {
          throw new JsonPathEvalError(`\`sub(…)\` needs a string, got ${typeName(value)}`);
        }
        const replaced = pySub(step.pattern, step.repl, value);
        if (replaced !== value) out.push(replaced);
        break;
      }
      case "split": {
        if (typeof value !== "string") break;
        const parts = pySplit(value, step.sep, step.maxSplit);
        if (step.segment === "*") out.push(parts);
        else {
          const i = step.segment < 0 ? parts.length + step.segment : step.segment;
          if (i >= 0 && i < parts.length) out.push(parts[i] as string);
        }
        break;
      }
    }
  }
  return out;
}

function descend(value: ExprValue, rest: Step[], out: ExprValue[], limits: FindLimits, depth: number): void {
  if (depth > 256) throw new JsonPathEvalError("The document is nested too deeply for `..`");
  out.push(...findJsonPath(rest, value, limits));
  if (out.length > limits.maxMatches) {
    throw new JsonPathEvalError(`The path matched more than the limit of ${limits.maxMatches} items`);
  }
  if (Array.isArray(value)) for (const item of value) descend(item, rest, out, limits, depth + 1);
  else if (isDict(value))
    for (const k of Object.keys(value)) descend(value[k] as ExprValue, rest, out, limits, depth + 1);
}

// jsonpath_ng's Slice: falsy values match nothing; a dict, int or str is treated as a one-item list.
function slice(value: ExprValue, step: { start?: number; end?: number; step?: number }): ExprValue[] {
  if (value === null || value === false || value === 0 || value === "") return [];
  let list: ExprValue[];
  if (Array.isArray(value)) list = value;
  else if (isDict(value) || typeof value === "string" || typeof value === "boolean" || Number.isInteger(value)) {
    if (isDict(value) && !Object.keys(value).length) return [];
    list = [value];
  } else return [];
  if (step.start === undefined && step.end === undefined && step.step === undefined) return [...list];
  return pySlice(list, step.start, step.end, step.step ?? 1);
}

function pySlice<T>(list: readonly T[], start: number | undefined, end: number | undefined, step: number): T[] {
  const n = list.length;
  const norm = (i: number, dflt: number, lo: number, hi: number) => {
    if (i === undefined) return dflt;
    const j = i < 0 ? i + n : i;
    return Math.min(Math.max(j, lo), hi);
  };
  const out: T[] = [];
  if (step > 0) {
    const a = norm(start as number, 0, 0, n);
    const b = norm(end as number, n, 0, n);
    for (let i = a; i < b; i += step) out.push(list[i] as T);
  } else {
    const a = norm(start as number, n - 1, -1, n - 1);
    const b = norm(end as number, -1, -1, n - 1);
    for (let i = a; i > b; i += step) out.push(list[i] as T);
  }
  return out;
}

function filter(value: ExprValue, conditions: Condition[], limits: FindLimits): ExprValue[] {
  let items: ExprValue[];
  if (Array.isArray(value)) items = value;
  else if (isDict(value)) items = Object.keys(value).map((k) => value[k] as ExprValue);
  else return [];
  return items.filter((item) => conditions.every((c) => test(c, item, limits)));
}

function test(c: Condition, item: ExprValue, limits: FindLimits): boolean {
  const found = findJsonPath(c.target, item, limits);
  if (!found.length) return false;
  if (c.op === undefined) return true;
  for (let value of found) {
    const literal = c.value as string | number | boolean;
    if (c.intLiteral || typeof literal === "boolean") {
      const converted = pyInt(value);
      if (converted === undefined) continue;
      value = converted;
    }
    if (compare(c.op, value, typeof literal === "boolean" ? Number(literal) : literal)) return true;
  }
  return false;
}

/** Python int(x) as jsonpath_ng applies it; undefined where int() raises ValueError (skipped). */
function pyInt(value: ExprValue): number | undefined {
  if (typeof value === "boolean") return Number(value);
  if (typeof value === "number") return Math.trunc(value);
  if (typeof value === "string") {
    const t = value.trim();
    return /^[+-]?\d+(_\d+)*$/.test(t) ? Number(t.replace(/_/g, "")) : undefined;
  }
  throw new JsonPathEvalError(
    `A filter compared a ${typeName(value)} with a number: Python's int() cannot convert a ${typeName(value)} (jsonpath_ng raises TypeError here)`,
  );
}

function compare(op: FilterOp, a: ExprValue, b: string | number): boolean {
  switch (op) {
    case "==":
    case "=":
      return pyEquals(a, b);
    case "!=":
      return !pyEquals(a, b);
    case "=~":
      return typeof a === "string" && pyReExtract(String(b), a) !== null;
    default: {
      const r = pyCompare(op, a, b);
      if (r === undefined) {
        throw new JsonPathEvalError(
          `A filter used '${op}' between a ${typeName(a)} and a ${typeName(b)}, which Python cannot order`,
        );
      }
      return r;
    }
  }
}

function pyOrder(a: ExprValue, b: ExprValue): number {
  if (pyEquals(a, b)) return 0;
  const less = pyLess(a, b);
  if (less === undefined) {
    throw new JsonPathEvalError(`\`sorted\` cannot order a ${typeName(a)} and a ${typeName(b)}`);
  }
  return less ? -1 : 1;
}

function sorted(value: ExprValue): ExprValue {
  if (isDict(value)) return Object.keys(value).sort(compareStrings);
  if (Array.isArray(value)) return [...value].sort(pyOrder);
  return value;
}

function sortBy(value: ExprValue, keys: { path: Step[]; reverse: boolean }[], limits: FindLimits): ExprValue {
  if (!Array.isArray(value)) return value;
  return [...value].sort((left, right) => {
    for (const { path, reverse } of keys) {
      const l = findJsonPath(path, left, limits);
      const r = findJsonPath(path, right, limits);
      if (l.length !== 1 || r.length !== 1 || pyEquals(l[0] as ExprValue, r[0] as ExprValue)) continue;
      const less = pyLess(l[0] as ExprValue, r[0] as ExprValue);
      if (less === undefined) {
        throw new JsonPathEvalError(
          `The sort cannot order a ${typeName(l[0] as ExprValue)} and a ${typeName(r[0] as ExprValue)}`,
        );
      }
      return less ? (reverse ? 1 : -1) : reverse ? -1 : 1;
    }
    return 0;
  });
}

/** Python str.split(sep, maxsplit). */
function pySplit(s: string, sep: string, maxSplit: number): string[] {
  const parts = s.split(sep);
  if (maxSplit < 0 || parts.length <= maxSplit + 1) return parts;
  return [...parts.slice(0, maxSplit), parts.slice(maxSplit).join(sep)];
}
