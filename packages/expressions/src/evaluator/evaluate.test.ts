import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ExpressionError, type ExpressionErrorCode } from "../errors/expression-error.js";
import { allFunctions } from "../functions/all-functions.js";
import { ExprObject, type ExprValue, FunctionError, type ObjectOperator } from "../functions/function-definition.js";
import { createRegistry } from "../functions/registry.js";
import { type EvaluateOptions, type EvaluationContext, evaluate, evaluateTemplate } from "./evaluate.js";

const SECRET_VALUE = "s3cr3t-V4LUE";
const ctx: EvaluationContext = {
  SECRETS: {
    my_secret: { TEST_API_KEY_1: "1234567890", NOISE_1: "asdfasdf" },
    other_secret: { test_api_key_2: "@@@@@@@@@", NOISE_2: "aaaaaaaaaaaaa" },
    api: { TOKEN: SECRET_VALUE, PORT: "8443" },
    oauth_oauth: { SVC_SERVICE_TOKEN: "svc-token" },
  },
  VARS: { endpoints: { production: "https://prod", staging: "https://stg" }, base_url: "https://x", count: 3 },
  ACTIONS: {
    webhook: { result: 42, count: 3 },
    list: {
      result: [
        { id: 1, tags: ["a"] },
        { id: 2, tags: ["b", "c"] },
        { id: 3, tags: [] },
      ],
    },
    nested: { result: { data: { items: [{ name: "x" }, { name: "y" }] }, "odd key": 7 } },
    key_action: { result: 123 },
  },
  TRIGGER: { user: { name: "ann", age: 30 }, "x-id": "t1", list: [10, 20, 30] },
  ENV: { environment: "prod", workflow: { id: "wf1" } },
  var: { item: { name: "loop" } },
  inputs: { url: "https://in" },
  steps: { first: { result: "done" } },
};

const ev = (expr: string, c: EvaluationContext = ctx, options?: EvaluateOptions) =>
  evaluateTemplate(`\${{ ${expr} }}`, c, options);

function fails(
  source: string,
  code: ExpressionErrorCode,
  message?: RegExp,
  spanText?: string,
  c = ctx,
  options?: EvaluateOptions,
) {
  try {
    evaluate(source, c, options);
  } catch (error) {
    assert.ok(error instanceof ExpressionError, `expected ExpressionError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    if (message) assert.match(error.message, message);
    if (spanText !== undefined) assert.equal(error.expression.slice(error.span.start, error.span.end), spanText);
    assert.ok(!error.message.includes(SECRET_VALUE), "a secret value leaked into the message");
    assert.ok(
      !error.format().replace(error.expression, "").includes(SECRET_VALUE),
      "a secret value leaked into format()",
    );
    return error;
  }
  assert.fail(`expected ${code} from ${source}`);
}

describe("literals", () => {
  test("numbers, strings, booleans, None, lists, dicts", () => {
    assert.equal(ev("42"), 42);
    assert.equal(ev("1.5"), 1.5);
    assert.equal(ev("'single'"), "single");
    assert.equal(ev('"double"'), "double");
    assert.equal(ev("True"), true);
    assert.equal(ev("False"), false);
    assert.equal(ev("None"), null);
    assert.deepEqual(ev("[1, 'a', None, [True]]"), [1, "a", null, [true]]);
    assert.deepEqual(ev("{'a': 1, 'b': {'c': [2]}}"), { a: 1, b: { c: [2] } });
    assert.deepEqual(ev("[]"), []);
    assert.deepEqual(ev("{}"), {});
  });
  test("a dict literal key __proto__ is an ordinary key", () => {
    const value = ev("{'__proto__': 1}") as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(value), Object.prototype);
    assert.deepEqual(Object.keys(value), ["__proto__"]);
  });
  test("string escapes keep regex backslashes", () => {
    assert.equal(ev("'a\\nb'"), "a\nb");
    assert.equal(ev("'\\d+'"), "\\d+");
  });
});

describe("operators", () => {
  test("|| and && return operands (Python or/and)", () => {
    assert.equal(ev("0 || 'x'"), "x");
    assert.equal(ev("'a' || 'x'"), "a");
    assert.deepEqual(ev("[] || {}"), {});
    assert.equal(ev("1 && 2"), 2);
    assert.equal(ev("0 && 2"), 0);
    assert.equal(ev("True || (1 != 1)"), true);
    assert.equal(ev("None || False"), false);
  });
  test("|| and && short-circuit", () => {
    assert.equal(ev("True || 1/0"), true);
    assert.equal(ev("False && 1/0"), false);
  });
  test("not uses Python truthiness (empty list and dict are false)", () => {
    assert.equal(ev("not []"), true);
    assert.equal(ev("not {}"), true);
    assert.equal(ev("not ''"), true);
    assert.equal(ev("not 0"), true);
    assert.equal(ev("not 'false'"), false);
    assert.equal(ev("not None"), true);
  });
  test("comparisons", () => {
    assert.equal(ev("1 == 1.0"), true);
    assert.equal(ev("1 == True"), true);
    assert.equal(ev("'1' == 1"), false);
    assert.equal(ev("[1, {'a': 2}] == [1, {'a': 2}]"), true);
    assert.equal(ev("{'a': 1, 'b': 2} == {'b': 2, 'a': 1}"), true);
    assert.equal(ev("1 != 2"), true);
    assert.equal(ev("1 < 2"), true);
    assert.equal(ev("2 <= 2"), true);
    assert.equal(ev("3 > 2"), true);
    assert.equal(ev("2 >= 3"), false);
    assert.equal(ev("'a' < 'b'"), true);
    assert.equal(ev("[1, 2] < [1, 3]"), true);
    assert.equal(ev("1 < 2 < 3"), true);
    assert.equal(ev("3 > 2 > 1"), false);
  });
  test("strings compare by code point", () => {
    assert.equal(evaluateTemplate("${{ '\u{1F600}' > '\uFFFF' }}", ctx), true);
  });
  test("ordering unrelated types is a type error", () => {
    fails("${{ None < 1 }}", "type_error", /'<' not supported between instances of 'NoneType' and 'int'/, "<");
    fails("${{ 'a' >= 1 }}", "type_error", /'>=' not supported between instances of 'str' and 'int'/);
  });
  test("in and not in", () => {
    assert.equal(ev("'el' in 'hello'"), true);
    assert.equal(ev("2 in [1, 2]"), true);
    assert.equal(ev("1.0 in [1]"), true);
    assert.equal(ev("'a' in {'a': 1}"), true);
    assert.equal(ev("'b' not in {'a': 1}"), true);
    assert.equal(ev("[1] in [[1], 2]"), true);
    fails("${{ 1 in 'abc' }}", "type_error", /'in <string>' requires string as left operand, not int/);
    fails("${{ 1 in 5 }}", "type_error", /argument of type 'int'/);
  });
  test("is and is not", () => {
    assert.equal(ev("None is None"), true);
    assert.equal(ev("ACTIONS.missing.result is None"), true);
    assert.equal(ev("1 is not None"), true);
    assert.equal(ev("TRIGGER.user is TRIGGER.user"), true);
    assert.equal(ev("[1] is [1]"), false);
  });
  test("arithmetic with Python semantics", () => {
    assert.equal(ev("1 + 2 * 3"), 7);
    assert.equal(ev("7 / 2"), 3.5);
    assert.equal(ev("6 / 2"), 3);
    assert.equal(ev("-7 % 3"), 2);
    assert.equal(ev("7 % -3"), -2);
    assert.equal(ev("-5.5 % 2"), 0.5);
    assert.equal(ev("10 - 2 - 3"), 5);
    assert.equal(ev("True + 1"), 2);
    assert.equal(ev("'ab' + 'cd'"), "abcd");
    assert.deepEqual(ev("[1] + [2]"), [1, 2]);
    assert.equal(ev("'ab' * 3"), "ababab");
    assert.deepEqual(ev("2 * [0]"), [0, 0]);
    assert.equal(ev("'x' * 0"), "");
    assert.equal(ev("-(1 + 2)"), -3);
    assert.equal(ev("+True"), 1);
  });
  test("arithmetic errors", () => {
    fails("${{ 1 / 0 }}", "zero_division", /division by zero/, "/");
    fails("${{ 1 % 0 }}", "zero_division", /modulo by zero/);
    fails("${{ 'a' + 1 }}", "type_error", /can only concatenate str \(not "int"\) to str/, "+");
    fails("${{ 1 - 'a' }}", "type_error", /unsupported operand type\(s\) for -: 'int' and 'str'/);
    fails("${{ 'a' * 1.5 }}", "type_error", /can't multiply sequence by non-int of type 'float'/);
    fails("${{ -'a' }}", "type_error", /bad operand type for unary -: 'str'/);
    fails("${{ 'a%s' % 1 }}", "type_error", /FN\.format/);
  });
  test("ternary is lazy", () => {
    assert.equal(ev("1 if True else 1/0"), 1);
    assert.equal(ev("1/0 if False else 2"), 2);
    assert.equal(ev("'production' if ENV.environment == 'prod' else 'staging'"), "production");
  });
  test("indexing dicts, lists and strings", () => {
    assert.equal(ev("{'a': 1}['a']"), 1);
    assert.equal(ev("[1, 2, 3][-1]"), 3);
    assert.equal(ev("'h\u{1F600}y'[1]"), "\u{1F600}");
    assert.equal(ev("FN.split('hello,world,foo', ',')[-1]"), "foo");
    assert.equal(ev("TRIGGER.list[VARS.count - 2]"), 20);
    fails("${{ {'a': 1}['b'] }}", "key_error", /Key 'b' not found for mapping access/, "'b'");
    fails("${{ [1][5] }}", "index_error", /Sequence index 5 out of range \(length 1\)/, "5");
    fails("${{ [1]['a'] }}", "type_error", /Sequence indices must be integers, got 'str'/);
    fails("${{ {'a': 1}[[1]] }}", "type_error", /Invalid key type 'list' for mapping access/);
    fails("${{ 5[0] }}", "type_error", /Object of type 'int' is not indexable/);
  });
  test("an index key computed from a secret is not echoed", () => {
    const e = fails("${{ {'a': 1}[SECRETS.api.TOKEN] }}", "key_error", /Key not found/);
    assert.match(e.message, /SECRETS\.api\.TOKEN/);
  });
});

describe("casts", () => {
  test("int, float, str, bool", () => {
    assert.equal(ev("int('42')"), 42);
    assert.equal(ev("int(' -1_000 ')"), -1000);
    assert.equal(ev("int(3.9)"), 3);
    assert.equal(ev("int(-3.9)"), -3);
    assert.equal(ev("int(True)"), 1);
    assert.equal(ev("float('1.5')"), 1.5);
    assert.equal(ev("float('1e3')"), 1000);
    assert.equal(ev("float('-inf')"), Number.NEGATIVE_INFINITY);
    assert.equal(ev("str(1)"), "1");
    assert.equal(ev("str(True)"), "True");
    assert.equal(ev("str(None)"), "None");
    assert.equal(ev("str([1, 'a', None])"), "[1, 'a', None]");
    assert.equal(ev("str({'a': 1.5})"), "{'a': 1.5}");
    assert.equal(ev("str(0.00001)"), "1e-05");
    assert.equal(ev("bool('TRUE')"), true);
    assert.equal(ev("bool('1')"), true);
    assert.equal(ev("bool('yes')"), false);
    assert.equal(ev("bool([1])"), true);
    assert.equal(ev("bool([])"), false);
    assert.equal(ev("bool(0)"), false);
  });
  test("trailing casts", () => {
    assert.equal(ev("(1 + 10) > 3 -> str"), "True");
    assert.equal(ev("ACTIONS.webhook.result -> str"), "42");
    assert.equal(ev("'12' -> int"), 12);
    assert.equal(ev("'1.5' -> float"), 1.5);
    assert.equal(ev("'true' -> bool"), true);
    assert.equal(evaluateTemplate("INLINE: ${{ ACTIONS.webhook.result -> str }}", ctx), "INLINE: 42");
    assert.equal(
      evaluateTemplate("   ${{ ACTIONS.webhook.result -> int }} ${{ ACTIONS.webhook.count }}   ", ctx),
      "   42 3   ",
    );
  });
  test("failing casts name the problem, not the value", () => {
    fails("${{ int(SECRETS.api.TOKEN) }}", "value_error", /invalid literal for int\(\).*SECRETS\.api\.TOKEN/);
    fails("${{ int(None) }}", "type_error", /not 'NoneType'/);
    fails("${{ float('abc') }}", "value_error", /could not convert string to float/);
    fails("${{ int(float('nan')) }}", "value_error", /NaN/);
  });
});

describe("contexts", () => {
  test("each context by its name", () => {
    assert.equal(ev("ACTIONS.webhook.result"), 42);
    assert.equal(ev("VARS.endpoints.production"), "https://prod");
    assert.deepEqual(ev("VARS.endpoints"), { production: "https://prod", staging: "https://stg" });
    assert.equal(ev("TRIGGER.user.name"), "ann");
    assert.deepEqual(ev("TRIGGER"), ctx.TRIGGER);
    assert.equal(ev("TRIGGER['x-id']"), "t1");
    assert.equal(ev("ENV.workflow.id"), "wf1");
    assert.equal(ev("var.item.name"), "loop");
    assert.equal(ev("inputs.url"), "https://in");
    assert.equal(ev("steps.first.result"), "done");
  });
  test("missing paths outside SECRETS are None (Tracecat's non-strict rule)", () => {
    assert.equal(ev("ACTIONS.nope.result"), null);
    assert.equal(ev("ACTIONS.webhook.result.deeper"), null);
    assert.equal(ev("TRIGGER.list[9]"), null);
    assert.equal(ev("VARS.nope"), null);
    assert.equal(ev("VARS.endpoints.nope"), null);
    assert.equal(ev("inputs.url", {}), null);
    assert.equal(evaluateTemplate("x=${{ ACTIONS.nope.result }}", ctx), "x=null");
  });
  test("VARS with more than one key segment fails with Tracecat's message", () => {
    fails(
      "${{ VARS.endpoints.production.x }}",
      "invalid_variable_path",
      /VARS expressions currently support at most one key segment \(`VARS.<name>.<key>`\)\. Got VARS\.endpoints\.production\.x with 2 key segments/,
    );
  });
  test("JSONPath: one match is the value, wildcards and filters give lists, no match is None", () => {
    assert.deepEqual(ev("ACTIONS.list.result[*].id"), [1, 2, 3]);
    assert.deepEqual(ev("ACTIONS.list.result[?(@.id > 1)].id"), [2, 3]);
    assert.deepEqual(ev("ACTIONS.list.result[?(@.id == 1)].id"), [1]);
    assert.deepEqual(ev("ACTIONS.list.result[?(@.id > 9)]"), []);
    assert.deepEqual(ev("ACTIONS.nested..name"), ["x", "y"]);
    assert.equal(ev("ACTIONS.nested..odd_missing"), null);
    assert.equal(ev("ACTIONS.webhook..count"), 3);
    assert.deepEqual(ev("ACTIONS.list.result[0:2].id"), [1, 2]);
    assert.deepEqual(ev("ACTIONS.list.result[0, 2].id"), [1, 3]);
    assert.equal(ev("ACTIONS.nested.result.'odd key'"), 7);
    assert.equal(ev("ACTIONS.nested.result['odd key']"), 7);
    assert.deepEqual(ev("ACTIONS.webhook.*"), [42, 3]);
    assert.deepEqual(ev("ACTIONS.list.result[*].tags[*]"), ["a", "b", "c"]);
  });
  test("JSONPath filters run in safe mode: no JavaScript execution", () => {
    fails("${{ ACTIONS.list.result[?(@.constructor.constructor('return 1')())] }}", "parse_error", /Invalid JSONPath/);
  });
});

describe("secrets: strict with fallbacks", () => {
  test("a present key evaluates to its value (T-EXP-06)", () => {
    const c = { SECRETS: { secret_test: { KEY: "SECRET" } } };
    assert.equal(evaluateTemplate("${{ SECRETS.secret_test.KEY }}", c), "SECRET");
    assert.equal(evaluateTemplate("${{    SECRETS.secret_test.KEY    }}", c), "SECRET");
  });
  test("custom OAuth pseudo-secret evaluates like any secret", () => {
    const c = { SECRETS: { custom_secureapp_oauth: { CUSTOM_SECUREAPP_SERVICE_TOKEN: "test-token-123" } } };
    assert.equal(
      evaluateTemplate("${{ SECRETS.custom_secureapp_oauth.CUSTOM_SECUREAPP_SERVICE_TOKEN }}", c),
      "test-token-123",
    );
  });
  test("a missing key is an error naming the keys the secret has", () => {
    const e = fails(
      "${{ SECRETS.api.MISSING }}",
      "missing_secret_key",
      /Secret 'api' has no key 'MISSING'\. Its keys are: TOKEN, PORT/,
      "SECRETS.api.MISSING",
    );
    assert.match(e.message, /\|\| 'default'/);
    fails("token=${{ SECRETS.api.MISSING }}", "missing_secret_key");
  });
  test("a missing secret is an error", () => {
    fails("${{ SECRETS.nope.KEY }}", "missing_secret", /Secret 'nope' is not available/);
    fails("${{ SECRETS.nope.KEY }}", "missing_secret", undefined, undefined, {});
  });
  test("a fallback (left of ||) makes a missing key or secret fall through", () => {
    assert.equal(ev("SECRETS.api.MISSING || 'fallback'"), "fallback");
    assert.equal(ev("SECRETS.nope.KEY || 'fallback'"), "fallback");
    assert.equal(ev("SECRETS.api.TOKEN || 'fallback'"), SECRET_VALUE);
    // OAuth dual grant: prefer the user token, fall back to the service token.
    assert.equal(ev("SECRETS.oauth_oauth.SVC_USER_TOKEN || SECRETS.oauth_oauth.SVC_SERVICE_TOKEN"), "svc-token");
    assert.equal(ev("SECRETS.a.X || SECRETS.b.Y || 'last'"), "last");
    assert.equal(ev("(SECRETS.api.NOPE) || 1"), 1);
  });
  test("the right side of || is still strict", () => {
    fails("${{ None || SECRETS.api.MISSING }}", "missing_secret_key");
  });
  test("a one-segment reference yields the whole secret at run time (T-EXP-05)", () => {
    const c = { SECRETS: { my_secret: "@@@" } };
    const text = "            Again, inline substitution ${{ SECRETS.my_secret }} like this   ";
    assert.equal(evaluate(text, c), "            Again, inline substitution @@@ like this   ");
  });
  test("three segments fail with Tracecat's message", () => {
    fails(
      "${{ SECRETS.api.TOKEN.x }}",
      "invalid_secret_path",
      /Invalid secret usage: 'api\.TOKEN\.x'\. Got extra segments \['x'\]\.Must be in the format `SECRETS\.my_secret\.KEY`/,
    );
  });
  test("end to end: inline and whole-template substitution (T-EXP-04)", () => {
    const args = {
      inline: "This is a ${{ SECRETS.my_secret.TEST_API_KEY_1 }} secret ${{ SECRETS.other_secret.test_api_key_2 }}",
      nested: { list: ["Test ${{ SECRETS.other_secret.test_api_key_2 }} #B"] },
      whole: "${{ SECRETS.my_secret.NOISE_1 }}",
    };
    assert.deepEqual(evaluate(args, ctx), {
      inline: "This is a 1234567890 secret @@@@@@@@@",
      nested: { list: ["Test @@@@@@@@@ #B"] },
      whole: "asdfasdf",
    });
  });
  test("failing operations on secret values name the reference, never the value", () => {
    fails("${{ SECRETS.api.TOKEN + 1 }}", "type_error", /SECRETS\.api\.TOKEN/);
    fails("${{ SECRETS.api.TOKEN < 1 }}", "type_error", /SECRETS\.api\.TOKEN/);
    fails("${{ FN.from_base64(SECRETS.api.TOKEN) }}", "value_error", /FN\.from_base64 failed.*SECRETS\.api\.TOKEN/);
    fails("${{ SECRETS.api.TOKEN[100] }}", "index_error");
    fails("${{ FN.deserialize_json(SECRETS.api.TOKEN) }}", "value_error", /SECRETS\.api\.TOKEN/);
    fails("${{ -SECRETS.api.TOKEN }}", "type_error", /SECRETS\.api\.TOKEN/);
  });
});

describe("secret values never reach a message", () => {
  test("a function that quotes its argument in its error has the secret replaced by ***", () => {
    const leaky = createRegistry([
      {
        name: "leaky",
        group: "Test",
        description: "",
        params: [{ name: "x", type: "Any" }],
        returns: "Any",
        call: (args) => {
          throw new FunctionError(`cannot use '${String(args[0])}'`);
        },
      },
    ]);
    const e = fails("${{ FN.leaky(SECRETS.api.TOKEN) }}", "value_error", /cannot use '\*\*\*'/, undefined, ctx, {
      registry: leaky,
    });
    assert.match(e.message, /SECRETS\.api\.TOKEN/);
  });
});

describe("rendering", () => {
  test("a string that is exactly one template keeps the native type", () => {
    assert.equal(evaluate("${{ ACTIONS.webhook.result }}", ctx), 42);
    assert.deepEqual(evaluate("${{ TRIGGER.list }}", ctx), [10, 20, 30]);
    assert.equal(evaluate("${{ None }}", ctx), null);
    assert.equal(evaluate("${{ True }}", ctx), true);
  });
  test("otherwise each value is rendered: strings raw, everything else as JSON", () => {
    assert.equal(evaluate(" ${{ ACTIONS.webhook.result }} ${{ ACTIONS.webhook.count }}  ", ctx), " 42 3  ");
    assert.equal(evaluate("${{ True }}/${{ None }}/${{ 1.5 }}", ctx), "true/null/1.5");
    assert.equal(evaluate("list=${{ [1, 'a'] }}", ctx), 'list=[1,"a"]');
    assert.equal(evaluate("obj=${{ {'a': None} }}", ctx), 'obj={"a":null}');
    assert.equal(evaluate("name=${{ TRIGGER.user.name }}", ctx), "name=ann");
    assert.equal(evaluate(" ${{ 'x' }}", ctx), " x");
  });
  test("several templates per string, spanning lines", () => {
    assert.equal(evaluate("a${{ 1 }}b${{\n  2 +\n  3\n}}c", ctx), "a1b5c");
  });
  test("'}}' inside a string literal does not end the template", () => {
    assert.equal(evaluate("${{ 'a}}b' }}", ctx), "a}}b");
    assert.equal(evaluate('x${{ "}}" }}y', ctx), "x}}y");
    assert.deepEqual(evaluate("${{ {'a': {'b': 1}} }}", ctx), { a: { b: 1 } });
    assert.deepEqual(evaluate("${{ {'a': 1}}}", ctx), { a: 1 });
  });
  test("text without templates is returned as is", () => {
    assert.equal(evaluate("plain $ {{ text }}", ctx), "plain $ {{ text }}");
    assert.equal(evaluate("SECRETS.a.K1", ctx), "SECRETS.a.K1");
  });
  test("ExprObjects render with toJSON, natively and inline", () => {
    assert.equal(evaluate("${{ FN.to_datetime('2021-01-01T00:00:00Z') }}", ctx), "2021-01-01T00:00:00+00:00");
    assert.equal(evaluate("at ${{ FN.to_datetime(1609459200) }}", ctx), "at 2021-01-01T00:00:00+00:00");
    assert.deepEqual(evaluate("${{ [FN.to_datetime('2021-01-01')] }}", ctx), ["2021-01-01T00:00:00"]);
  });
  test("objects and arrays are walked; dict keys are templates too", () => {
    const input = {
      "${{ ACTIONS.key_action.result }}": "${{ ACTIONS.webhook.result }}",
      list: ["${{ 1 + 1 }}", 3, null, true],
      "plain-${{ 'k' }}": { inner: "${{ VARS.base_url }}/path" },
    };
    assert.deepEqual(evaluate(input, ctx), {
      "123": 42,
      list: [2, 3, null, true],
      "plain-k": { inner: "https://x/path" },
    });
    assert.equal(evaluate(5, ctx), 5);
    assert.equal(evaluate(null, ctx), null);
  });
  test("two keys resolving to the same value are an error", () => {
    const e = fails(
      { "${{ 'a' }}": 1, a: 2 } as unknown as string,
      "key_collision",
      /duplicate dictionary key: '\$\{\{ 'a' \}\}' and 'a'|duplicate dictionary key/,
    );
    assert.deepEqual(e.location, ["a"]);
    fails({ "${{ 'k' }}": 1, "${{ 'k' + '' }}": 2 } as unknown as string, "key_collision");
  });
  test("a key resolving to a list is a type error", () => {
    fails({ "${{ [1] }}": 1 } as unknown as string, "type_error", /dictionary key must resolve/);
  });
  test("errors carry their location in the walked value", () => {
    const e = fails({ headers: [{ auth: "${{ 1/0 }}" }] } as unknown as string, "zero_division");
    assert.deepEqual(e.location, ["headers", 0, "auth"]);
    assert.match(e.format(), /at headers\[0\]\.auth/);
  });
  test("the iterator form evaluates to its collection", () => {
    assert.deepEqual(evaluate("${{ for var.x in TRIGGER.list }}", ctx), [10, 20, 30]);
  });
});

describe("functions", () => {
  test("calls and .map through the registry", () => {
    assert.equal(ev("FN.concat(ENV.environment, '5')"), "prod5");
    assert.deepEqual(ev("FN.format.map('Hey {}!', ['Alice', 'Bob', 'Charlie'])"), [
      "Hey Alice!",
      "Hey Bob!",
      "Hey Charlie!",
    ]);
    assert.deepEqual(ev("FN.format.map('Hello, {}! You are {}.', ['Alice', 'Bob'], ['cool', 'awesome'])"), [
      "Hello, Alice! You are cool.",
      "Hello, Bob! You are awesome.",
    ]);
    assert.deepEqual(ev("FN.length.map('abc')"), [3]);
    assert.deepEqual(ev("FN.lookup.map([{'a': 1}, {'a': 2}], 'a')"), [1, 2]);
    assert.equal(ev("FN.contains('key1', {'key1': 1})"), true);
    assert.equal(ev("FN.is_equal(bool(True), bool(1)) -> bool"), true);
  });
  test("unknown functions and wrong arity at run time", () => {
    fails("${{ FN.nope(1) }}", "unknown_function", /Unknown function 'nope'/, "FN.nope");
    fails("${{ FN.foo.bar(1) }}", "unknown_function", /Unknown function 'foo\.bar'/);
    fails(
      "${{ FN.split('a') }}",
      "arity",
      /Function 'split' expects at least 2 argument\(s\) but 1 were provided/,
      "FN.split",
    );
    fails("${{ FN.uuid4(1) }}", "arity", /accepts at most 0 argument\(s\) but 1 were provided/);
  });
  test("a custom registry and clock", () => {
    const registry = createRegistry([
      ...allFunctions,
      {
        name: "twice",
        group: "Test",
        description: "",
        params: [{ name: "x", type: "int" }],
        returns: "int",
        call: (a) => (a[0] as number) * 2,
      },
    ]);
    assert.equal(ev("FN.twice(21)", ctx, { registry }), 42);
    assert.equal(ev("FN.now(True)", ctx, { now: () => Date.UTC(2024, 5, 15, 10, 30) }), "2024-06-15T10:30:00");
  });
  test("operators delegate to ExprObjects", () => {
    class Money extends ExprObject {
      readonly typeName = "money";
      constructor(readonly cents: number) {
        super();
      }
      toJSON() {
        return this.cents / 100;
      }
      toPythonString() {
        return `$${this.cents / 100}`;
      }
      override applyOperator(op: ObjectOperator, other: ExprValue, reversed: boolean): ExprValue | undefined {
        if (op === "+" && other instanceof Money) return new Money(this.cents + other.cents);
        if (op === "*" && typeof other === "number") return new Money(this.cents * other);
        if (op === "==") return other instanceof Money && other.cents === this.cents;
        if (op === "<" && other instanceof Money) return reversed ? other.cents < this.cents : this.cents < other.cents;
        return undefined;
      }
    }
    const c = { ACTIONS: { a: { m: new Money(150), n: new Money(50) } } } as unknown as EvaluationContext;
    assert.equal(evaluateTemplate("${{ ACTIONS.a.m + ACTIONS.a.n }}", c), 2);
    assert.equal(evaluateTemplate("${{ 2 * ACTIONS.a.m }}", c), 3);
    assert.equal(evaluateTemplate("${{ ACTIONS.a.n < ACTIONS.a.m }}", c), true);
    assert.equal(evaluateTemplate("${{ ACTIONS.a.m > ACTIONS.a.n }}", c), true);
    assert.equal(evaluateTemplate("${{ str(ACTIONS.a.m) }}", c), "$1.5");
    assert.equal(evaluateTemplate("total ${{ ACTIONS.a.m }}", c), "total 1.5");
    assert.equal(evaluateTemplate("${{ 'yes' if ACTIONS.a.m else 'no' }}", c), "yes");
    assert.throws(
      () => evaluateTemplate("${{ ACTIONS.a.m - 1 }}", c),
      /unsupported operand type\(s\) for -: 'money' and 'int'/,
    );
  });
});

describe("limits", () => {
  test("output size", () => {
    fails("${{ 'ab' * 1000 }}", "limit_exceeded", /longer than the limit of 100 characters/, "*", ctx, {
      limits: { maxOutputChars: 100 },
    });
    fails("${{ 'a' * 60 }}${{ 'b' * 60 }}", "limit_exceeded", /limit of 100/, undefined, ctx, {
      limits: { maxOutputChars: 100 },
    });
    fails("${{ FN.concat('a' * 60, 'b' * 60) }}", "limit_exceeded", /FN\.concat returned text longer/, undefined, ctx, {
      limits: { maxOutputChars: 100 },
    });
    fails("${{ str([1] * 90) }}", "limit_exceeded", undefined, undefined, ctx, { limits: { maxOutputChars: 100 } });
  });
  test("list sizes", () => {
    fails("${{ [0] * 11 }}", "limit_exceeded", /more than the limit of 10 items/, "*", ctx, {
      limits: { maxListLength: 10 },
    });
    fails("${{ [0] * 6 + [1] * 6 }}", "limit_exceeded", undefined, undefined, ctx, { limits: { maxListLength: 10 } });
    fails("${{ FN.format.map('{}', [0] * 10 + [1]) }}", "limit_exceeded", undefined, undefined, ctx, {
      limits: { maxListLength: 10 },
    });
    fails("${{ ACTIONS.list.result[*] }}", "limit_exceeded", /path matched more/, undefined, ctx, {
      limits: { maxListLength: 2 },
    });
  });
  test("the default limits stop a doubling attack", () => {
    fails("${{ 'a' * 1000 * 1000 * 1000 }}", "limit_exceeded");
    fails("x ${{ [[0] * 1000] * 1000 }}", "limit_exceeded");
  });
  test("shared references cannot multiply work or memory past the bounds", () => {
    assert.deepEqual(ev("[] * 1000000000000"), []);
    fails("${{ str(['a' * 1000000] * 100000) }}", "limit_exceeded");
    fails("x ${{ ['a' * 1000000] * 100000 }}", "limit_exceeded");
    fails("${{ FN.serialize_json(['a' * 1000000] * 100000) }}", "limit_exceeded");
    fails("${{ FN.format('{}', ['a' * 1000000] * 100000) }}", "limit_exceeded");
    const big = ev("[[0] * 10000] * 10000") as unknown[];
    assert.equal(big.length, 10000);
    fails(
      "${{ [[0] * 10000] * 10000 == [[0] * 10000] * 10000 }}",
      "limit_exceeded",
      /longer than the limit of 20 ms/,
      undefined,
      ctx,
      {
        limits: { maxTimeMs: 20 },
      },
    );
    fails("${{ [0] * 9999 + [1] in [[0] * 10000] * 10000 }}", "limit_exceeded", undefined, undefined, ctx, {
      limits: { maxTimeMs: 20 },
    });
  });
  test("recursion depth: expression nesting and value nesting", () => {
    fails(`\${{ ${"[".repeat(80)}${"]".repeat(80)} }}`, "limit_exceeded", /nested deeper than 64/);
    fails(`\${{ ${"[".repeat(12)}${"]".repeat(12)} }}`, "limit_exceeded", undefined, undefined, ctx, {
      limits: { maxDepth: 10 },
    });
    let deep: unknown = "x";
    for (let i = 0; i < 100; i++) deep = [deep];
    fails(deep as string, "limit_exceeded", /nested deeper than the limit/);
    const nest = () => {
      let data: unknown = 1;
      for (let i = 0; i < 20_000; i++) data = [data];
      return data;
    };
    const c = { ACTIONS: { a: { deep: nest(), other: nest() } } };
    fails("${{ ACTIONS.a.deep == ACTIONS.a.other }}", "limit_exceeded", undefined, undefined, c as EvaluationContext);
    fails("x ${{ ACTIONS.a.deep }}", "limit_exceeded", undefined, undefined, c as EvaluationContext);
  });
  test("time per template", () => {
    const slow = createRegistry([
      {
        name: "slow",
        group: "Test",
        description: "",
        params: [],
        returns: "int",
        call: () => {
          const until = performance.now() + 5;
          while (performance.now() < until) {
            // busy
          }
          return 1;
        },
      },
    ]);
    fails("${{ FN.slow() + FN.slow() }}", "limit_exceeded", /longer than the limit of 1 ms/, undefined, ctx, {
      registry: slow,
      limits: { maxTimeMs: 1 },
    });
  });
  test("template length", () => {
    fails(`\${{ '${"a".repeat(200)}' }}`, "limit_exceeded", /more than the limit of 100/, undefined, ctx, {
      limits: { maxExpressionChars: 100 },
    });
  });
});
