// `coffer workflow run|check` as a user runs them: real processes, a real store, and a local HTTP
// server that records what reached it.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { canary, createTestEnvironment, openBootstrapped, type TestEnvironment } from "@coffer/core/testing";
import { stringify } from "yaml";
import { runCli } from "./support.js";

interface Received {
  authorization: string | undefined;
}

describe("coffer workflow", () => {
  let env: TestEnvironment;
  let cliEnv: Record<string, string>;
  let dir: string;
  let server: Server;
  let url: string;
  const received: Received[] = [];
  const values = { prod: canary("wf_prod"), dflt: canary("wf_default"), acme: canary("wf_acme") };

  before(async () => {
    env = await createTestEnvironment("sqlite");
    const { coffer, workspaceId: ws } = await openBootstrapped(env);
    const create = (name: string, environment: string, keys: Record<string, string>) =>
      coffer.secrets.create(
        ws,
        { name, environment, keys: Object.entries(keys).map(([key, value]) => ({ key, value })) },
        { actor: "test" },
      );
    await create("slack", "default", { SLACK_BOT_TOKEN: values.dflt });
    await create("slack", "prod", { SLACK_BOT_TOKEN: values.prod });
    await create("slack", "customer_acme", { SLACK_BOT_TOKEN: values.acme });
    await coffer.close();
    server = createServer((req, res) => {
      received.push({ authorization: req.headers.authorization });
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ youSent: req.headers.authorization ?? null }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    dir = mkdtempSync(join(tmpdir(), "coffer-wf-"));
    cliEnv = { ...env.env };
  });
  after(async () => {
    await new Promise((resolve) => server?.close(resolve));
    if (dir) rmSync(dir, { recursive: true, force: true });
    await env?.cleanup();
  });

  const post = (ref: string, extra: Record<string, unknown> = {}) => ({
    ref,
    action: "core.http_request",
    args: {
      url: `${url}/hook`,
      method: "POST",
      headers: { Authorization: "Bearer ${{ SECRETS.slack.SLACK_BOT_TOKEN }}" },
    },
    ...extra,
  });
  let n = 0;
  const file = (doc: Record<string, unknown>) => {
    const path = join(dir, `wf${n++}.yml`);
    writeFileSync(path, stringify({ title: "t", description: "d", entrypoint: {}, ...doc }));
    return path;
  };
  interface StatusDoc {
    id: string;
    status: string;
    environment: string;
    returns: unknown;
    actions: Record<string, { status: string; result?: { data: unknown }; error?: { code: string; message: string } }>;
  }
  const runJson = async (args: string[]) => {
    const r = await runCli(cliEnv, ["workflow", "run", ...args, "--json"]);
    return { ...r, doc: JSON.parse(r.stdout) as StatusDoc };
  };

  test("environments: default, config.environment, per-action literal and template, --env; values sent, output masked", async () => {
    received.length = 0;
    const path = file({
      entrypoint: { expects: { tenant: { type: "str", default: "customer_acme" } } },
      config: { environment: "prod" },
      actions: [
        post("by_config"),
        post("literal", { environment: "default" }),
        post("templated", { environment: "${{ TRIGGER.tenant }}" }),
      ],
      returns: { sent: "${{ ACTIONS.by_config.result.data.youSent }}" },
    });
    const r = await runJson([path]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.doc.status, "succeeded");
    assert.equal(r.doc.environment, "prod");
    assert.deepEqual(r.doc.actions.by_config?.result?.data, { youSent: "Bearer ***" });
    assert.deepEqual(r.doc.returns, { sent: "Bearer ***" });
    assert.deepEqual(
      received.map((x) => x.authorization).sort(),
      [`Bearer ${values.acme}`, `Bearer ${values.dflt}`, `Bearer ${values.prod}`].sort(),
    );
    for (const v of Object.values(values))
      assert.ok(!r.stdout.includes(v) && !r.stderr.includes(v), "no secret printed");

    received.length = 0;
    const byEnv = await runJson([file({ actions: [post("a")] }), "--env", "prod"]);
    assert.equal(byEnv.code, 0, byEnv.stderr);
    assert.equal(byEnv.doc.environment, "prod");
    assert.equal(received[0]?.authorization, `Bearer ${values.prod}`);
    received.length = 0;
    const plain = await runJson([file({ actions: [post("a")] })]);
    assert.equal(plain.doc.environment, "default");
    assert.equal(received[0]?.authorization, `Bearer ${values.dflt}`);
  });

  test("an environment that lacks the secret fails before the action sends anything; exit 1, the document printed", async () => {
    received.length = 0;
    const r = await runJson([file({ actions: [post("a"), post("b", { depends_on: ["a"] })] }), "--env", "staging"]);
    assert.equal(r.code, 1);
    assert.equal(r.doc.status, "failed");
    assert.equal(r.doc.actions.a?.status, "failed");
    assert.equal(r.doc.actions.a?.error?.code, "secrets_unresolved");
    assert.equal(r.doc.actions.b, undefined);
    assert.equal(received.length, 0, "nothing was sent");
  });

  test("a canary echoed in a for_each loop is masked", async () => {
    received.length = 0;
    const r = await runJson([
      file({
        actions: [post("loop", { for_each: "${{ for var.i in [1, 2, 3] }}" })],
        returns: "${{ ACTIONS.loop.result }}",
      }),
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(received.length, 3);
    assert.ok(!r.stdout.includes(values.dflt));
    assert.deepEqual(
      (r.doc.returns as { data: unknown }[]).map((x) => x.data),
      [1, 2, 3].map(() => ({ youSent: "Bearer ***" })),
    );
  });

  test("a canary echoed inside a scatter is masked, in the gather and in the output", async () => {
    received.length = 0;
    const r = await runJson([
      file({
        actions: [
          { ref: "s", action: "core.transform.scatter", args: { collection: [1, 2] } },
          { ...post("inside"), depends_on: ["s"] },
          {
            ref: "g",
            action: "core.transform.gather",
            depends_on: ["inside"],
            args: { items: "${{ ACTIONS.inside.result.data.youSent }}" },
          },
        ],
        returns: "${{ ACTIONS.g.result }}",
      }),
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(received.length, 2);
    assert.equal(received[0]?.authorization, `Bearer ${values.dflt}`);
    assert.deepEqual(r.doc.returns, ["Bearer ***", "Bearer ***"]);
    assert.ok(!r.stdout.includes(values.dflt) && !r.stderr.includes(values.dflt));
  });

  test("a readable summary without --json; `workflows` works as the group name", async () => {
    const r = await runCli(cliEnv, [
      "workflows",
      "run",
      file({
        actions: [{ ref: "a", action: "core.transform.reshape", args: { value: "${{ TRIGGER.x }}" } }],
        returns: "${{ ACTIONS.a.result }}",
      }),
      "--trigger",
      '{"x": 41}',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), "41");
    assert.match(r.stderr, /✓ a {2}\d+ ms/);
    assert.match(r.stderr, /workflow succeeded/);
  });

  test("usage and invalid files exit 2", async () => {
    const bad = await runCli(cliEnv, ["workflow", "run", file({ actions: [] }), "--json"]);
    assert.equal(bad.code, 2);
    assert.match(JSON.parse(bad.stdout).error.message, /At least one action must be defined/);
    const trig = await runCli(cliEnv, ["workflow", "run", file({ actions: [post("a")] }), "--trigger", "{nope"]);
    assert.equal(trig.code, 2);
  });

  test("check lists every problem at once: missing secrets in different environments, bad args, expressions", async () => {
    const path = file({
      actions: [
        post("in_default"),
        post("in_nowhere", { environment: "nowhere" }),
        post("in_other", { environment: "other_env" }),
        { ref: "bad_args", action: "core.transform.reshape", args: { value: 1, extra: 2 } },
        { ref: "bad_expr", action: "core.transform.reshape", args: { value: "${{ FN.nope(1) }}" } },
        { ref: "missing_action", action: "tools.nothing.here" },
        post("runtime_env", { environment: "${{ ACTIONS.in_default.result.data }}", depends_on: ["in_default"] }),
      ],
    });
    const r = await runCli(cliEnv, ["workflow", "check", path]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /Action 'in_nowhere' needs secret 'slack', which does not exist in environment 'nowhere'/);
    assert.match(r.stdout, /Action 'in_other' needs secret 'slack', which does not exist in environment 'other_env'/);
    assert.doesNotMatch(r.stdout, /Action 'in_default' needs/);
    assert.match(r.stdout, /Action 'bad_args': invalid args for core\.transform\.reshape/);
    assert.match(r.stdout, /Action 'bad_expr', field 'inputs': [\s\S]*nope/);
    assert.match(r.stdout, /there is no action tools\.nothing\.here/);
    assert.match(r.stdout, /warning: Action 'runtime_env': its environment .* could not be checked/);
    const ok = await runCli(cliEnv, ["workflow", "check", file({ actions: [post("a")] }), "--env", "prod"]);
    assert.equal(ok.code, 0, ok.stdout);
    const missingInEnv = await runCli(cliEnv, [
      "workflow",
      "check",
      file({ actions: [post("a")] }),
      "--env",
      "staging",
    ]);
    assert.equal(missingInEnv.code, 1);
  });
});
