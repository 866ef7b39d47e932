import assert from "node:assert/strict";
import { test } from "node:test";
import { isOAuthDeclaration, type NamedSecretDeclaration, STRUCTURED_KEYS } from "@coffer/sdk";
import { BUILTIN_ACTIONS } from "./builtins.js";

test("the built-in actions and the secrets they declare", () => {
  const described = BUILTIN_ACTIONS.map((a) => ({
    id: a.id,
    secrets: (a.secrets ?? []).map((s) => {
      assert.equal(isOAuthDeclaration(s), false);
      const named = s as NamedSecretDeclaration;
      return `${named.name}:${named.secret_type}${named.optional ? "?" : ""}`;
    }),
  }));
  assert.deepEqual(described, [
    { id: "core.transform.reshape", secrets: [] },
    ...[
      "filter",
      "map",
      "apply",
      "is_in",
      "not_in",
      "drop_nulls",
      "deduplicate",
      "is_duplicate",
      "flatten_json",
      "eval_jsonpaths",
    ].map((name) => ({ id: `core.transform.${name}`, secrets: [] })),
    { id: "core.require", secrets: [] },
    { id: "core.http_request", secrets: ["mtls:mtls?", "ca_cert:ca_cert?"] },
    { id: "core.ssh.execute_command", secrets: ["ssh:ssh_key"] },
    { id: "core.sql.execute_query", secrets: ["sql:custom", "ca_cert:ca_cert?"] },
    { id: "core.workflow.execute", secrets: [] },
  ]);
});

test("structured secrets are declared with exactly their type's keys", () => {
  for (const action of BUILTIN_ACTIONS) {
    for (const declaration of action.secrets ?? []) {
      const named = declaration as NamedSecretDeclaration;
      if (named.secret_type === undefined || named.secret_type === "custom") continue;
      assert.deepEqual(named.keys, STRUCTURED_KEYS[named.secret_type], `${action.id}: ${named.name}`);
      assert.equal(named.optional_keys, undefined);
    }
  }
});
