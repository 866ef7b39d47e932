import assert from "node:assert/strict";
import { resolve } from "node:path";
import { test } from "node:test";
import { loadConfig } from "./config.js";

test("defaults: embedded SQLite in ./.coffer", () => {
  const config = loadConfig({});
  assert.equal(config.home, resolve(".coffer"));
  assert.equal(config.store.databaseUrl, resolve(".coffer", "coffer.db"));
  assert.equal(config.store.encryptionKeys, undefined);
  assert.equal(config.store.maxValueBytes, 65_536);
  assert.equal(config.store.versionsKept, 20);
  assert.deepEqual(config.server, { port: 8080, host: "127.0.0.1" });
  assert.deepEqual(config.runtime, {
    registryPaths: [],
    sandbox: "auto",
    actionTimeoutMs: 300_000,
    sqlSqliteDir: undefined,
  });
  assert.deepEqual(config.aws, {
    stsEndpoint: undefined,
    region: undefined,
    accountId: undefined,
    principalArn: undefined,
    s3ConcurrencyLimit: 10,
    s3MaxObjectBytes: 20 * 1024 * 1024,
  });
  assert.deepEqual(config.redis, { url: undefined });
});

test("runtime, AWS and Redis sections", () => {
  const config = loadConfig({
    COFFER_REGISTRY_PATH: "/opt/actions:relative/actions:",
    COFFER_SANDBOX: "bubblewrap",
    COFFER_ACTION_TIMEOUT_SECONDS: "30",
    COFFER_SQL_SQLITE_DIR: "data/sqlite",
    COFFER_AWS_STS_ENDPOINT: "http://127.0.0.1:4566",
    AWS_REGION: "eu-west-1",
    COFFER_AWS_ACCOUNT_ID: "123456789012",
    COFFER_AWS_PRINCIPAL_ARN: "arn:aws:iam::123456789012:role/coffer",
    COFFER_S3_CONCURRENCY_LIMIT: "4",
    COFFER_S3_MAX_OBJECT_BYTES: "1024",
    COFFER_REDIS_URL: "redis://127.0.0.1:6379",
  });
  assert.deepEqual(config.runtime, {
    registryPaths: ["/opt/actions", resolve("relative/actions")],
    sandbox: "bubblewrap",
    actionTimeoutMs: 30_000,
    sqlSqliteDir: resolve("data/sqlite"),
  });
  assert.deepEqual(config.aws, {
    stsEndpoint: "http://127.0.0.1:4566",
    region: "eu-west-1",
    accountId: "123456789012",
    principalArn: "arn:aws:iam::123456789012:role/coffer",
    s3ConcurrencyLimit: 4,
    s3MaxObjectBytes: 1024,
  });
  assert.equal(config.redis.url, "redis://127.0.0.1:6379");
});

test("COFFER_HOME moves the default database", () => {
  assert.equal(loadConfig({ COFFER_HOME: "/srv/coffer" }).store.databaseUrl, "/srv/coffer/coffer.db");
});

test("a bad value names the variable and the rule", () => {
  for (const [variable, value, pattern] of [
    ["COFFER_PORT", "http", /COFFER_PORT must be a whole number from 0 to 65535/],
    ["COFFER_VERSIONS_KEPT", "0", /COFFER_VERSIONS_KEPT must be a whole number from 1/],
    ["COFFER_LOG_LEVEL", "loud", /COFFER_LOG_LEVEL must be one of fatal, error/],
    ["COFFER_MAX_VALUE_BYTES", "1.5", /COFFER_MAX_VALUE_BYTES/],
    ["COFFER_SANDBOX", "none", /COFFER_SANDBOX must be one of auto, bubblewrap, node/],
    ["COFFER_REDIS_URL", "http://x", /COFFER_REDIS_URL must be a redis:\/\//],
    ["COFFER_AWS_STS_ENDPOINT", "not a url", /COFFER_AWS_STS_ENDPOINT must be an http/],
    ["COFFER_AWS_ACCOUNT_ID", "12345", /COFFER_AWS_ACCOUNT_ID must be a 12-digit AWS account id/],
    ["COFFER_AWS_PRINCIPAL_ARN", "coffer", /COFFER_AWS_PRINCIPAL_ARN must be an IAM role or user ARN/],
  ] as const) {
    assert.throws(
      () => loadConfig({ [variable]: value }),
      (e: { code?: string; message: string; details?: { variable?: string } }) =>
        e.code === "invalid_config" && pattern.test(e.message) && e.details?.variable === variable,
    );
  }
});
