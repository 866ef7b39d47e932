import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { canary, testDialects } from "@coffer/core/testing";
import {
  createAwsHostIdentity,
  createRegistry,
  createSandbox,
  defineAction,
  type SecretDeclaration,
  z,
} from "@coffer/runtime";
import { startTestApp, type TestApp } from "../testing.js";

const W = "/api/v1/workspaces/default";

const declaring = (namespace: string, name: string, secrets: SecretDeclaration[]) =>
  defineAction({ namespace, name, title: name, args: z.object({}), secrets, handler: () => null });

for (const dialect of await testDialects("http secret definitions route")) {
  describe(`secret definitions route (${dialect})`, () => {
    let t: TestApp;
    const values = { one: canary("acme-key"), two: canary("acme-region"), three: canary("other") };
    before(async () => {
      const sandbox = await createSandbox({ mode: "node" });
      const registry = await createRegistry({
        sandbox,
        paths: [],
        builtins: [
          declaring("tools.acme", "lookup", [{ name: "acme", keys: ["ACME_API_KEY", "ACME_REGION"] }]),
          declaring("tools.acme", "block", [
            { name: "acme", keys: ["ACME_API_KEY"], optional_keys: ["ACME_TENANT"] },
            { name: "ssh", secret_type: "ssh_key", optional: true },
            { type: "oauth", provider_id: "acme_idp", grant_type: "client_credentials" },
          ]),
        ],
      });
      t = await startTestApp(
        dialect,
        {},
        {
          runtime: {
            registry,
            sandbox,
            actionTimeoutMs: 300_000,
            preprocessors: [],
            awsIdentity: createAwsHostIdentity({}),
            close: () => registry.close(),
          },
        },
      );
    });
    after(async () => t.close());

    test("derived definitions, and per environment whether each is configured and which keys are missing", async () => {
      for (const [environment, keys] of [
        [
          "default",
          [
            { key: "ACME_API_KEY", value: values.one },
            { key: "ACME_REGION", value: values.two },
          ],
        ],
        ["prod", [{ key: "ACME_API_KEY", value: values.three }]],
      ] as const) {
        const r = await t.call("POST", `${W}/secrets`, { body: { name: "acme", environment, keys } });
        assert.equal(r.statusCode, 201);
      }
      // An environment known only through a variable is an environment of the workspace too.
      await t.call("POST", `${W}/variables`, { body: { name: "v", environment: "staging", values: { a: 1 } } });
      const res = await t.call("GET", `${W}/secrets/definitions`, { token: t.tokens.viewer });
      assert.equal(res.statusCode, 200);
      for (const value of Object.values(values)) assert.ok(!res.body.includes(value), "no value in the response");
      assert.deepEqual(res.json(), {
        items: [
          {
            name: "acme",
            keys: ["ACME_API_KEY", "ACME_REGION"],
            optional_keys: ["ACME_TENANT"],
            optional: false,
            secret_type: "custom",
            actions: ["tools.acme.block", "tools.acme.lookup"],
            action_count: 2,
            environments: [
              { environment: "default", configured: true, missing_keys: [] },
              { environment: "prod", configured: true, missing_keys: ["ACME_REGION"] },
              { environment: "staging", configured: false, missing_keys: ["ACME_API_KEY", "ACME_REGION"] },
            ],
          },
          {
            name: "ssh",
            keys: ["PRIVATE_KEY"],
            optional_keys: null,
            optional: true,
            secret_type: "ssh_key",
            actions: ["tools.acme.block"],
            action_count: 1,
            environments: [
              { environment: "default", configured: false, missing_keys: ["PRIVATE_KEY"] },
              { environment: "prod", configured: false, missing_keys: ["PRIVATE_KEY"] },
              { environment: "staging", configured: false, missing_keys: ["PRIVATE_KEY"] },
            ],
          },
        ],
      });
    });
  });
}
