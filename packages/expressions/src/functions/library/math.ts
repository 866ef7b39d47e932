// Math group (reference §2.6): Python's generic operators (+ concatenates, * repeats, / is true
// division, % is floored) on numbers, strings, lists and datetime values.

import { tick } from "../../limits/budget.js";
import { pyEquals } from "../../values/equality.js";
import { applyBinary, OperationError, unsupportedMessage } from "../../values/operators.js";
import { type ExprValue, type FunctionDefinition, FunctionError } from "../function-definition.js";
import { param } from "./args.js";
import { type CallLimits, checkStringLength, limitsOf } from "./limits.js";
import { pyPercentFormat } from "./python-format.js";
import { compareOrFail, pyIterate } from "./python-values.js";

const GROUP = "Math";

function num(v: ExprValue): number | undefined {
  if (typeof v === "number") return v;
  if (typeof v === "boolean") return v ? 1 : 0;
  return undefined;
}

function unsupported(op: string, a: ExprValue, b: ExprValue): FunctionError {
  return new FunctionError(unsupportedMessage(op, a, b), "type_error");
}

function checkNumber(result: number, a: number, b: number): number {
  if (!Number.isFinite(result) && Number.isFinite(a) && Number.isFinite(b)) {
    throw new FunctionError("numerical result out of range (overflow)", "value_error");
  }
  return result;
}

/**
 * The language's binary operator (values/operators.ts), its errors as FunctionErrors, plus the
 * library's overflow check on numbers.
 */
function operate(op: "+" | "-" | "*" | "/" | "%", a: ExprValue, b: ExprValue, limits: CallLimits): ExprValue {
  let result: ExprValue;
  try {
    result = applyBinary(op, a, b, limits);
  } catch (error) {
    if (error instanceof OperationError) {
      const code = error.code === "type_error" || error.code === "limit_exceeded" ? error.code : "value_error";
      throw new FunctionError(error.message, code);
    }
    throw error;
  }
  const x = num(a);
  const y = num(b);
  return typeof result === "number" && x !== undefined && y !== undefined ? checkNumber(result, x, y) : result;
}

/** Python `a + b`. */
export function pyAdd(a: ExprValue, b: ExprValue, limits: CallLimits): ExprValue {
  return operate("+", a, b, limits);
}

function pow(a: ExprValue, b: ExprValue): ExprValue {
  const x = num(a);
  const y = num(b);
  if (x === undefined || y === undefined) throw unsupported("** or pow()", a, b);
  if (x === 0 && y < 0) throw new FunctionError("0.0 cannot be raised to a negative power", "value_error");
  if (x < 0 && !Number.isInteger(y) && Number.isFinite(y)) {
    throw new FunctionError(
      "a negative base with a fractional exponent gives a complex number, which is not supported",
      "value_error",
    );
  }
  if (Number.isInteger(x) && Number.isInteger(y) && y >= 0 && typeof a !== "boolean") {
    const exact = BigInt(x) ** BigInt(Math.min(y, 100_000));
    if (y <= 100_000 && exact <= BigInt(Number.MAX_SAFE_INTEGER) && exact >= BigInt(Number.MIN_SAFE_INTEGER)) {
      return Number(exact);
    }
  }
  return checkNumber(x ** y, x, y);
}

/** Python 3.12 sum(): Neumaier-compensated for numbers, generic `+` otherwise. */
function pySum(items: readonly ExprValue[], start: ExprValue, limits: CallLimits): ExprValue {
  if (typeof start === "string") {
    throw new FunctionError("sum() can't sum strings; use FN.join instead", "type_error");
  }
  let acc: ExprValue = start;
  let i = 0;
  const s0 = num(acc);
  if (s0 !== undefined) {
    let total = s0;
    let compensation = 0;
    for (; i < items.length; i++) {
      const x = num(items[i] as ExprValue);
      if (x === undefined) break;
      const t = total + x;
      if (Number.isFinite(t)) {
        compensation += Math.abs(total) >= Math.abs(x) ? total - t + x : x - t + total;
      }
      total = t;
    }
    acc = compensation !== 0 && Number.isFinite(compensation) ? total + compensation : total;
  }
  for (; i < items.length; i++) {
    tick();
    acc = pyAdd(acc, items[i] as ExprValue, limits);
  }
  return acc;
}

export const mathFunctions: FunctionDefinition[] = [
  {
    name: "add",
    group: GROUP,
    description: "a + b: adds numbers, concatenates strings or lists, shifts a datetime by a timedelta.",
    params: [param("a", "float | int"), param("b", "float | int")],
    returns: "float | int",
    call: (args, context) => pyAdd(args[0] as ExprValue, args[1] as ExprValue, limitsOf(context)),
  },
  {
    name: "sub",
    group: GROUP,
    description: "a - b: subtracts numbers, datetimes (giving a timedelta) or a timedelta from a datetime.",
    params: [param("a", "float | int"), param("b", "float | int")],
    returns: "float | int",
    call: (args, context) => operate("-", args[0] as ExprValue, args[1] as ExprValue, limitsOf(context)),
  },
  {
    name: "mul",
    group: GROUP,
    description: "a * b: multiplies numbers, repeats a string or list by an int, scales a timedelta.",
    params: [param("a", "float | int"), param("b", "float | int")],
    returns: "float | int",
    call: (args, context) => operate("*", args[0] as ExprValue, args[1] as ExprValue, limitsOf(context)),
  },
  {
    name: "div",
    group: GROUP,
    description: "a / b: true division (always a float for numbers); dividing by zero is an error.",
    params: [param("a", "float | int"), param("b", "float | int")],
    returns: "float",
    call(args, context) {
      const b = args[1] as ExprValue;
      if (pyEquals(b, 0)) throw new FunctionError("Cannot divide by zero", "value_error");
      return operate("/", args[0] as ExprValue, b, limitsOf(context));
    },
  },
  {
    name: "mod",
    group: GROUP,
    description: "a % b: Python's floored modulo (sign of the divisor); a str on the left is %-formatting.",
    params: [param("a", "float | int"), param("b", "float | int")],
    returns: "float | int",
    call(args, context) {
      const a = args[0] as ExprValue;
      const b = args[1] as ExprValue;
      if (pyEquals(b, 0)) throw new FunctionError("Cannot calculate modulo with zero", "value_error");
      if (typeof a === "string") {
        const out = pyPercentFormat(a, b);
        checkStringLength("mod", out.length, limitsOf(context));
        return out;
      }
      return operate("%", a, b, limitsOf(context));
    },
  },
  {
    name: "pow",
    group: GROUP,
    description: "a ** b: exact for non-negative int exponents within 2^53, a float otherwise.",
    params: [param("a", "float | int"), param("b", "float | int")],
    returns: "float | int",
    call: (args) => pow(args[0] as ExprValue, args[1] as ExprValue),
  },
  {
    name: "sum",
    group: GROUP,
    description: "Sum of the items plus `start` (compensated float summation, as in Python 3.12).",
    params: [param("iterable", "Iterable[float | int]"), param("start", "float | int", { optional: true })],
    returns: "float | int",
    call(args, context) {
      const items = pyIterate(args[0] as ExprValue, "sum", "iterable");
      return pySum(items, args.length > 1 ? (args[1] as ExprValue) : 0, limitsOf(context));
    },
  },
  {
    name: "min",
    group: GROUP,
    description: "The smaller of two values (the first on a tie).",
    params: [param("a", "Any"), param("b", "Any")],
    returns: "Any",
    call: (args) => (compareOrFail("<", args[1] as ExprValue, args[0] as ExprValue) ? args[1] : args[0]) as ExprValue,
  },
  {
    name: "max",
    group: GROUP,
    description: "The larger of two values (the first on a tie).",
    params: [param("a", "Any"), param("b", "Any")],
    returns: "Any",
    call: (args) => (compareOrFail(">", args[1] as ExprValue, args[0] as ExprValue) ? args[1] : args[0]) as ExprValue,
  },
];
