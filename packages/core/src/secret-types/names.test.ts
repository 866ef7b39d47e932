import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CofferError } from "../errors/coffer-error.js";
import {
  ENVIRONMENT_NAME_PATTERN,
  KEY_NAME_PATTERN,
  SECRET_NAME_PATTERN,
  validateEnvironmentName,
  validateKeyName,
  validateSecretName,
} from "./names.js";

function rejects(fn: () => unknown, code: string): CofferError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof CofferError, `expected a CofferError, got ${String(error)}`);
    assert.equal(error.code, code);
    assert.equal(error.status, 422);
    return error;
  }
  assert.fail(`expected ${code}`);
}

describe("validateSecretName", () => {
  test("accepts lowercase identifiers up to 100 characters", () => {
    for (const name of ["a", "_", "_x", "my_token", "slack2", "a".repeat(100)]) {
      assert.equal(validateSecretName(name), name);
    }
  });

  test("explains the rule and suggests a fix, showing the offending name", () => {
    const error = rejects(() => validateSecretName("My-Token"), "invalid_secret_name");
    assert.equal(
      error.message,
      "Secret name 'My-Token' is invalid: it contains uppercase letters and '-'. Use lowercase letters, digits and underscores, starting with a letter or underscore, at most 100 characters (e.g. 'my_token').",
    );
    assert.deepEqual(error.details, { name: "My-Token", rule: SECRET_NAME_PATTERN.source, suggestion: "my_token" });
  });

  test("names each broken rule", () => {
    assert.match(
      rejects(() => validateSecretName(""), "invalid_secret_name").message,
      /^Secret name is invalid: it is empty\./,
    );
    assert.match(
      rejects(() => validateSecretName("1password"), "invalid_secret_name").message,
      /it starts with a digit.*'_1password'/,
    );
    assert.match(
      rejects(() => validateSecretName("a".repeat(101)), "invalid_secret_name").message,
      /it is 101 characters long \(the limit is 100\)/,
    );
    assert.match(rejects(() => validateSecretName("my token"), "invalid_secret_name").message, /it contains spaces/);
    assert.match(
      rejects(() => validateSecretName("github-ssh-key"), "invalid_secret_name").message,
      /'github_ssh_key'/,
    );
  });

  test("refuses a trailing newline and escapes control characters in the message", () => {
    const error = rejects(() => validateSecretName("token\n"), "invalid_secret_name");
    assert.match(error.message, /'token\\n'/);
    assert.ok(!error.message.includes("\n"));
  });

  test("cuts very long names in messages", () => {
    const error = rejects(() => validateSecretName("A".repeat(5000)), "invalid_secret_name");
    assert.ok(error.message.length < 600, error.message);
  });
});

describe("validateKeyName", () => {
  test("accepts identifiers of any case up to 128 characters", () => {
    for (const name of ["API_KEY", "apiKey", "_", "x1", "K".repeat(128)]) assert.equal(validateKeyName(name), name);
  });

  test("refuses other names with the rule and a suggestion", () => {
    const error = rejects(() => validateKeyName("api-key"), "invalid_key_name");
    assert.equal(
      error.message,
      "Key name 'api-key' is invalid: it contains '-'. Use letters, digits and underscores, starting with a letter or underscore, at most 128 characters (e.g. 'api_key').",
    );
    assert.equal(error.details.rule, KEY_NAME_PATTERN.source);
    rejects(() => validateKeyName(""), "invalid_key_name");
    assert.match(
      rejects(() => validateKeyName("2FA_CODE"), "invalid_key_name").message,
      /starts with a digit.*'_2FA_CODE'/,
    );
    assert.match(rejects(() => validateKeyName("K".repeat(129)), "invalid_key_name").message, /129 characters/);
    rejects(() => validateKeyName("clé"), "invalid_key_name");
  });
});

describe("validateEnvironmentName", () => {
  test("accepts lowercase slugs up to 64 characters", () => {
    for (const name of ["default", "prod", "customer_acme", "eu-west-1", "1st", "e".repeat(64)]) {
      assert.equal(validateEnvironmentName(name), name);
    }
  });

  test("refuses other names with the rule and a suggestion", () => {
    const error = rejects(() => validateEnvironmentName("Prod"), "invalid_environment");
    assert.equal(
      error.message,
      "Environment 'Prod' is invalid: it contains uppercase letters. Use lowercase letters, digits, '_' and '-', starting with a letter or digit, at most 64 characters (e.g. 'prod').",
    );
    assert.equal(error.details.rule, ENVIRONMENT_NAME_PATTERN.source);
    assert.match(
      rejects(() => validateEnvironmentName("-prod"), "invalid_environment").message,
      /starts with '_' or '-'/,
    );
    assert.match(rejects(() => validateEnvironmentName(""), "invalid_environment").message, /it is empty/);
    rejects(() => validateEnvironmentName("e".repeat(65)), "invalid_environment");
    rejects(() => validateEnvironmentName("customer acme"), "invalid_environment");
  });
});

test("every suggestion is itself valid", () => {
  const inputs = ["My-Token", "1password", "__", "a b c", "-x-", "ÄÖÜ", "x".repeat(300), "A-".repeat(80)];
  for (const input of inputs) {
    for (const [fn, pattern] of [
      [validateSecretName, SECRET_NAME_PATTERN],
      [validateKeyName, KEY_NAME_PATTERN],
      [validateEnvironmentName, ENVIRONMENT_NAME_PATTERN],
    ] as const) {
      try {
        fn(input);
      } catch (error) {
        assert.ok(error instanceof CofferError);
        const suggestion = error.details.suggestion;
        if (suggestion !== undefined) assert.match(String(suggestion), pattern, `${input} → ${String(suggestion)}`);
      }
    }
  }
});

describe("reserved names", () => {
  test("'__proto__' is refused as a secret, key and environment name, with a stable code", () => {
    assert.match(rejects(() => validateSecretName("__proto__"), "invalid_secret_name").message, /reserved/);
    assert.match(rejects(() => validateKeyName("__proto__"), "invalid_key_name").message, /reserved/);
    rejects(() => validateEnvironmentName("__proto__"), "invalid_environment");
    assert.equal(validateKeyName("constructor"), "constructor", "other Object.prototype names are ordinary keys");
  });
});
