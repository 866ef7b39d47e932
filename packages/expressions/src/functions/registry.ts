// The function registry: names (and aliases) → definitions, Tracecat's arity rules, `.map`
// broadcasting, and the call wrapper that turns a FunctionError into an ExpressionError.
import { ExpressionError, type Span } from "../errors/expression-error.js";
import { BudgetExceeded } from "../limits/budget.js";
import { isMapIterable } from "../values/types.js";
import { type ExprValue, type FunctionContext, type FunctionDefinition, FunctionError } from "./function-definition.js";

export interface FunctionRegistry {
  /** The definition registered under `name` (canonical name or alias), if any. */
  get(name: string): FunctionDefinition | undefined;
  has(name: string): boolean;
  /** Every callable name, aliases included, sorted. */
  names(): string[];
  /** Each definition once, in registration order. */
  definitions(): readonly FunctionDefinition[];
  /**
   * Tracecat's arity message for calling `name` with `argc` arguments, or undefined when the
   * count fits (or the function is unknown: that is a different problem).
   */
  arityProblem(name: string, argc: number): string | undefined;
}

export interface ArityBounds {
  readonly min: number;
  /** Infinity when the function takes varargs. */
  readonly max: number;
}

/** How many positional arguments a definition accepts. */
export function arityBounds(definition: FunctionDefinition): ArityBounds {
  let min = 0;
  let max = 0;
  for (const p of definition.params) {
    if (p.variadic) return { min, max: Number.POSITIVE_INFINITY };
    max++;
    if (!p.optional) min = max;
  }
  return { min, max };
}

/** `Function 'x' expects at least N argument(s) …` / `accepts at most …`, or undefined. */
export function arityMessage(name: string, definition: FunctionDefinition, argc: number): string | undefined {
  const { min, max } = arityBounds(definition);
  if (argc < min) return `Function '${name}' expects at least ${min} argument(s) but ${argc} were provided`;
  if (argc > max) return `Function '${name}' accepts at most ${max} argument(s) but ${argc} were provided`;
  return undefined;
}

/** Builds a registry from definitions; a name or alias registered twice is a programming error. */
export function createRegistry(definitions: Iterable<FunctionDefinition>): FunctionRegistry {
  const byName = new Map<string, FunctionDefinition>();
  for (const definition of definitions) {
    validateDefinition(definition);
    for (const name of [definition.name, ...(definition.aliases ?? [])]) {
      if (byName.has(name)) throw new Error(`function '${name}' is registered twice`);
      byName.set(name, definition);
    }
  }
  const ordered = [...new Set(byName.values())];
  const sortedNames = [...byName.keys()].sort();
  return {
    get: (name) => byName.get(name),
    has: (name) => byName.has(name),
    names: () => sortedNames.slice(),
    definitions: () => ordered,
    arityProblem(name, argc) {
      const definition = byName.get(name);
      return definition ? arityMessage(name, definition, argc) : undefined;
    },
  };
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

function validateDefinition(definition: FunctionDefinition): void {
  for (const name of [definition.name, ...(definition.aliases ?? [])]) {
    if (!IDENTIFIER.test(name)) {
      throw new TypeError(`Function name '${name}' is not callable as FN.<name>: use letters, digits and underscores`);
    }
  }
  definition.params.forEach((p, i) => {
    if (p.variadic && i !== definition.params.length - 1) {
      throw new TypeError(`Function '${definition.name}': variadic parameter '${p.name}' must be the last one`);
    }
  });
}

/** Where a call sits, so its failures point at it. */
export interface CallSite {
  readonly expression: string;
  readonly span: Span;
  /** Text appended to failure messages, e.g. which SECRETS the arguments derive from. */
  readonly note?: string;
}

/**
 * Calls a function by name — or broadcasts it with `.map` — and reports every failure as an
 * ExpressionError at the call site: unknown name, wrong arity, FunctionError, or any other throw.
 */
export function invokeFunction(
  registry: FunctionRegistry,
  name: string,
  args: readonly ExprValue[],
  map: boolean,
  context: FunctionContext,
  site: CallSite,
): ExprValue {
  const definition = registry.get(name);
  if (!definition) {
    throw new ExpressionError("unknown_function", `Unknown function '${name}'`, site.expression, site.span);
  }
  const arity = arityMessage(name, definition, args.length);
  if (arity) throw new ExpressionError("arity", arity, site.expression, site.span);
  const label = map ? `FN.${name}.map` : `FN.${name}`;
  try {
    return map ? broadcast(definition, args, context) : definition.call(args, context);
  } catch (error) {
    if (error instanceof ExpressionError) throw error;
    const note = site.note ? ` ${site.note}` : "";
    if (error instanceof FunctionError) {
      throw new ExpressionError(error.code, `${label} failed: ${error.message}${note}`, site.expression, site.span);
    }
    if (error instanceof BudgetExceeded) {
      throw new ExpressionError("limit_exceeded", `${label} failed: ${error.message}`, site.expression, site.span);
    }
    if (error instanceof RangeError && /call stack/i.test(error.message)) {
      throw new ExpressionError(
        "limit_exceeded",
        `${label} failed: input nested too deeply${note}`,
        site.expression,
        site.span,
      );
    }
    // An unexpected throw is a bug in the function; its message may quote a value, so only the
    // error class is reported.
    const kind = error instanceof Error ? error.name : typeof error;
    throw new ExpressionError(
      "value_error",
      `${label} failed with an internal ${kind}${note}`,
      site.expression,
      site.span,
    );
  }
}

/**
 * Tracecat's `.map`: with no list argument, one call wrapped in a list; otherwise lists are zipped
 * (shortest wins) and every other argument is repeated.
 */
export function broadcast(
  definition: FunctionDefinition,
  args: readonly ExprValue[],
  context: FunctionContext,
): ExprValue[] {
  let length = -1;
  for (const arg of args) {
    if (isMapIterable(arg) && (length === -1 || arg.length < length)) length = arg.length;
  }
  if (length === -1) return [definition.call(args, context)];
  const max = context.limits?.maxListLength;
  if (max !== undefined && length > max) {
    throw new FunctionError(`.map would produce ${length} items, more than the limit of ${max}`, "limit_exceeded");
  }
  const out: ExprValue[] = new Array(length);
  const row: ExprValue[] = new Array(args.length);
  for (let i = 0; i < length; i++) {
    for (let j = 0; j < args.length; j++) {
      const arg = args[j] as ExprValue;
      row[j] = isMapIterable(arg) ? (arg[i] as ExprValue) : arg;
    }
    out[i] = definition.call(row.slice(), context);
  }
  return out;
}
