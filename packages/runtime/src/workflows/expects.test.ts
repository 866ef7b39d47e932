import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { normalizeTrigger, parseExpects, parseTypeExpr } from "./expects.js";

describe("entrypoint.expects", () => {
  test("the type grammar", () => {
    assert.deepEqual(parseTypeExpr("list[str]", "f"), { kind: "list", item: { kind: "str" } });
    assert.deepEqual(parseTypeExpr("dict", "f"), { kind: "dict", key: { kind: "str" }, value: { kind: "any" } });
    assert.deepEqual(parseTypeExpr(" str | None ", "f"), {
      kind: "union",
      options: [{ kind: "str" }, { kind: "none" }],
    });
    assert.deepEqual(parseTypeExpr('enum["open", "closed"]', "f"), { kind: "enum", values: ["open", "closed"] });
    assert.deepEqual(parseTypeExpr("$Ref", "f"), { kind: "reference", name: "Ref" });
    assert.throws(
      () => parseTypeExpr("list", "f"),
      /Invalid type annotation for expected field 'f': 'list'\. Lists must include an item type/,
    );
    assert.throws(() => parseTypeExpr("string", "f"), /Supported examples include/);
    assert.throws(() => parseTypeExpr('enum["a", "A"]', "f"), /Duplicate enum value: A/);
    assert.throws(() => parseTypeExpr('enum[""]', "f"), /Enum value cannot be empty/);
  });

  test("an entry with an unknown key is refused", () => {
    assert.throws(() => parseExpects({ a: { type: "str", required: true } }), /Invalid entrypoint expected field 'a'/);
  });

  test("normalisation: lax coercion, defaults, unknown keys refused, non-mappings passed through", () => {
    const expects = parseExpects({
      n: { type: "int" },
      flag: { type: "bool", default: false },
      tags: { type: "list[str]", default: [] },
      maybe: { type: "str | None" },
      state: { type: 'enum["open", "closed"]', default: "open" },
      when: { type: "datetime", default: null },
    });
    assert.deepEqual(normalizeTrigger(expects, { n: "7", flag: "yes", maybe: null, when: 0 }), {
      n: 7,
      flag: true,
      tags: [],
      maybe: null,
      state: "open",
      when: "1970-01-01T00:00:00.000Z",
    });
    assert.throws(() => normalizeTrigger(expects, { n: 1 }), /Missing required field\(s\): 'maybe'\./);
    assert.throws(
      () => normalizeTrigger(expects, { n: 1, maybe: "x", extra: 1 }),
      /The attribute 'extra' is not allowed/,
    );
    assert.throws(
      () => normalizeTrigger(expects, { n: 1, maybe: 2 }),
      /The attribute 'maybe' does not match the input schema/,
    );
    assert.throws(() => normalizeTrigger(expects, { n: 1, maybe: "x", state: "OPEN" }), /'state'/);
    assert.deepEqual(normalizeTrigger(expects, [1, 2]), [1, 2], "a non-mapping payload is not validated (Q13)");
    assert.equal(normalizeTrigger(null, undefined), null);
  });
});
