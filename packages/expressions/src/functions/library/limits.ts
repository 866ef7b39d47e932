// Bounds on what one function call may build, so a hostile expression cannot exhaust memory or
// the stack of a run. The evaluator passes its limits in the context; direct calls get the
// language's defaults. Exceeding one is a FunctionError with code "limit_exceeded".
import { DEFAULT_LIMITS } from "../../limits/limits.js";
import { type FunctionContext, FunctionError } from "../function-definition.js";

export interface CallLimits {
  readonly maxOutputChars: number;
  readonly maxListLength: number;
  readonly maxDepth: number;
}

/** Deepest nesting a recursive walk (equality, str(), flatten…) goes into. */
export const MAX_DEPTH = 256;
/** Longest text str()/repr() build for a function without the call's limits at hand. */
export const MAX_TEXT = DEFAULT_LIMITS.maxOutputChars;
/** Longest regular expression pattern accepted. */
export const MAX_PATTERN_LENGTH = 10_000;

export function limitsOf(context: FunctionContext | undefined): CallLimits {
  return context?.limits ?? DEFAULT_LIMITS;
}

export function checkStringLength(_fn: string, length: number, limits: CallLimits = DEFAULT_LIMITS): void {
  if (length > limits.maxOutputChars) {
    throw new FunctionError(
      `the result would be longer than ${limits.maxOutputChars} characters; work on smaller inputs`,
      "limit_exceeded",
    );
  }
}

export function checkListLength(_fn: string, length: number, limits: CallLimits = DEFAULT_LIMITS): void {
  if (length > limits.maxListLength) {
    throw new FunctionError(
      `the result would have more than ${limits.maxListLength} items; work on smaller inputs`,
      "limit_exceeded",
    );
  }
}

export function checkDepth(_fn: string, depth: number): void {
  if (depth > MAX_DEPTH) {
    throw new FunctionError(`the value is nested deeper than ${MAX_DEPTH} levels`, "limit_exceeded");
  }
}
