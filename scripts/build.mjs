#!/usr/bin/env node
// The build: a type-checked `tsc -b` of every package, then the CLI bundled into a few files so a
// command on the embedded store starts without resolving hundreds of small modules (kysely, zod…).
// The HTTP server stays in its own chunk, loaded only by `coffer serve`.
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";

const root = new URL("..", import.meta.url).pathname;
const tsc = spawnSync("npx", ["tsc", "-b"], { cwd: root, stdio: "inherit" });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);

const outdir = join(root, "packages/server/dist/cli-bundle");
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: [join(root, "packages/server/dist/src/cli/main.js")],
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
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
  banner: {
    js: "import { createRequire as __coffer_require } from 'node:module'; const require = __coffer_require(import.meta.url);",
  },
  minifyWhitespace: true,
  minifySyntax: true,
  keepNames: true,
  logLevel: "warning",
});

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
