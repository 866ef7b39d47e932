// The one error type of the expression language. It carries the expression's source text and
// the character span of the failing part so callers can point at it (`format()` draws a caret).

/** Stable machine-readable error codes. */
export type ExpressionErrorCode =
  | "parse_error"
  | "unknown_function"
  | "arity"
  | "type_error"
  | "value_error"
  | "key_error"
  | "index_error"
  | "zero_division"
  | "missing_secret"
  | "missing_secret_key"
  | "invalid_secret_path"
  | "invalid_variable_path"
  | "key_collision"
  | "limit_exceeded";

/** Half-open character range [start, end) into `ExpressionError.expression`. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

export interface ExpressionErrorOptions {
  /** Where in the evaluated object the string sits: keys and indices from the root. */
  readonly location?: readonly (string | number)[];
}

export class ExpressionError extends Error {
  readonly code: ExpressionErrorCode;
  /** The whole source string the error is about (a template string such as `"Bearer ${{ … }}"`). */
  readonly expression: string;
  readonly span: Span;
  /** The message without location decoration. */
  readonly reason: string;
  /** Path inside the evaluated object (empty for a top-level string). */
  location: readonly (string | number)[];

  constructor(
    code: ExpressionErrorCode,
    reason: string,
    expression: string,
    span: Span,
    options?: ExpressionErrorOptions,
  ) {
    super(reason);
    this.name = "ExpressionError";
    this.code = code;
    this.reason = reason;
    this.expression = expression;
    this.span = span;
    this.location = options?.location ?? [];
  }

  /** The message, then the line of the expression holding the span with a caret line under it. */
  format(): string {
    return formatError(this);
  }
}

/** Renders an ExpressionError as `message`, the offending source line and `^^^` under the span. */
export function formatError(error: ExpressionError): string {
  const { expression, span } = error;
  const start = Math.max(0, Math.min(span.start, expression.length));
  const end = Math.max(start, Math.min(span.end, expression.length));
  const lineStart = expression.lastIndexOf("\n", start - 1) + 1;
  let lineEnd = expression.indexOf("\n", start);
  if (lineEnd === -1) lineEnd = expression.length;
  const line = expression.slice(lineStart, lineEnd);
  const caretEnd = Math.min(end, lineEnd);
  const width = Math.max(1, caretEnd - start);
  const lineNo = countLines(expression, lineStart);
  const where = error.location.length ? ` at ${formatLocation(error.location)}` : "";
  const header = `${error.reason} [${error.code}]${where}`;
  const prefix = lineNo > 1 || lineEnd < expression.length ? `${lineNo} | ` : "  ";
  const pad = " ".repeat(prefix.length + displayWidth(line.slice(0, start - lineStart)));
  return `${header}\n${prefix}${line}\n${pad}${"^".repeat(width)}`;
}

function countLines(text: string, upTo: number): number {
  let n = 1;
  for (let i = 0; i < upTo; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}

// Tabs keep their width by being echoed; everything else counts as one column.
function displayWidth(text: string): number {
  return text.length;
}

function formatLocation(location: readonly (string | number)[]): string {
  let out = "";
  for (const part of location) out += typeof part === "number" ? `[${part}]` : out ? `.${part}` : part;
  return out || "(root)";
}
