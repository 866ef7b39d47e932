import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { defaultRegistry } from "../default-registry.js";
import { renderFunctionsDoc, signature } from "./functions-doc.js";

// dist/src/functions/library → repository root.
const docPath = new URL("../../../../../../docs/functions.md", import.meta.url);

describe("docs/functions.md", () => {
  it("matches the registry (run `node scripts/generate-functions-doc.mjs` after changing a function)", () => {
    assert.equal(readFileSync(docPath, "utf8"), renderFunctionsDoc(defaultRegistry));
  });

  it("lists every name with its signature", () => {
    const text = renderFunctionsDoc(defaultRegistry);
    for (const name of defaultRegistry.names())
      assert.ok(text.includes(`FN.${name}`) || text.includes(`\`${name}(`), name);
    const format = defaultRegistry.get("format");
    assert.ok(format);
    assert.equal(signature(format), "format(template: str, *values: Any) -> str");
    assert.match(text, /\| `to_isoformat\(x: datetime \\\| str, timespec\?: str\) -> str` \|/);
  });
});
