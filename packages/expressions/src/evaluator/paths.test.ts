import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import type { ExprValue } from "../functions/function-definition.js";
import { compileJsonPath, findJsonPath } from "../jsonpath/jsonpath.js";
import type { PathSegment } from "../parser/ast.js";
import { walkSimple } from "./evaluate.js";

// The fast direct walk used for plain paths (`ACTIONS.a.result.b`, `[0]`, `[-1]`) must give what
// the extended-JSONPath engine gives for the same path (one match → the value, none → null).
test("the direct path walk agrees with the JSONPath engine (2k generated documents and paths)", () => {
  const key = fc.constantFrom("a", "b", "c");
  const json = fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { depthSize: "small" },
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.string({ maxLength: 3 }),
      fc.array(tie("value"), { maxLength: 3 }),
      fc.dictionary(key, tie("value"), { maxKeys: 3 }),
    ),
  })).value;
  const segment: fc.Arbitrary<PathSegment> = fc.oneof(
    key.map((name) => ({ kind: "name", name }) as const),
    fc.integer({ min: -3, max: 3 }).map((index) => ({ kind: "index", index }) as const),
  );
  fc.assert(
    fc.property(json, fc.array(segment, { minLength: 1, maxLength: 4 }), (doc, segments) => {
      const root = { root: doc } as ExprValue;
      const path = [{ kind: "name", name: "root" } as const, ...segments];
      const text = path
        .map((s) => (s.kind === "name" ? `.${s.name}` : s.kind === "index" ? `[${s.index}]` : ""))
        .join("");
      const found = findJsonPath(compileJsonPath(text).steps, root, { maxMatches: 1000 });
      assert.ok(found.length <= 1);
      assert.deepEqual(walkSimple(root, path), found.length ? found[0] : null);
    }),
    { numRuns: 2000, seed: 0x5eed },
  );
});
