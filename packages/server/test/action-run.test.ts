// `coffer action run` and `coffer run` as a user runs them: real processes, a real store, a real
// local HTTP server that records what reached it, and a custom action in a sandboxed child.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  canary,
  createTestEnvironment,
  LeakHunter,
  openBootstrapped,
  storeHaystacks,
  type TestEnvironment,
  testDialects,
} from "@coffer/core/testing";
import { runCli } from "./support.js";

interface Received {
  authorization: string | undefined;
  path: string;
}

/** An HTTP server on loopback that echoes the Authorization header it got and records every request. */
async function recordingServer(): Promise<{ server: Server; url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    received.push({ authorization: req.headers.authorization, path: req.url ?? "" });
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ youSent: req.headers.authorization ?? null }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}`, received };
}

// Prints its secret in every way an action could: raw, base64 at each byte offset, JSON-escaped,
// URL-encoded, split across two writes, on stdout, stderr, ctx.log, and in its result.
const LEAKY_ACTION = `import { defineAction, z } from "@coffer/sdk";

export default defineAction({
  namespace: "tools.leak",
  name: "print",
  title: "Prints its secret",
  args: z.object({}),
  secrets: [{ name: "canary", keys: ["VALUE"] }],
  handler: async (_args, ctx) => {
    const v: string = ctx.secrets.get("VALUE");
    const bytes = Buffer.from(v);
    process.stdout.write("raw:" + v + "\\n");
    for (const n of [0, 1, 2]) {
      process.stdout.write("b64-" + n + ":" + Buffer.concat([Buffer.alloc(n, 120), bytes]).toString("base64") + "\\n");
    }
    process.stdout.write("json:" + JSON.stringify({ v }) + "\\n");
    console.log("url:" + encodeURIComponent(v));
    process.stdout.write("split:" + v.slice(0, 7));
    await new Promise((r) => setTimeout(r, 50));
    process.stdout.write(v.slice(7) + "\\n");
    process.stderr.write("err:" + v + "\\n");
    ctx.log.warn("log:" + v);
    return { v, b64: bytes.toString("base64"), marker: "done" };
  },
});
`;

// A YAML template declaring the secret its step uses; the step's own args reference it too.
const TEMPLATE_YML = `type: action
definition:
  namespace: tools.slack
  name: compose
  title: Compose a Slack call
  secrets:
    - name: slack
      keys: [SLACK_BOT_TOKEN]
  expects:
    channel: { type: str }
  steps:
    - ref: build
      action: core.transform.reshape
      args:
        value:
          channel: "\${{ inputs.channel }}"
          auth: "Bearer \${{ SECRETS.slack.SLACK_BOT_TOKEN }}"
  returns: "\${{ steps.build.result }}"
`;

for (const dialect of await testDialects("coffer action run and coffer run")) {
  describe(`coffer action run / coffer run (${dialect})`, () => {
    let env: TestEnvironment;
    let http: Awaited<ReturnType<typeof recordingServer>>;
    let actions: string;
    let cliEnv: Record<string, string>;
    const values = {
      slackDefault: canary("slack_default"),
      slackProd: canary("slack_prod"),
      // Quotes, backslash, slash, plus, percent and spaces: every encoded form differs from the raw one.
      leak: `${canary("leak")} "q\\/+% sp"`,
      runToken: `${canary("run")}+/ "x"`,
      runOther: canary("run_other"),
    };
    const hunter = new LeakHunter(Object.entries(values));

    before(async () => {
      env = await createTestEnvironment(dialect);
      const { coffer, workspaceId: ws } = await openBootstrapped(env);
      const actor = { actor: "test" };
      const create = (name: string, environment: string, keys: Record<string, string>) =>
        coffer.secrets.create(
          ws,
          { name, environment, keys: Object.entries(keys).map(([key, value]) => ({ key, value })) },
          actor,
        );
      await create("slack", "default", { SLACK_BOT_TOKEN: values.slackDefault });
      await create("slack", "prod", { SLACK_BOT_TOKEN: values.slackProd });
      await create("canary", "default", { VALUE: values.leak });
      await create("runner", "default", { RUN_TOKEN: values.runToken, RUN_OTHER: values.runOther });
      await coffer.variables.create(ws, { name: "routing", values: { target: "prod" } }, actor);
      await coffer.close();
      http = await recordingServer();
      actions = mkdtempSync(join(tmpdir(), "coffer-e2e-actions-"));
      writeFileSync(join(actions, "leaky.ts"), LEAKY_ACTION);
      writeFileSync(join(actions, "compose.yml"), TEMPLATE_YML);
      cliEnv = { ...env.env, COFFER_REGISTRY_PATH: actions };
    });
    after(async () => {
      await new Promise((resolve) => http?.server.close(resolve));
      if (actions) rmSync(actions, { recursive: true, force: true });
      await env?.cleanup();
    });

    const httpArgs = () =>
      JSON.stringify({
        url: `${http.url}/hook`,
        method: "POST",
        headers: { Authorization: "Bearer ${{ SECRETS.slack.SLACK_BOT_TOKEN }}" },
      });

    test("the environment: default, --env, and a --env template over VARS; the value sent is the environment's, the output masked", async () => {
      http.received.length = 0;
      const byDefault = await runCli(cliEnv, ["action", "run", "core.http_request", "--args", httpArgs(), "--json"]);
      assert.equal(byDefault.code, 0, byDefault.stderr);
      const doc = JSON.parse(byDefault.stdout) as { status: string; environment: string; result: { data: unknown } };
      assert.equal(doc.status, "succeeded");
      assert.equal(doc.environment, "default");
      assert.deepEqual(doc.result.data, { youSent: "Bearer ***" });
      assert.equal(http.received[0]?.authorization, `Bearer ${values.slackDefault}`);

      const byEnv = await runCli(cliEnv, [
        "actions",
        "run",
        "core.http_request",
        "--args",
        httpArgs(),
        "--env",
        "prod",
      ]);
      assert.equal(byEnv.code, 0, byEnv.stderr);
      assert.equal(http.received[1]?.authorization, `Bearer ${values.slackProd}`);

      const byTemplate = await runCli(cliEnv, [
        "action",
        "run",
        "core.http_request",
        "--args",
        httpArgs(),
        "--env",
        "${{ VARS.routing.target }}",
        "--json",
      ]);
      assert.equal(byTemplate.code, 0, byTemplate.stderr);
      assert.equal((JSON.parse(byTemplate.stdout) as { environment: string }).environment, "prod");
      assert.equal(http.received[2]?.authorization, `Bearer ${values.slackProd}`);
      for (const r of [byDefault, byEnv, byTemplate]) hunter.assertClean(r.stdout + r.stderr, "action run output");
    });

    test("a secret missing in the chosen environment fails before any request is sent, naming secret and environment", async () => {
      http.received.length = 0;
      const result = await runCli(cliEnv, [
        "action",
        "run",
        "core.http_request",
        "--args",
        httpArgs(),
        "--env",
        "staging",
        "--json",
      ]);
      assert.equal(result.code, 1);
      assert.equal(http.received.length, 0, "nothing reached the server");
      const doc = JSON.parse(result.stdout) as {
        status: string;
        environment: string;
        error: { code: string; message: string };
      };
      assert.equal(doc.status, "failed");
      assert.equal(doc.environment, "staging");
      assert.equal(doc.error.code, "secrets_unresolved");
      assert.match(doc.error.message, /secret `slack` does not exist in environment `staging`/);
      assert.match(doc.error.message, /coffer secrets create slack --env staging SLACK_BOT_TOKEN=…/);
      assert.deepEqual(Object.keys(doc).sort(), ["environment", "error", "status"]);
    });

    test("several missing secrets and keys are reported at once", async () => {
      const args = JSON.stringify({
        value: {
          a: "${{ SECRETS.vt.VT_API_KEY }}",
          b: "${{ SECRETS.github.GH_TOKEN }}",
          c: "${{ SECRETS.slack.WEBHOOK_URL }}",
          d: "${{ SECRETS.slack.SIGNING_SECRET }}",
          fine: "${{ SECRETS.slack.OPTIONAL || 'none' }}",
        },
      });
      const result = await runCli(cliEnv, ["action", "run", "core.transform.reshape", "--args", args]);
      assert.equal(result.code, 1);
      assert.equal(result.stdout, "");
      assert.match(result.stderr, /\(3 problems; it was not started\)/);
      assert.match(result.stderr, /secret `vt` does not exist in environment `default`/);
      assert.match(result.stderr, /secret `github` does not exist in environment `default`/);
      assert.match(
        result.stderr,
        /secret `slack` in environment `default` has no key `WEBHOOK_URL`, `SIGNING_SECRET` \(its keys: SLACK_BOT_TOKEN\)/,
      );
      assert.doesNotMatch(result.stderr, /OPTIONAL/);
      assert.match(result.stderr, /\[secrets_unresolved\]/);
    });

    test("a custom action printing its secret raw, base64'd at each offset, JSON-escaped and split across writes: all masked", async () => {
      const result = await runCli(cliEnv, ["action", "run", "tools.leak.print", "--json"]);
      assert.equal(result.code, 0, result.stderr);
      const doc = JSON.parse(result.stdout) as { status: string; result: Record<string, string> };
      assert.deepEqual(doc.result, { v: "***", b64: "***", marker: "done" });
      for (const label of ["raw:", "b64-0:", "b64-1:", "b64-2:", "json:", "url:", "split:", "err:", "log:"]) {
        assert.ok(result.stderr.includes(label), `the action's ${label} line reached stderr`);
      }
      assert.match(result.stderr, /raw:\*\*\*/);
      assert.match(result.stderr, /split:\*\*\*/);
      hunter.assertClean(result.stdout, "action run stdout");
      hunter.assertClean(result.stderr, "action run stderr");
    });

    test("a YAML template declaring secrets runs its step with them, masked; in an environment without them it does not start", async () => {
      const ok = await runCli(cliEnv, [
        "action",
        "run",
        "tools.slack.compose",
        "--args",
        '{"channel": "#ops"}',
        "--json",
      ]);
      assert.equal(ok.code, 0, ok.stderr);
      assert.deepEqual(JSON.parse(ok.stdout), {
        status: "succeeded",
        environment: "default",
        result: { channel: "#ops", auth: "Bearer ***" },
      });
      const missing = await runCli(cliEnv, [
        "action",
        "run",
        "tools.slack.compose",
        "--args",
        '{"channel": "#ops"}',
        "--env",
        "staging",
      ]);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /Action tools\.slack\.compose cannot run in environment `staging`/);
      assert.match(missing.stderr, /secret `slack` does not exist in environment `staging`/);
      hunter.assertClean(ok.stdout + ok.stderr + missing.stdout + missing.stderr, "template action output");
    });

    test("usage errors exit 2; an unknown action exits 1 with a hint", async () => {
      const bad = await runCli(cliEnv, ["action", "run", "core.transform.reshape", "--args", "{nope"]);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /--args is not valid JSON/);
      const notObject = await runCli(cliEnv, ["action", "run", "core.transform.reshape", "--args", "[1]"]);
      assert.equal(notObject.code, 2);
      const unknown = await runCli(cliEnv, ["action", "run", "core.nope", "--json"]);
      assert.equal(unknown.code, 1);
      const doc = JSON.parse(unknown.stdout) as { error: { code: string; message: string } };
      assert.equal(doc.error.code, "action_not_found");
      assert.match(doc.error.message, /coffer actions list/);
      const file = join(actions, "args.json");
      writeFileSync(file, JSON.stringify({ value: { from: "file" } }));
      const fromFile = await runCli(cliEnv, ["action", "run", "core.transform.reshape", "--args", `@${file}`]);
      assert.equal(fromFile.code, 0, fromFile.stderr);
      assert.deepEqual(JSON.parse(fromFile.stdout), { from: "file" });
    });

    test("coffer run: the keys become CMD's environment, its output is masked, Coffer exits with its status", async () => {
      const script = [
        'printf "raw:%s\\n" "$RUN_TOKEN"',
        'printf "%s" "$RUN_TOKEN" | base64',
        'printf "x%s" "$RUN_TOKEN" | base64',
        'printf "err:%s\\n" "$RUN_OTHER" >&2',
        'test -z "$COFFER_DATABASE_URL$COFFER_HOME$COFFER_ENCRYPTION_KEYS" && echo "no coffer config"',
        "exit 7",
      ].join("; ");
      const result = await runCli(cliEnv, ["run", "--secret", "runner", "--", "sh", "-c", script]);
      assert.equal(result.code, 7, result.stderr);
      assert.match(result.stdout, /^raw:\*\*\*$/m);
      assert.match(result.stdout, /no coffer config/);
      assert.match(result.stderr, /err:\*\*\*/);
      hunter.assertClean(result.stdout, "coffer run stdout");
      hunter.assertClean(result.stderr, "coffer run stderr");

      const ok = await runCli(cliEnv, ["run", "--secret", "runner", "--", "sh", "-c", "true"]);
      assert.equal(ok.code, 0, ok.stderr);
      const killed = await runCli(cliEnv, ["run", "--secret", "runner", "--", "sh", "-c", "kill -TERM $$"]);
      assert.equal(killed.code, 128 + 15, "a signal ends Coffer with 128+n");
    });

    test("coffer run: a missing secret fails before CMD starts, naming secret and environment", async () => {
      const marker = join(actions, "started");
      const result = await runCli(cliEnv, [
        "run",
        "--env",
        "prod",
        "--secret",
        "runner",
        "--secret",
        "slack",
        "--",
        "sh",
        "-c",
        `touch ${marker}`,
      ]);
      assert.equal(result.code, 1);
      assert.equal(existsSync(marker), false, "the command never started");
      assert.match(result.stderr, /secret `runner` does not exist in environment `prod`/);
      assert.doesNotMatch(result.stderr, /`slack`/, "slack exists in prod");
      const created = await runCli(cliEnv, ["secrets", "create", "runner_dup", "RUN_TOKEN=-"], canary("dup"));
      assert.equal(created.code, 0, created.stderr);
      const clash = await runCli(cliEnv, [
        "run",
        "--secret",
        "runner",
        "--secret",
        "runner_dup",
        "--",
        "sh",
        "-c",
        `touch ${marker}`,
      ]);
      assert.equal(clash.code, 1);
      assert.equal(existsSync(marker), false);
      assert.match(clash.stderr, /Key RUN_TOKEN is in both secret runner and secret runner_dup/);
      const usage = await runCli(cliEnv, ["run", "--", "true"]);
      assert.equal(usage.code, 2);
      assert.match(usage.stderr, /--secret/);
    });

    test("after every run above: each use is audited with its action and environment; no canary in the audit or the store", async () => {
      const audit = await runCli(cliEnv, ["audit", "list", "--json", "--limit", "500"]);
      assert.equal(audit.code, 0, audit.stderr);
      const items = (
        JSON.parse(audit.stdout) as {
          items: { action: string; target: { name: string }; environment: string; details: { action?: string } }[];
        }
      ).items.filter((e) => e.action === "secret.use");
      const seen = new Set(items.map((e) => `${e.target.name}@${e.environment}:${e.details.action}`));
      for (const use of [
        "slack@default:core.http_request",
        "slack@prod:core.http_request",
        "canary@default:tools.leak.print",
        "runner@default:coffer.run",
      ]) {
        assert.ok(seen.has(use), `audited: ${use} (saw ${[...seen].join(", ")})`);
      }
      hunter.assertClean(audit.stdout, "coffer audit list");
      const haystacks = await storeHaystacks(env, { skipFiles: (name) => name === "admin.token" });
      assert.ok(haystacks.length > 0);
      for (const { where, data } of haystacks) hunter.assertClean(data, where);
    });
  });
}
