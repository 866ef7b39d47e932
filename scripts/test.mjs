#!/usr/bin/env node
// The whole test suite: formatter/linter, a full type-checked build, then every compiled test
// file under node:test. `npm test -- <filter>` runs only test files whose path contains <filter>.
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const filters = process.argv.slice(2);

/**
 * Runs a step; when it fails, prints a TAP-style summary line saying which step failed and that
 * no test ran (so a CI grep for "# fail" / "# tests" never reads a stale or missing line), and exits non-zero.
 */
function run(step, command, args, cwd = root) {
  const result = spawnSync(command, args, { cwd, stdio: "inherit" });
  if (result.status !== 0) {
    if (step) console.log(`# ${step} failed\n# tests 0\n# pass 0`);
    process.exit(result.status || 1);
  }
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

run("lint", "npx", ["biome", "check", "."]);
run("type check", process.execPath, ["scripts/build.mjs"]);

// The web UI's component tests (vitest + Testing Library, jsdom), which print their own
// `# web components: N passed, N failed` line; the browser e2e runs below with the node:test files.
if (filters.length === 0 || filters.some((f) => f.includes("web"))) {
  run(
    "web component tests",
    process.execPath,
    [join(root, "node_modules/vitest/vitest.mjs"), "run"],
    join(root, "packages/web"),
  );
}

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
  console.log("# no test files matched\n# tests 0\n# pass 0");
  process.exit(1);
}
// The reporter is pinned (TAP, to stdout) so the summary lines are the same on every Node the
// engines field allows (Node 20 defaults to tap, 22+ to spec when stdout is a terminal).
run(null, process.execPath, [
  "--enable-source-maps",
  "--test",
  "--test-reporter=tap",
  "--test-reporter-destination=stdout",
  "--test-concurrency=2",
  "--test-timeout=300000",
  ...selected.sort(),
]);
