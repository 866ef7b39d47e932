import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { JSONPath } from "jsonpath-plus";
import type { ExprValue } from "../functions/function-definition.js";
import type { PathSegment } from "../parser/ast.js";
import { fanOut, jsonPathOf } from "./evaluate.js";

// The direct walk of names, indices and wildcards must find what jsonpath-plus finds. (Strings are
// left out on purpose: jsonpath-plus indexes into them, the direct walk does not — a path reaches
// into lists and dicts only; index a string with an expression: `str(x)[0]`.)
test("the direct path walk agrees with jsonpath-plus (2k generated documents and paths)", () => {
  const key = fc.constantFrom("a", "b", "c");
  const json = fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { depthSize: "small" },
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.array(tie("value"), { maxLength: 3 }),
      fc.dictionary(key, tie("value"), { maxKeys: 3 }),
    ),
  })).value;
  const segment: fc.Arbitrary<PathSegment> = fc.oneof(
    key.map((name) => ({ kind: "name", name }) as const),
    fc.integer({ min: 0, max: 2 }).map((index) => ({ kind: "index", index }) as const),
    fc.constant({ kind: "wildcard" } as const),
  );
  fc.assert(
    fc.property(json, fc.array(segment, { minLength: 1, maxLength: 4 }), (doc, segments) => {
      const root = { root: doc } as ExprValue;
      const path = [{ kind: "name", name: "root" } as const, ...segments];
      const expected = JSONPath({ path: jsonPathOf(path), json: root as object, eval: "safe", wrap: true });
      assert.deepEqual(fanOut(root, path), expected);
    }),
    { numRuns: 2000 },
  );
});
