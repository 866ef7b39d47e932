import assert from "node:assert/strict";
import { resolve } from "node:path";
import { test } from "node:test";
import { loadConfig } from "./config.js";

test("defaults: embedded SQLite in ./.coffer", () => {
  const config = loadConfig({});
  assert.equal(config.home, resolve(".coffer"));
  assert.equal(config.databaseUrl, resolve(".coffer", "coffer.db"));
  assert.equal(config.encryptionKeys, undefined);
  assert.equal(config.maxValueBytes, 65_536);
  assert.equal(config.versionsKept, 20);
  assert.equal(config.port, 8080);
  assert.equal(config.host, "127.0.0.1");
});

test("COFFER_HOME moves the default database", () => {
  assert.equal(loadConfig({ COFFER_HOME: "/srv/coffer" }).databaseUrl, "/srv/coffer/coffer.db");
});

test("a bad value names the variable and the rule", () => {
  for (const [variable, value, pattern] of [
    ["COFFER_PORT", "http", /COFFER_PORT must be a whole number from 0 to 65535/],
    ["COFFER_VERSIONS_KEPT", "0", /COFFER_VERSIONS_KEPT must be a whole number from 1/],
    ["COFFER_LOG_LEVEL", "loud", /COFFER_LOG_LEVEL must be one of fatal, error/],
    ["COFFER_MAX_VALUE_BYTES", "1.5", /COFFER_MAX_VALUE_BYTES/],
  ] as const) {
    assert.throws(
      () => loadConfig({ [variable]: value }),
      (e: { code?: string; message: string; details?: { variable?: string } }) =>
        e.code === "invalid_config" && pattern.test(e.message) && e.details?.variable === variable,
    );
  }
});
