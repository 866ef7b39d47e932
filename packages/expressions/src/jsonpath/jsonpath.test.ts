import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { check } from "../check/check.js";
import { ExpressionError } from "../errors/expression-error.js";
import { evaluateTemplate } from "../evaluator/evaluate.js";

// The fixture of Tracecat's own test_expression_parser (tests/unit/test_expressions.py).
const users = [
  {
    name: "Alice",
    age: 30,
    gender: "female",
    active: true,
    contact: { email: "alice@example.com", phone: "123-456-7890" },
  },
  { name: "Bob", age: 40, gender: "male", active: false, contact: { email: "bob@example.com", phone: "098-765-4321" } },
  {
    name: "Charlie",
    age: 50,
    gender: "male",
    active: true,
    contact: { email: "charlie@example.com", phone: "111-222-3333" },
  },
];
const context = {
  ACTIONS: {
    users: { result: users },
    text: { result: "héllo" },
    tags: { result: "a-b-c" },
    mixed: { result: [{ v: "40" }, { v: 40.7 }, { v: "x" }, { v: true }] },
    scores: { result: [3, 1, 2] },
    nulls: { result: [{ v: null }] },
    nested: { result: [{ a: { b: 1 } }, { a: { b: 2 } }] },
    dict: { result: { z: 1, a: 2 } },
  },
};
const ev = (path: string): unknown => evaluateTemplate(`\${{ ${path} }}`, context);

describe("extended JSONPath filters (jsonpath_ng ext), with Tracecat's results", () => {
  test("bare field names, comparisons of each kind, and `&`", () => {
    assert.deepEqual(ev("ACTIONS.users.result[?age >= 40]"), [users[1], users[2]]);
    assert.deepEqual(ev("ACTIONS.users.result[?age > 40].name"), "Charlie");
    assert.deepEqual(ev("ACTIONS.users.result[?age < 40].name"), "Alice");
    assert.deepEqual(ev("ACTIONS.users.result[?age <= 40].name"), ["Alice", "Bob"]);
    assert.deepEqual(ev("ACTIONS.users.result[?age != 40].name"), ["Alice", "Charlie"]);
    assert.deepEqual(ev("ACTIONS.users.result[?age == 40].name"), "Bob");
    assert.deepEqual(ev("ACTIONS.users.result[?active == true].name"), ["Alice", "Charlie"]);
    assert.deepEqual(ev("ACTIONS.users.result[?age >= 30 & age <= 40].name"), ["Alice", "Bob"]);
    assert.deepEqual(ev("ACTIONS.users.result[?name =~ '^(A|B)'].age"), [30, 40]);
    assert.deepEqual(ev('ACTIONS.users.result[?gender == "male" & active == false].name'), "Bob");
  });
  test("one value or a list: a filter without `(` or `@` and one match is the value, as Tracecat's tests expect", () => {
    assert.equal(ev("ACTIONS.users.result[?gender == 'female'].name"), "Alice");
    assert.deepEqual(ev("ACTIONS.users.result[?(@.gender == 'female')].name"), ["Alice"]);
    assert.deepEqual(ev("ACTIONS.users.result[?@.gender == 'female'].name"), ["Alice"]);
    assert.equal(ev("ACTIONS.users.result[?age > 99]"), null);
    assert.deepEqual(ev("ACTIONS.users.result[?(@.age > 99)]"), []);
    assert.deepEqual(ev("ACTIONS.users.result[*].name"), ["Alice", "Bob", "Charlie"]);
    assert.equal(ev("ACTIONS.users.result[0].name"), "Alice");
    assert.deepEqual(ev("ACTIONS.users.result..email"), [
      "alice@example.com",
      "bob@example.com",
      "charlie@example.com",
    ]);
  });
  test("nested field paths in filters, existence tests and parentheses", () => {
    assert.equal(ev("ACTIONS.nested.result[?a.b == 2].a.b"), 2);
    assert.deepEqual(ev("ACTIONS.nested.result[?(@.a.b >= 1)].a.b"), [1, 2]);
    assert.deepEqual(ev("ACTIONS.users.result[?contact.email].name"), ["Alice", "Bob", "Charlie"]);
    assert.deepEqual(ev("ACTIONS.users.result[?(age > 30 & active == true)].name"), ["Charlie"]);
  });
  test("an integer literal converts the field with Python's int() first, as jsonpath_ng does", () => {
    // "40" → 40 and 40.7 → 40 match; "x" cannot convert and is skipped; true → 1.
    assert.deepEqual(ev("ACTIONS.mixed.result[?v == 40].v"), ["40", 40.7]);
    assert.deepEqual(ev("ACTIONS.mixed.result[?v == 1].v"), true);
    const error = (() => {
      try {
        ev("ACTIONS.nulls.result[?v == 1]");
      } catch (e) {
        return e;
      }
    })();
    assert.ok(error instanceof ExpressionError);
    assert.match(error.message, /int\(\) cannot convert a NoneType/);
  });
  test("backtick operators: sub, len, str(), split, sorted, and sorting by field", () => {
    assert.deepEqual(ev("ACTIONS.users.result[?gender == 'male'].contact.email.`sub(/example.com/, example.net)`"), [
      "bob@example.net",
      "charlie@example.net",
    ]);
    assert.equal(ev("ACTIONS.users.result.`len`"), 3);
    assert.deepEqual(ev("ACTIONS.users.result[*].name.`len`"), [5, 3, 7]);
    assert.equal(ev("ACTIONS.text.result.`len`"), 5);
    assert.equal(ev("ACTIONS.users.result[0].age.`str()`"), "30");
    assert.equal(ev("ACTIONS.users.result[0].active.`str()`"), "True");
    assert.equal(ev("ACTIONS.tags.result.`split(-, 1, -1)`"), "b");
    assert.deepEqual(ev("ACTIONS.tags.result.`split(-, *, 1)`"), ["a", "b-c"]);
    assert.deepEqual(ev("ACTIONS.scores.result.`sorted`"), [1, 2, 3]);
    assert.deepEqual(ev("ACTIONS.dict.result.`sorted`"), ["a", "z"]);
    assert.deepEqual(ev("ACTIONS.users.result[\\age][*].name"), ["Charlie", "Bob", "Alice"]);
    assert.deepEqual(ev("ACTIONS.users.result[/name][*].name"), ["Alice", "Bob", "Charlie"]);
    // sub that changes nothing is no match (jsonpath_ng drops it).
    assert.equal(ev("ACTIONS.users.result[0].name.`sub(/zzz/, y)`"), null);
  });
  test("indexing a string through a path gives the character (positive, negative, out of range)", () => {
    assert.equal(ev("ACTIONS.text.result[0]"), "h");
    assert.equal(ev("ACTIONS.text.result[1]"), "é");
    assert.equal(ev("ACTIONS.text.result[-1]"), "o");
    assert.equal(ev("ACTIONS.text.result[9]"), null);
    assert.equal(ev("ACTIONS.text.result[-9]"), null);
    assert.equal(ev("ACTIONS.users.result[0].name[-1]"), "e");
  });
});

describe("a malformed path is an ExpressionError with its position", () => {
  const cases: [string, string][] = [
    ["${{ ACTIONS.a.result[?age >= ] }}", "]"],
    ["${{ ACTIONS.a.result.`nope` }}", "`nope`"],
    ["${{ ACTIONS.a.result.`sub(/x/,y)` }}", "`sub(/x/,y)`"],
    ["${{ ACTIONS.a.result[?(age > 1] }}", "]"],
  ];
  for (const [source, at] of cases) {
    test(`${source}: at check time and at evaluation time`, () => {
      const errors = check({ x: source });
      assert.equal(errors.length, 1);
      const [error] = errors as [ExpressionError];
      assert.equal(error.code, "parse_error");
      assert.match(error.message, /Invalid JSONPath 'ACTIONS\.a\.result/);
      assert.equal(source.slice(error.span.start, error.span.end), at);
      assert.throws(
        () => evaluateTemplate(source, { ACTIONS: { a: { result: [] } } }),
        (e: unknown) =>
          e instanceof ExpressionError &&
          e.code === "parse_error" &&
          e.span.start === error.span.start &&
          e.span.end === error.span.end,
      );
    });
  }
});
