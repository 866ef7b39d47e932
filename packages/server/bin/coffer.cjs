#!/usr/bin/env node
// Kept tiny so `coffer --version` answers without loading the CLI's dependencies.
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === "--version" || args[0] === "-V")) {
  const { readFileSync } = await import("node:fs");
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
  process.stdout.write(`${pkg.version}\n`);
} else {
  // The bundle made by the build (scripts/build.mjs); the same code as dist/src/cli, faster to load.
  const { main } = await import("../dist/cli-bundle/main.js");
  process.exitCode = await main(process.argv);
}
