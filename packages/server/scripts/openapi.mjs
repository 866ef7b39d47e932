#!/usr/bin/env node
// Writes the server's OpenAPI document (what GET /api/v1/openapi.json answers) to the file named by
// the first argument, from the built server on a throwaway SQLite store. The web build types its
// API client from it, so the UI and the routes cannot drift apart.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { createTestEnvironment, openBootstrapped } from "@coffer/core/testing";
import { buildApp } from "../dist/src/http/app.js";

const out = process.argv[2];
if (!out) {
  console.error("usage: node packages/server/scripts/openapi.mjs <out.json>");
  process.exit(2);
}
const env = await createTestEnvironment("sqlite");
try {
  const { coffer } = await openBootstrapped(env);
  const app = await buildApp(coffer, { logger: false });
  const res = await app.inject({ method: "GET", url: "/api/v1/openapi.json" });
  if (res.statusCode !== 200) throw new Error(`GET /api/v1/openapi.json answered ${res.statusCode}`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(res.json(), null, 2)}\n`);
  await app.close();
  await coffer.close();
} finally {
  await env.cleanup();
}
