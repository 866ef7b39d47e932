// A hand-written lexer for the inside of `${{ … }}`. It works on the whole source string, so
// every token's offsets are positions in what the user wrote. `}` is always a single token: the
// parser decides that two adjacent `}` at the top level close the template, which is what lets
// `}}` appear inside string literals and nested dict literals.
import { ExpressionError } from "../errors/expression-error.js";

export type TokenType =
  | "number"
  | "string"
  | "ident"
  | "("
  | ")"
  | "["
  | "]"
  | "{"
  | "}"
  | ","
  | ":"
  | "."
  | "->"
  | "||"
  | "&&"
  | "=="
  | "!="
  | "<="
  | ">="
  | "<"
  | ">"
  | "+"
  | "-"
  | "*"
  | "/"
  | "%"
  | "eof";

export interface Token {
  readonly type: TokenType;
  readonly start: number;
  readonly end: number;
  /** Identifier text, decoded string literal, or numeric value. */
  readonly value: string | number;
}

function isIdentStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}

export function isIdentPart(c: number): boolean {
  return isIdentStart(c) || (c >= 48 && c <= 57);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 9 || c === 13 || c === 12 || c === 11;
}

export class Lexer {
  pos: number;
  private peeked: Token | undefined;

  constructor(
    readonly source: string,
    start: number,
    readonly limit: number = source.length,
  ) {
    this.pos = start;
  }

  error(message: string, start: number, end: number): ExpressionError {
    return new ExpressionError("parse_error", message, this.source, { start, end: Math.max(end, start + 1) });
  }

  peek(): Token {
    if (this.peeked === undefined) this.peeked = this.scan();
    return this.peeked;
  }

  next(): Token {
    const token = this.peek();
    this.peeked = undefined;
    return token;
  }

  /** Moves to a raw offset, dropping any peeked token (used after scanning a context path). */
  reset(pos: number): void {
    this.pos = pos;
    this.peeked = undefined;
  }

  private scan(): Token {
    const src = this.source;
    let i = this.pos;
    const n = this.limit;
    while (i < n && isSpace(src.charCodeAt(i))) i++;
    if (i >= n) {
      this.pos = i;
      return { type: "eof", start: i, end: i, value: "" };
    }
    const c = src.charCodeAt(i);
    const start = i;
    if (isIdentStart(c)) {
      i++;
      while (i < n && isIdentPart(src.charCodeAt(i))) i++;
      this.pos = i;
      return { type: "ident", start, end: i, value: src.slice(start, i) };
    }
    if (isDigit(c)) return this.scanNumber(start);
    if (c === 39 || c === 34) return this.scanString(start, c);
    const c2 = i + 1 < n ? src.charCodeAt(i + 1) : 0;
    let type: TokenType | undefined;
    let len = 1;
    switch (c) {
      case 40:
        type = "(";
        break;
      case 41:
        type = ")";
        break;
      case 91:
        type = "[";
        break;
      case 93:
        type = "]";
        break;
      case 123:
        type = "{";
        break;
      case 125:
        type = "}";
        break;
      case 44:
        type = ",";
        break;
      case 58:
        type = ":";
        break;
      case 46:
        type = ".";
        break;
      case 43:
        type = "+";
        break;
      case 42:
        type = "*";
        break;
      case 47:
        type = "/";
        break;
      case 37:
        type = "%";
        break;
      case 45:
        if (c2 === 62) {
          type = "->";
          len = 2;
        } else type = "-";
        break;
      case 124:
        if (c2 === 124) {
          type = "||";
          len = 2;
        }
        break;
      case 38:
        if (c2 === 38) {
          type = "&&";
          len = 2;
        }
        break;
      case 61:
        if (c2 === 61) {
          type = "==";
          len = 2;
        }
        break;
      case 33:
        if (c2 === 61) {
          type = "!=";
          len = 2;
        }
        break;
      case 60:
        if (c2 === 61) {
          type = "<=";
          len = 2;
        } else type = "<";
        break;
      case 62:
        if (c2 === 61) {
          type = ">=";
          len = 2;
        } else type = ">";
        break;
    }
    if (type === undefined) {
      const ch = String.fromCodePoint(src.codePointAt(i) ?? c);
      const hint =
        ch === "|"
          ? " (did you mean `||`?)"
          : ch === "&"
            ? " (did you mean `&&`?)"
            : ch === "="
              ? " (did you mean `==`?)"
              : ch === "!"
                ? " (use `not` or `!=`)"
                : "";
      throw this.error(`Unexpected character '${ch}'${hint}`, start, start + ch.length);
    }
    this.pos = i + len;
    return { type, start, end: i + len, value: "" };
  }

  private scanNumber(start: number): Token {
    const src = this.source;
    let i = start;
    const n = this.limit;
    while (i < n && isDigit(src.charCodeAt(i))) i++;
    if (i < n && src.charCodeAt(i) === 46) {
      if (i + 1 < n && isDigit(src.charCodeAt(i + 1))) {
        i++;
        while (i < n && isDigit(src.charCodeAt(i))) i++;
      } else if (!(i + 1 < n && (isIdentStart(src.charCodeAt(i + 1)) || src.charCodeAt(i + 1) === 46))) {
        throw this.error("A decimal point must be followed by digits (write `1.0`, not `1.`)", start, i + 1);
      }
    }
    if (i < n && isIdentStart(src.charCodeAt(i))) {
      let j = i;
      while (j < n && isIdentPart(src.charCodeAt(j))) j++;
      throw this.error(
        "Invalid number: numbers are digits with an optional fraction (`12`, `1.5`); no exponents or suffixes",
        start,
        j,
      );
    }
    this.pos = i;
    return { type: "number", start, end: i, value: Number(src.slice(start, i)) };
  }

  // Escapes \n \t \\ \' \" are decoded; any other backslash stays as typed, so regexes such as
  // '\d+' keep their meaning.
  private scanString(start: number, quote: number): Token {
    const src = this.source;
    const n = this.limit;
    let i = start + 1;
    let out = "";
    let chunk = i;
    while (i < n) {
      const c = src.charCodeAt(i);
      if (c === quote) {
        out += src.slice(chunk, i);
        this.pos = i + 1;
        return { type: "string", start, end: i + 1, value: out };
      }
      if (c === 92 && i + 1 < n) {
        const e = src.charCodeAt(i + 1);
        let decoded: string | undefined;
        if (e === 110) decoded = "\n";
        else if (e === 116) decoded = "\t";
        else if (e === 92) decoded = "\\";
        else if (e === 39) decoded = "'";
        else if (e === 34) decoded = '"';
        if (decoded !== undefined) {
          out += src.slice(chunk, i) + decoded;
          i += 2;
          chunk = i;
          continue;
        }
        i += 2;
        continue;
      }
      i++;
    }
    throw this.error(`Unterminated string literal: add the closing ${quote === 39 ? "'" : '"'}`, start, n);
  }
}
