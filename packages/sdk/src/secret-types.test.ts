import assert from "node:assert/strict";
import { test } from "node:test";
import { isSecretType, KEY_NAME_PATTERN, SECRET_NAME_PATTERN, SECRET_TYPES, STRUCTURED_KEYS } from "./index.js";

test("the four types, and the fixed keys of the structured ones", () => {
  assert.deepEqual([...SECRET_TYPES], ["custom", "ssh_key", "mtls", "ca_cert"]);
  assert.deepEqual([...STRUCTURED_KEYS.mtls], ["TLS_CERTIFICATE", "TLS_PRIVATE_KEY"]);
  assert.ok(isSecretType("ssh_key"));
  assert.ok(!isSecretType("oauth"));
  assert.throws(() => {
    (STRUCTURED_KEYS.ssh_key as string[]).push("X");
  });
});

test("name rules: what an expression can reach", () => {
  assert.ok(SECRET_NAME_PATTERN.test("slack"));
  assert.ok(!SECRET_NAME_PATTERN.test("Slack"));
  assert.ok(KEY_NAME_PATTERN.test("SLACK_BOT_TOKEN"));
  assert.ok(!KEY_NAME_PATTERN.test("1KEY"));
});
