// The syntax tree. Every node carries the offsets of its source text in the template string.
import type { ExprValue } from "../functions/function-definition.js";
import type { CompiledPath } from "../jsonpath/jsonpath.js";

export type ContextName = "SECRETS" | "VARS" | "ACTIONS" | "TRIGGER" | "ENV" | "var" | "inputs" | "steps";

export const CONTEXT_NAMES: ReadonlySet<string> = new Set([
  "SECRETS",
  "VARS",
  "ACTIONS",
  "TRIGGER",
  "ENV",
  "var",
  "inputs",
  "steps",
]);

export type CastType = "int" | "float" | "str" | "bool";
export const CAST_TYPES: readonly CastType[] = ["int", "float", "str", "bool"];

/** One step of a context path. */
export type PathSegment =
  | { readonly kind: "name"; readonly name: string }
  | { readonly kind: "index"; readonly index: number }
  | { readonly kind: "wildcard" }
  | { readonly kind: "recursive" }
  /** Any other bracket content (filters, slices, unions), handed to the JSONPath engine. */
  | { readonly kind: "bracket"; readonly text: string };

export type BinaryOp =
  | "||"
  | "&&"
  | "=="
  | "!="
  | "<"
  | "<="
  | ">"
  | ">="
  | "in"
  | "not in"
  | "is"
  | "is not"
  | "+"
  | "-"
  | "*"
  | "/"
  | "%";

interface Base {
  readonly start: number;
  readonly end: number;
}

export interface LiteralNode extends Base {
  readonly kind: "literal";
  readonly value: ExprValue;
}
export interface ListNode extends Base {
  readonly kind: "list";
  readonly items: readonly Node[];
}
export interface DictNode extends Base {
  readonly kind: "dict";
  readonly keys: readonly string[];
  readonly values: readonly Node[];
}
export interface RefNode extends Base {
  readonly kind: "ref";
  readonly context: ContextName;
  readonly segments: readonly PathSegment[];
  /** The path as written after the context name (`.a.result[0]`). */
  readonly pathText: string;
  /** Only names and integer indices: walked directly, without the JSONPath engine. */
  readonly simple: boolean;
  /** Tracecat's rule: `[*]`, `[?(` or `[?@` in the path makes the result a list whatever the count. */
  readonly alwaysList: boolean;
  /** The compiled extended-JSONPath program, for paths that are not simple. */
  readonly path?: CompiledPath;
  /** Set by the parser: the reference sits on the left of `||` (has a fallback). */
  hasFallback: boolean;
}
export interface CallNode extends Base {
  readonly kind: "call";
  readonly name: string;
  readonly map: boolean;
  readonly args: readonly Node[];
  /** `FN.name` / `FN.name.map` part only. */
  readonly nameEnd: number;
}
export interface BinaryNode extends Base {
  readonly kind: "binary";
  readonly op: BinaryOp;
  readonly left: Node;
  readonly right: Node;
  readonly opStart: number;
  readonly opEnd: number;
}
export interface UnaryNode extends Base {
  readonly kind: "unary";
  readonly op: "not" | "-" | "+";
  readonly operand: Node;
}
export interface IndexNode extends Base {
  readonly kind: "index";
  readonly target: Node;
  readonly index: Node;
}
export interface TernaryNode extends Base {
  readonly kind: "ternary";
  readonly then: Node;
  readonly condition: Node;
  readonly otherwise: Node;
}
export interface CastNode extends Base {
  readonly kind: "cast";
  readonly type: CastType;
  readonly operand: Node;
}

export type Node =
  | LiteralNode
  | ListNode
  | DictNode
  | RefNode
  | CallNode
  | BinaryNode
  | UnaryNode
  | IndexNode
  | TernaryNode
  | CastNode;

/** One `${{ … }}` occurrence. */
export interface ExpressionRoot {
  /** Offsets of the whole `${{ … }}`. */
  readonly start: number;
  readonly end: number;
  readonly body: Node;
  /** Trailing `-> type`. */
  readonly cast?: { readonly type: CastType; readonly start: number; readonly end: number };
  /** `for var.x in …`: the loop variable's path below `var`. */
  readonly iterator?: { readonly variable: readonly string[]; readonly start: number; readonly end: number };
}
