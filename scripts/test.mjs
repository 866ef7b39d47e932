#!/usr/bin/env node
// The whole test suite: formatter/linter, a full type-checked build, then every compiled test
// file under node:test. `npm test -- <filter>` runs only test files whose path contains <filter>.
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const filters = process.argv.slice(2);

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit" });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

function findTests(dir, out) {
  for (const entry of readdirSync(dir)) {
    if (entry === "node_modules") continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) findTests(path, out);
    else if (entry.endsWith(".test.js")) out.push(relative(root, path));
  }
  return out;
}

run("npx", ["biome", "check", "."]);
run(process.execPath, ["scripts/build.mjs"]);

const files = [];
for (const pkg of readdirSync(join(root, "packages"))) {
  const dist = join(root, "packages", pkg, "dist");
  try {
    statSync(dist);
  } catch {
    continue;
  }
  findTests(dist, files);
}
const selected = filters.length ? files.filter((f) => filters.some((x) => f.includes(x))) : files;
if (selected.length === 0) {
  console.error("no test files matched");
  process.exit(1);
}
run(process.execPath, [
  "--enable-source-maps",
  "--test",
  "--test-concurrency=2",
  "--test-timeout=300000",
  ...selected.sort(),
]);
