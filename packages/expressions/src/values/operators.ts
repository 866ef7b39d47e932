// Python semantics of the binary operators and casts over expression values.
import type { ExpressionErrorCode } from "../errors/expression-error.js";
import { ExprObject, type ExprValue, FunctionError, type ObjectOperator } from "../functions/function-definition.js";
import type { CastType } from "../parser/ast.js";
import { type CompareOp, membershipMessage, orderingMessage, pyCompare, pyEquals, pyIn } from "./equality.js";
import { pyStr } from "./python-str.js";
import { truthy, typeName } from "./types.js";

/** A failed operation; the evaluator adds the expression and span. */
export class OperationError extends Error {
  constructor(
    readonly code: ExpressionErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface OperatorLimits {
  readonly maxOutputChars: number;
  readonly maxListLength: number;
}

function isNumeric(v: ExprValue): v is number | boolean {
  return typeof v === "number" || typeof v === "boolean";
}

/** `unsupported operand type(s) for -: 'int' and 'str'` (CPython's TypeError text). */
export function unsupportedMessage(op: string, a: ExprValue, b: ExprValue): string {
  return `unsupported operand type(s) for ${op}: '${typeName(a)}' and '${typeName(b)}'`;
}

function unsupported(op: string, a: ExprValue, b: ExprValue): OperationError {
  return new OperationError("type_error", unsupportedMessage(op, a, b));
}

function delegate(op: ObjectOperator, a: ExprValue, b: ExprValue): ExprValue | undefined {
  try {
    if (a instanceof ExprObject) {
      const r = a.applyOperator(op, b, false);
      if (r !== undefined) return r;
    }
    if (b instanceof ExprObject) return b.applyOperator(op, a, true);
    return undefined;
  } catch (error) {
    // An operator of a value type (timedelta / 0) fails like any operator: an expression error.
    if (error instanceof FunctionError) {
      throw new OperationError(error.code, error.message);
    }
    throw error;
  }
}

function checkString(text: string, limits: OperatorLimits): string {
  if (text.length > limits.maxOutputChars) {
    throw new OperationError(
      "limit_exceeded",
      `The result would be longer than the limit of ${limits.maxOutputChars} characters`,
    );
  }
  return text;
}

function checkListLength(length: number, limits: OperatorLimits): void {
  if (length > limits.maxListLength) {
    throw new OperationError(
      "limit_exceeded",
      `The result would have more than the limit of ${limits.maxListLength} items`,
    );
  }
}

function repeatCount(n: number | boolean): number | undefined {
  const count = Number(n);
  return Number.isInteger(count) ? Math.max(0, count) : undefined;
}

function repeat(
  seq: string | ExprValue[],
  n: number | boolean,
  limits: OperatorLimits,
  a: ExprValue,
  b: ExprValue,
): ExprValue {
  const count = repeatCount(n);
  if (count === undefined)
    throw new OperationError(
      "type_error",
      `can't multiply sequence by non-int of type '${typeName(isNumeric(a) ? a : b)}'`,
    );
  if (typeof seq === "string") {
    if (seq.length * count > limits.maxOutputChars) checkString("x".repeat(limits.maxOutputChars + 1), limits);
    return seq.repeat(count);
  }
  if (seq.length === 0 || count === 0) return [];
  checkListLength(seq.length * count, limits);
  const out: ExprValue[] = [];
  for (let i = 0; i < count; i++) for (const item of seq) out.push(item);
  return out;
}

/** Floored modulo (the result, zero included, has the divisor's sign), as Python's float `%`. */
export function pyMod(a: number, b: number): number {
  const r = a % b;
  if (r !== 0 && r < 0 !== b < 0) return r + b;
  return r === 0 ? (b < 0 ? -0 : 0) : r;
}

export function applyBinary(op: string, a: ExprValue, b: ExprValue, limits: OperatorLimits): ExprValue {
  switch (op) {
    case "+": {
      if (isNumeric(a) && isNumeric(b)) return Number(a) + Number(b);
      if (typeof a === "string" && typeof b === "string") return checkString(a + b, limits);
      if (Array.isArray(a) && Array.isArray(b)) {
        checkListLength(a.length + b.length, limits);
        return a.concat(b);
      }
      const r = delegate("+", a, b);
      if (r !== undefined) return r;
      if (typeof a === "string" || Array.isArray(a)) {
        const kind = typeName(a);
        const hint = kind === "str" ? "; convert with str(…) first" : "";
        throw new OperationError("type_error", `can only concatenate ${kind} (not "${typeName(b)}") to ${kind}${hint}`);
      }
      throw unsupported("+", a, b);
    }
    case "-": {
      if (isNumeric(a) && isNumeric(b)) return Number(a) - Number(b);
      const r = delegate("-", a, b);
      if (r !== undefined) return r;
      throw unsupported("-", a, b);
    }
    case "*": {
      if (isNumeric(a) && isNumeric(b)) return Number(a) * Number(b);
      if ((typeof a === "string" || Array.isArray(a)) && isNumeric(b)) return repeat(a, b, limits, a, b);
      if ((typeof b === "string" || Array.isArray(b)) && isNumeric(a)) return repeat(b, a, limits, a, b);
      const r = delegate("*", a, b);
      if (r !== undefined) return r;
      throw unsupported("*", a, b);
    }
    case "/": {
      if (isNumeric(a) && isNumeric(b)) {
        if (Number(b) === 0) throw new OperationError("zero_division", "division by zero");
        return Number(a) / Number(b);
      }
      const r = delegate("/", a, b);
      if (r !== undefined) return r;
      throw unsupported("/", a, b);
    }
    case "%": {
      if (isNumeric(a) && isNumeric(b)) {
        if (Number(b) === 0) throw new OperationError("zero_division", "modulo by zero");
        return pyMod(Number(a), Number(b));
      }
      const r = delegate("%", a, b);
      if (r !== undefined) return r;
      if (typeof a === "string") {
        throw new OperationError(
          "type_error",
          "printf-style formatting with % is not supported; use FN.format(template, …)",
        );
      }
      throw unsupported("%", a, b);
    }
    case "==":
      return pyEquals(a, b);
    case "!=":
      return !pyEquals(a, b);
    case "<":
    case ">":
    case "<=":
    case ">=": {
      const result = pyCompare(op as CompareOp, a, b);
      if (result === undefined) throw new OperationError("type_error", orderingMessage(op, a, b));
      return result;
    }
    case "in":
    case "not in": {
      const found = pyIn(a, b);
      if (found === undefined) {
        throw new OperationError("type_error", membershipMessage(a, b, op));
      }
      return op === "in" ? found : !found;
    }
    case "is":
      return a === b;
    case "is not":
      return a !== b;
  }
  throw new OperationError("type_error", `Unknown operator '${op}'`);
}

const INT_TEXT = /^\s*[+-]?\d+(?:_\d+)*\s*$/;
const FLOAT_TEXT = /^\s*[+-]?(?:(?:\d+(?:_\d+)*)?\.?\d+(?:_\d+)*|\d+(?:_\d+)*\.)(?:[eE][+-]?\d+(?:_\d+)*)?\s*$/;
const FLOAT_SPECIAL = /^\s*([+-]?)(inf|infinity|nan)\s*$/i;

/** `int()`, `float()`, `str()`, `bool()` with Python rules (bool: "true"/"1" only for strings). */
export function castValue(type: CastType, value: ExprValue, maxChars = Number.POSITIVE_INFINITY): ExprValue {
  switch (type) {
    case "str":
      return pyStr(value, maxChars);
    case "bool":
      if (typeof value === "string") {
        const lower = value.toLowerCase();
        return lower === "true" || lower === "1";
      }
      return truthy(value);
    case "int": {
      if (typeof value === "boolean") return value ? 1 : 0;
      if (typeof value === "number") {
        if (Number.isNaN(value)) throw new OperationError("value_error", "cannot convert float NaN to integer");
        if (!Number.isFinite(value))
          throw new OperationError("value_error", "cannot convert float infinity to integer");
        return Math.trunc(value);
      }
      if (typeof value === "string") {
        if (!INT_TEXT.test(value)) {
          throw new OperationError(
            "value_error",
            "invalid literal for int() with base 10: the text is not a whole number",
          );
        }
        return Number(value.replace(/_/g, "").trim());
      }
      throw new OperationError(
        "type_error",
        `int() argument must be a string, a number or a bool, not '${typeName(value)}'`,
      );
    }
    case "float": {
      if (typeof value === "boolean") return value ? 1 : 0;
      if (typeof value === "number") return value;
      if (typeof value === "string") {
        const special = FLOAT_SPECIAL.exec(value);
        if (special) {
          const sign = special[1] === "-" ? -1 : 1;
          return (special[2] as string).toLowerCase() === "nan" ? Number.NaN : sign * Number.POSITIVE_INFINITY;
        }
        if (!FLOAT_TEXT.test(value))
          throw new OperationError("value_error", "could not convert string to float: the text is not a number");
        return Number(value.replace(/_/g, "").trim());
      }
      throw new OperationError(
        "type_error",
        `float() argument must be a string or a real number, not '${typeName(value)}'`,
      );
    }
  }
}
