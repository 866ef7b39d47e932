#!/usr/bin/env node
"use strict";
// CommonJS and kept small: `coffer --version` answers without loading the CLI's dependencies,
// and an everyday command (secrets, vars, keys…) starts without the ES module loader.
const { readFileSync } = require("node:fs");
const { createRequire, wrap } = require("node:module");
const { join } = require("node:path");

const LIGHT = join(__dirname, "../dist/cli-light/light.cjs");

/**
 * Compiles the light bundle (scripts/build.mjs) with the V8 code cache made for it at build
 * time, named by the build id on the bundle's first line. V8 refuses a cache made by another
 * version or with other flags; the bundle then compiles as usual. Returns undefined when the
 * bundle was not built.
 */
function loadLight() {
  let source;
  try {
    source = readFileSync(LIGHT, "utf8");
  } catch (error) {
    if (error.code === "ENOENT") return undefined;
    throw error;
  }
  const id = /^\/\/ coffer-build ([0-9a-f]+)\n/.exec(source)?.[1];
  let cachedData;
  try {
    if (id) cachedData = readFileSync(join(__dirname, `../dist/cli-light/light-${id}.cache`));
  } catch {
    // No cache (yet): compile.
  }
  const vm = require("node:vm");
  const script = new vm.Script(wrap(source), { filename: LIGHT, ...(cachedData ? { cachedData } : {}) });
  const module = { exports: {} };
  script
    .runInThisContext()
    .call(module.exports, module.exports, createRequire(LIGHT), module, LIGHT, join(LIGHT, ".."));
  return { script, exports: module.exports };
}

async function run(argv) {
  const light = loadLight();
  const code = light ? await light.exports.lightMain(argv) : undefined;
  if (code !== undefined) return code;
  // Every other command line: the ES module bundle made by the build (the same code as dist/src/cli).
  const { main } = await import("../dist/cli-bundle/main.js");
  return main(argv);
}

if (require.main === module) {
  const args = process.argv.slice(2);
  if (args.length === 1 && (args[0] === "--version" || args[0] === "-V")) {
    process.stdout.write(`${JSON.parse(readFileSync(join(__dirname, "../package.json"), "utf8")).version}\n`);
  } else {
    run(process.argv).then((code) => {
      process.exitCode = code;
    });
  }
}

module.exports = { loadLight };
