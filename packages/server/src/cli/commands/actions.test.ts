// `coffer actions list` as a user runs it: a real process over a registry folder written at test time.
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { createTestEnvironment, type TestEnvironment } from "@coffer/core/testing";
import { runCli } from "../../../test/support.js";

const TS_ACTION = `
import { defineAction, z } from "@coffer/sdk";
type Out = { pong: string };
export default defineAction({
  namespace: "tools.acme", name: "ping", title: "Ping", args: z.object({ host: z.string() }),
  secrets: [{ name: "acme", keys: ["ACME_API_KEY"], optional_keys: ["ACME_REGION"] }],
  handler: ({ host }): Out => ({ pong: host }),
});
`;
const TEMPLATE = `type: action
definition:
  namespace: tools.acme
  name: ping_twice
  title: Ping twice
  expects: { host: { type: str } }
  secrets:
    - { name: acme_ssh, secret_type: ssh_key, optional: true }
  steps:
    - ref: one
      action: tools.acme.ping
      args: { host: "\${{ inputs.host }}" }
    - ref: two
      action: tools.acme.ping
      args: { host: "\${{ steps.one.result.pong }}" }
  returns: "\${{ steps.two.result }}"
`;
const BAD_TEMPLATE = `type: action
definition:
  namespace: tools.acme
  name: broken
  title: Broken
  secrets:
    - { name: tls, secret_type: mtls, optional_keys: [EXTRA] }
  steps:
    - { ref: a, action: tools.acme.nope }
`;

describe("coffer actions list", () => {
  let env: TestEnvironment;
  let folder: string;
  let runEnv: Record<string, string>;
  before(async () => {
    env = await createTestEnvironment("sqlite");
    folder = await mkdtemp(join(tmpdir(), "coffer-cli-actions-"));
    await writeFile(join(folder, "ping.ts"), TS_ACTION);
    await writeFile(join(folder, "ping-twice.yml"), TEMPLATE);
    await writeFile(join(folder, "broken.yml"), BAD_TEMPLATE);
    await writeFile(join(folder, "syntax.mjs"), "export const = 1;\n");
    runEnv = { ...env.env, COFFER_REGISTRY_PATH: folder, COFFER_SANDBOX: "node" };
  });
  after(async () => {
    await rm(folder, { recursive: true, force: true });
    await env.cleanup();
  });

  test("--json: only JSON on stdout, every action with its kind and secrets, and load errors with file and field", async () => {
    const r = await runCli(runEnv, ["actions", "list", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as {
      actions: { id: string; kind: string; file?: string; secrets: unknown[] }[];
      errors: { file: string; field?: string; code: string; message: string }[];
    };
    assert.deepEqual(
      doc.actions.map((a) => [a.id, a.kind, a.file]),
      [
        ["core.http_request", "builtin", undefined],
        ["core.require", "builtin", undefined],
        ["core.sql.execute_query", "builtin", undefined],
        ["core.ssh.execute_command", "builtin", undefined],
        ...[
          "apply",
          "deduplicate",
          "drop_nulls",
          "eval_jsonpaths",
          "filter",
          "flatten_json",
          "is_duplicate",
          "is_in",
          "map",
          "not_in",
          "reshape",
        ].map((name) => [`core.transform.${name}`, "builtin", undefined]),
        ["core.workflow.execute", "builtin", undefined],
        ["tools.acme.ping", "custom", join(folder, "ping.ts")],
        ["tools.acme.ping_twice", "template", join(folder, "ping-twice.yml")],
      ],
    );
    assert.deepEqual(doc.actions.find((a) => a.id === "core.http_request")!.secrets, [
      { name: "mtls", keys: ["TLS_CERTIFICATE", "TLS_PRIVATE_KEY"], secret_type: "mtls", optional: true },
      { name: "ca_cert", keys: ["CA_CERTIFICATE"], secret_type: "ca_cert", optional: true },
    ]);
    assert.deepEqual(doc.actions.find((a) => a.id === "tools.acme.ping")!.secrets, [
      { name: "acme", keys: ["ACME_API_KEY"], optional_keys: ["ACME_REGION"] },
    ]);
    assert.deepEqual(
      doc.errors.map((e) => [e.file, e.field ?? null, e.code]),
      [
        [join(folder, "broken.yml"), "definition.secrets[0].optional_keys", "invalid_secret_declaration"],
        [join(folder, "syntax.mjs"), null, "action_load_failed"],
      ],
    );
    assert.match(doc.errors[0]!.message, /the key set is fixed by the type/);
  });

  test("the singular group and the human table: kind, secrets, and the errors after it", async () => {
    const r = await runCli(runEnv, ["action", "list"]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split("\n");
    assert.match(lines[0]!, /^ACTION\s+KIND\s+SECRETS\s+TITLE$/);
    assert.match(
      lines[1]!,
      /^core\.http_request\s+builtin\s+mtls:mtls\[TLS_CERTIFICATE,TLS_PRIVATE_KEY\]\? ca_cert:ca_cert\[CA_CERTIFICATE\]\?\s/,
    );
    // The built-ins come first (sorted by id); the custom ones follow.
    const at = (id: string) => lines.find((l) => l.startsWith(`${id} `)) ?? "";
    assert.match(at("tools.acme.ping"), /^tools\.acme\.ping\s+custom\s+acme\[ACME_API_KEY,ACME_REGION\?\]\s+Ping$/);
    assert.match(at("tools.acme.ping_twice"), /^tools\.acme\.ping_twice\s+template\s+acme_ssh:ssh_key\?\s+Ping twice$/);
    assert.match(r.stdout, /2 load error\(s\):/);
    assert.match(
      r.stdout,
      /broken\.yml \(definition\.secrets\[0\]\.optional_keys\): A mtls secret cannot declare optional_keys/,
    );
    assert.match(r.stdout, /syntax\.mjs: The module could not be compiled/);
  });
});
