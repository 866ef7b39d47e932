// Bounds on evaluation. Exceeding one is an ExpressionError with code `limit_exceeded`.

export interface ExpressionLimits {
  /** Longest string a template may produce (interpolated text, concatenation, repetition). */
  readonly maxOutputChars: number;
  /** Longest list (or most keys in a dict) an operation may produce. */
  readonly maxListLength: number;
  /** Deepest nesting of the expression syntax and of values walked or compared. */
  readonly maxDepth: number;
  /** Wall-clock budget for evaluating one template, in milliseconds. */
  readonly maxTimeMs: number;
  /** Longest expression source accepted by the parser. */
  readonly maxExpressionChars: number;
}

export const DEFAULT_LIMITS: ExpressionLimits = Object.freeze({
  maxOutputChars: 1024 * 1024,
  maxListLength: 100_000,
  maxDepth: 64,
  maxTimeMs: 1000,
  maxExpressionChars: 64 * 1024,
});

/** Fills missing fields from the defaults. */
export function resolveLimits(limits?: Partial<ExpressionLimits>): ExpressionLimits {
  if (!limits) return DEFAULT_LIMITS;
  return { ...DEFAULT_LIMITS, ...limits };
}
