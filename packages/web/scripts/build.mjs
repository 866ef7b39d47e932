#!/usr/bin/env node
// The web build: types for the API client from the server's OpenAPI document (argument 1, written
// by packages/server/scripts/openapi.mjs), a type check of the UI, then `vite build` into dist/app.
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import openapiTS, { astToString } from "openapi-typescript";
import { build } from "vite";

const root = new URL("..", import.meta.url).pathname;
const spec = process.argv[2] ?? join(root, "src/api/openapi.json");
const ast = await openapiTS(JSON.parse(readFileSync(spec, "utf8")));
writeFileSync(
  join(root, "src/api/schema.d.ts"),
  `// Generated from the server's OpenAPI document by packages/web/scripts/build.mjs; do not edit.\n${astToString(ast)}`,
);
const tsc = spawnSync(process.execPath, [join(root, "../../node_modules/typescript/bin/tsc"), "-p", root], {
  stdio: "inherit",
});
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
await build({ root, configFile: join(root, "vite.config.ts"), logLevel: "warn" });
