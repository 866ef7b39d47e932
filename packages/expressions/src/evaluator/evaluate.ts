// The tree-walking evaluator and the object walker (`evaluate`), with limits and secret-safe
// error messages: messages name types, references and source text, never evaluated values.
import { ExpressionError, type ExpressionErrorCode, type Span } from "../errors/expression-error.js";
import { defaultRegistry } from "../functions/default-registry.js";
import { ExprObject, type ExprValue, type FunctionContext } from "../functions/function-definition.js";
import { type FunctionRegistry, invokeFunction } from "../functions/registry.js";
import { findJsonPath, JsonPathEvalError } from "../jsonpath/jsonpath.js";
import { BudgetExceeded, restoreBudget, startBudget } from "../limits/budget.js";
import { DEFAULT_LIMITS, type ExpressionLimits, resolveLimits } from "../limits/limits.js";
import type { ContextName, ExpressionRoot, Node, PathSegment, RefNode } from "../parser/ast.js";
import { type CompiledTemplate, parseTemplate, sharedCache } from "../template/compile.js";
import { toJsonText } from "../values/json-text.js";
import { applyBinary, castValue, OperationError } from "../values/operators.js";
import { type ExprDict, isDict, setOwn, truthy, typeName } from "../values/types.js";

/** The contexts an expression can read, by the names expressions use. */
export interface EvaluationContext {
  readonly SECRETS?: unknown;
  readonly VARS?: unknown;
  readonly ACTIONS?: unknown;
  readonly TRIGGER?: unknown;
  readonly ENV?: unknown;
  readonly var?: unknown;
  readonly inputs?: unknown;
  readonly steps?: unknown;
}

export interface EvaluateOptions {
  /** Function registry for `FN.*` (default: the FN library). */
  readonly registry?: FunctionRegistry;
  readonly limits?: Partial<ExpressionLimits>;
  /** The run's logical clock, epoch milliseconds (default: Date.now). */
  readonly now?: () => number;
  /** Use the shared compiled-template cache (default true); false parses every string afresh. */
  readonly cache?: boolean;
}

const MAX_SECRET_NOTE_REFS = 3;

function secretRefs(node: Node, out: Set<string>): void {
  switch (node.kind) {
    case "ref":
      if (node.context === "SECRETS") out.add(`SECRETS${node.pathText}`);
      return;
    case "list":
      for (const item of node.items) secretRefs(item, out);
      return;
    case "dict":
      for (const value of node.values) secretRefs(value, out);
      return;
    case "call":
      for (const arg of node.args) secretRefs(arg, out);
      return;
    case "binary":
      secretRefs(node.left, out);
      secretRefs(node.right, out);
      return;
    case "unary":
      secretRefs(node.operand, out);
      return;
    case "index":
      secretRefs(node.target, out);
      secretRefs(node.index, out);
      return;
    case "ternary":
      secretRefs(node.then, out);
      secretRefs(node.condition, out);
      secretRefs(node.otherwise, out);
      return;
    case "cast":
      secretRefs(node.operand, out);
      return;
    case "literal":
      return;
  }
}

/** ` (involves SECRETS.a.K)` when the failing part reads secrets, so the reference is named. */
function secretNote(node: Node): string {
  const refs = new Set<string>();
  secretRefs(node, refs);
  if (!refs.size) return "";
  const list = [...refs].slice(0, MAX_SECRET_NOTE_REFS).join(", ");
  return `(the operands involve ${list}${refs.size > MAX_SECRET_NOTE_REFS ? ", …" : ""}; secret values are never shown)`;
}

/** One evaluation of one template string. */
class Evaluation {
  readonly limits: ExpressionLimits;
  private readonly functionContext: FunctionContext;
  private readonly registry: FunctionRegistry;
  readonly useCache: boolean;
  private deadline = 0;
  private steps = 0;
  source = "";

  constructor(
    private readonly context: EvaluationContext,
    options: EvaluateOptions | undefined,
  ) {
    this.limits = options?.limits ? resolveLimits(options.limits) : DEFAULT_LIMITS;
    this.registry = options?.registry ?? defaultRegistry;
    this.useCache = options?.cache !== false;
    const limits = this.limits;
    this.functionContext = { now: options?.now ?? Date.now, limits };
  }

  /**
   * Last line of defence: our messages never quote values, but a function's message might. Any
   * secret value (longer than one character) found in the message is replaced by `***`.
   */
  private scrub(error: ExpressionError): ExpressionError {
    const secrets = this.context.SECRETS;
    if (!isDict(secrets as ExprValue)) return error;
    let reason = error.reason;
    const values: string[] = [];
    collectStrings(secrets as ExprValue, values, 0);
    values.sort((a, b) => b.length - a.length);
    for (const value of values)
      if (value.length > 1 && reason.includes(value)) reason = reason.split(value).join("***");
    if (reason === error.reason) return error;
    return new ExpressionError(error.code, reason, error.expression, error.span, { location: error.location });
  }

  private fail(code: ExpressionErrorCode, message: string, span: Span): never {
    throw new ExpressionError(code, message, this.source, span);
  }

  private checkTime(span: Span): void {
    if (performance.now() > this.deadline) {
      this.fail("limit_exceeded", `Evaluation took longer than the limit of ${this.limits.maxTimeMs} ms`, span);
    }
  }

  template(compiled: CompiledTemplate): unknown {
    this.source = compiled.source;
    this.deadline = performance.now() + this.limits.maxTimeMs;
    this.steps = 0;
    const previous = startBudget(this.limits.maxTimeMs);
    try {
      return this.templateBody(compiled);
    } catch (error) {
      if (error instanceof BudgetExceeded) {
        const root = compiled.roots[0];
        throw this.scrub(
          new ExpressionError(
            "limit_exceeded",
            error.message,
            this.source,
            root ?? { start: 0, end: compiled.source.length },
          ),
        );
      }
      throw error instanceof ExpressionError ? this.scrub(error) : error;
    } finally {
      restoreBudget(previous);
    }
  }

  private templateBody(compiled: CompiledTemplate): unknown {
    const roots = compiled.roots;
    if (compiled.whole) {
      const root = roots[0] as ExpressionRoot;
      const value = this.root(root);
      return root.body.kind === "ref" && !root.cast ? value : this.toOutput(value, 0, root);
    }
    const texts = compiled.texts;
    let out = texts[0] as string;
    for (let i = 0; i < roots.length; i++) {
      const root = roots[i] as ExpressionRoot;
      out += this.render(this.root(root), root);
      out += texts[i + 1] as string;
      if (out.length > this.limits.maxOutputChars) {
        this.fail(
          "limit_exceeded",
          `The text is longer than the limit of ${this.limits.maxOutputChars} characters`,
          root,
        );
      }
    }
    return out;
  }

  private root(root: ExpressionRoot): ExprValue {
    let value = this.node(root.body);
    if (root.cast) value = this.cast(root.cast.type, value, root.body, root.cast);
    return value;
  }

  // Strings raw, everything else as JSON (ExprObjects through toJSON()).
  private render(value: ExprValue, root: ExpressionRoot): string {
    if (typeof value === "string") return value;
    if (value instanceof ExprObject) {
      const json = value.toJSON();
      return typeof json === "string" ? json : JSON.stringify(json);
    }
    try {
      return toJsonText(value, this.limits.maxOutputChars);
    } catch (error) {
      if (error instanceof BudgetExceeded) return this.fail("limit_exceeded", error.message, root);
      throw error;
    }
  }

  /**
   * Replaces ExprObjects in a native result with their JSON form (same object when none). Shared
   * containers are converted once, so `[big] * 100000` costs one walk of `big`.
   */
  private toOutput(value: ExprValue, depth: number, span: Span, seen = new Map<object, unknown>()): unknown {
    if (value === null || typeof value !== "object") return value;
    if (value instanceof ExprObject) return value.toJSON();
    const known = seen.get(value);
    if (known !== undefined) return known;
    if (depth > this.limits.maxDepth * 4) this.fail("limit_exceeded", "The result is nested too deeply", span);
    const result = this.toOutputContainer(value, depth, span, seen);
    seen.set(value, result);
    return result;
  }

  private toOutputContainer(
    value: ExprValue[] | ExprDict,
    depth: number,
    span: Span,
    seen: Map<object, unknown>,
  ): unknown {
    if (Array.isArray(value)) {
      let copy: unknown[] | undefined;
      for (let i = 0; i < value.length; i++) {
        const item = value[i] as ExprValue;
        const converted = this.toOutput(item, depth + 1, span, seen);
        if (converted !== item) {
          copy ??= value.slice();
          copy[i] = converted;
        }
      }
      return copy ?? value;
    }
    let copy: ExprDict | undefined;
    for (const key of Object.keys(value)) {
      const item = value[key] as ExprValue;
      const converted = this.toOutput(item, depth + 1, span, seen);
      if (converted !== item) {
        copy ??= { ...value };
        setOwn(copy, key, converted as ExprValue);
      }
    }
    return copy ?? value;
  }

  private node(node: Node): ExprValue {
    if ((++this.steps & 255) === 0) this.checkTime(node);
    switch (node.kind) {
      case "literal":
        return node.value;
      case "ref":
        return this.ref(node);
      case "call":
        return this.call(node);
      case "binary": {
        const op = node.op;
        if (op === "||") {
          const left = this.node(node.left);
          return truthy(left) ? left : this.node(node.right);
        }
        if (op === "&&") {
          const left = this.node(node.left);
          return truthy(left) ? this.node(node.right) : left;
        }
        const left = this.node(node.left);
        const right = this.node(node.right);
        try {
          return applyBinary(op, left, right, this.limits);
        } catch (error) {
          return this.operationFailed(error, node, { start: node.opStart, end: node.opEnd });
        }
      }
      case "unary": {
        const value = this.node(node.operand);
        if (node.op === "not") return !truthy(value);
        if (typeof value === "number" || typeof value === "boolean")
          return node.op === "-" ? -Number(value) : Number(value);
        return this.fail(
          "type_error",
          `bad operand type for unary ${node.op}: '${typeName(value)}' ${secretNote(node.operand)}`.trim(),
          node,
        );
      }
      case "ternary":
        return truthy(this.node(node.condition)) ? this.node(node.then) : this.node(node.otherwise);
      case "index":
        return this.index(node.target, node.index, node);
      case "cast":
        return this.cast(node.type, this.node(node.operand), node.operand, node);
      case "list": {
        const out: ExprValue[] = new Array(node.items.length);
        for (let i = 0; i < node.items.length; i++) out[i] = this.node(node.items[i] as Node);
        return out;
      }
      case "dict": {
        const out: ExprDict = {};
        for (let i = 0; i < node.keys.length; i++)
          setOwn(out, node.keys[i] as string, this.node(node.values[i] as Node));
        return out;
      }
    }
  }

  private operationFailed(error: unknown, node: Node, span: Span): never {
    if (error instanceof OperationError) {
      const note = error.code === "limit_exceeded" ? "" : secretNote(node);
      return this.fail(error.code, note ? `${error.message} ${note}` : error.message, span);
    }
    if (error instanceof BudgetExceeded) return this.fail("limit_exceeded", error.message, span);
    if (error instanceof RangeError)
      return this.fail("limit_exceeded", "The values are nested too deeply to compare", span);
    throw error;
  }

  private cast(type: "int" | "float" | "str" | "bool", value: ExprValue, operand: Node, span: Span): ExprValue {
    try {
      const result = castValue(type, value, this.limits.maxOutputChars);
      if (typeof result === "string" && result.length > this.limits.maxOutputChars) {
        this.fail(
          "limit_exceeded",
          `The text is longer than the limit of ${this.limits.maxOutputChars} characters`,
          span,
        );
      }
      return result;
    } catch (error) {
      if (error instanceof ExpressionError) throw error;
      return this.operationFailed(error, operand, span);
    }
  }

  private index(targetNode: Node, indexNode: Node, node: Node): ExprValue {
    const target = this.node(targetNode);
    const key = this.node(indexNode);
    const literalKey = indexNode.kind === "literal" ? ` '${String(indexNode.value)}'` : "";
    if (isDict(target)) {
      if (typeof key === "string") {
        if (Object.hasOwn(target, key)) return target[key] as ExprValue;
        return this.fail(
          "key_error",
          `Key${literalKey} not found for mapping access ${secretNote(node)}`.trim(),
          indexNode,
        );
      }
      if (key === null || typeof key === "number" || typeof key === "boolean") {
        return this.fail(
          "key_error",
          `Key${literalKey} not found for mapping access (the keys are strings)`,
          indexNode,
        );
      }
      return this.fail("type_error", `Invalid key type '${typeName(key)}' for mapping access`, indexNode);
    }
    if (Array.isArray(target) || typeof target === "string") {
      if (!(typeof key === "boolean" || (typeof key === "number" && Number.isInteger(key)))) {
        return this.fail("type_error", `Sequence indices must be integers, got '${typeName(key)}'`, indexNode);
      }
      const items = typeof target === "string" ? Array.from(target) : target;
      let i = Number(key);
      if (i < 0) i += items.length;
      if (i < 0 || i >= items.length) {
        const shown = indexNode.kind === "literal" ? ` ${String(indexNode.value)}` : "";
        return this.fail("index_error", `Sequence index${shown} out of range (length ${items.length})`, indexNode);
      }
      return items[i] as ExprValue;
    }
    return this.fail("type_error", `Object of type '${typeName(target)}' is not indexable`, node);
  }

  private call(node: Node & { kind: "call" }): ExprValue {
    const args: ExprValue[] = new Array(node.args.length);
    for (let i = 0; i < node.args.length; i++) args[i] = this.node(node.args[i] as Node);
    const site = { expression: this.source, span: { start: node.start, end: node.end }, note: "" };
    let result: ExprValue;
    try {
      result = invokeFunction(this.registry, node.name, args, node.map, this.functionContext, site);
    } catch (error) {
      if (error instanceof ExpressionError && (error.code === "unknown_function" || error.code === "arity")) {
        throw new ExpressionError(error.code, error.reason, this.source, { start: node.start, end: node.nameEnd });
      }
      if (error instanceof ExpressionError && error.code !== "limit_exceeded") {
        const note = secretNote(node);
        if (note) throw new ExpressionError(error.code, `${error.reason} ${note}`, error.expression, error.span);
      }
      throw error;
    }
    if (typeof result === "string" && result.length > this.limits.maxOutputChars) {
      this.fail(
        "limit_exceeded",
        `FN.${node.name} returned text longer than the limit of ${this.limits.maxOutputChars} characters`,
        node,
      );
    }
    if (Array.isArray(result) && result.length > this.limits.maxListLength) {
      this.fail(
        "limit_exceeded",
        `FN.${node.name} returned more than the limit of ${this.limits.maxListLength} items`,
        node,
      );
    }
    this.checkTime(node);
    return result;
  }

  private ref(node: RefNode): ExprValue {
    const root = this.context[node.context as ContextName] as ExprValue | undefined;
    if (node.context === "SECRETS") return this.secret(node, root);
    if (node.context === "VARS") return this.variable(node, root);
    if (root === undefined || root === null) return null;
    const segments = node.segments;
    if (!segments.length) return root;
    if (node.simple) return walkSimple(root, segments);
    const program = node.path;
    if (!program) return null;
    let matches: ExprValue[];
    try {
      matches = findJsonPath(program.steps, root, {
        maxMatches: this.limits.maxListLength,
        tick: () => {
          if ((++this.steps & 255) === 0) this.checkTime(node);
        },
      });
    } catch (error) {
      if (error instanceof JsonPathEvalError) {
        const code = /limit/.test(error.message) ? "limit_exceeded" : "value_error";
        return this.fail(code, `Cannot evaluate '${node.context}${node.pathText}': ${error.message}`, node);
      }
      throw error;
    }
    return this.matches(node, matches);
  }

  // Tracecat's result rules: a wildcard or filter gives a list; otherwise several matches give a
  // list, one gives the value, none gives None.
  private matches(node: RefNode, matches: ExprValue[]): ExprValue {
    if (node.alwaysList || matches.length > 1) {
      if (matches.length > this.limits.maxListLength) {
        this.fail("limit_exceeded", `The path matched more than the limit of ${this.limits.maxListLength} items`, node);
      }
      return matches;
    }
    return matches.length === 1 ? (matches[0] as ExprValue) : null;
  }

  private secret(node: RefNode, secrets: ExprValue | undefined): ExprValue {
    const names = node.segments.map((s) => (s.kind === "name" ? s.name : ""));
    if (names.length > 2) {
      return this.fail("invalid_secret_path", secretShapeMessage(names), node);
    }
    const name = names[0] as string;
    const secret = isDict(secrets) && Object.hasOwn(secrets, name) ? (secrets[name] as ExprValue) : undefined;
    if (secret === undefined) {
      if (node.hasFallback) return null;
      return this.fail(
        "missing_secret",
        `Secret '${name}' is not available to this run: it does not exist in the run's environment or was not fetched. Add \`|| 'default'\` after the reference if it is optional`,
        node,
      );
    }
    if (names.length === 1) return secret;
    const key = names[1] as string;
    if (isDict(secret) && Object.hasOwn(secret, key)) return secret[key] as ExprValue;
    if (node.hasFallback) return null;
    const keys = isDict(secret) ? Object.keys(secret) : [];
    return this.fail(
      "missing_secret_key",
      `Secret '${name}' has no key '${key}'. Its keys are: ${keys.length ? keys.join(", ") : "(none)"}. Fix the key name, or write \`SECRETS.${name}.${key} || 'default'\` if the key is optional`,
      node,
    );
  }

  private variable(node: RefNode, vars: ExprValue | undefined): ExprValue {
    const names = node.segments.map((s) => (s.kind === "name" ? s.name : ""));
    if (names.length > 2) return this.fail("invalid_variable_path", variableShapeMessage(names), node);
    if (!isDict(vars)) return null;
    const name = names[0] as string;
    if (!Object.hasOwn(vars, name)) return null;
    const value = vars[name] as ExprValue;
    if (names.length === 1) return value;
    const key = names[1] as string;
    return isDict(value) && Object.hasOwn(value, key) ? (value[key] as ExprValue) : null;
  }
}

/**
 * The direct walk of a path of names and integer indices (the common `ACTIONS.a.result.b`): a
 * name reads a dict key, an index reads a list item or a string's character (as in Tracecat);
 * anything else is null.
 */
export function walkSimple(root: ExprValue, segments: readonly PathSegment[]): ExprValue {
  let current: ExprValue = root;
  for (const segment of segments) {
    if (segment.kind === "name") {
      if (!isDict(current) || !Object.hasOwn(current, segment.name)) return null;
      current = current[segment.name] as ExprValue;
    } else if (segment.kind === "index") {
      if (Array.isArray(current)) {
        const i = segment.index < 0 ? current.length + segment.index : segment.index;
        if (i < 0 || i >= current.length) return null;
        current = current[i] as ExprValue;
      } else if (typeof current === "string") {
        const chars = Array.from(current);
        const i = segment.index < 0 ? chars.length + segment.index : segment.index;
        if (i < 0 || i >= chars.length) return null;
        current = chars[i] as string;
      } else return null;
    } else return null;
  }
  return current;
}

function collectStrings(value: ExprValue, out: string[], depth: number): void {
  if (depth > 8) return;
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) for (const item of value) collectStrings(item, out, depth + 1);
  else if (isDict(value)) for (const key of Object.keys(value)) collectStrings(value[key] as ExprValue, out, depth + 1);
}

/** Tracecat's message for a SECRETS path that is not `SECRETS.<name>.<KEY>`. */
export function secretShapeMessage(names: readonly string[]): string {
  const path = names.join(".");
  if (names.length === 1) return `Invalid secret usage: '${path}'. Must be in the format \`SECRETS.my_secret.KEY\``;
  return `Invalid secret usage: '${path}'. Got extra segments [${names
    .slice(2)
    .map((s) => `'${s}'`)
    .join(", ")}].Must be in the format \`SECRETS.my_secret.KEY\``;
}

/** Tracecat's message for a VARS path with more than one key segment. */
export function variableShapeMessage(names: readonly string[]): string {
  return `VARS expressions currently support at most one key segment (\`VARS.<name>.<key>\`). Got VARS.${names.join(".")} with ${
    names.length - 1
  } key segments after the variable name.`;
}

function compileFor(source: string, limits: ExpressionLimits, useCache = true): CompiledTemplate {
  if (
    useCache &&
    limits.maxDepth === DEFAULT_LIMITS.maxDepth &&
    limits.maxExpressionChars === DEFAULT_LIMITS.maxExpressionChars
  ) {
    return sharedCache.compile(source);
  }
  return parseTemplate(source, limits);
}

/** Evaluates one string: its templates, or the string itself when it has none. */
export function evaluateTemplate(source: string, context: EvaluationContext, options?: EvaluateOptions): unknown {
  if (!source.includes("${{")) return source;
  const evaluation = new Evaluation(context, options);
  return evaluation.template(compileFor(source, evaluation.limits, evaluation.useCache));
}

/**
 * Evaluates every template in a value the way the executor does: strings are evaluated, lists
 * element-wise, dict keys and values recursively; other values are returned unchanged.
 */
export function evaluate(value: unknown, context: EvaluationContext, options?: EvaluateOptions): unknown {
  const evaluation = new Evaluation(context, options);
  return walk(value, evaluation, [], 0);
}

function walk(value: unknown, evaluation: Evaluation, location: (string | number)[], depth: number): unknown {
  if (typeof value === "string") {
    if (!value.includes("${{")) return value;
    try {
      return evaluation.template(compileFor(value, evaluation.limits, evaluation.useCache));
    } catch (error) {
      if (error instanceof ExpressionError) error.location = location.slice();
      throw error;
    }
  }
  if (value === null || typeof value !== "object") return value;
  if (depth > evaluation.limits.maxDepth) {
    throw new ExpressionError(
      "limit_exceeded",
      `The value is nested deeper than the limit of ${evaluation.limits.maxDepth} levels`,
      "",
      { start: 0, end: 0 },
      { location: location.slice() },
    );
  }
  if (Array.isArray(value)) {
    const out: unknown[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) {
      location.push(i);
      out[i] = walk(value[i], evaluation, location, depth + 1);
      location.pop();
    }
    return out;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  const input = value as Record<string, unknown>;
  const out: ExprDict = {};
  const origin = new Map<string, string>();
  for (const key of Object.keys(input)) {
    location.push(key);
    let newKey = key;
    if (key.includes("${{")) {
      let resolved: unknown;
      try {
        resolved = evaluation.template(compileFor(key, evaluation.limits, evaluation.useCache));
      } catch (error) {
        if (error instanceof ExpressionError) error.location = location.slice();
        throw error;
      }
      newKey = keyText(resolved, key, location);
    }
    const previous = origin.get(newKey);
    if (previous !== undefined) {
      throw new ExpressionError(
        "key_collision",
        `Expression resolution produced a duplicate dictionary key: '${previous}' and '${key}' resolve to the same key`,
        key.includes("${{") ? key : previous,
        { start: 0, end: (key.includes("${{") ? key : previous).length },
        { location: location.slice() },
      );
    }
    origin.set(newKey, key);
    setOwn(out, newKey, walk(input[key], evaluation, location, depth + 1) as ExprValue);
    location.pop();
  }
  return out;
}

function keyText(resolved: unknown, source: string, location: (string | number)[]): string {
  if (typeof resolved === "string") return resolved;
  if (resolved === null || typeof resolved === "number" || typeof resolved === "boolean")
    return JSON.stringify(resolved);
  throw new ExpressionError(
    "type_error",
    `A dictionary key must resolve to a string, number, bool or None, not '${typeName(resolved as ExprValue)}'`,
    source,
    { start: 0, end: source.length },
    { location: location.slice() },
  );
}
