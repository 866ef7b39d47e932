#!/usr/bin/env node
// Writes docs/functions.md from the compiled function registry of @coffer/expressions.
// Build first (`npx tsc -b packages/expressions`). `--check` exits 1 when the file is stale.
import { readFileSync, writeFileSync } from "node:fs";

const root = new URL("..", import.meta.url);
const dist = new URL("packages/expressions/dist/src/", root);
const { defaultRegistry } = await import(new URL("functions/default-registry.js", dist).href);
const { renderFunctionsDoc } = await import(new URL("functions/library/functions-doc.js", dist).href);

const target = new URL("docs/functions.md", root);
const text = renderFunctionsDoc(defaultRegistry);

if (process.argv.includes("--check")) {
  let current = "";
  try {
    current = readFileSync(target, "utf8");
  } catch {
    // missing counts as stale
  }
  if (current !== text) {
    console.error("docs/functions.md is stale: run `node scripts/generate-functions-doc.mjs`");
    process.exit(1);
  }
  console.log("docs/functions.md is up to date");
} else {
  writeFileSync(target, text);
  console.log(`wrote docs/functions.md (${defaultRegistry.names().length} names)`);
}
