import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { SecretDeclaration } from "@coffer/sdk";
import type { ActionEntry, Registry } from "./registry.types.js";
import { deriveSecretDefinitions, inferSecretType } from "./secret-definitions.js";

function registryOf(actions: Record<string, SecretDeclaration[]>): Registry {
  const entries = Object.entries(actions).map(
    ([id, secrets]): ActionEntry => ({
      kind: "template",
      id,
      namespace: id.slice(0, id.lastIndexOf(".")),
      name: id.slice(id.lastIndexOf(".") + 1),
      title: id,
      description: "",
      secrets,
      argsSchema: {},
      file: `${id}.yml`,
      template: { expects: {}, steps: [], returns: null },
    }),
  );
  return { get: (id) => entries.find((e) => e.id === id), list: () => entries, errors: [] };
}

describe("deriveSecretDefinitions (reference §12)", () => {
  test("union of keys, optional keys minus required, optional if any declarer says so, sorted actions and count", () => {
    const definitions = deriveSecretDefinitions(
      registryOf({
        "tools.b.two": [{ name: "acme", keys: ["B_KEY", "A_KEY"], optional_keys: ["REGION"] }],
        "tools.a.one": [{ name: "acme", keys: ["A_KEY"], optional_keys: ["B_KEY", "ZONE"], optional: true }],
        "tools.c.three": [{ name: "acme" }, { name: "zeta", keys: ["Z"] }, { name: "alpha", keys: ["K1"] }],
      }),
    );
    assert.deepEqual(definitions, [
      {
        name: "acme",
        keys: ["A_KEY", "B_KEY"],
        optional_keys: ["REGION", "ZONE"],
        optional: true,
        secret_type: "custom",
        actions: ["tools.a.one", "tools.b.two", "tools.c.three"],
        action_count: 3,
      },
      // Same count: by name.
      {
        name: "alpha",
        keys: ["K1"],
        optional_keys: null,
        optional: false,
        secret_type: "custom",
        actions: ["tools.c.three"],
        action_count: 1,
      },
      {
        name: "zeta",
        keys: ["Z"],
        optional_keys: null,
        optional: false,
        secret_type: "custom",
        actions: ["tools.c.three"],
        action_count: 1,
      },
    ]);
  });

  test("types: declared, inferred from the key set when undeclared, structured keys filled in; OAuth skipped", () => {
    const definitions = deriveSecretDefinitions(
      registryOf({
        "core.http_request": [
          { name: "mtls", secret_type: "mtls", optional: true },
          { name: "ca_cert", secret_type: "ca_cert", optional: true },
          { type: "oauth", provider_id: "github", grant_type: "authorization_code" },
        ],
        "core.ssh.execute_command": [{ name: "ssh", keys: ["PRIVATE_KEY"] }],
        "tools.x.y": [{ name: "github_oauth", keys: ["TOKEN"] }],
      }),
    );
    assert.deepEqual(
      definitions.map((d) => [d.name, d.secret_type, d.keys.join(","), d.optional]),
      [
        ["ca_cert", "ca_cert", "CA_CERTIFICATE", true],
        ["mtls", "mtls", "TLS_CERTIFICATE,TLS_PRIVATE_KEY", true],
        ["ssh", "ssh_key", "PRIVATE_KEY", false],
      ],
    );
  });

  test("inferSecretType", () => {
    assert.equal(inferSecretType(["TLS_PRIVATE_KEY", "TLS_CERTIFICATE"]), "mtls");
    assert.equal(inferSecretType(["CA_CERTIFICATE"]), "ca_cert");
    assert.equal(inferSecretType(["PRIVATE_KEY", "PASSPHRASE"]), "custom");
    assert.equal(inferSecretType([]), "custom");
  });
});
