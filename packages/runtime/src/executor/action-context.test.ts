import assert from "node:assert/strict";
import { test } from "node:test";
import { isCofferError } from "@coffer/core";
import { createSecretsAccessor } from "./action-context.js";

const secrets = new Map<string, Readonly<Record<string, string>>>([
  ["mtls", { TLS_CERTIFICATE: "cert-a", SHARED: "from-mtls" }],
  ["custom", { API_KEY: "key-b", SHARED: "from-custom" }],
]);
const accessor = createSecretsAccessor(secrets, {
  actionId: "tools.x.y",
  environment: "prod",
  declarations: [{ name: "mtls", secret_type: "mtls" }, { name: "custom" }],
});

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    assert.ok(isCofferError(error));
    return { code: error.code, message: error.message };
  }
  assert.fail("expected an error");
};

test("flat get finds the key in whichever secret of the run has it; getOrDefault falls back", () => {
  assert.equal(accessor.get("API_KEY"), "key-b");
  assert.equal(accessor.get("TLS_CERTIFICATE"), "cert-a");
  assert.equal(accessor.getOrDefault("NOPE", null), null);
  assert.equal(accessor.getOrDefault("API_KEY", "d"), "key-b");
});

test("a missing key names the key, the declared secrets and the environment", () => {
  const e = codeOf(() => accessor.get("NONEXISTENT_SECRET"));
  assert.equal(e.code, "secret_key_not_found");
  assert.match(e.message, /Secret key 'NONEXISTENT_SECRET' is required but not found/);
  assert.match(e.message, /declares mtls, custom/);
  assert.match(e.message, /environment `prod`/);
});

test("a key held by two secrets is refused by get and readable through of(name)", () => {
  const e = codeOf(() => accessor.get("SHARED"));
  assert.equal(e.code, "duplicate_key");
  assert.match(e.message, /several secrets of this run \(mtls, custom\)/);
  assert.equal(accessor.of("custom").SHARED, "from-custom");
  assert.equal(codeOf(() => accessor.of("other")).code, "secret_not_found");
  assert.ok(Object.isFrozen(accessor.of("mtls")));
});
