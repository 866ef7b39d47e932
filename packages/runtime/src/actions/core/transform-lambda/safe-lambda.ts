// A safe evaluator for the Python lambda subset Tracecat's transforms accept (§5.2). It parses the
// text into its own small tree and walks it over plain data: no eval, no host objects, no dunders.
import { CofferError } from "@coffer/core";
import { findJsonPathValue, pyEquals, pyIn, pyLess, pyRepr, pyStr, truthy, typeName } from "./python-values.js";

type Node =
  | { k: "lit"; v: unknown }
  | { k: "name"; id: string }
  | { k: "fstr"; parts: (string | { e: Node; conv: string | null; spec: string })[] }
  | { k: "list" | "tuple" | "set"; items: Node[] }
  | { k: "dict"; entries: ({ key: Node; value: Node } | { spread: Node })[] }
  | {
      k: "comp";
      kind: "list" | "set" | "gen" | "dict";
      elt: Node;
      value?: Node;
      clauses: { target: string[]; iter: Node; ifs: Node[] }[];
    }
  | { k: "attr"; obj: Node; name: string }
  | { k: "index"; obj: Node; index: Node }
  | { k: "slice"; obj: Node; lo: Node | null; hi: Node | null; step: Node | null }
  | { k: "call"; fn: Node; args: Node[]; kwargs: Record<string, Node> }
  | { k: "unary"; op: string; v: Node }
  | { k: "bin"; op: string; l: Node; r: Node }
  | { k: "bool"; op: "and" | "or"; l: Node; r: Node }
  | { k: "cmp"; first: Node; ops: string[]; rest: Node[] }
  | { k: "if"; cond: Node; then: Node; else: Node };

const MAX_CHARS = 1000;
const MAX_ITEMS = 10_000;
const MAX_DEPTH = 500;
const MAX_STEPS = 2_000_000;
const FORBIDDEN_TEXT = ["__", "\\x", "\\u", "chr(", "ord(", ".decode", ".encode", "base64", "codecs"];
const RESTRICTED = new Set([
  "eval",
  "exec",
  "compile",
  "open",
  "import",
  "__import__",
  "os",
  "sys",
  "subprocess",
  "getattr",
  "setattr",
  "delattr",
  "hasattr",
  "type",
  "globals",
  "locals",
  "vars",
  "dir",
  "input",
  "breakpoint",
  "help",
  "memoryview",
  "object",
  "super",
  "classmethod",
  "staticmethod",
  "property",
  "exit",
  "quit",
  "id",
  "hash",
  "callable",
  "isinstance",
  "issubclass",
  "iter",
  "next",
  "format",
  "bytes",
  "bytearray",
]);

export class LambdaError extends CofferError {
  constructor(message: string) {
    super("expression_error", message);
  }
}

// ---------------- tokenizer ----------------
type Tok = { t: "num" | "str" | "fstr" | "name" | "op" | "end"; v: string; raw?: string };
const OPS = [
  "**",
  "//",
  "==",
  "!=",
  "<=",
  ">=",
  "<<",
  ">>",
  "+",
  "-",
  "*",
  "/",
  "%",
  "<",
  ">",
  "(",
  ")",
  "[",
  "]",
  "{",
  "}",
  ",",
  ":",
  ".",
  "|",
  "&",
  "^",
  "~",
  "=",
];

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const prefix = /^([fFrRbBuU]{0,2})(['"])/.exec(src.slice(i, i + 4));
    if (prefix && (prefix[1] === "" || /^[a-zA-Z]+$/.test(prefix[1] as string))) {
      const flags = (prefix[1] as string).toLowerCase();
      if (flags.includes("b")) throw new LambdaError("Invalid syntax in expression: bytes literals are not allowed");
      const q = prefix[2] as string;
      let j = i + (prefix[1] as string).length;
      const triple = src.startsWith(q.repeat(3), j);
      const close = triple ? q.repeat(3) : q;
      j += close.length;
      let value = "";
      while (!src.startsWith(close, j)) {
        if (j >= src.length) throw new LambdaError("Invalid syntax in expression: unterminated string");
        const ch = src[j] as string;
        if (ch === "\\" && !flags.includes("r")) {
          const n = src[j + 1] ?? "";
          const map: Record<string, string> = { n: "\n", t: "\t", r: "\r", "\\": "\\", "'": "'", '"': '"', "0": "\0" };
          value += map[n] ?? `\\${n}`;
          j += 2;
        } else {
          value += ch;
          j++;
        }
      }
      j += close.length;
      out.push({ t: flags.includes("f") ? "fstr" : "str", v: value });
      i = j;
      continue;
    }
    const num = /^(\d[\d_]*\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?)/.exec(src.slice(i));
    if (num) {
      out.push({ t: "num", v: (num[1] as string).replace(/_/g, "") });
      i += (num[1] as string).length;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i));
    if (name) {
      out.push({ t: "name", v: name[0] });
      i += name[0].length;
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (!op) throw new LambdaError(`Invalid syntax in expression: unexpected character '${c}'`);
    out.push({ t: "op", v: op });
    i += op.length;
  }
  out.push({ t: "end", v: "" });
  return out;
}

// ---------------- parser ----------------
const KEYWORDS = new Set(["lambda", "if", "else", "and", "or", "not", "in", "is", "for", "True", "False", "None"]);
const STATEMENT_WORDS = new Set([
  "import",
  "def",
  "class",
  "while",
  "with",
  "yield",
  "await",
  "async",
  "del",
  "global",
  "nonlocal",
  "raise",
  "try",
  "return",
  "assert",
  "pass",
]);

class Parser {
  private p = 0;
  constructor(private readonly toks: Tok[]) {}
  private peek(o = 0): Tok {
    return this.toks[this.p + o] as Tok;
  }
  private is(v: string, t: Tok["t"] = "op"): boolean {
    const k = this.peek();
    return k.t === t && k.v === v;
  }
  private isWord(v: string): boolean {
    return this.is(v, "name");
  }
  private expect(v: string, t: Tok["t"] = "op"): void {
    if (!this.is(v, t))
      throw new LambdaError(`Invalid syntax in expression: expected '${v}' but found '${this.peek().v || "end"}'`);
    this.p++;
  }
  lambda(): { params: string[]; body: Node } {
    if (!this.isWord("lambda")) throw new LambdaError("Expression must be a lambda function");
    this.p++;
    const params: string[] = [];
    while (!this.is(":")) {
      const n = this.peek();
      if (n.t !== "name" || KEYWORDS.has(n.v))
        throw new LambdaError("Invalid syntax in expression: bad lambda parameter");
      params.push(n.v);
      this.p++;
      if (this.is(",")) this.p++;
    }
    this.expect(":");
    const body = this.expr();
    if (this.peek().t !== "end") throw new LambdaError(`Invalid syntax in expression: unexpected '${this.peek().v}'`);
    return { params, body };
  }
  expr(): Node {
    if (this.isWord("lambda"))
      throw new LambdaError("Node type Lambda is not allowed in expressions. Only one lambda is allowed.");
    const then = this.or();
    if (this.isWord("if")) {
      this.p++;
      const cond = this.or();
      this.expect("else", "name");
      return { k: "if", cond, then, else: this.expr() };
    }
    return then;
  }
  private or(): Node {
    let l = this.and();
    while (this.isWord("or")) {
      this.p++;
      l = { k: "bool", op: "or", l, r: this.and() };
    }
    return l;
  }
  private and(): Node {
    let l = this.not();
    while (this.isWord("and")) {
      this.p++;
      l = { k: "bool", op: "and", l, r: this.not() };
    }
    return l;
  }
  private not(): Node {
    if (this.isWord("not")) {
      this.p++;
      return { k: "unary", op: "not", v: this.not() };
    }
    return this.comparison();
  }
  private comparison(): Node {
    const first = this.bitor();
    const ops: string[] = [];
    const rest: Node[] = [];
    for (;;) {
      const t = this.peek();
      let op: string | null = null;
      if (t.t === "op" && ["==", "!=", "<", "<=", ">", ">="].includes(t.v)) {
        op = t.v;
        this.p++;
      } else if (this.isWord("in")) {
        op = "in";
        this.p++;
      } else if (this.isWord("not") && this.peek(1).t === "name" && this.peek(1).v === "in") {
        op = "not in";
        this.p += 2;
      } else if (this.isWord("is")) {
        this.p++;
        op = "is";
        if (this.isWord("not")) {
          this.p++;
          op = "is not";
        }
      }
      if (!op) break;
      ops.push(op);
      rest.push(this.bitor());
    }
    return ops.length === 0 ? first : { k: "cmp", first, ops, rest };
  }
  private binary(ops: string[], next: () => Node): Node {
    let l = next();
    while (this.peek().t === "op" && ops.includes(this.peek().v)) {
      const op = this.peek().v;
      this.p++;
      l = { k: "bin", op, l, r: next() };
    }
    return l;
  }
  private bitor = (): Node => this.binary(["|"], this.bitxor);
  private bitxor = (): Node => this.binary(["^"], this.bitand);
  private bitand = (): Node => this.binary(["&"], this.shift);
  private shift = (): Node => this.binary(["<<", ">>"], this.sum);
  private sum = (): Node => this.binary(["+", "-"], this.term);
  private term = (): Node => this.binary(["*", "/", "//", "%"], this.unary);
  private unary = (): Node => {
    const t = this.peek();
    if (t.t === "op" && (t.v === "-" || t.v === "+" || t.v === "~")) {
      this.p++;
      return { k: "unary", op: t.v, v: this.unary() };
    }
    return this.power();
  };
  private power(): Node {
    const base = this.postfix();
    if (this.is("**")) {
      this.p++;
      return { k: "bin", op: "**", l: base, r: this.unary() };
    }
    return base;
  }
  private postfix(): Node {
    let n = this.atom();
    for (;;) {
      if (this.is(".")) {
        this.p++;
        const name = this.peek();
        if (name.t !== "name") throw new LambdaError("Invalid syntax in expression: expected an attribute name");
        this.p++;
        n = { k: "attr", obj: n, name: name.v };
      } else if (this.is("(")) {
        this.p++;
        const args: Node[] = [];
        const kwargs: Record<string, Node> = {};
        while (!this.is(")")) {
          const kw = this.peek();
          if (kw.t === "name" && this.peek(1).t === "op" && this.peek(1).v === "=") {
            this.p += 2;
            kwargs[kw.v] = this.expr();
          } else {
            const a = this.expr();
            if (this.isWord("for")) args.push(this.comprehension("gen", a));
            else args.push(a);
          }
          if (this.is(",")) this.p++;
          else break;
        }
        this.expect(")");
        n = { k: "call", fn: n, args, kwargs };
      } else if (this.is("[")) {
        this.p++;
        let lo: Node | null = null;
        if (!this.is(":")) lo = this.expr();
        if (this.is(":")) {
          this.p++;
          const hi = this.is("]") || this.is(":") ? null : this.expr();
          let step: Node | null = null;
          if (this.is(":")) {
            this.p++;
            step = this.is("]") ? null : this.expr();
          }
          this.expect("]");
          n = { k: "slice", obj: n, lo, hi, step };
        } else {
          this.expect("]");
          n = { k: "index", obj: n, index: lo as Node };
        }
      } else return n;
    }
  }
  private comprehension(kind: "list" | "set" | "gen" | "dict", elt: Node, value?: Node): Node {
    const clauses: { target: string[]; iter: Node; ifs: Node[] }[] = [];
    while (this.isWord("for")) {
      this.p++;
      const target: string[] = [];
      const paren = this.is("(");
      if (paren) this.p++;
      for (;;) {
        const n = this.peek();
        if (n.t !== "name" || KEYWORDS.has(n.v))
          throw new LambdaError("Invalid syntax in expression: bad comprehension target");
        target.push(n.v);
        this.p++;
        if (this.is(",")) this.p++;
        else break;
      }
      if (paren) this.expect(")");
      this.expect("in", "name");
      const iter = this.or();
      const ifs: Node[] = [];
      while (this.isWord("if")) {
        this.p++;
        ifs.push(this.or());
      }
      clauses.push({ target, iter, ifs });
    }
    return value ? { k: "comp", kind, elt, value, clauses } : { k: "comp", kind, elt, clauses };
  }
  private atom(): Node {
    const t = this.peek();
    this.p++;
    switch (t.t) {
      case "num":
        return { k: "lit", v: Number(t.v) };
      case "str": {
        let v = t.v;
        let fparts: Node | null = null;
        while (this.peek().t === "str" || this.peek().t === "fstr") {
          if (this.peek().t === "fstr") fparts = { k: "lit", v: null };
          v += this.peek().v;
          this.p++;
        }
        if (fparts) return parseFString(v);
        return { k: "lit", v };
      }
      case "fstr": {
        let v = t.v;
        while (this.peek().t === "str" || this.peek().t === "fstr") {
          v += this.peek().v;
          this.p++;
        }
        return parseFString(v);
      }
      case "name":
        if (t.v === "True") return { k: "lit", v: true };
        if (t.v === "False") return { k: "lit", v: false };
        if (t.v === "None") return { k: "lit", v: null };
        if (STATEMENT_WORDS.has(t.v)) throw new LambdaError(`Node type ${t.v} is not allowed in expressions.`);
        if (KEYWORDS.has(t.v)) throw new LambdaError(`Invalid syntax in expression: unexpected '${t.v}'`);
        return { k: "name", id: t.v };
      case "op":
        if (t.v === "(") {
          if (this.is(")")) {
            this.p++;
            return { k: "tuple", items: [] };
          }
          const first = this.expr();
          if (this.isWord("for")) {
            const g = this.comprehension("gen", first);
            this.expect(")");
            return g;
          }
          if (this.is(")")) {
            this.p++;
            return first;
          }
          const items = [first];
          while (this.is(",")) {
            this.p++;
            if (this.is(")")) break;
            items.push(this.expr());
          }
          this.expect(")");
          return { k: "tuple", items };
        }
        if (t.v === "[") {
          const items: Node[] = [];
          if (this.is("]")) {
            this.p++;
            return { k: "list", items };
          }
          const first = this.expr();
          if (this.isWord("for")) {
            const c = this.comprehension("list", first);
            this.expect("]");
            return c;
          }
          items.push(first);
          while (this.is(",")) {
            this.p++;
            if (this.is("]")) break;
            items.push(this.expr());
          }
          this.expect("]");
          return { k: "list", items };
        }
        if (t.v === "{") {
          if (this.is("}")) {
            this.p++;
            return { k: "dict", entries: [] };
          }
          const entries: ({ key: Node; value: Node } | { spread: Node })[] = [];
          const items: Node[] = [];
          let isDict = false;
          for (;;) {
            if (this.is("**")) {
              this.p++;
              isDict = true;
              entries.push({ spread: this.bitor() });
            } else {
              const key = this.expr();
              if (this.is(":")) {
                isDict = true;
                this.p++;
                const value = this.expr();
                if (this.isWord("for") && entries.length === 0) {
                  const c = this.comprehension("dict", key, value);
                  this.expect("}");
                  return c;
                }
                entries.push({ key, value });
              } else {
                if (this.isWord("for") && items.length === 0) {
                  const c = this.comprehension("set", key);
                  this.expect("}");
                  return c;
                }
                items.push(key);
              }
            }
            if (this.is(",")) {
              this.p++;
              if (this.is("}")) break;
            } else break;
          }
          this.expect("}");
          if (isDict && items.length > 0) throw new LambdaError("Invalid syntax in expression: mixed dict and set");
          return isDict ? { k: "dict", entries } : { k: "set", items };
        }
        throw new LambdaError(`Invalid syntax in expression: unexpected '${t.v}'`);
      default:
        throw new LambdaError("Invalid syntax in expression: unexpected end");
    }
  }
}

function parseFString(text: string): Node {
  const parts: (string | { e: Node; conv: string | null; spec: string })[] = [];
  let i = 0;
  let lit = "";
  while (i < text.length) {
    const c = text[i] as string;
    if (c === "{" && text[i + 1] === "{") {
      lit += "{";
      i += 2;
    } else if (c === "}" && text[i + 1] === "}") {
      lit += "}";
      i += 2;
    } else if (c === "{") {
      let depth = 1;
      let j = i + 1;
      while (j < text.length && depth > 0) {
        if (text[j] === "{") depth++;
        else if (text[j] === "}") depth--;
        if (depth > 0) j++;
      }
      if (depth !== 0) throw new LambdaError("Invalid syntax in expression: unterminated f-string field");
      let inner = text.slice(i + 1, j);
      let spec = "";
      let conv: string | null = null;
      const specAt = topLevelIndex(inner, ":");
      if (specAt !== -1) {
        spec = inner.slice(specAt + 1);
        inner = inner.slice(0, specAt);
      }
      const convMatch = /!([rsa])$/.exec(inner);
      if (convMatch) {
        conv = convMatch[1] as string;
        inner = inner.slice(0, -2);
      }
      if (lit) parts.push(lit);
      lit = "";
      const p = new Parser(tokenize(inner));
      const e = p.expr();
      parts.push({ e, conv, spec });
      i = j + 1;
    } else {
      lit += c;
      i++;
    }
  }
  if (lit) parts.push(lit);
  return { k: "fstr", parts };
}

function topLevelIndex(s: string, ch: string): number {
  let depth = 0;
  let quote: string | null = null;
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === "'" || c === '"') quote = c;
    else if ("([{".includes(c)) depth++;
    else if (")]}".includes(c)) depth--;
    else if (c === ch && depth === 0) return i;
  }
  return -1;
}

// ---------------- evaluation ----------------
type Fn = (args: unknown[], kwargs: Record<string, unknown>) => unknown;
class Callable {
  constructor(
    readonly name: string,
    readonly fn: Fn,
  ) {}
}

const toList = (v: unknown, what: string): unknown[] => {
  if (Array.isArray(v)) return v;
  if (typeof v === "string") return [...v];
  if (v instanceof Map) return [...v.keys()];
  if (typeof v === "object" && v !== null) return Object.keys(v);
  throw new LambdaError(`'${typeName(v)}' object is not iterable (${what})`);
};
const num = (v: unknown, what: string): number => {
  if (typeof v === "number") return v;
  if (typeof v === "boolean") return v ? 1 : 0;
  throw new LambdaError(`unsupported operand type for ${what}: '${typeName(v)}'`);
};
const compare = (a: unknown, b: unknown) => (pyLess(a, b) ? -1 : pyLess(b, a) ? 1 : 0);
function unique(items: unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const i of items) if (!out.some((o) => pyEquals(o, i))) out.push(i);
  return out;
}
function toInt(v: unknown): number {
  if (typeof v === "number") return Math.trunc(v);
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v === "string" && /^\s*[-+]?\d+\s*$/.test(v)) return Number.parseInt(v, 10);
  throw new LambdaError(`invalid literal for int(): ${pyRepr(v)}`);
}
function toFloat(v: unknown): number {
  if (typeof v === "number") return v;
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) return Number(v);
  throw new LambdaError(`could not convert string to float: ${pyRepr(v)}`);
}
function pyRound(x: number, nd?: number): number {
  const f = 10 ** (nd ?? 0);
  const v = x * f;
  const r = Math.round(v);
  // Python rounds halves to even.
  const even = Math.abs(v % 1) === 0.5 ? (r % 2 === 0 ? r : r - 1) : r;
  return even / f;
}

const BUILTINS: Record<string, Callable> = {
  abs: new Callable("abs", ([x]) => Math.abs(num(x, "abs()"))),
  len: new Callable("len", ([x]) => {
    if (typeof x === "string") return [...x].length;
    if (Array.isArray(x)) return x.length;
    if (typeof x === "object" && x !== null) return Object.keys(x).length;
    throw new LambdaError(`object of type '${typeName(x)}' has no len()`);
  }),
  min: new Callable("min", (args) => {
    const items = args.length === 1 ? toList(args[0], "min()") : args;
    if (items.length === 0) throw new LambdaError("min() arg is an empty sequence");
    return items.reduce((a, b) => (compare(b, a) < 0 ? b : a));
  }),
  max: new Callable("max", (args) => {
    const items = args.length === 1 ? toList(args[0], "max()") : args;
    if (items.length === 0) throw new LambdaError("max() arg is an empty sequence");
    return items.reduce((a, b) => (compare(b, a) > 0 ? b : a));
  }),
  sum: new Callable("sum", ([x, start]) =>
    toList(x, "sum()").reduce((a: number, b) => a + num(b, "+"), num(start ?? 0, "+")),
  ),
  round: new Callable("round", ([x, nd]) =>
    pyRound(num(x, "round()"), nd === undefined || nd === null ? undefined : num(nd, "round()")),
  ),
  int: new Callable("int", ([x]) => (x === undefined ? 0 : toInt(x))),
  float: new Callable("float", ([x]) => (x === undefined ? 0 : toFloat(x))),
  str: new Callable("str", ([x]) => (x === undefined ? "" : pyStr(x))),
  bool: new Callable("bool", ([x]) => (x === undefined ? false : truthy(x))),
  list: new Callable("list", ([x]) => (x === undefined ? [] : [...toList(x, "list()")])),
  tuple: new Callable("tuple", ([x]) => (x === undefined ? [] : [...toList(x, "tuple()")])),
  set: new Callable("set", ([x]) => (x === undefined ? [] : unique(toList(x, "set()")))),
  dict: new Callable("dict", ([x], kwargs) => {
    const out: Record<string, unknown> = {};
    if (Array.isArray(x)) for (const pair of x) out[pyStr((pair as unknown[])[0])] = (pair as unknown[])[1];
    else if (typeof x === "object" && x !== null) Object.assign(out, x);
    return Object.assign(out, kwargs);
  }),
  all: new Callable("all", ([x]) => toList(x, "all()").every((v) => truthy(v))),
  any: new Callable("any", ([x]) => toList(x, "any()").some((v) => truthy(v))),
  sorted: new Callable("sorted", ([x], kw) => {
    const items = [...toList(x, "sorted()")];
    const key = kw.key instanceof Callable ? kw.key : null;
    const keyed = items.map((v) => ({ v, k: key ? key.fn([v], {}) : v }));
    keyed.sort((a, b) => compare(a.k, b.k));
    const out = keyed.map((e) => e.v);
    return truthy(kw.reverse ?? false) ? out.reverse() : out;
  }),
  reversed: new Callable("reversed", ([x]) => [...toList(x, "reversed()")].reverse()),
  enumerate: new Callable("enumerate", ([x, start]) =>
    toList(x, "enumerate()").map((v, i) => [i + num(start ?? 0, "+"), v]),
  ),
  zip: new Callable("zip", (args) => {
    const lists = args.map((a) => toList(a, "zip()"));
    const n = lists.length === 0 ? 0 : Math.min(...lists.map((l) => l.length));
    return Array.from({ length: n }, (_, i) => lists.map((l) => l[i]));
  }),
  range: new Callable("range", (args) => {
    const [a, b, c] = args.map((v) => toInt(v));
    const start = args.length === 1 ? 0 : (a as number);
    const stop = args.length === 1 ? (a as number) : (b as number);
    const step = c ?? 1;
    if (step === 0) throw new LambdaError("range() arg 3 must not be zero");
    const out: number[] = [];
    for (let i = start; step > 0 ? i < stop : i > stop; i += step) {
      out.push(i);
      if (out.length > MAX_ITEMS) throw new LambdaError(`range() is longer than the limit of ${MAX_ITEMS} items`);
    }
    return out;
  }),
  jsonpath: new Callable("jsonpath", ([expr, obj]) => {
    if (typeof expr !== "string") throw new LambdaError("jsonpath() needs a path string");
    return findJsonPathValue(expr, obj);
  }),
};

function method(obj: unknown, name: string): Callable {
  const bad = () => new LambdaError(`'${typeName(obj)}' object has no attribute '${name}'`);
  if (typeof obj === "string") {
    const s = obj;
    const m: Record<string, Fn> = {
      upper: () => s.toUpperCase(),
      lower: () => s.toLowerCase(),
      strip: ([c]) => (c === undefined || c === null ? s.trim() : trimChars(s, String(c), true, true)),
      lstrip: ([c]) => (c === undefined || c === null ? s.trimStart() : trimChars(s, String(c), true, false)),
      rstrip: ([c]) => (c === undefined || c === null ? s.trimEnd() : trimChars(s, String(c), false, true)),
      split: ([sep, max]) => {
        if (sep === undefined || sep === null) return s.trim() === "" ? [] : s.trim().split(/\s+/);
        const parts = s.split(String(sep));
        if (typeof max === "number" && max >= 0 && parts.length > max + 1)
          return [...parts.slice(0, max), parts.slice(max).join(String(sep))];
        return parts;
      },
      join: ([items]) =>
        toList(items, "join()")
          .map((v) => {
            if (typeof v !== "string")
              throw new LambdaError(`sequence item: expected str instance, ${typeName(v)} found`);
            return v;
          })
          .join(s),
      replace: ([a, b]) => s.split(String(a)).join(String(b)),
      startswith: ([p]) => (Array.isArray(p) ? p.some((x) => s.startsWith(String(x))) : s.startsWith(String(p))),
      endswith: ([p]) => (Array.isArray(p) ? p.some((x) => s.endsWith(String(x))) : s.endsWith(String(p))),
      title: () => s.toLowerCase().replace(/(^|[^a-zA-Z])([a-z])/g, (_, a, b) => a + b.toUpperCase()),
      capitalize: () => (s ? s[0]?.toUpperCase() + s.slice(1).toLowerCase() : s),
      find: ([sub]) => s.indexOf(String(sub)),
      count: ([sub]) => (String(sub) === "" ? s.length + 1 : s.split(String(sub)).length - 1),
      isdigit: () => /^\d+$/.test(s),
      isalpha: () => /^[A-Za-z]+$/.test(s),
      format: (args) => {
        let i = 0;
        return s.replace(/\{(\d*)\}/g, (_, n) => pyStr(args[n === "" ? i++ : Number(n)]));
      },
    };
    const f = m[name];
    if (!f) throw bad();
    return new Callable(name, f);
  }
  if (Array.isArray(obj)) {
    const m: Record<string, Fn> = {
      index: ([v]) => {
        const i = obj.findIndex((x) => pyEquals(x, v));
        if (i === -1) throw new LambdaError(`${pyRepr(v)} is not in list`);
        return i;
      },
      count: ([v]) => obj.filter((x) => pyEquals(x, v)).length,
      copy: () => [...obj],
    };
    const f = m[name];
    if (!f) throw bad();
    return new Callable(name, f);
  }
  if (typeof obj === "object" && obj !== null) {
    const d = obj as Record<string, unknown>;
    const m: Record<string, Fn> = {
      get: ([k, def]) => (typeof k === "string" && Object.hasOwn(d, k) ? d[k] : (def ?? null)),
      keys: () => Object.keys(d),
      values: () => Object.values(d),
      items: () => Object.entries(d),
      copy: () => ({ ...d }),
    };
    const f = m[name];
    if (!f) throw bad();
    return new Callable(name, f);
  }
  throw bad();
}

function trimChars(s: string, chars: string, left: boolean, right: boolean): string {
  let a = 0;
  let b = s.length;
  while (left && a < b && chars.includes(s[a] as string)) a++;
  while (right && b > a && chars.includes(s[b - 1] as string)) b--;
  return s.slice(a, b);
}

class Evaluator {
  private steps = 0;
  constructor(private readonly scopes: Map<string, unknown>[]) {}
  private lookup(id: string): unknown {
    if (RESTRICTED.has(id)) throw new LambdaError(`Accessing restricted symbol '${id}' is not allowed`);
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const s = this.scopes[i] as Map<string, unknown>;
      if (s.has(id)) return s.get(id);
    }
    const b = BUILTINS[id];
    if (b) return b;
    throw new LambdaError(`name '${id}' is not defined`);
  }
  ev(n: Node, depth: number): unknown {
    if (depth > MAX_DEPTH) throw new LambdaError(`Recursion depth exceeded the limit of ${MAX_DEPTH}`);
    if (++this.steps > MAX_STEPS) throw new LambdaError("The lambda took too many steps");
    const d = depth + 1;
    switch (n.k) {
      case "lit":
        return n.v;
      case "name":
        return this.lookup(n.id);
      case "fstr":
        return n.parts
          .map((p) => {
            if (typeof p === "string") return p;
            const v = this.ev(p.e, d);
            const s = p.conv === "r" ? pyRepr(v) : pyStr(v);
            return formatSpec(v, s, p.spec);
          })
          .join("");
      case "list":
      case "tuple":
        return n.items.map((i) => this.ev(i, d));
      case "set":
        return unique(n.items.map((i) => this.ev(i, d)));
      case "dict": {
        const out: Record<string, unknown> = {};
        for (const e of n.entries) {
          if ("spread" in e) {
            const v = this.ev(e.spread, d);
            if (typeof v !== "object" || v === null || Array.isArray(v)) throw new LambdaError("'**' needs a mapping");
            Object.assign(out, v);
          } else out[dictKey(this.ev(e.key, d))] = this.ev(e.value, d);
        }
        return out;
      }
      case "comp": {
        const out: unknown[] = [];
        const dict: Record<string, unknown> = {};
        const loop = (ci: number) => {
          if (ci === n.clauses.length) {
            if (n.kind === "dict") dict[dictKey(this.ev(n.elt, d))] = this.ev(n.value as Node, d);
            else out.push(this.ev(n.elt, d));
            if (out.length > MAX_ITEMS) throw new LambdaError(`A comprehension made more than ${MAX_ITEMS} items`);
            return;
          }
          const c = n.clauses[ci] as (typeof n.clauses)[number];
          for (const item of toList(this.ev(c.iter, d), "comprehension")) {
            const scope = new Map<string, unknown>();
            if (c.target.length === 1) scope.set(c.target[0] as string, item);
            else {
              const parts = toList(item, "unpacking");
              if (parts.length !== c.target.length) throw new LambdaError("cannot unpack: wrong number of values");
              for (const [i, t] of c.target.entries()) scope.set(t, parts[i]);
            }
            this.scopes.push(scope);
            try {
              if (c.ifs.every((f) => truthy(this.ev(f, d)))) loop(ci + 1);
            } finally {
              this.scopes.pop();
            }
          }
        };
        loop(0);
        if (n.kind === "dict") return dict;
        return n.kind === "set" ? unique(out) : out;
      }
      case "attr": {
        if (n.name.startsWith("_")) throw new LambdaError(`Accessing restricted symbol '${n.name}' is not allowed`);
        return method(this.ev(n.obj, d), n.name);
      }
      case "index": {
        const obj = this.ev(n.obj, d);
        const idx = this.ev(n.index, d);
        if (Array.isArray(obj) || typeof obj === "string") {
          const items = typeof obj === "string" ? [...obj] : obj;
          if (typeof idx !== "number" || !Number.isInteger(idx)) throw new LambdaError("indices must be integers");
          const i = idx < 0 ? items.length + idx : idx;
          if (i < 0 || i >= items.length) throw new LambdaError(`${typeName(obj)} index out of range`);
          return items[i];
        }
        if (typeof obj === "object" && obj !== null) {
          const key = dictKey(idx);
          if (!Object.hasOwn(obj, key)) throw new LambdaError(`KeyError: ${pyRepr(idx)}`);
          return (obj as Record<string, unknown>)[key];
        }
        throw new LambdaError(`'${typeName(obj)}' object is not subscriptable`);
      }
      case "slice": {
        const obj = this.ev(n.obj, d);
        if (!Array.isArray(obj) && typeof obj !== "string")
          throw new LambdaError(`'${typeName(obj)}' object is not subscriptable`);
        const items = typeof obj === "string" ? [...obj] : obj;
        const step = n.step ? num(this.ev(n.step, d), "slice") : 1;
        if (step === 0) throw new LambdaError("slice step cannot be zero");
        const len = items.length;
        const norm = (v: unknown, def: number) => {
          if (v === null || v === undefined) return def;
          let i = num(v, "slice");
          if (i < 0) i += len;
          return step > 0 ? Math.min(Math.max(i, 0), len) : Math.min(Math.max(i, -1), len - 1);
        };
        const lo = norm(n.lo ? this.ev(n.lo, d) : null, step > 0 ? 0 : len - 1);
        const hi = norm(n.hi ? this.ev(n.hi, d) : null, step > 0 ? len : -1);
        const out: unknown[] = [];
        for (let i = lo; step > 0 ? i < hi : i > hi; i += step) out.push(items[i]);
        return typeof obj === "string" ? out.join("") : out;
      }
      case "call": {
        if (n.fn.k === "name" && RESTRICTED.has(n.fn.id))
          throw new LambdaError(`Calling restricted function '${n.fn.id}' is not allowed`);
        const fn = this.ev(n.fn, d);
        if (!(fn instanceof Callable)) throw new LambdaError(`'${typeName(fn)}' object is not callable`);
        const args = n.args.map((a) => this.ev(a, d));
        const kwargs: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(n.kwargs)) kwargs[k] = this.ev(v, d);
        return fn.fn(args, kwargs);
      }
      case "unary": {
        const v = this.ev(n.v, d);
        if (n.op === "not") return !truthy(v);
        if (n.op === "-") return -num(v, "unary -");
        if (n.op === "+") return num(v, "unary +");
        return ~num(v, "unary ~");
      }
      case "bool": {
        const l = this.ev(n.l, d);
        if (n.op === "and") return truthy(l) ? this.ev(n.r, d) : l;
        return truthy(l) ? l : this.ev(n.r, d);
      }
      case "cmp": {
        let left = this.ev(n.first, d);
        for (let i = 0; i < n.ops.length; i++) {
          const right = this.ev(n.rest[i] as Node, d);
          if (!compareOp(n.ops[i] as string, left, right)) return false;
          left = right;
        }
        return true;
      }
      case "if":
        return truthy(this.ev(n.cond, d)) ? this.ev(n.then, d) : this.ev(n.else, d);
      case "bin":
        return binary(n.op, this.ev(n.l, d), this.ev(n.r, d));
    }
  }
}

function dictKey(v: unknown): string {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean" || v === null) return pyStr(v);
  throw new LambdaError(`unhashable type: '${typeName(v)}'`);
}

function formatSpec(v: unknown, s: string, spec: string): string {
  if (!spec) return s;
  const m = /^(?:(.)?([<>^]))?(\d+)?(?:\.(\d+))?([fdsx%])?$/.exec(spec);
  if (!m) throw new LambdaError(`Invalid format specifier '${spec}'`);
  const [, fill = " ", align, width, precision, type] = m;
  let out = s;
  if (type === "f" || (precision && typeof v === "number")) out = num(v, "format").toFixed(Number(precision ?? 6));
  else if (type === "%") out = `${(num(v, "format") * 100).toFixed(Number(precision ?? 6))}%`;
  else if (type === "d") out = String(Math.trunc(num(v, "format")));
  else if (type === "x") out = Math.trunc(num(v, "format")).toString(16);
  const w = Number(width ?? 0);
  if (out.length < w) {
    const pad = (fill as string).repeat(w - out.length);
    const a = align ?? (typeof v === "number" ? ">" : "<");
    if (a === "<") out += pad;
    else if (a === ">") out = pad + out;
    else out = pad.slice(0, Math.floor(pad.length / 2)) + out + pad.slice(Math.floor(pad.length / 2));
  }
  return out;
}

function compareOp(op: string, a: unknown, b: unknown): boolean {
  switch (op) {
    case "==":
      return pyEquals(a, b);
    case "!=":
      return !pyEquals(a, b);
    case "<":
      return pyLess(a, b);
    case ">":
      return pyLess(b, a);
    case "<=":
      return !pyLess(b, a);
    case ">=":
      return !pyLess(a, b);
    case "in":
      return pyIn(a, b);
    case "not in":
      return !pyIn(a, b);
    case "is":
      return a === b || (a === null && b === null);
    case "is not":
      return !(a === b || (a === null && b === null));
  }
  return false;
}

function binary(op: string, a: unknown, b: unknown): unknown {
  if (op === "+") {
    if (typeof a === "string" && typeof b === "string") return a + b;
    if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
  }
  if (op === "*") {
    if (typeof a === "string" && typeof b === "number") return a.repeat(Math.max(0, b));
    if (Array.isArray(a) && typeof b === "number") {
      if (a.length * b > MAX_ITEMS) throw new LambdaError(`The list would be longer than ${MAX_ITEMS} items`);
      return Array.from({ length: Math.max(0, b) }, () => a).flat();
    }
  }
  if (op === "%" && typeof a === "string")
    throw new LambdaError("'%' string formatting is not supported; use an f-string");
  if (
    op === "|" &&
    typeof a === "object" &&
    a !== null &&
    !Array.isArray(a) &&
    typeof b === "object" &&
    b !== null &&
    !Array.isArray(b)
  )
    return { ...a, ...b };
  const x = num(a, `'${op}'`);
  const y = num(b, `'${op}'`);
  switch (op) {
    case "+":
      return x + y;
    case "-":
      return x - y;
    case "*":
      return x * y;
    case "/":
      if (y === 0) throw new LambdaError("division by zero");
      return x / y;
    case "//":
      if (y === 0) throw new LambdaError("integer division or modulo by zero");
      return Math.floor(x / y);
    case "%":
      if (y === 0) throw new LambdaError("integer division or modulo by zero");
      return ((x % y) + y) % y;
    case "**":
      return x ** y;
    case "|":
      return x | y;
    case "&":
      return x & y;
    case "^":
      return x ^ y;
    case "<<":
      return x << y;
    case ">>":
      return x >> y;
  }
  throw new LambdaError(`Unsupported operator ${op}`);
}

function plain(v: unknown, depth = 0): unknown {
  if (depth > MAX_DEPTH) throw new LambdaError(`Recursion depth exceeded the limit of ${MAX_DEPTH}`);
  if (v === null || typeof v === "string" || typeof v === "boolean") return v;
  if (typeof v === "number") return Number.isFinite(v) ? v : null;
  if (Array.isArray(v)) return v.map((x) => plain(x, depth + 1));
  if (v instanceof Callable) throw new LambdaError("Lambda returned unsafe type: function");
  if (typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = plain(x, depth + 1);
    return out;
  }
  throw new LambdaError(`Lambda returned unsafe type: ${typeof v}`);
}

/** Compiles `lambda x: …` once; the returned function applies it to plain data. */
export function compileLambda(text: string): (value: unknown) => unknown {
  if (typeof text !== "string") throw new LambdaError("Expression must be a lambda function");
  if (text.length > MAX_CHARS) throw new LambdaError(`Expression is longer than the limit of ${MAX_CHARS} characters`);
  for (const f of FORBIDDEN_TEXT)
    if (text.includes(f)) throw new LambdaError(`Expression contains a forbidden pattern: '${f}'`);
  const { params, body } = new Parser(tokenize(text.trim())).lambda();
  if (params.length !== 1) throw new LambdaError("Expression must be a lambda of one argument: lambda x: …");
  const param = params[0] as string;
  if (RESTRICTED.has(param)) throw new LambdaError(`Accessing restricted symbol '${param}' is not allowed`);
  return (value: unknown) => {
    if (Array.isArray(value) && value.length > MAX_ITEMS)
      throw new LambdaError(`The input has more than ${MAX_ITEMS} items`);
    const scope = new Map<string, unknown>([[param, value]]);
    return plain(new Evaluator([scope]).ev(body, 0));
  };
}
