// Property-based fuzzing: whatever the input, parsing, checking, extracting and evaluating either
// return a value or throw ExpressionError — never another exception, a hang or a crash — and no
// error message carries a secret's value. 4 properties, 100k+ generated inputs in all.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { check } from "../check/check.js";
import { ExpressionError } from "../errors/expression-error.js";
import { type EvaluationContext, evaluate } from "../evaluator/evaluate.js";
import { defaultRegistry } from "../functions/default-registry.js";
import { extractReferences } from "../references/extract.js";
import { canaryForms, findCanary } from "./canary-forms.js";

const CANARY = "CANARY-9f3b2c-secret";
const FORMS = canaryForms(CANARY);
const FORMS2 = canaryForms(`${CANARY}-2`);
const context: EvaluationContext = {
  SECRETS: { api: { TOKEN: CANARY, N: "12" }, other: { KEY: `${CANARY}-2` } },
  VARS: { conf: { url: "https://x", n: 3 }, list: [1, 2, 3] },
  ACTIONS: {
    a: {
      result: [
        { id: 1, tags: ["x"] },
        { id: 2, tags: [] },
      ],
      count: 2,
    },
    b: { result: { nested: { deep: [1, [2, [3]]] }, text: "héllo 😀" } },
  },
  TRIGGER: { body: { id: "t", n: -1.5 }, list: [0, "1", null, true] },
  ENV: { environment: "prod" },
  var: { item: { name: "x" } },
  inputs: { value: 10 },
  steps: { s: { result: "ok" } },
};
const limits = { maxOutputChars: 4096, maxListLength: 1000, maxDepth: 32, maxTimeMs: 1000 };

function probe(input: unknown): void {
  const run = (fn: () => unknown) => {
    try {
      fn();
    } catch (error) {
      if (!(error instanceof ExpressionError)) throw error;
      const leaked = findCanary(error.message, FORMS) ?? findCanary(error.message, FORMS2);
      if (leaked !== undefined) {
        throw new Error(
          `a form of the secret value is in an error message: ${error.code} (form #${FORMS.indexOf(leaked)}; message not shown)`,
        );
      }
      error.format();
    }
  };
  run(() => evaluate(input, context, { limits }));
  run(() => extractReferences(input));
  for (const problem of check(input)) assert.ok(problem instanceof ExpressionError);
}

const fragments = [
  "${{",
  "}}",
  "{",
  "}",
  "[",
  "]",
  "(",
  ")",
  "'",
  '"',
  "\\",
  ".",
  "..",
  "*",
  ",",
  ":",
  "->",
  "||",
  "&&",
  "==",
  "!=",
  "<",
  ">=",
  "+",
  "-",
  "/",
  "%",
  " ",
  "\n",
  "not",
  "in",
  "is",
  "if",
  "else",
  "for",
  "True",
  "None",
  "0",
  "1.5",
  "SECRETS",
  "VARS",
  "ACTIONS",
  "TRIGGER",
  "ENV",
  "var",
  "inputs",
  "steps",
  "FN",
  "int",
  "str",
  ".api",
  ".TOKEN",
  ".a",
  ".result",
  "[*]",
  "[?(@.id > 1)]",
  "[?id >= 1 & tags]",
  "[?name =~ 'x']",
  "[\\id]",
  ".`len`",
  ".`sorted`",
  ".`sub(/a/, b)`",
  ".`split(-, 0, -1)`",
  ".`str()`",
  "`",
  "&",
  "?",
  "@",
  "[0]",
  "[-1]",
  "map",
  "concat",
  "format",
  "😀",
  "\u0000",
];

const tokenSoup = fc
  .array(fc.oneof(fc.constantFrom(...fragments), fc.string({ maxLength: 3 })), { maxLength: 25 })
  .map((parts) => parts.join(""));

const functionNames = [...defaultRegistry.names(), "nope", "foo.bar"];
const refs = [
  "SECRETS.api.TOKEN",
  "SECRETS.api.N",
  "SECRETS.api.MISSING",
  "SECRETS.nope.K",
  "SECRETS.api",
  "SECRETS.other.KEY",
  "VARS.conf.url",
  "VARS.conf",
  "VARS.list",
  "VARS.a.b.c",
  "ACTIONS.a.result",
  "ACTIONS.a.result[*].id",
  "ACTIONS.a.result[?(@.id > 1)]",
  "ACTIONS.a.result[?id >= 1 & id < 3].id",
  "ACTIONS.a.result[?tags].tags.`len`",
  "ACTIONS.b.result.text.`sub(/l+/, L)`",
  "ACTIONS.b.result.text.`split(l, *, -1)`",
  "ACTIONS.b.result.text[-1]",
  "ACTIONS.a.result[\\id][*].id",
  "ACTIONS.a.result.`sorted`",
  "ACTIONS.a.result[0].tags",
  "ACTIONS.b..deep",
  "ACTIONS.b.result.text",
  "ACTIONS.missing.x",
  "TRIGGER",
  "TRIGGER.body.n",
  "TRIGGER.list[1]",
  "ENV.environment",
  "var.item.name",
  "inputs.value",
  "steps.s.result",
];

const { expr } = fc.letrec<{ expr: string; leaf: string; node: string }>((tie) => ({
  leaf: fc.oneof(
    fc.integer({ min: 0, max: 1_000_000 }).map(String),
    fc.double({ min: 0, max: 1e6, noNaN: true }).map((d) => d.toFixed(2)),
    fc.constantFrom("True", "False", "None", "''", "'a'", "'}}'", "'\\d+'", "'😀'", '"x\\ny"', "[]", "{}"),
    fc.string({ maxLength: 6 }).map((s) => `'${s.replace(/[\\']/g, "")}'`),
    fc.constantFrom(...refs),
  ),
  node: fc.oneof(
    fc
      .tuple(
        tie("expr"),
        fc.constantFrom(
          "||",
          "&&",
          "==",
          "!=",
          "<",
          "<=",
          ">",
          ">=",
          "in",
          "not in",
          "is",
          "is not",
          "+",
          "-",
          "*",
          "/",
          "%",
        ),
        tie("expr"),
      )
      .map(([a, op, b]) => `${a} ${op} ${b}`),
    fc.tuple(fc.constantFrom("not ", "-", "+"), tie("expr")).map(([op, a]) => `${op}${a}`),
    fc.tuple(tie("expr"), tie("expr"), tie("expr")).map(([a, c, b]) => `${a} if ${c} else ${b}`),
    fc.tuple(tie("expr"), tie("expr")).map(([a, i]) => `(${a})[${i}]`),
    fc.array(tie("expr"), { maxLength: 4 }).map((items) => `[${items.join(", ")}]`),
    fc
      .array(fc.tuple(fc.constantFrom("'a'", "'b'", "'}}'"), tie("expr")), { maxLength: 3 })
      .map((entries) => `{${entries.map(([k, v]) => `${k}: ${v}`).join(", ")}}`),
    fc
      .tuple(fc.constantFrom(...functionNames), fc.boolean(), fc.array(tie("expr"), { maxLength: 4 }))
      .map(([name, map, args]) => `FN.${name}${map ? ".map" : ""}(${args.join(", ")})`),
    fc.tuple(fc.constantFrom("int", "float", "str", "bool"), tie("expr")).map(([t, a]) => `${t}(${a})`),
    tie("expr").map((a) => `(${a})`),
  ),
  expr: fc.oneof({ depthSize: "medium", withCrossShrink: true }, tie("leaf"), tie("node")),
}));

const template = fc
  .tuple(
    fc.constantFrom("", "x ", "${{ 1 }} "),
    expr,
    fc.constantFrom("", " -> int", " -> str", " -> bool", " -> float"),
  )
  .map(([prefix, body, cast]) => `${prefix}\${{ ${body}${cast} }}`);

describe("fuzz: parser and evaluator only return a value or throw ExpressionError", () => {
  test("random text around and inside templates (30k)", () => {
    fc.assert(
      fc.property(tokenSoup, (soup) => {
        probe(soup);
        probe(`\${{ ${soup} }}`);
      }),
      { numRuns: 30_000, seed: 4097 },
    );
  });
  test("arbitrary unicode strings as templates (15k)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 40 }), (s) => probe(`\${{${s}}}`)),
      { numRuns: 15_000, seed: 4098 },
    );
  });
  test("grammar-aware generated expressions (50k)", () => {
    fc.assert(
      fc.property(template, (source) => probe(source)),
      { numRuns: 50_000, seed: 4099 },
    );
  });
  test("generated objects with templates in keys and values (10k)", () => {
    const value = fc.dictionary(template, fc.oneof(template, fc.array(template, { maxLength: 3 }), fc.integer()), {
      maxKeys: 3,
    });
    fc.assert(
      fc.property(value, (v) => probe(v)),
      { numRuns: 10_000, seed: 4100 },
    );
  });
  test("every FN function with secret-bearing arguments (about 40 calls each, most carrying the secret)", () => {
    // Secret-bearing arguments are the common case: raw, inside a list or dict, and transformed
    // (base64, upper case, a slice) so that derived forms reach the functions too.
    const secretArg = fc.constantFrom(
      "SECRETS.api.TOKEN",
      "SECRETS.other.KEY",
      "[SECRETS.api.TOKEN, 'x']",
      "{'k': SECRETS.api.TOKEN}",
      "FN.to_base64(SECRETS.api.TOKEN)",
      "FN.uppercase(SECRETS.api.TOKEN)",
      "FN.lowercase(SECRETS.other.KEY)",
      "FN.slice(SECRETS.api.TOKEN, 1, 12)",
      "FN.url_encode(SECRETS.api.TOKEN)",
      "FN.serialize_json(SECRETS.api.TOKEN)",
      "SECRETS.api.TOKEN + 'x'",
      "str(SECRETS.api.TOKEN)[2]",
    );
    const plainArg = fc.constantFrom(
      "1",
      "0",
      "-2",
      "'a'",
      "''",
      "None",
      "True",
      "[]",
      "{}",
      "[1, 'b']",
      "'%Y'",
      "2.5",
    );
    const arg = fc.oneof({ weight: 3, arbitrary: secretArg }, { weight: 1, arbitrary: plainArg });
    let seed = 0x2000;
    for (const name of defaultRegistry.names()) {
      let withSecret = 0;
      fc.assert(
        fc.property(fc.array(arg, { minLength: 1, maxLength: 4 }), fc.boolean(), (args, map) => {
          const source = `\${{ FN.${name}${map ? ".map" : ""}(${args.join(", ")}) }}`;
          if (source.includes("SECRETS")) withSecret++;
          probe(source);
        }),
        { numRuns: 40, seed: seed++ },
      );
      assert.ok(withSecret >= 20, `FN.${name}: only ${withSecret} of 40 calls carried the secret`);
    }
  });
});
