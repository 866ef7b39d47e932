// Finds every `${{ … }}` in a string and parses it once; compiled templates are cached by source.
import { ExpressionError } from "../errors/expression-error.js";
import type { ExpressionRoot } from "../parser/ast.js";
import { parseExpression } from "../parser/parser.js";

export interface CompiledTemplate {
  readonly source: string;
  /** Text between templates; `texts.length === roots.length + 1`. */
  readonly texts: readonly string[];
  readonly roots: readonly ExpressionRoot[];
  /** The string is exactly one template: its value keeps its native type. */
  readonly whole: boolean;
}

export interface CompileOptions {
  readonly maxDepth: number;
  readonly maxExpressionChars: number;
}

const DEFAULT_COMPILE: CompileOptions = { maxDepth: 64, maxExpressionChars: 64 * 1024 };

/** True when the string holds at least one `${{`. */
export function isTemplate(value: unknown): value is string {
  return typeof value === "string" && value.includes("${{");
}

/** Parses every template in `source`. Throws ExpressionError on the first syntax problem. */
export function parseTemplate(source: string, options: CompileOptions = DEFAULT_COMPILE): CompiledTemplate {
  if (source.length > options.maxExpressionChars) {
    throw new ExpressionError(
      "limit_exceeded",
      `Template text is ${source.length} characters long, more than the limit of ${options.maxExpressionChars}`,
      source,
      { start: 0, end: source.length },
    );
  }
  const texts: string[] = [];
  const roots: ExpressionRoot[] = [];
  let i = 0;
  for (;;) {
    const j = source.indexOf("${{", i);
    if (j === -1) break;
    texts.push(source.slice(i, j));
    const root = parseExpression(source, j, j + 3, options);
    roots.push(root);
    i = root.end;
  }
  texts.push(source.slice(i));
  const whole = roots.length === 1 && texts[0] === "" && texts[1] === "";
  return { source, texts, roots, whole };
}

/** A bounded map from source text to its compiled form (or its syntax error). */
export class TemplateCache {
  private readonly entries = new Map<string, CompiledTemplate | ExpressionError>();

  constructor(private readonly capacity = 10_000) {}

  get size(): number {
    return this.entries.size;
  }

  compile(source: string, options: CompileOptions = DEFAULT_COMPILE): CompiledTemplate {
    let entry = this.entries.get(source);
    if (entry === undefined) {
      try {
        entry = parseTemplate(source, options);
      } catch (error) {
        if (!(error instanceof ExpressionError)) throw error;
        entry = error;
      }
      if (this.entries.size >= this.capacity) {
        // Drop the oldest entry: Map iteration order is insertion order.
        const oldest = this.entries.keys().next();
        if (!oldest.done) this.entries.delete(oldest.value);
      }
      this.entries.set(source, entry);
    }
    if (entry instanceof ExpressionError) {
      throw new ExpressionError(entry.code, entry.reason, entry.expression, entry.span);
    }
    return entry;
  }

  clear(): void {
    this.entries.clear();
  }
}

export const sharedCache = new TemplateCache();
