// `coffer tokens …` and `coffer vars …` as a user runs them: real processes on a real store.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createTestEnvironment, type TestEnvironment, testDialects } from "@coffer/core/testing";
import { runCli, type ServerProcess, startServerProcess } from "./support.js";

for (const dialect of await testDialects("coffer tokens and vars commands")) {
  describe(`coffer tokens / coffer vars (${dialect})`, () => {
    let env: TestEnvironment;
    let server: ServerProcess;
    before(async () => {
      env = await createTestEnvironment(dialect);
      server = await startServerProcess(env.env);
    });
    after(async () => {
      await server?.stop();
      await env?.cleanup();
    });

    test("tokens create prints the token once, on stdout alone; it works over HTTP until revoked", async () => {
      const created = await runCli(env.env, ["tokens", "create", "--role", "editor", "--name", "ci pipeline"]);
      assert.equal(created.code, 0, created.stderr);
      const token = created.stdout.trim();
      assert.match(token, /^coffer_[A-Za-z0-9_-]{43}$/);
      assert.match(created.stderr, /shown only this once/);
      assert.ok(!created.stderr.includes(token));

      const who = await fetch(`${server.url}/api/v1/whoami`, { headers: { authorization: `Bearer ${token}` } });
      assert.deepEqual(((await who.json()) as { role: string; token: { name: string } }).token.name, "ci pipeline");

      const list = await runCli(env.env, ["tokens", "list"]);
      assert.equal(list.code, 0);
      assert.match(list.stdout, /ci pipeline\s+editor/);
      assert.ok(!list.stdout.includes(token));
      const json = JSON.parse((await runCli(env.env, ["tokens", "list", "--json"])).stdout) as { name: string }[];
      assert.ok(json.some((t) => t.name === "ci pipeline"));
      assert.ok(!JSON.stringify(json).includes(token));

      const revoked = await runCli(env.env, ["tokens", "revoke", "ci pipeline"]);
      assert.equal(revoked.code, 0, revoked.stderr);
      const after = await fetch(`${server.url}/api/v1/whoami`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(after.status, 401);
      const again = await runCli(env.env, ["tokens", "revoke", "ci pipeline"]);
      assert.equal(again.code, 1);
      assert.match(again.stderr, /token_not_found/);
    });

    test("tokens create refuses an unknown role and an unknown workspace", async () => {
      const role = await runCli(env.env, ["tokens", "create", "--role", "owner"]);
      assert.equal(role.code, 1);
      assert.match(role.stderr, /invalid_role/);
      const ws = await runCli(env.env, ["tokens", "create", "--role", "viewer", "--workspace", "nowhere"]);
      assert.equal(ws.code, 1);
      assert.match(ws.stderr, /workspace_not_found/);
      assert.equal(ws.stdout, "");
    });

    test("vars create / get / update / list / delete, with KEY=text and KEY:=json", async () => {
      const created = await runCli(env.env, [
        "vars",
        "create",
        "siem",
        "url=https://siem.example",
        "port:=8443",
        'hosts:=["a","b"]',
        "--env",
        "prod",
        "--description",
        "SIEM",
      ]);
      assert.equal(created.code, 0, created.stderr);
      const got = JSON.parse((await runCli(env.env, ["vars", "get", "siem", "--env", "prod", "--json"])).stdout);
      assert.deepEqual(got.values, { url: "https://siem.example", port: 8443, hosts: ["a", "b"] });
      assert.equal(got.description, "SIEM");

      // The HTTP API sees the same variable.
      const token = (await runCli(env.env, ["tokens", "create", "--role", "viewer"])).stdout.trim();
      const http = await fetch(`${server.url}/api/v1/workspaces/default/variables?environment=prod`, {
        headers: { authorization: `Bearer ${token}` },
      });
      assert.deepEqual(
        ((await http.json()) as { items: { id: string }[] }).items.map((v) => v.id),
        [got.id],
      );

      const updated = await runCli(env.env, [
        "vars",
        "update",
        "siem",
        "verify:=true",
        "--unset",
        "hosts",
        "--env",
        "prod",
      ]);
      assert.equal(updated.code, 0, updated.stderr);
      const after = JSON.parse((await runCli(env.env, ["vars", "get", "siem", "--env", "prod", "--json"])).stdout);
      assert.deepEqual(after.values, { url: "https://siem.example", port: 8443, verify: true });

      const text = await runCli(env.env, ["vars", "get", "siem", "--env", "prod"]);
      assert.match(text.stdout, /port = 8443/);
      const list = await runCli(env.env, ["vars", "list"]);
      assert.match(list.stdout, /siem\s+prod/);
      const missing = await runCli(env.env, ["vars", "get", "siem"]);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /variable_not_found/);
      const badJson = await runCli(env.env, ["vars", "create", "x", "a:={nope"]);
      assert.equal(badJson.code, 1);
      assert.match(badJson.stderr, /not valid JSON/);

      const deleted = await runCli(env.env, ["vars", "delete", "siem", "--env", "prod"]);
      assert.equal(deleted.code, 0);
      assert.equal((await runCli(env.env, ["vars", "list", "--json"])).stdout.trim(), "[]");
    });
  });
}
