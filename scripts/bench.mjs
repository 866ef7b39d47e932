#!/usr/bin/env node
// Runs every compiled benchmark (packages/*/dist/bench/*.bench.js) one after another, after a
// build. Each benchmark prints its own figures, each as a ratio against a floor measured in the
// same run. `npm run bench -- <filter>` runs only benchmarks whose path contains <filter>.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const filters = process.argv.slice(2);
const build = spawnSync(process.execPath, ["scripts/build.mjs"], { cwd: root, stdio: "inherit" });
if (build.status !== 0) process.exit(build.status ?? 1);

const files = [];
for (const pkg of readdirSync(join(root, "packages"))) {
  const dir = join(root, "packages", pkg, "dist", "bench");
  if (!existsSync(dir)) continue;
  for (const f of readdirSync(dir)) if (f.endsWith(".bench.js")) files.push(relative(root, join(dir, f)));
}
let failed = 0;
for (const file of files.sort()) {
  if (filters.length && !filters.some((x) => file.includes(x))) continue;
  console.log(`\n== ${file}`);
  const r = spawnSync(process.execPath, ["--expose-gc", file], { cwd: root, stdio: "inherit" });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
