// The contract between the evaluator and the FN library. The language (registry mechanism,
// arity checks, `.map` broadcasting) and the library of functions are built against this file.

/**
 * A value of the expression language as functions see it: JSON-like data (null for None,
 * booleans, numbers — Python's int and float are both JS numbers —, strings, arrays, plain
 * objects) plus ExprObject instances for values JSON cannot hold (datetimes, durations…).
 */
export type ExprValue = null | boolean | number | string | ExprObject | ExprValue[] | { [key: string]: ExprValue };

/** Binary operators an ExprObject may implement for itself. */
export type ObjectOperator = "+" | "-" | "*" | "/" | "%" | "==" | "<";

/**
 * Base class of non-JSON values (datetime, date, time, timedelta…). The evaluator renders them
 * with toJSON() (inline text and native results alike) and asks them to apply operators.
 */
export abstract class ExprObject {
  /** Python's type name, for messages: `datetime`, `timedelta`, … */
  abstract readonly typeName: string;
  /** The JSON form when the value leaves the language (ISO strings for datetimes). */
  abstract toJSON(): string | number | boolean | null;
  /** Python's str() form, for FN functions that need it. */
  abstract toPythonString(): string;
  /**
   * Applies `this <op> other` (or `other <op> this` when reversed). Returns undefined when the
   * operation is not supported, so the evaluator reports a type error. For "==" returns a
   * boolean; for "<" returns a boolean.
   */
  applyOperator(_op: ObjectOperator, _other: ExprValue, _reversed: boolean): ExprValue | undefined {
    return undefined;
  }
  /** Python truthiness (`bool(x)`, `not`, `||`, `&&`, ternary). A zero duration overrides this to false. */
  truthy(): boolean {
    return true;
  }
}

/** One parameter of a function's signature. */
export interface FunctionParameter {
  readonly name: string;
  /** A type hint for check-time messages, docs and the UI: `str`, `int`, `list[str]`, `Any`, … */
  readonly type: string;
  /** True when the parameter may be omitted (it has a default). */
  readonly optional?: boolean;
  /** True for `*args`: takes every remaining argument (must be the last parameter). */
  readonly variadic?: boolean;
}

/** What a function may use besides its arguments. Never I/O. */
export interface FunctionContext {
  /** The run's logical time (injectable clock), as epoch milliseconds. */
  now(): number;
  /**
   * The evaluation's bounds, when the evaluator provides them. A function that can build large
   * output (ranges, repetition, products) throws `FunctionError(…, "limit_exceeded")` past them.
   */
  readonly limits?: {
    readonly maxOutputChars: number;
    readonly maxListLength: number;
    readonly maxDepth: number;
  };
}

export interface FunctionDefinition {
  /** Registry name, as written after `FN.` (case-sensitive). */
  readonly name: string;
  /** Other registry names of the same function. */
  readonly aliases?: readonly string[];
  /** Tracecat's grouping: `String transforms`, `Arrays`, `Time related`, … */
  readonly group: string;
  /** One line shown by docs and the UI. */
  readonly description: string;
  readonly params: readonly FunctionParameter[];
  /** Return type hint, as `type` above. */
  readonly returns: string;
  /** Arguments arrive positionally, already evaluated; omitted optional ones are absent. */
  call(args: readonly ExprValue[], context: FunctionContext): ExprValue;
}

/**
 * What a function throws for bad input. The evaluator turns it into an ExpressionError with the
 * span of the call. The message names types and arguments, never values that may be secret.
 */
export class FunctionError extends Error {
  readonly code: "type_error" | "value_error" | "limit_exceeded" | "zero_division";
  constructor(
    message: string,
    code: "type_error" | "value_error" | "limit_exceeded" | "zero_division" = "value_error",
  ) {
    super(message);
    this.name = "FunctionError";
    this.code = code;
  }
}
