#!/usr/bin/env node
// The build: a type-checked `tsc -b` of every package, then the CLI bundled into a few files so a
// command on the embedded store starts without resolving hundreds of small modules (kysely, zod…).
// The HTTP server stays in its own chunk, loaded only by `coffer serve`.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";

const root = new URL("..", import.meta.url).pathname;
const tsc = spawnSync("npx", ["tsc", "-b"], { cwd: root, stdio: "inherit" });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);

const outdir = join(root, "packages/server/dist/cli-bundle");
rmSync(outdir, { recursive: true, force: true });
/** What the ES module bundle and the CommonJS light bundle below share. */
const common = {
  bundle: true,
  platform: "node",
  target: "node20",
  // Native and optional modules, Fastify's (its swagger-ui finds its files through __dirname),
  // esbuild (which compiles custom actions and finds its binary next to its own file) and undici
  // (loaded with import(), which in a bundle yields its CommonJS exports under `default` only)
  // stay where npm put them.
  external: [
    // better-sqlite3's compiled addon is loaded by the `bindings` shim below; its JavaScript is
    // bundled (a dozen small files fewer to resolve and read at start-up).
    "better-sqlite3/build/Release/better_sqlite3.node",
    "pg-native",
    "ssh2",
    "cpu-features",
    "esbuild",
    "undici",
    "fastify",
    "@fastify/*",
    "fastify-type-provider-zod",
    // The response serializer's compiler: the copy Fastify itself loads (with its ajv), not a second.
    "fast-json-stringify",
    // The AWS SDK clients load lazily (one import per service) from node_modules, never bundled.
    "@aws-sdk/*",
    // Core loads pino through createRequire on its first log line (a command that logs nothing
    // never loads it), from node_modules: `serve` loads it there anyway, with fastify.
    "pino",
  ],
  // Classic zod is only for the HTTP server's schemas: loaded from node_modules with `serve` (the
  // same copy fastify-type-provider-zod uses), while the config's small zod/mini stays bundled.
  plugins: [
    {
      name: "classic-zod-external",
      setup(b) {
        b.onResolve({ filter: /^zod$/ }, () => ({ path: "zod", external: true }));
      },
    },
    {
      // Commander requires child_process at load for executable subcommands, which Coffer does
      // not use: loaded on a spawn instead, not on every command (it brings dgram and net along).
      name: "commander-lazy-child-process",
      setup(b) {
        b.onLoad({ filter: /[\\/]commander[\\/]lib[\\/]command\.js$/ }, (args) => {
          const eager = "const childProcess = require('node:child_process');";
          const source = readFileSync(args.path, "utf8");
          if (!source.includes(eager)) throw new Error(`commander changed: no "${eager}" in ${args.path}`);
          return {
            contents: source.replace(
              eager,
              "const childProcess = { spawn: (...a) => require('node:child_process').spawn(...a) };",
            ),
            loader: "js",
          };
        });
      },
    },
    {
      // better-sqlite3 finds its addon through `bindings`, which makes an Error for its stack and
      // probes a dozen paths. Its build puts the addon in one place: load it from there.
      name: "better-sqlite3-addon",
      setup(b) {
        b.onResolve({ filter: /^bindings$/ }, (args) =>
          /[\\/]better-sqlite3[\\/]/.test(args.importer) ? { path: "bindings", namespace: "sqlite-addon" } : undefined,
        );
        b.onLoad({ filter: /.*/, namespace: "sqlite-addon" }, () => ({
          contents: 'module.exports = () => require("better-sqlite3/build/Release/better_sqlite3.node");',
          loader: "js",
        }));
      },
    },
  ],
  minifyWhitespace: true,
  minifySyntax: true,
  keepNames: true,
  logLevel: "warning",
};
await build({
  ...common,
  entryPoints: [join(root, "packages/server/dist/src/cli/main.js")],
  outdir,
  splitting: true,
  format: "esm",
  banner: {
    js: "import { createRequire as __coffer_require } from 'node:module'; const require = __coffer_require(import.meta.url);",
  },
});

// The light bundle: the command groups that need neither the HTTP server nor the action runtime
// (src/cli/light.ts) as one CommonJS file, which bin/coffer.cjs compiles with the V8 code cache
// made below. Node 20 has no compile cache for ES modules, and its ES module loader reads every
// file asynchronously: for `coffer secrets list` this halves the start-up work.
const lightDir = join(root, "packages/server/dist/cli-light");
const lightFile = join(lightDir, "light.cjs");
rmSync(lightDir, { recursive: true, force: true });
const light = await build({
  ...common,
  entryPoints: [join(root, "packages/server/dist/src/cli/light.js")],
  outfile: lightFile,
  format: "cjs",
  // PostgreSQL's driver loads from node_modules when a command uses it (the embedded store
  // does not): a smaller file to read at start-up.
  external: [...common.external, "pg"],
  // One file: import() becomes require() (every module it reaches is CommonJS or bundled).
  supported: { "dynamic-import": false },
  define: { "import.meta.url": "__coffer_import_meta_url" },
  banner: { js: 'var __coffer_import_meta_url = require("node:url").pathToFileURL(__filename).href;' },
  write: false,
});
if (light.warnings.length > 0) {
  console.error("the light CLI bundle must build without warnings");
  process.exit(1);
}
const lightCode = light.outputFiles[0].text;
const buildId = createHash("sha256").update(lightCode).digest("hex").slice(0, 16);
mkdirSync(lightDir, { recursive: true });
writeFileSync(lightFile, `// coffer-build ${buildId}\n${lightCode}`);
// The code cache: made after running `secrets create` and `secrets list` on a throwaway home, so
// it holds the functions an everyday command runs, not only the bundle's top level.
const warmHome = mkdtempSync(join(tmpdir(), "coffer-build-"));
try {
  const loaded = createRequire(import.meta.url)(join(root, "packages/server/bin/coffer.cjs")).loadLight();
  const io = {
    env: { COFFER_HOME: warmHome, COFFER_LOG_LEVEL: "warn" },
    stdout: () => {},
    stderr: () => {},
    readStdin: async () => "",
  };
  for (const args of [
    ["secrets", "create", "warm", "KEY=value"],
    ["secrets", "list"],
  ]) {
    const code = await loaded.exports.lightMain([process.execPath, "coffer", ...args], io);
    if (code !== 0) throw new Error(`coffer ${args.join(" ")} exited ${code} while making the code cache`);
  }
  writeFileSync(join(lightDir, `light-${buildId}.cache`), loaded.script.createCachedData());
} finally {
  rmSync(warmHome, { recursive: true, force: true });
}

// The web UI: typed from the server's OpenAPI document as just built, then bundled by Vite into
// packages/web/dist/app, which `coffer serve` serves at `/`.
const spec = join(root, "packages/web/src/api/openapi.json");
for (const [script, args] of [
  ["packages/server/scripts/openapi.mjs", [spec]],
  ["packages/web/scripts/build.mjs", [spec]],
]) {
  const step = spawnSync(process.execPath, [join(root, script), ...args], { cwd: root, stdio: "inherit" });
  if (step.status !== 0) process.exit(step.status ?? 1);
}
