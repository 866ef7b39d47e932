import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ExpressionError } from "../errors/expression-error.js";
import type { ExpressionRoot, Node } from "./ast.js";
import { parseExpression } from "./parser.js";

function parse(expr: string): ExpressionRoot {
  const source = `\${{ ${expr} }}`;
  return parseExpression(source, 0, 3, { maxDepth: 64 });
}

// An s-expression of the tree, to make precedence visible.
function show(node: Node): string {
  switch (node.kind) {
    case "literal":
      return JSON.stringify(node.value);
    case "ref":
      return `${node.context}${node.pathText}`;
    case "binary":
      return `(${node.op} ${show(node.left)} ${show(node.right)})`;
    case "unary":
      return `(${node.op} ${show(node.operand)})`;
    case "ternary":
      return `(if ${show(node.condition)} ${show(node.then)} ${show(node.otherwise)})`;
    case "index":
      return `(at ${show(node.target)} ${show(node.index)})`;
    case "cast":
      return `(${node.type} ${show(node.operand)})`;
    case "call":
      return `(FN.${node.name}${node.map ? ".map" : ""} ${node.args.map(show).join(" ")})`.replace(" )", ")");
    case "list":
      return `[${node.items.map(show).join(" ")}]`;
    case "dict":
      return `{${node.keys.map((k, i) => `${k}:${show(node.values[i] as Node)}`).join(" ")}}`;
  }
}

const tree = (expr: string) => show(parse(expr).body);

function parseError(expr: string, message: RegExp, at?: string): ExpressionError {
  const source = `\${{ ${expr} }}`;
  try {
    parseExpression(source, 0, 3, { maxDepth: 64 });
  } catch (error) {
    assert.ok(error instanceof ExpressionError, `expected ExpressionError, got ${error}`);
    assert.equal(error.code, "parse_error");
    assert.match(error.message, message);
    if (at !== undefined) assert.equal(source.slice(error.span.start, error.span.end), at);
    return error;
  }
  assert.fail(`expected a parse error for ${expr}`);
}

describe("precedence (lowest to highest)", () => {
  test("ternary is below ||, and nests to the right in the else branch", () => {
    assert.equal(tree("1 || 2 if 3 || 4 else 5"), "(if (|| 3 4) (|| 1 2) 5)");
    assert.equal(tree("1 if True else 2 if False else 3"), "(if true 1 (if false 2 3))");
  });
  test("|| is below &&", () => {
    assert.equal(tree("1 || 2 && 3"), "(|| 1 (&& 2 3))");
    assert.equal(tree("1 && 2 || 3"), "(|| (&& 1 2) 3)");
  });
  test("&& is below not, not is below comparison", () => {
    assert.equal(tree("not 1 == 2 && 3"), "(&& (not (== 1 2)) 3)");
  });
  test("comparison is below in / not in, which is below is / is not", () => {
    assert.equal(tree("1 == 2 in 3"), "(== 1 (in 2 3))");
    assert.equal(tree("1 in 2 is 3"), "(in 1 (is 2 3))");
    assert.equal(tree("1 not in 2 is not 3"), "(not in 1 (is not 2 3))");
  });
  test("is is below additive, additive below multiplicative", () => {
    assert.equal(tree("1 is 2 + 3"), "(is 1 (+ 2 3))");
    assert.equal(tree("1 + 2 * 3 - 4 / 5 % 6"), "(- (+ 1 (* 2 3)) (% (/ 4 5) 6))");
  });
  test("unary minus binds tighter than *, indexing tighter than unary", () => {
    assert.equal(tree("-2 * 3"), "(* (- 2) 3)");
    assert.equal(tree("-[1][0]"), "(- (at [1] 0))");
    assert.equal(tree("+1"), "(+ 1)");
  });
  test("binary operators are left-associative and comparisons do not chain", () => {
    assert.equal(tree("1 - 2 - 3"), "(- (- 1 2) 3)");
    assert.equal(tree("1 < 2 < 3"), "(< (< 1 2) 3)");
    assert.equal(tree("1 || 2 || 3"), "(|| (|| 1 2) 3)");
  });
  test("parentheses override precedence", () => {
    assert.equal(tree("(1 + 2) * 3"), "(* (+ 1 2) 3)");
  });
  test("every comparison operator", () => {
    for (const op of ["==", "!=", "<", "<=", ">", ">="]) assert.equal(tree(`1 ${op} 2`), `(${op} 1 2)`);
  });
});

describe("atoms", () => {
  test("literals", () => {
    assert.equal(tree("True"), "true");
    assert.equal(tree("False"), "false");
    assert.equal(tree("None"), "null");
    assert.equal(tree("42"), "42");
    assert.equal(tree("1.25"), "1.25");
    assert.equal(tree("'a'"), '"a"');
    assert.equal(tree('"b"'), '"b"');
    assert.equal(tree("[]"), "[]");
    assert.equal(tree("[1, 'x', [2]]"), '[1 "x" [2]]');
    assert.equal(tree("[1, 2,]"), "[1 2]");
    assert.equal(tree("{}"), "{}");
    assert.equal(tree("{'a': 1, \"b\": [2]}"), "{a:1 b:[2]}");
  });
  test("string escapes: \\n \\t \\\\ \\' \\\" decoded, any other backslash kept", () => {
    const value = (expr: string) => {
      const body = parse(expr).body;
      assert.equal(body.kind, "literal");
      return body.kind === "literal" ? body.value : undefined;
    };
    assert.equal(value("'a\\nb'"), "a\nb");
    assert.equal(value("'a\\tb'"), "a\tb");
    assert.equal(value("'a\\\\b'"), "a\\b");
    assert.equal(value("'it\\'s'"), "it's");
    assert.equal(value('"say \\"hi\\""'), 'say "hi"');
    assert.equal(value("'\\d+\\.\\w'"), "\\d+\\.\\w");
    assert.equal(value("'}}'"), "}}");
  });
  test("casts", () => {
    assert.equal(tree("int('1')"), '(int "1")');
    assert.equal(tree("float(1)"), "(float 1)");
    assert.equal(tree("str(1)"), "(str 1)");
    assert.equal(tree("bool(1)"), "(bool 1)");
  });
  test("trailing cast", () => {
    const root = parse("ACTIONS.a.result -> int");
    assert.equal(root.cast?.type, "int");
    for (const t of ["float", "str", "bool"]) assert.equal(parse(`1 -> ${t}`).cast?.type, t);
  });
  test("iterator", () => {
    const root = parse("for var.item in ACTIONS.a.result");
    assert.deepEqual(root.iterator?.variable, ["item"]);
    assert.equal(show(root.body), "ACTIONS.a.result");
    assert.deepEqual(parse("for var.x.y in [1]").iterator?.variable, ["x", "y"]);
  });
  test("function calls, .map, and indexing their results", () => {
    assert.equal(tree("FN.concat('a', 'b')"), '(FN.concat "a" "b")');
    assert.equal(tree("FN.now()"), "(FN.now)");
    assert.equal(tree("FN.add.map([1], 2)"), "(FN.add.map [1] 2)");
    assert.equal(tree("FN.foo.bar(1)"), "(FN.foo.bar 1)");
    assert.equal(tree("FN.split('a,b', ',')[-1]"), '(at (FN.split "a,b" ",") (- 1))');
    assert.equal(tree("FN.not(True)"), "(FN.not true)");
  });
});

describe("context references", () => {
  test("every context", () => {
    assert.equal(tree("SECRETS.my_secret.KEY"), "SECRETS.my_secret.KEY");
    assert.equal(tree("VARS.base_url"), "VARS.base_url");
    assert.equal(tree("VARS.endpoints.production"), "VARS.endpoints.production");
    assert.equal(tree("ACTIONS.step.result.data"), "ACTIONS.step.result.data");
    assert.equal(tree("TRIGGER"), "TRIGGER");
    assert.equal(tree("TRIGGER.body.id"), "TRIGGER.body.id");
    assert.equal(tree("TRIGGER['x-id']"), "TRIGGER['x-id']");
    assert.equal(tree("ENV.environment"), "ENV.environment");
    assert.equal(tree("var.item.name"), "var.item.name");
    assert.equal(tree("inputs.url"), "inputs.url");
    assert.equal(tree("steps.first.result"), "steps.first.result");
  });
  test("JSONPath fragments: wildcards, recursive descent, filters, quoted names, slices", () => {
    for (const path of [
      "ACTIONS.a.result[*].id",
      "ACTIONS.a.result.*",
      "ACTIONS.a..id",
      "ACTIONS.a.result[?(@.n > 1)]",
      "ACTIONS.a.result[0:2]",
      "ACTIONS.a.'my key'",
      'ACTIONS.a."my key"',
      "ACTIONS.a.`len`",
      "ACTIONS.a.result[?age >= 40 & name == 'x'].name",
      "ACTIONS.a.result[\\age]",
      "ACTIONS.a.result['x-y']",
      "ACTIONS.a.result[0, 1]",
    ]) {
      const body = parse(path).body;
      assert.equal(body.kind, "ref", path);
      assert.equal(show(body), path);
    }
    const wildcard = parse("ACTIONS.a.result[*].id").body;
    assert.ok(wildcard.kind === "ref" && wildcard.alwaysList && !wildcard.simple);
    const simple = parse("ACTIONS.a.result[0].id").body;
    assert.ok(simple.kind === "ref" && simple.simple && !simple.alwaysList);
  });
  test("a bracket that is not JSONPath is an index expression", () => {
    assert.equal(tree("ACTIONS.a.result[VARS.i]"), "(at ACTIONS.a.result VARS.i)");
    assert.equal(tree("SECRETS.a.K[0]"), "(at SECRETS.a.K 0)");
  });
  test("fallback marks references on the left of ||", () => {
    const body = parse("SECRETS.a.K || SECRETS.b.K || 'x'").body;
    assert.ok(body.kind === "binary" && body.left.kind === "binary");
    const inner = body.left;
    assert.ok(inner.kind === "binary" && inner.left.kind === "ref" && inner.right.kind === "ref");
    assert.equal(inner.left.hasFallback, true);
    assert.equal(inner.right.hasFallback, true);
    const right = parse("'x' || SECRETS.a.K").body;
    assert.ok(right.kind === "binary" && right.right.kind === "ref" && !right.right.hasFallback);
    const nested = parse("FN.concat(SECRETS.a.K) || 'x'").body;
    assert.ok(nested.kind === "binary" && nested.left.kind === "call");
    const arg = nested.left.kind === "call" ? nested.left.args[0] : undefined;
    assert.ok(arg?.kind === "ref" && !arg.hasFallback);
    const parenthesized = parse("(SECRETS.a.K) || 'x'").body;
    assert.ok(parenthesized.kind === "binary" && parenthesized.left.kind === "ref" && parenthesized.left.hasFallback);
  });
  test("custom OAuth pseudo-secret names parse", () => {
    for (const p of [
      "SECRETS.custom_secureapp_oauth.CUSTOM_SECUREAPP_SERVICE_TOKEN",
      "SECRETS.custom_my_app.TOKEN",
      "SECRETS.custom_secure_app_v2.API_KEY",
      "SECRETS.custom_company_integration_1.SECRET",
    ]) {
      assert.equal(tree(p), p);
    }
  });
});

describe("spans", () => {
  test("nodes carry the offsets of their text in the whole string", () => {
    const source = "Bearer ${{ FN.concat(SECRETS.a.K, 'x') }} end";
    const root = parseExpression(source, 7, 10, { maxDepth: 64 });
    assert.equal(source.slice(root.start, root.end), "${{ FN.concat(SECRETS.a.K, 'x') }}");
    const body = root.body;
    assert.equal(source.slice(body.start, body.end), "FN.concat(SECRETS.a.K, 'x')");
    assert.ok(body.kind === "call");
    const arg = body.args[0] as Node;
    assert.equal(source.slice(arg.start, arg.end), "SECRETS.a.K");
  });
  test("a template may span lines", () => {
    const root = parse("FN.concat(\n  'a',\n  'b'\n)");
    assert.equal(show(root.body), '(FN.concat "a" "b")');
  });
});

describe("syntax errors point at the problem", () => {
  test("lowercase booleans", () => {
    parseError("false", /Unknown name 'false': the literal is written False/, "false");
    parseError("true", /True/, "true");
  });
  test("two trailing casts", () => {
    parseError("ACTIONS.action_test.bar -> str -> int", /Only one trailing cast/, "->");
  });
  test("unknown trailing cast type", () => {
    parseError(
      "1 -> list",
      /Invalid type 'list' in trailing cast expression\. Valid types are \['int', 'float', 'str', 'bool'\]/,
      "list",
    );
  });
  test("hyphenated secret names say names are snake_case", () => {
    const e = parseError("SECRETS.my-secret.KEY", /snake_case/, "SECRETS.my-secret.KEY");
    assert.match(e.message, /SECRETS\.my_secret\.KEY/);
    parseError("SECRETS.a.MY-KEY", /snake_case/, "SECRETS.a.MY-KEY");
  });
  test("subtraction with spaces after a secret is still subtraction", () => {
    assert.equal(tree("SECRETS.a.K - 1"), "(- SECRETS.a.K 1)");
  });
  test("contexts that need a path", () => {
    parseError("ENV", /ENV needs a path/, "ENV");
    parseError("ACTIONS", /ACTIONS needs a path/);
    parseError("SECRETS", /SECRETS needs a path, e\.g\. SECRETS\.my_secret\.KEY/);
  });
  test("unknown names, keywords, stray characters", () => {
    parseError("foo", /Unknown name 'foo'/, "foo");
    parseError("1 and 2", /the operator is written `&&`/, "and");
    parseError("1 or 2", /`\|\|`/, "or");
    parseError("1 | 2", /did you mean `\|\|`/, "|");
    parseError("1 = 2", /did you mean `==`/, "=");
    parseError("1 @ 2", /Unexpected character '@'/, "@");
    parseError("else", /keyword 'else'/, "else");
  });
  test("numbers: no exponent, no trailing dot", () => {
    parseError("1e5", /Invalid number/, "1e5");
    parseError("1. + 2", /decimal point/);
  });
  test("unterminated strings and templates", () => {
    parseError("'abc", /Unterminated string literal/);
    assert.throws(
      () => parseExpression("${{ 1 + 2", 0, 3, { maxDepth: 64 }),
      (e: unknown) => e instanceof ExpressionError && /Unclosed template/.test(e.message) && e.span.start === 0,
    );
  });
  test("empty expression", () => {
    assert.throws(() => parseExpression("${{}}", 0, 3, { maxDepth: 64 }), /Empty expression/);
    assert.throws(() => parseExpression("${{ }}", 0, 3, { maxDepth: 64 }), /Empty expression/);
  });
  test("dict keys must be string literals; lists and calls need separators", () => {
    parseError("{1: 2}", /Dict keys must be string literals/, "1");
    parseError("[1 2]", /Expected ',' or '\]'/, "2");
    parseError("FN.concat('a' 'b')", /Expected ',' or '\)' in the arguments of FN\.concat/, "'b'");
    parseError("(1 + 2", /Expected '\)'/);
  });
  test("FN without a name or without parentheses", () => {
    parseError("FN.concat", /call it with parentheses/);
    parseError("FN(1)", /FN needs a function name/);
  });
  test("casts need parentheses; missing else", () => {
    parseError("int", /'int' is a cast/, "int");
    parseError("1 if True", /Expected 'else'/);
  });
  test("for loops assign to var.*", () => {
    parseError("for x in [1]", /must assign to a loop variable/);
    parseError("for var.x [1]", /Expected 'in'/);
  });
  test("nesting deeper than the limit is limit_exceeded, not a crash", () => {
    const deep = `${"(".repeat(200)}1${")".repeat(200)}`;
    assert.throws(
      () => parseExpression(`\${{ ${deep} }}`, 0, 3, { maxDepth: 64 }),
      (e: unknown) => e instanceof ExpressionError && e.code === "limit_exceeded",
    );
    const negations = `${"-".repeat(200)}1`;
    assert.throws(
      () => parseExpression(`\${{ ${negations} }}`, 0, 3, { maxDepth: 64 }),
      (e: unknown) => e instanceof ExpressionError && e.code === "limit_exceeded",
    );
  });
});
