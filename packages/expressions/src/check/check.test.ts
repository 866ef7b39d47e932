import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { check } from "./check.js";

const summary = (value: unknown) => check(value).map((e) => `${e.code}: ${e.message}`);

describe("check", () => {
  test("a clean value has no problems", () => {
    assert.deepEqual(
      check({ a: "${{ FN.concat(SECRETS.a.K, VARS.b.c) }}", b: ["plain", "${{ ACTIONS.x.result[*] -> str }}"] }),
      [],
    );
  });
  test("secret path shape: one segment and extra segments (T-EXP-08)", () => {
    assert.deepEqual(summary("Again, inline substitution ${{ SECRETS.my_secret }} like this   "), [
      "invalid_secret_path: Invalid secret usage: 'my_secret'. Must be in the format `SECRETS.my_secret.KEY`",
    ]);
    assert.deepEqual(summary("${{ SECRETS.a.B.C.D }}"), [
      "invalid_secret_path: Invalid secret usage: 'a.B.C.D'. Got extra segments ['C', 'D'].Must be in the format `SECRETS.my_secret.KEY`",
    ]);
  });
  test("T-EXP-09 (shape part) a one-segment secret next to other problems is reported by name", () => {
    const problems = check("${{ ACTIONS.a.url }} ${{ SECRETS.some_secret }} ${{ FN.nope() }}");
    const secret = problems.find((e) => e.code === "invalid_secret_path");
    assert.match(secret?.message ?? "", /some_secret/);
    assert.equal(problems.length, 2);
  });
  test("unknown functions and arity, with Tracecat's messages", () => {
    assert.deepEqual(summary("${{ FN.nope(1) }} ${{ FN.split('a') }} ${{ FN.uuid4(1, 2) }} ${{ FN.concat() }}"), [
      "unknown_function: Unknown function name 'nope'",
      "arity: Function 'split' expects at least 2 argument(s) but 1 were provided",
      "arity: Function 'uuid4' accepts at most 0 argument(s) but 2 were provided",
    ]);
  });
  test(".map calls are checked the same way", () => {
    assert.deepEqual(summary("${{ FN.lowercase.map(['A'], 'x') }}"), [
      "arity: Function 'lowercase' accepts at most 1 argument(s) but 2 were provided",
    ]);
  });
  test("VARS with too many segments", () => {
    assert.equal(check("${{ VARS.a.b.c }}")[0]?.code, "invalid_variable_path");
  });
  test("casts of literals that always fail", () => {
    assert.deepEqual(
      check("${{ int('fails') }} ${{ 'x' -> float }} ${{ int('12') }}").map((e) => e.code),
      ["value_error", "value_error"],
    );
  });
  test("parse errors are reported, and checking goes on with the other strings", () => {
    const problems = check({ a: "${{ SECRETS.my-secret.KEY }}", b: "${{ FN.nope() }}", c: "${{ 1 + }}" });
    assert.deepEqual(
      problems.map((e) => [e.code, e.location.join(".")]),
      [
        ["parse_error", "a"],
        ["unknown_function", "b"],
        ["parse_error", "c"],
      ],
    );
    assert.match(problems[0]?.message ?? "", /snake_case/);
  });
  test("every problem points at its text", () => {
    const source = "x ${{ FN.concat(SECRETS.only_name, FN.nope()) }}";
    const problems = check(source);
    assert.deepEqual(
      problems.map((e) => source.slice(e.span.start, e.span.end)),
      ["SECRETS.only_name", "FN.nope"],
    );
    assert.match(
      problems[1]?.format() ?? "",
      /\n {2}x \$\{\{ FN\.concat\(SECRETS\.only_name, FN\.nope\(\)\) \}\}\n {37}\^{7}$/,
    );
  });
  test("dict keys are checked", () => {
    assert.deepEqual(
      check({ "${{ FN.nope() }}": 1 }).map((e) => e.code),
      ["unknown_function"],
    );
  });
  test("a custom registry decides what is known", () => {
    assert.equal(
      check("${{ FN.concat('a') }}", {
        registry: {
          get: () => undefined,
          has: () => false,
          names: () => [],
          definitions: () => [],
          arityProblem: () => undefined,
        },
      }).length,
      1,
    );
  });
});
