// A Pratt parser for one `${{ … }}` occurrence, with Tracecat's precedence (reference §5.2):
// ternary < || < && < not < comparison < in < is < + - < * / % < unary < indexing.
import { ExpressionError } from "../errors/expression-error.js";
import { type CompiledPath, compileJsonPath, JsonPathSyntaxError } from "../jsonpath/jsonpath.js";
import { isIdentPart, Lexer, type Token, type TokenType } from "../lexer/lexer.js";
import {
  type BinaryOp,
  CAST_TYPES,
  type CastType,
  CONTEXT_NAMES,
  type ContextName,
  type ExpressionRoot,
  type Node,
  type PathSegment,
  type RefNode,
} from "./ast.js";

const COMPARISON = 5;
const INCLUSION = 6;
const IDENTITY = 7;
const ADDITIVE = 8;
const MULTIPLICATIVE = 9;
const UNARY = 10;

const BINARY_PREC: Partial<Record<TokenType, [BinaryOp, number]>> = {
  "||": ["||", 2],
  "&&": ["&&", 3],
  "==": ["==", COMPARISON],
  "!=": ["!=", COMPARISON],
  "<": ["<", COMPARISON],
  "<=": ["<=", COMPARISON],
  ">": [">", COMPARISON],
  ">=": [">=", COMPARISON],
  "+": ["+", ADDITIVE],
  "-": ["-", ADDITIVE],
  "*": ["*", MULTIPLICATIVE],
  "/": ["/", MULTIPLICATIVE],
  "%": ["%", MULTIPLICATIVE],
};

const RESERVED = new Set(["not", "in", "is", "if", "else", "for", "and", "or"]);

const SNAKE_HINT =
  "Secret names and keys are snake_case (letters, digits, underscores), so a hyphen cannot be part of them";

export interface ParseOptions {
  readonly maxDepth: number;
}

/**
 * Parses the expression that starts right after `${{` at `bodyStart` (`templateStart` is where
 * `${{` is). Returns the root and the offset just past the closing `}}`.
 */
export function parseExpression(
  source: string,
  templateStart: number,
  bodyStart: number,
  options: ParseOptions,
): ExpressionRoot {
  return new Parser(source, templateStart, bodyStart, options).parseRoot();
}

class Parser {
  private readonly lexer: Lexer;
  private depth = 0;

  constructor(
    private readonly source: string,
    private readonly templateStart: number,
    bodyStart: number,
    private readonly options: ParseOptions,
  ) {
    this.lexer = new Lexer(source, bodyStart);
  }

  private error(message: string, start: number, end: number): ExpressionError {
    return this.lexer.error(message, start, end);
  }

  private describe(token: Token): string {
    if (token.type === "eof") return "the end of the text (the template is missing its closing `}}`)";
    if (token.type === "ident") return `'${token.value}'`;
    if (token.type === "string") return "a string";
    if (token.type === "number") return "a number";
    return `'${token.type}'`;
  }

  private expect(type: TokenType, what: string): Token {
    const token = this.lexer.next();
    if (token.type !== type)
      throw this.error(`Expected ${what} but found ${this.describe(token)}`, token.start, token.end);
    return token;
  }

  private isIdent(token: Token, name: string): boolean {
    return token.type === "ident" && token.value === name;
  }

  parseRoot(): ExpressionRoot {
    const first = this.lexer.peek();
    if (first.type === "}" && this.source.charCodeAt(first.end) === 125) {
      throw this.error("Empty expression: write something between `${{` and `}}`", this.templateStart, first.end + 1);
    }
    let iterator: ExpressionRoot["iterator"];
    if (this.isIdent(first, "for")) iterator = this.parseIteratorHead();
    const body = this.parseTernary();
    let cast: ExpressionRoot["cast"];
    let token = this.lexer.next();
    if (token.type === "->") {
      const typeToken = this.lexer.next();
      if (typeToken.type !== "ident" || !(CAST_TYPES as readonly string[]).includes(typeToken.value as string)) {
        const got = typeToken.type === "ident" ? (typeToken.value as string) : typeToken.type;
        throw this.error(
          `Invalid type '${got}' in trailing cast expression. Valid types are ['int', 'float', 'str', 'bool']`,
          typeToken.start,
          typeToken.end,
        );
      }
      cast = { type: typeToken.value as CastType, start: token.start, end: typeToken.end };
      token = this.lexer.next();
      if (token.type === "->") {
        throw this.error("Only one trailing cast `-> type` is allowed, at the very end", token.start, token.end);
      }
    }
    if (token.type === "}" && this.source.charCodeAt(token.end) === 125) {
      return { start: this.templateStart, end: token.end + 1, body, cast, iterator };
    }
    if (token.type === "eof") {
      throw this.error("Unclosed template: `${{` has no matching `}}`", this.templateStart, this.templateStart + 3);
    }
    if (token.type === "ident" && (token.value === "and" || token.value === "or")) {
      const op = token.value === "and" ? "&&" : "||";
      throw this.error(`Unexpected '${token.value}': the operator is written \`${op}\``, token.start, token.end);
    }
    throw this.error(
      `Unexpected ${this.describe(token)}: expected an operator or the closing \`}}\``,
      token.start,
      token.end,
    );
  }

  private parseIteratorHead(): NonNullable<ExpressionRoot["iterator"]> {
    const forToken = this.lexer.next();
    const varToken = this.lexer.next();
    if (!this.isIdent(varToken, "var")) {
      throw this.error(
        "A `for` loop must assign to a loop variable: `for var.item in …`",
        varToken.start,
        varToken.end,
      );
    }
    const variable: string[] = [];
    let pos = varToken.end;
    while (this.source.charCodeAt(pos) === 46 && isIdentStartAt(this.source, pos + 1)) {
      let end = pos + 1;
      while (end < this.source.length && isIdentPart(this.source.charCodeAt(end))) end++;
      variable.push(this.source.slice(pos + 1, end));
      pos = end;
    }
    if (!variable.length)
      throw this.error("A `for` loop variable needs a name: `for var.item in …`", varToken.start, pos);
    this.lexer.reset(pos);
    const inToken = this.lexer.next();
    if (!this.isIdent(inToken, "in"))
      throw this.error(
        `Expected 'in' after the loop variable but found ${this.describe(inToken)}`,
        inToken.start,
        inToken.end,
      );
    return { variable, start: forToken.start, end: inToken.end };
  }

  private enter(start: number): void {
    if (++this.depth > this.options.maxDepth) {
      throw new ExpressionError(
        "limit_exceeded",
        `Expression nested deeper than ${this.options.maxDepth} levels`,
        this.source,
        { start, end: start + 1 },
      );
    }
  }

  parseTernary(): Node {
    const startToken = this.lexer.peek();
    this.enter(startToken.start);
    const then = this.parseBinary(2);
    const next = this.lexer.peek();
    let result = then;
    if (this.isIdent(next, "if")) {
      this.lexer.next();
      const condition = this.parseBinary(2);
      const elseToken = this.lexer.next();
      if (!this.isIdent(elseToken, "else")) {
        throw this.error(
          `Expected 'else' in \`A if C else B\` but found ${this.describe(elseToken)}`,
          elseToken.start,
          elseToken.end,
        );
      }
      const otherwise = this.parseTernary();
      result = { kind: "ternary", then, condition, otherwise, start: then.start, end: otherwise.end };
    }
    this.depth--;
    return result;
  }

  private infix(token: Token): [BinaryOp, number, number] | undefined {
    if (token.type === "ident") {
      if (token.value === "in") return ["in", INCLUSION, token.end];
      if (token.value === "is") {
        // `is not`: look at the raw text after `is` without disturbing the token stream.
        const after = skipSpaces(this.source, token.end);
        if (this.source.startsWith("not", after) && !isIdentPart(this.source.charCodeAt(after + 3))) {
          return ["is not", IDENTITY, after + 3];
        }
        return ["is", IDENTITY, token.end];
      }
      if (token.value === "not") {
        const after = skipSpaces(this.source, token.end);
        if (this.source.startsWith("in", after) && !isIdentPart(this.source.charCodeAt(after + 2))) {
          return ["not in", INCLUSION, after + 2];
        }
      }
      return undefined;
    }
    const entry = BINARY_PREC[token.type];
    return entry ? [entry[0], entry[1], token.end] : undefined;
  }

  private parseBinary(minPrec: number): Node {
    let left = this.parsePrefix(minPrec);
    for (;;) {
      const token = this.lexer.peek();
      const op = this.infix(token);
      if (!op || op[1] < minPrec) return left;
      const [name, prec, opEnd] = op;
      this.lexer.next();
      if (opEnd !== token.end) this.lexer.reset(opEnd);
      const right = this.parseBinary(prec + 1);
      if (name === "||") markFallback(left);
      left = { kind: "binary", op: name, left, right, start: left.start, end: right.end, opStart: token.start, opEnd };
    }
  }

  private parsePrefix(minPrec: number): Node {
    const token = this.lexer.peek();
    if (this.isIdent(token, "not") && minPrec <= 4) {
      this.lexer.next();
      this.enter(token.start);
      const operand = this.parseBinary(COMPARISON);
      this.depth--;
      return { kind: "unary", op: "not", operand, start: token.start, end: operand.end };
    }
    if (token.type === "-" || token.type === "+") {
      this.lexer.next();
      this.enter(token.start);
      const operand = this.parseBinary(UNARY);
      this.depth--;
      return { kind: "unary", op: token.type, operand, start: token.start, end: operand.end };
    }
    return this.parsePostfix(this.parseAtom());
  }

  private parsePostfix(node: Node): Node {
    let result = node;
    while (this.lexer.peek().type === "[") {
      this.lexer.next();
      const index = this.parseTernary();
      const close = this.expect("]", "']' to close the index");
      result = { kind: "index", target: result, index, start: result.start, end: close.end };
    }
    return result;
  }

  private parseAtom(): Node {
    const token = this.lexer.next();
    switch (token.type) {
      case "number":
        return { kind: "literal", value: token.value, start: token.start, end: token.end };
      case "string":
        return { kind: "literal", value: token.value, start: token.start, end: token.end };
      case "(": {
        const inner = this.parseTernary();
        this.expect(")", "')' to close the parenthesis");
        return inner;
      }
      case "[":
        return this.parseList(token);
      case "{":
        return this.parseDict(token);
      case "ident":
        return this.parseName(token);
      case "}":
        if (this.source.charCodeAt(token.end) === 125) {
          throw this.error("Expected a value before the closing `}}`", token.start, token.end + 1);
        }
        break;
    }
    throw this.error(`Expected a value but found ${this.describe(token)}`, token.start, token.end);
  }

  private parseList(open: Token): Node {
    const items: Node[] = [];
    if (this.lexer.peek().type !== "]") {
      for (;;) {
        items.push(this.parseTernary());
        const sep = this.lexer.next();
        if (sep.type === "]") return { kind: "list", items, start: open.start, end: sep.end };
        if (sep.type !== ",")
          throw this.error(`Expected ',' or ']' in the list but found ${this.describe(sep)}`, sep.start, sep.end);
        if (this.lexer.peek().type === "]") break;
      }
    }
    const close = this.lexer.next();
    return { kind: "list", items, start: open.start, end: close.end };
  }

  private parseDict(open: Token): Node {
    const keys: string[] = [];
    const values: Node[] = [];
    if (this.lexer.peek().type !== "}") {
      for (;;) {
        const key = this.lexer.next();
        if (key.type !== "string") {
          throw this.error(
            `Dict keys must be string literals ('key'), found ${this.describe(key)}`,
            key.start,
            key.end,
          );
        }
        this.expect(":", "':' after the dict key");
        keys.push(key.value as string);
        values.push(this.parseTernary());
        const sep = this.lexer.next();
        if (sep.type === "}") return { kind: "dict", keys, values, start: open.start, end: sep.end };
        if (sep.type !== ",")
          throw this.error(`Expected ',' or '}' in the dict but found ${this.describe(sep)}`, sep.start, sep.end);
        if (this.lexer.peek().type === "}") break;
      }
    }
    const close = this.lexer.next();
    return { kind: "dict", keys, values, start: open.start, end: close.end };
  }

  private parseName(token: Token): Node {
    const name = token.value as string;
    switch (name) {
      case "True":
        return { kind: "literal", value: true, start: token.start, end: token.end };
      case "False":
        return { kind: "literal", value: false, start: token.start, end: token.end };
      case "None":
        return { kind: "literal", value: null, start: token.start, end: token.end };
      case "FN":
        return this.parseCall(token);
      case "int":
      case "float":
      case "str":
      case "bool": {
        const open = this.lexer.peek();
        if (open.type !== "(") {
          throw this.error(
            `'${name}' is a cast: write ${name}(value), or \`value -> ${name}\` at the end`,
            token.start,
            token.end,
          );
        }
        this.lexer.next();
        const operand = this.parseTernary();
        const close = this.expect(")", `')' to close ${name}(…)`);
        return { kind: "cast", type: name, operand, start: token.start, end: close.end };
      }
    }
    if (CONTEXT_NAMES.has(name)) return this.parseRef(token, name as ContextName);
    if (name === "true" || name === "false" || name === "null" || name === "none") {
      const fixed = name === "true" ? "True" : name === "false" ? "False" : "None";
      throw this.error(`Unknown name '${name}': the literal is written ${fixed}`, token.start, token.end);
    }
    if (RESERVED.has(name))
      throw this.error(`Expected a value but found the keyword '${name}'`, token.start, token.end);
    throw this.error(
      `Unknown name '${name}': an expression starts with a context (ACTIONS, SECRETS, VARS, TRIGGER, ENV, var, inputs, steps), FN.<name>(…), a cast or a literal`,
      token.start,
      token.end,
    );
  }

  private parseCall(fnToken: Token): Node {
    const parts: string[] = [];
    let pos = fnToken.end;
    const src = this.source;
    while (src.charCodeAt(pos) === 46 && isIdentStartAt(src, pos + 1)) {
      let end = pos + 1;
      while (end < src.length && isIdentPart(src.charCodeAt(end))) end++;
      parts.push(src.slice(pos + 1, end));
      pos = end;
    }
    if (!parts.length) throw this.error("FN needs a function name: FN.<name>(…)", fnToken.start, pos + 1);
    let map = false;
    if (parts.length > 1 && parts[parts.length - 1] === "map") {
      map = true;
      parts.pop();
    }
    const name = parts.join(".");
    this.lexer.reset(pos);
    const open = this.lexer.next();
    if (open.type !== "(") {
      throw this.error(`FN.${name} is a function: call it with parentheses, FN.${name}(…)`, fnToken.start, pos);
    }
    const args: Node[] = [];
    if (this.lexer.peek().type !== ")") {
      for (;;) {
        args.push(this.parseTernary());
        const sep = this.lexer.peek();
        if (sep.type === ")") break;
        if (sep.type !== ",")
          throw this.error(
            `Expected ',' or ')' in the arguments of FN.${name} but found ${this.describe(sep)}`,
            sep.start,
            sep.end,
          );
        this.lexer.next();
        if (this.lexer.peek().type === ")") break;
      }
    }
    const close = this.lexer.next();
    return { kind: "call", name, map, args, start: fnToken.start, end: close.end, nameEnd: pos };
  }

  private parseRef(token: Token, context: ContextName): Node {
    const src = this.source;
    const segments: PathSegment[] = [];
    let pos = token.end;
    const attributeOnly = context === "SECRETS" || context === "VARS";
    let simple = true;
    let alwaysList = false;
    for (;;) {
      const c = src.charCodeAt(pos);
      if (c === 46) {
        const c1 = src.charCodeAt(pos + 1);
        if (isIdentStartAt(src, pos + 1)) {
          let end = pos + 1;
          while (end < src.length && isIdentPart(src.charCodeAt(end))) end++;
          segments.push({ kind: "name", name: src.slice(pos + 1, end) });
          pos = end;
          continue;
        }
        if (attributeOnly) break;
        if (c1 === 42) {
          segments.push({ kind: "wildcard" });
          simple = false;
          alwaysList = true;
          pos += 2;
          continue;
        }
        if (c1 === 39 || c1 === 34 || c1 === 96) {
          const close = src.indexOf(String.fromCharCode(c1), pos + 2);
          if (close === -1) {
            throw this.error(
              c1 === 96 ? "Unterminated backtick operator in the path" : "Unterminated quoted name in the path",
              pos,
              src.length,
            );
          }
          if (c1 === 96) {
            // A backtick operator (`len`, `sub(/re/, x)`, …): evaluated by the JSONPath engine.
            segments.push({ kind: "bracket", text: src.slice(pos + 1, close + 1) });
            simple = false;
          } else segments.push({ kind: "name", name: src.slice(pos + 2, close) });
          pos = close + 1;
          continue;
        }
        if (c1 === 46) {
          segments.push({ kind: "recursive" });
          simple = false;
          pos += 2;
          // `..name`, `..*`, `..[…]` follow directly.
          if (isIdentStartAt(src, pos)) {
            let end = pos;
            while (end < src.length && isIdentPart(src.charCodeAt(end))) end++;
            segments.push({ kind: "name", name: src.slice(pos, end) });
            pos = end;
          } else if (src.charCodeAt(pos) === 42) {
            segments.push({ kind: "wildcard" });
            alwaysList = true;
            pos++;
          }
          continue;
        }
        if (c1 === 91) {
          const bracket = this.scanBracket(pos + 1);
          if (!bracket) break;
          pos = bracket.end;
          simple &&= bracket.simple;
          alwaysList ||= bracket.list;
          segments.push(bracket.segment);
          continue;
        }
        break;
      }
      if (c === 91 && !attributeOnly && (segments.length > 0 || context === "TRIGGER")) {
        const bracket = this.scanBracket(pos);
        if (!bracket) break;
        pos = bracket.end;
        simple &&= bracket.simple;
        alwaysList ||= bracket.list;
        segments.push(bracket.segment);
        continue;
      }
      break;
    }
    if (context === "SECRETS") {
      const hyphen = /^-[A-Za-z_][A-Za-z0-9_-]*/.exec(src.slice(pos, pos + 200));
      if (hyphen) {
        let end = pos + hyphen[0].length;
        while (src.charCodeAt(end) === 46 && isIdentStartAt(src, end + 1)) {
          end++;
          while (end < src.length && (isIdentPart(src.charCodeAt(end)) || src.charCodeAt(end) === 45)) end++;
        }
        throw this.error(
          `${SNAKE_HINT}: '${src.slice(token.start, end)}'. Rename the secret or key with underscores (e.g. ${src
            .slice(token.start, end)
            .replace(/-/g, "_")})`,
          token.start,
          end,
        );
      }
    }
    if (segments.length === 0 && context !== "TRIGGER") {
      const example =
        context === "SECRETS"
          ? "SECRETS.my_secret.KEY"
          : context === "VARS"
            ? "VARS.my_variable"
            : context === "ACTIONS"
              ? "ACTIONS.my_action.result"
              : `${context}.name`;
      throw this.error(`${context} needs a path, e.g. ${example}`, token.start, pos);
    }
    this.lexer.reset(pos);
    const pathText = src.slice(token.end, pos);
    let path: CompiledPath | undefined;
    if (!simple) {
      try {
        path = compileJsonPath(pathText);
      } catch (error) {
        if (!(error instanceof JsonPathSyntaxError)) throw error;
        throw this.error(
          `Invalid JSONPath '${context}${pathText}': ${error.message}`,
          token.end + error.start,
          token.end + error.end,
        );
      }
      alwaysList = path.alwaysList;
    }
    const node: RefNode = {
      kind: "ref",
      context,
      segments,
      pathText,
      simple,
      alwaysList,
      path,
      hasFallback: false,
      start: token.start,
      end: pos,
    };
    return node;
  }

  // A bracket belongs to the JSONPath when its content looks like JSONPath (an index, `*`, a
  // quoted name, a filter, a slice or a union); otherwise it is an indexing expression.
  private scanBracket(open: number): { end: number; segment: PathSegment; simple: boolean; list: boolean } | undefined {
    const src = this.source;
    const close = src.indexOf("]", open + 1);
    if (close === -1) return undefined;
    const text = src.slice(open + 1, close);
    const trimmed = text.trim();
    if (/^-?\d+$/.test(trimmed)) {
      return { end: close + 1, segment: { kind: "index", index: Number(trimmed) }, simple: true, list: false };
    }
    if (trimmed === "*") return { end: close + 1, segment: { kind: "wildcard" }, simple: false, list: true };
    const quoted = /^(['"])(.*)\1$/s.exec(trimmed);
    if (quoted && !/['"]/.test(quoted[2] as string)) {
      return { end: close + 1, segment: { kind: "name", name: quoted[2] as string }, simple: true, list: false };
    }
    if (trimmed.startsWith("?") || trimmed.startsWith("/") || trimmed.startsWith("\\")) {
      return { end: close + 1, segment: { kind: "bracket", text: trimmed }, simple: false, list: true };
    }
    if (
      /^-?\d*:-?\d*(:-?\d*)?$/.test(trimmed) ||
      /^(-?\d+|'[^']*'|"[^"]*")(\s*,\s*(-?\d+|'[^']*'|"[^"]*"))+$/.test(trimmed)
    ) {
      const text = trimmed.includes(",") ? trimmed.replace(/\s*,\s*/g, ",") : trimmed;
      return { end: close + 1, segment: { kind: "bracket", text }, simple: false, list: false };
    }
    return undefined;
  }
}

function isIdentStartAt(src: string, pos: number): boolean {
  const c = src.charCodeAt(pos);
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}

function skipSpaces(src: string, pos: number): number {
  let i = pos;
  while (i < src.length) {
    const c = src.charCodeAt(i);
    if (c === 32 || c === 10 || c === 9 || c === 13) i++;
    else break;
  }
  return i;
}

// A reference on the left of `||` (through nested `||` and parentheses) has a fallback.
function markFallback(node: Node): void {
  if (node.kind === "ref") node.hasFallback = true;
  else if (node.kind === "binary" && node.op === "||") {
    markFallback(node.left);
    markFallback(node.right);
  }
}
