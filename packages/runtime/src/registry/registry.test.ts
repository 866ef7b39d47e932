// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the fixtures are Coffer templates, written as plain strings.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before, describe, test } from "node:test";
import { defineAction, z } from "@coffer/sdk";
import { createSandbox, type Sandbox } from "../sandbox/sandbox.js";
import { type FixtureFolder, writeFixtures } from "./fixtures.test-support.js";
import { createRegistry, type LoadedRegistry } from "./registry.js";
import type { ActionEntry, RegistryLoadError } from "./registry.types.js";

const reshape = defineAction({
  namespace: "core.transform",
  name: "reshape",
  title: "Reshape",
  args: z.object({ value: z.unknown() }),
  handler: ({ value }) => value,
});
const httpish = defineAction({
  namespace: "core",
  name: "http_request",
  title: "HTTP request",
  args: z.object({ url: z.string() }),
  secrets: [
    { name: "mtls", secret_type: "mtls", optional: true },
    { name: "ca_cert", secret_type: "ca_cert", optional: true },
  ],
  handler: () => null,
});

// A TypeScript action as an author writes it: types, an interface, and no node_modules beside it.
const TS_ACTION = `
import { defineAction, z } from "@coffer/sdk";

interface Ping { host: string; count: number }

const args = z.object({ host: z.string().describe("Host to ping"), count: z.number().int().default(1) });

export default defineAction({
  namespace: "tools.acme",
  name: "ping",
  title: "Ping through Acme",
  description: "Asks Acme to ping a host",
  display_group: "Acme",
  args,
  secrets: [{ name: "acme", keys: ["ACME_API_KEY"], optional_keys: ["ACME_REGION"] }],
  handler: async ({ host, count }: Ping, ctx) => {
    const key: string = ctx.secrets.get("ACME_API_KEY");
    return { host, count, keyLength: key.length, region: ctx.secrets.getOrDefault("ACME_REGION", "eu") };
  },
});
`;

const TWO_EXPORTS = `
import { defineAction, z } from "@coffer/sdk";
globalThis[Symbol.for("coffer.test.ran")] = true;
export const lookup = defineAction({
  namespace: "tools.acme", name: "lookup", title: "Lookup",
  args: z.object({ ip: z.string() }),
  secrets: [{ name: "acme", keys: ["ACME_API_KEY"] }, { type: "oauth", provider_id: "acme_idp", grant_type: "client_credentials" }],
  handler: ({ ip }) => ({ ip }),
});
export const block = defineAction({
  namespace: "tools.acme", name: "block", title: "Block",
  args: z.object({ ip: z.string() }),
  secrets: [{ name: "acme", keys: ["ACME_API_KEY", "ACME_ADMIN"], optional: true }],
  handler: ({ ip }) => ({ blocked: ip }),
});
export const notAnAction = { namespace: "tools.acme", name: "fake" };
`;

const TEMPLATE = `
type: action
definition:
  namespace: tools.acme
  name: enrich
  title: Enrich an IP
  description: Looks an IP up, then reshapes the answer
  display_group: Acme
  expects:
    ip:
      type: str
      description: The IP
    verbose:
      type: bool
      default: false
  secrets:
    - name: acme
      keys: [ACME_API_KEY]
    - name: acme_ssh
      secret_type: ssh_key
  steps:
    - ref: look
      action: tools.acme.lookup
      args:
        ip: \${{ inputs.ip }}
        auth: Bearer \${{ SECRETS.acme.ACME_API_KEY }}
    - ref: shape
      action: core.transform.reshape
      args:
        value:
          answer: \${{ steps.look.result }}
          verbose: \${{ inputs.verbose }}
  returns: \${{ steps.shape.result }}
`;

const USES_TEMPLATE = `
type: action
definition:
  namespace: tools.acme
  name: enrich_twice
  title: Enrich, through the template
  steps:
    - ref: one
      action: tools.acme.enrich
      args: { ip: "1.1.1.1" }
`;

let folder: FixtureFolder;
let sandbox: Sandbox;
let registry: LoadedRegistry;
before(async () => {
  folder = await writeFixtures({
    "ping.ts": TS_ACTION,
    "acme.mjs": TWO_EXPORTS,
    "templates/enrich.yml": TEMPLATE,
    "templates/enrich-twice.yaml": USES_TEMPLATE,
    "lib/helper.js": "export const helper = 1;\n",
  });
  sandbox = await createSandbox({ mode: "node" });
  registry = await createRegistry({ builtins: [reshape, httpish], paths: [folder.dir], sandbox });
});
after(async () => {
  await registry.close();
  await folder.remove();
});

describe("registry: loading", () => {
  test("built-ins, a TS action, a module with two named exports and YAML templates all load, sorted by id", () => {
    assert.deepEqual(registry.errors, []);
    assert.deepEqual(
      registry.list().map((e) => `${e.id}:${e.kind}`),
      [
        "core.http_request:builtin",
        "core.transform.reshape:builtin",
        "tools.acme.block:custom",
        "tools.acme.enrich:template",
        "tools.acme.enrich_twice:template",
        "tools.acme.lookup:custom",
        "tools.acme.ping:custom",
      ],
    );
  });

  test("a TS action's description comes from the sandbox: title, schema, secrets as written", () => {
    const ping = registry.get("tools.acme.ping") as Extract<ActionEntry, { kind: "custom" }>;
    assert.equal(ping.title, "Ping through Acme");
    assert.equal(ping.description, "Asks Acme to ping a host");
    assert.equal(ping.displayGroup, "Acme");
    assert.equal(ping.exportName, "default");
    assert.equal(ping.file, folder.path("ping.ts"));
    assert.deepEqual(ping.secrets, [{ name: "acme", keys: ["ACME_API_KEY"], optional_keys: ["ACME_REGION"] }]);
    const schema = ping.argsSchema as { properties: Record<string, { description?: string; default?: unknown }> };
    assert.equal(schema.properties.host?.description, "Host to ping");
    assert.equal(schema.properties.count?.default, 1);
    assert.ok(!ping.moduleFile.startsWith(folder.dir), "the bundle is written outside the action folder");
    assert.ok(ping.moduleFile.endsWith(".mjs"));
  });

  test("the host never runs a custom module's code", () => {
    assert.equal((globalThis as Record<symbol, unknown>)[Symbol.for("coffer.test.ran")], undefined);
  });

  test("the compiled TS action runs in the sandbox with @coffer/sdk resolved from Coffer's copy", async () => {
    const ping = registry.get("tools.acme.ping") as Extract<ActionEntry, { kind: "custom" }>;
    const bundle = await readFile(ping.moduleFile, "utf8");
    assert.match(bundle, /file:\/\/.*sdk/);
    const outcome = await sandbox.runCustomAction({
      moduleFile: ping.moduleFile,
      exportName: ping.exportName,
      readablePaths: ping.readablePaths,
      args: { host: "example.org" },
      secrets: { acme: { ACME_API_KEY: "k-123456" } },
      environment: "default",
      runId: "r",
      actionId: ping.id,
      timeoutMs: 20_000,
    });
    assert.deepEqual(outcome, { ok: true, result: { host: "example.org", count: 1, keyLength: 8, region: "eu" } });
  });

  test("a YAML template keeps its steps, expects (as a schema) and declared secrets", () => {
    const enrich = registry.get("tools.acme.enrich") as Extract<ActionEntry, { kind: "template" }>;
    assert.equal(enrich.kind, "template");
    assert.deepEqual(
      enrich.template.steps.map((s) => `${s.ref}->${s.action}`),
      ["look->tools.acme.lookup", "shape->core.transform.reshape"],
    );
    assert.equal(enrich.template.returns, "${{ steps.shape.result }}");
    assert.deepEqual(enrich.secrets, [
      { name: "acme", keys: ["ACME_API_KEY"] },
      { name: "acme_ssh", secret_type: "ssh_key" },
    ]);
    assert.deepEqual(enrich.argsSchema, {
      type: "object",
      properties: {
        ip: { type: "string", description: "The IP", "x-coffer-type": "str" },
        verbose: { type: "boolean", default: false, "x-coffer-type": "bool" },
      },
      required: ["ip"],
      additionalProperties: false,
    });
  });
});

/** Loads one folder (plus the two built-ins) and returns its errors. */
async function errorsOf(
  files: Record<string, string>,
): Promise<{ errors: RegistryLoadError[]; ids: string[]; dir: string }> {
  const f = await writeFixtures(files);
  const r = await createRegistry({ builtins: [reshape, httpish], paths: [f.dir], sandbox });
  const result = {
    errors: r.errors.map((e) => ({ ...e, file: e.file.replace(f.dir, "<dir>") })),
    ids: r.list().map((e) => e.id),
    dir: f.dir,
  };
  await r.close();
  await f.remove();
  return result;
}

const mjs = (body: string) => `import { defineAction, z } from "@coffer/sdk";\n${body}`;
const action = (name: string, secrets: string, extra = "") =>
  `export const ${name} = defineAction({ namespace: "tools.v", name: "${name}", title: "T", args: z.object({}), secrets: ${secrets}, handler: () => null${extra} });\n`;
const yaml = (definition: string) => `type: action\ndefinition:\n${definition.replace(/^/gm, "  ")}\n`;

describe("registry: validation at load names file and field", () => {
  test("secret names and keys that break the naming rules, and the reserved name", async () => {
    const { errors } = await errorsOf({
      "a.mjs": mjs(
        action("bad_name", '[{ name: "My-Secret" }]') +
          action("bad_key", '[{ name: "ok", keys: ["API-KEY"] }]') +
          action("reserved", '[{ name: "__proto__" }]') +
          action("bad_optional", '[{ name: "ok2", optional_keys: ["__proto__"] }]') +
          action("typo", '[{ name: "ok3", key: ["A"] }]'),
      ),
    });
    const byField = Object.fromEntries(errors.map((e) => [e.field, e]));
    assert.equal(errors.length, 5, JSON.stringify(errors, null, 1));
    assert.match(byField["bad_name.secrets[0].name"]!.message, /Secret name 'My-Secret' is not valid/);
    assert.match(byField["bad_key.secrets[0].keys[0]"]!.message, /Key name 'API-KEY' is not valid/);
    assert.match(byField["reserved.secrets[0].name"]!.message, /'__proto__' is not valid/);
    assert.match(byField["bad_optional.secrets[0].optional_keys[0]"]!.message, /'__proto__'/);
    assert.match(byField["typo.secrets[0].key"]!.message, /key is not a field of a secret declaration/);
    for (const e of errors) {
      assert.equal(e.file, "<dir>/a.mjs");
      assert.equal(e.code, "invalid_secret_declaration");
    }
  });

  test("structured types: optional_keys refused (the key set is fixed by the type), keys outside the set refused", async () => {
    const { errors } = await errorsOf({
      "t.yml": yaml(
        "namespace: tools.v\nname: structured\ntitle: T\nsecrets:\n  - name: ssh\n    secret_type: ssh_key\n    optional_keys: [PASSPHRASE]\n  - name: client\n    secret_type: mtls\n    keys: [TLS_CERTIFICATE, CERT]\n  - name: weird\n    secret_type: vault\nsteps:\n  - ref: a\n    action: core.transform.reshape\n    args: { value: 1 }",
      ),
    });
    assert.deepEqual(
      errors.map((e) => [e.file, e.field, e.message]),
      [
        [
          "<dir>/t.yml",
          "definition.secrets[0].optional_keys",
          "A ssh_key secret cannot declare optional_keys: the key set is fixed by the type (PRIVATE_KEY).",
        ],
        [
          "<dir>/t.yml",
          "definition.secrets[1].keys[1]",
          "Key CERT is not a key of a mtls secret: the key set is fixed by the type (TLS_CERTIFICATE, TLS_PRIVATE_KEY).",
        ],
        [
          "<dir>/t.yml",
          "definition.secrets[2].secret_type",
          "secret_type 'vault' is not known: use one of custom, ssh_key, mtls, ca_cert.",
        ],
      ],
    );
  });

  test("OAuth entries without provider_id or with an unknown grant_type", async () => {
    const { errors, ids } = await errorsOf({
      "o.mjs": mjs(
        action("no_provider", '[{ type: "oauth", grant_type: "client_credentials" }]') +
          action("bad_grant", '[{ type: "oauth", provider_id: "github", grant_type: "password" }]') +
          action(
            "good",
            '[{ type: "oauth", provider_id: "github", grant_type: "authorization_code", optional: true }]',
          ),
      ),
    });
    assert.deepEqual(
      errors.map((e) => [e.field, e.code]),
      [
        ["bad_grant.secrets[0].grant_type", "invalid_secret_declaration"],
        ["no_provider.secrets[0].provider_id", "invalid_secret_declaration"],
      ],
    );
    assert.match(errors[1]!.message, /needs provider_id/);
    assert.match(
      errors[0]!.message,
      /grant_type 'password' is not known: use one of authorization_code, client_credentials/,
    );
    assert.ok(ids.includes("tools.v.good"));
  });

  test("namespace and name patterns", async () => {
    const { errors } = await errorsOf({
      "n.mjs": mjs(
        'export const a = defineAction({ namespace: "Tools.Acme", name: "x", title: "T", args: z.object({}), handler: () => 1 });\n' +
          'export const b = defineAction({ namespace: "tools", name: "has-dash", title: "", args: z.object({}), handler: () => 1 });\n',
      ),
    });
    assert.deepEqual(
      errors.map((e) => e.field),
      ["a.namespace", "b.name", "b.title"],
    );
    assert.match(errors[0]!.message, /namespace 'Tools.Acme' is not valid/);
  });

  test("a duplicate action id names both files; the first one is kept", async () => {
    const { errors, ids, dir } = await errorsOf({
      "a.mjs": mjs(action("twin", "[]")),
      "b.yml": yaml(
        "namespace: tools.v\nname: twin\ntitle: Twin\nsteps:\n  - ref: a\n    action: core.transform.reshape",
      ),
      "c.mjs": mjs(
        'export const r = defineAction({ namespace: "core.transform", name: "reshape", title: "Mine", args: z.object({}), handler: () => 1 });',
      ),
    });
    assert.deepEqual(
      errors.map((e) => [e.file, e.field, e.code]),
      [
        ["<dir>/b.yml", "definition.name", "duplicate_action"],
        ["<dir>/c.mjs", "r.name", "duplicate_action"],
      ],
    );
    assert.equal(
      errors[0]!.message,
      `Action tools.v.twin is defined twice: in ${dir}/a.mjs and in ${dir}/b.yml. Rename one of them (namespace or name); the first one is kept.`,
    );
    assert.match(
      errors[1]!.message,
      /core\.transform\.reshape is defined twice: in \(built-in core\.transform\.reshape\)/,
    );
    assert.equal(ids.filter((id) => id === "tools.v.twin").length, 1);
  });

  test("one secret name declared with two different secret_types across actions", async () => {
    const { errors, ids } = await errorsOf({
      "s.mjs": mjs(action("uses_mtls_as_custom", '[{ name: "mtls", secret_type: "custom", keys: ["X"] }]')),
    });
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.field, "uses_mtls_as_custom.secrets[0].secret_type");
    assert.equal(errors[0]!.code, "conflicting_secret_type");
    assert.match(errors[0]!.message, /Secret mtls is declared as custom here but as mtls by core\.http_request/);
    assert.ok(!ids.includes("tools.v.uses_mtls_as_custom"));
  });

  test("templates: undeclared inputs, later, unknown and own steps, a step's result path, other contexts, bad expressions", async () => {
    const { errors } = await errorsOf({
      "t.yml": yaml(
        [
          "namespace: tools.v",
          "name: bad_refs",
          "title: T",
          "expects:",
          "  ip: { type: str }",
          "steps:",
          "  - ref: first",
          "    action: core.transform.reshape",
          "    args:",
          "      value: ${{ inputs.host }}",
          "      later: ${{ steps.second.result }}",
          "      own: ${{ steps.first.result }}",
          "  - ref: second",
          "    action: core.transform.reshape",
          "    args:",
          "      value: ${{ steps.nowhere.result }}",
          "      short: ${{ steps.first }}",
          "      ctx: ${{ ACTIONS.x.result }}",
          "      fn: ${{ FN.no_such_fn(1) }}",
          "returns: ${{ steps.second.result.data }}",
        ].join("\n"),
      ),
    });
    assert.deepEqual(
      errors.map((e) => [e.field, e.message]),
      [
        ["definition.steps[0].args.value", "inputs.host is not declared: add host under definition.expects."],
        [
          "definition.steps[0].args.later",
          "Step second runs after first: a step can read only the results of earlier steps.",
        ],
        ["definition.steps[0].args.own", "Step first cannot read its own result."],
        ["definition.steps[1].args.fn", "Unknown function name 'no_such_fn' (in \"${{ FN.no_such_fn(1) }}\")"],
        ["definition.steps[1].args.value", "steps.nowhere is not a step of this template (its steps: first, second)."],
        ["definition.steps[1].args.short", "Use steps.first.result (a step's output is its result)."],
        [
          "definition.steps[1].args.ctx",
          "ACTIONS is not available in a template action: its expressions read inputs, steps, SECRETS, VARS and FN.",
        ],
      ],
    );
  });

  test("templates: unknown step actions, after everything loaded; a template may use a template; cycles refused", async () => {
    const { errors, ids } = await errorsOf({
      "a.yml": yaml("namespace: tools.v\nname: a\ntitle: A\nsteps:\n  - ref: s\n    action: tools.v.b"),
      "b.yml": yaml("namespace: tools.v\nname: b\ntitle: B\nsteps:\n  - ref: s\n    action: tools.v.custom_one"),
      "c.mjs": mjs(action("custom_one", "[]")),
      "d.yml": yaml("namespace: tools.v\nname: d\ntitle: D\nsteps:\n  - ref: s\n    action: tools.nope.missing"),
      "e.yml": yaml("namespace: tools.v\nname: e\ntitle: E\nsteps:\n  - ref: s\n    action: tools.v.f"),
      "f.yml": yaml("namespace: tools.v\nname: f\ntitle: F\nsteps:\n  - ref: s\n    action: tools.v.e"),
      "g.yml": yaml("namespace: tools.v\nname: g\ntitle: G\nsteps:\n  - ref: s\n    action: tools.v.d"),
    });
    assert.ok(
      ids.includes("tools.v.a") && ids.includes("tools.v.b"),
      "a template using a template using a custom action loads",
    );
    assert.ok(
      !ids.includes("tools.v.d") &&
        !ids.includes("tools.v.e") &&
        !ids.includes("tools.v.f") &&
        !ids.includes("tools.v.g"),
    );
    const byFile = Object.fromEntries(errors.map((e) => [e.file, e]));
    assert.equal(byFile["<dir>/d.yml"]!.field, "definition.steps[0].action");
    assert.equal(byFile["<dir>/d.yml"]!.code, "unknown_action");
    assert.match(byFile["<dir>/d.yml"]!.message, /tools\.nope\.missing, which is not an action of this registry/);
    assert.match(byFile["<dir>/g.yml"]!.message, /uses template tools\.v\.d, which did not load/);
    assert.match(byFile["<dir>/e.yml"]!.message + byFile["<dir>/f.yml"]!.message, /cycle/);
  });

  test("a broken file does not stop the built-ins or the other files", async () => {
    const { errors, ids } = await errorsOf({
      "good.mjs": mjs(action("fine", "[]")),
      "syntax.ts": "export const = ;\n",
      "throws.mjs": 'throw new Error("refusing to load");\n',
      "bad.yml": "type: action\ndefinition: [not, a, mapping\n",
      "missing-dep.mjs": 'import x from "left-pad-that-is-not-here";\nexport default x;\n',
    });
    assert.deepEqual(ids, ["core.http_request", "core.transform.reshape", "tools.v.fine"]);
    const byFile = Object.fromEntries(errors.map((e) => [e.file, e]));
    assert.deepEqual(Object.keys(byFile).sort(), [
      "<dir>/bad.yml",
      "<dir>/missing-dep.mjs",
      "<dir>/syntax.ts",
      "<dir>/throws.mjs",
    ]);
    assert.match(byFile["<dir>/syntax.ts"]!.message, /could not be compiled/);
    assert.match(byFile["<dir>/syntax.ts"]!.message, /syntax\.ts:1:/);
    assert.match(byFile["<dir>/throws.mjs"]!.message, /refusing to load/);
    assert.match(byFile["<dir>/bad.yml"]!.message, /Not valid YAML/);
    assert.match(byFile["<dir>/missing-dep.mjs"]!.message, /left-pad-that-is-not-here/);
    for (const e of errors) assert.equal(e.code === "action_load_failed" || e.code === "invalid_template", true);
  });

  test("a registry folder that does not exist, overlaps COFFER_HOME or holds the database is a load error", async () => {
    const f = await writeFixtures({ "a.mjs": mjs(action("x", "[]")) });
    try {
      const r = await createRegistry({
        builtins: [reshape],
        paths: ["/nonexistent/actions", f.dir],
        sandbox,
        home: f.dir,
      });
      assert.deepEqual(
        r.errors.map((e) => e.file),
        ["/nonexistent/actions", f.dir],
      );
      assert.match(r.errors[1]!.message, /overlaps COFFER_HOME/);
      const withDb = await createRegistry({
        builtins: [],
        paths: [f.dir],
        sandbox,
        protectedFiles: [`${f.dir}/coffer.db`],
      });
      assert.deepEqual(withDb.list(), []);
      assert.match(withDb.errors[0]!.message, /holds .*coffer\.db, which custom actions must never read/);
      assert.deepEqual(
        r.list().map((e) => e.id),
        ["core.transform.reshape"],
      );
    } finally {
      await f.remove();
    }
  });
});
