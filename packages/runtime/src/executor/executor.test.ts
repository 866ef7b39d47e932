import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { Coffer } from "@coffer/core";
import {
  canary,
  countQueries,
  createTestEnvironment,
  LeakHunter,
  openBootstrapped,
  type TestEnvironment,
  testDialects,
} from "@coffer/core/testing";
import { type ActionDefinition, defineAction, z } from "@coffer/sdk";
import { createMasker } from "../masking/masker.js";
import { createRegistry, type LoadedRegistry } from "../registry/registry.js";
import { createExecutor, type Executor } from "./executor.js";
import type { ActionRunRequest, ActionRunResult, SecretPreprocessor } from "./executor.types.js";

const actor = { actor: "test:executor" };

function failed(result: ActionRunResult) {
  assert.equal(result.status, "failed", `expected a failure, got ${JSON.stringify(result)}`);
  return result as Extract<ActionRunResult, { status: "failed" }>;
}
function succeeded(result: ActionRunResult) {
  assert.equal(result.status, "succeeded", `expected success, got ${JSON.stringify(result)}`);
  return result as Extract<ActionRunResult, { status: "succeeded" }>;
}

/** Returns what it is given and which keys it could see, so tests observe evaluation and isolation. */
const echo = defineAction({
  namespace: "test",
  name: "echo",
  title: "Echo",
  args: z.object({ value: z.unknown().optional() }).passthrough(),
  handler: (args, ctx) => ({ args, environment: ctx.environment }),
});

const slackPost = defineAction({
  namespace: "test",
  name: "slack_post",
  title: "Post to Slack",
  args: z.object({ text: z.string() }),
  secrets: [
    { name: "slack", keys: ["SLACK_BOT_TOKEN"] },
    { name: "tls", secret_type: "mtls", optional: true },
  ],
  handler: (args, ctx) => ({
    token: ctx.secrets.get("SLACK_BOT_TOKEN"),
    viaOf: ctx.secrets.of("slack").SLACK_BOT_TOKEN,
    fallback: ctx.secrets.getOrDefault("NOT_THERE", "fallback-value"),
    text: args.text,
  }),
});

const leaky = defineAction({
  namespace: "test",
  name: "leaky",
  title: "Leaks its secret everywhere it can",
  args: z.object({ mode: z.enum(["log", "throw", "throw_plain", "return", "encoded"]) }),
  secrets: [{ name: "api", keys: ["TOKEN"] }],
  handler: (args, ctx) => {
    const token = ctx.secrets.get("TOKEN");
    if (args.mode === "log") {
      ctx.log.info(`token is ${token}`, { token, nested: { list: [token] } });
      return "logged";
    }
    if (args.mode === "throw") throw new Error(`request failed with ${token}`);
    if (args.mode === "throw_plain") throw new TypeError(`bad ${token}`);
    if (args.mode === "encoded") {
      const bytes = Buffer.from(token);
      return {
        base64: [0, 1, 2].map((n) => Buffer.concat([Buffer.alloc(n, 65), bytes]).toString("base64")),
        json: JSON.stringify({ token }),
        url: `https://x.test/?t=${encodeURIComponent(token)}`,
        hex: bytes.toString("hex"),
      };
    }
    return { token, [token]: "as a key", inText: `Bearer ${token}` };
  },
});

const getter = defineAction({
  namespace: "test",
  name: "getter",
  title: "Reads a key by name",
  args: z.object({ key: z.string(), secret: z.string().optional() }),
  secrets: [{ name: "api", keys: ["TOKEN"] }],
  handler: (args, ctx) => (args.secret ? ctx.secrets.of(args.secret) : ctx.secrets.get(args.key)),
});

const slow = defineAction({
  namespace: "test",
  name: "slow",
  title: "Waits for its signal",
  args: z.object({}),
  handler: (_args, ctx) =>
    new Promise((resolve) => {
      ctx.signal.addEventListener("abort", () => resolve("saw abort"));
    }),
});

const strict = defineAction({
  namespace: "test",
  name: "strict",
  title: "Wants a number",
  args: z.object({ count: z.number().int(), name: z.string() }),
  handler: (args) => args.count,
});

const NOTIFY_YML = `type: action
definition:
  namespace: test
  name: notify
  title: Notify
  secrets:
    - name: pager
      keys: [PAGER_KEY]
  expects:
    who: { type: str }
    greeting: { type: str, default: hello }
  steps:
    - ref: compose
      action: test.echo
      args:
        value: "\${{ inputs.greeting }} \${{ inputs.who }}"
        key: "\${{ SECRETS.pager.PAGER_KEY }}"
    - ref: inner
      action: test.inner_template
      args:
        text: "\${{ steps.compose.result.args.value }}"
  returns:
    message: "\${{ steps.inner.result }}"
    key: "\${{ steps.compose.result.args.key }}"
`;

const INNER_YML = `type: action
definition:
  namespace: test
  name: inner_template
  title: Inner template
  expects:
    text: { type: str }
  steps:
    - ref: post
      action: test.slack_post
      args:
        text: "\${{ inputs.text }}"
  returns: "\${{ steps.post.result.text }} via \${{ steps.post.result.token }}"
`;

let watchedStarts = 0;
const watchedAction = defineAction({
  namespace: "test",
  name: "watched",
  title: "Counts its starts",
  args: z.object({ token: z.string() }),
  handler: () => {
    watchedStarts += 1;
    return null;
  },
});

const declaresAction = defineAction({
  namespace: "test",
  name: "declares",
  title: "Declares keys",
  args: z.object({}),
  secrets: [
    { name: "api", keys: ["TOKEN", "CLIENT_ID"] },
    { name: "client_cert", secret_type: "mtls" },
  ],
  handler: () => null,
});

// A custom action (bundled and run in the sandboxed child) that writes its secret split across two
// writes, or waits past its timeout.
const CUSTOM_TS = `import { defineAction, z } from "@coffer/sdk";
export const split = defineAction({
  namespace: "tools.custom",
  name: "split",
  title: "Writes its secret in two pieces",
  args: z.object({ wait: z.boolean().default(false) }),
  secrets: [{ name: "api", keys: ["TOKEN"] }],
  handler: async (args, ctx) => {
    const v = ctx.secrets.get("TOKEN");
    if (args.wait) await new Promise((r) => setTimeout(r, 60_000));
    process.stdout.write("a:" + v.slice(0, 6));
    await new Promise((r) => setTimeout(r, 40));
    process.stdout.write(v.slice(6) + "\\n");
    process.stderr.write("e:" + v + "\\n");
    ctx.log.info("l:" + v);
    return { v, env: ctx.environment };
  },
});
`;

const BUILTINS = [echo, slackPost, leaky, getter, slow, strict];

/** The real registry over these definitions and two YAML templates in a fresh folder. */
async function loadRegistry(extra: readonly object[] = []): Promise<{ registry: LoadedRegistry; folder: string }> {
  const folder = mkdtempSync(join(tmpdir(), "coffer-executor-actions-"));
  writeFileSync(join(folder, "notify.yml"), NOTIFY_YML);
  writeFileSync(join(folder, "inner.yml"), INNER_YML);
  writeFileSync(join(folder, "custom.ts"), CUSTOM_TS);
  const registry = await createRegistry({
    builtins: [...BUILTINS, ...extra] as unknown as ActionDefinition[],
    paths: [folder],
  });
  assert.deepEqual(registry.errors, []);
  return { registry, folder };
}

for (const dialect of await testDialects("executor")) {
  describe(`executor (${dialect})`, () => {
    let env: TestEnvironment;
    let coffer: Coffer;
    let ws: string;
    let executor: Executor;
    let registry: LoadedRegistry;
    let folder: string;
    const values = {
      slackDefault: canary("slack_default"),
      slackProd: canary("slack_prod"),
      api: `${canary("api")}"\\/+% x`,
      pager: canary("pager"),
      stranger: canary("stranger"),
      added: canary("added_by_preprocessor"),
    };
    const preprocessed: string[] = [];
    const preprocessor: SecretPreprocessor = {
      name: "test-exchange",
      async process(input) {
        preprocessed.push(`${input.actionId}@${input.environment}`);
        const api = input.secrets.get("api");
        if (api) input.secrets.set("api", { ...api, SESSION: values.added });
      },
    };
    const run = (request: Partial<ActionRunRequest> & { actionId: string }) =>
      executor.runAction({ workspaceId: ws, args: {}, actor, ...request });

    before(async () => {
      env = await createTestEnvironment(dialect);
      ({ coffer, workspaceId: ws } = await openBootstrapped(env));
      const create = (name: string, environment: string, keys: Record<string, string>) =>
        coffer.secrets.create(
          ws,
          { name, environment, keys: Object.entries(keys).map(([key, value]) => ({ key, value })) },
          actor,
        );
      await create("slack", "default", { SLACK_BOT_TOKEN: values.slackDefault });
      await create("slack", "prod", { SLACK_BOT_TOKEN: values.slackProd });
      await create("api", "default", { TOKEN: values.api });
      await create("pager", "default", { PAGER_KEY: values.pager });
      await create("stranger", "default", { TOKEN2: values.stranger });
      await coffer.variables.create(ws, { name: "routing", values: { target: "prod", region: "eu" } }, actor);
      for (let i = 0; i < 25; i++) await create(`bulk_${i}`, "default", { VALUE: canary(`bulk${i}`) });
      ({ registry, folder } = await loadRegistry([watchedAction, declaresAction]));
      const sandbox = registry.sandbox;
      assert.ok(sandbox, "the custom module started a sandbox");
      executor = createExecutor({
        registry,
        resolution: coffer.resolution,
        preprocessors: [preprocessor],
        logger: coffer.logger,
        config: coffer.config,
        createMasker,
        runCustomAction: (request) => sandbox.runCustomAction(request),
      });
    });
    after(async () => {
      await registry.close();
      rmSync(folder, { recursive: true, force: true });
      await coffer.close();
      await env.cleanup();
    });

    test("environment: default, then workflow default, run override, action literal, action template over VARS", async () => {
      const args = { text: "hi" };
      const byDefault = succeeded(await run({ actionId: "test.slack_post", args }));
      assert.equal(byDefault.environment, "default");
      assert.equal((byDefault.result as { text: string }).text, "hi");
      const viaWorkflow = succeeded(await run({ actionId: "test.slack_post", args, workflowEnvironment: "prod" }));
      assert.equal(viaWorkflow.environment, "prod");
      const override = failed(
        await run({ actionId: "test.slack_post", args, workflowEnvironment: "prod", runEnvironment: "staging" }),
      );
      assert.equal(override.environment, "staging", "the run's override beats the workflow's default");
      const literal = succeeded(
        await run({ actionId: "test.slack_post", args, runEnvironment: "staging", environment: " prod " }),
      );
      assert.equal(literal.environment, "prod", "the action's own environment beats the override");
      const templated = succeeded(
        await run({ actionId: "test.echo", args: {}, environment: "${{ VARS.routing.target }}" }),
      );
      assert.equal(templated.environment, "prod");
      assert.equal((templated.result as { environment: string }).environment, "prod");
    });

    test("the right value reaches the action in each environment, and is masked on the way out", async () => {
      const inDefault = succeeded(await run({ actionId: "test.slack_post", args: { text: "x" } }));
      assert.deepEqual(inDefault.result, { token: "***", viaOf: "***", fallback: "fallback-value", text: "x" });
      const echoed = succeeded(
        await run({
          actionId: "test.echo",
          args: {
            value: "${{ SECRETS.slack.SLACK_BOT_TOKEN }}",
            len: "${{ FN.length(SECRETS.slack.SLACK_BOT_TOKEN) }}",
          },
          runEnvironment: "prod",
        }),
      );
      assert.deepEqual((echoed.result as { args: unknown }).args, {
        value: "***",
        len: values.slackProd.length,
      });
    });

    test("an environment template may not read SECRETS", async () => {
      const result = failed(await run({ actionId: "test.echo", environment: "${{ SECRETS.slack.SLACK_BOT_TOKEN }}" }));
      assert.equal(result.error.code, "invalid_environment");
      assert.match(result.error.message, /reads SECRETS/);
      const bad = failed(await run({ actionId: "test.echo", runEnvironment: "Prod Env" }));
      assert.equal(bad.error.code, "invalid_environment");
    });

    test("lookup is exact: a secret only in default does not serve a run in staging; the action never starts", async () => {
      watchedStarts = 0;
      const result = failed(
        await run({ actionId: "test.watched", args: { token: "${{ SECRETS.api.TOKEN }}" }, runEnvironment: "staging" }),
      );
      assert.equal(watchedStarts, 0);
      assert.equal(result.error.code, "secrets_unresolved");
      assert.equal(result.environment, "staging");
      assert.match(result.error.message, /secret `api` does not exist in environment `staging`/);
      assert.match(result.error.message, /coffer secrets create api --env staging TOKEN=…/);
      assert.deepEqual(result.error.details?.missingSecrets, [
        {
          secret: "api",
          environment: "staging",
          fix: "create secret `api` in environment `staging`: coffer secrets create api --env staging TOKEN=…",
        },
      ]);
    });

    test("every missing secret, missing key and missing variable in one error; optional ones and fallbacks are not failures", async () => {
      const result = failed(
        await run({
          actionId: "test.slack_post",
          args: {
            text: "${{ SECRETS.vt.VT_KEY }} ${{ SECRETS.api.NOPE }} ${{ SECRETS.api.TOKEN }}",
            "${{ SECRETS.github.GH_TOKEN }}": "a key that is a template",
            nested: [{ deep: "${{ SECRETS.slack.WEBHOOK }}" }],
            ok: "${{ SECRETS.absent.X || 'fine' }} ${{ SECRETS.api.ALSO_NOPE || 'fine' }} ${{ VARS.nowhere.x }}",
          },
        }),
      );
      assert.equal(result.error.code, "secrets_unresolved");
      const details = result.error.details as {
        missingSecrets: { secret: string }[];
        missingKeys: { secret: string; missing: string[]; available: string[] }[];
        missingVariables: { variable: string }[];
      };
      assert.deepEqual(details.missingSecrets.map((m) => m.secret).sort(), ["github", "vt"]);
      assert.deepEqual(
        details.missingKeys.map((m) => [m.secret, m.missing, m.available]).sort(),
        [
          ["api", ["NOPE"], ["TOKEN"]],
          ["slack", ["WEBHOOK"], ["SLACK_BOT_TOKEN"]],
        ].sort(),
      );
      assert.deepEqual(
        details.missingVariables.map((m) => m.variable),
        ["nowhere"],
      );
      assert.match(result.error.message, /\(5 problems; it was not started\)/);
      assert.match(result.error.message, /has no key `NOPE` \(its keys: TOKEN\)/);
      assert.doesNotMatch(
        result.error.message,
        /absent|ALSO_NOPE|`tls`/,
        "fallbacks and optional declarations are fine",
      );
    });

    test("declared keys are required; a structured type's keys come from the type", async () => {
      const result = failed(await run({ actionId: "test.declares" }));
      assert.match(result.error.message, /secret `api` in environment `default` has no key `CLIENT_ID`/);
      assert.match(
        result.error.message,
        /coffer secrets create client_cert --env default --type mtls TLS_CERTIFICATE=… TLS_PRIVATE_KEY=…/,
      );
    });

    test("one store read per action run, whatever the number of secrets and the template depth", async () => {
      const reads = countQueries(coffer);
      const flat = succeeded(
        await run({
          actionId: "test.echo",
          args: {
            a: "${{ SECRETS.slack.SLACK_BOT_TOKEN }}",
            b: "${{ SECRETS.api.TOKEN }}",
            c: "${{ SECRETS.pager.PAGER_KEY }}",
            d: "${{ SECRETS.stranger.TOKEN2 }}",
            e: "${{ VARS.routing.region }}",
          },
        }),
      );
      assert.equal(reads.count(), 1, "five references, one read");
      const many: Record<string, string> = {};
      for (let i = 0; i < 25; i++) many[`k${i}`] = `\${{ SECRETS.bulk_${i}.VALUE }}`;
      const before = reads.count();
      const bulk = succeeded(await run({ actionId: "test.echo", args: many }));
      assert.equal(reads.count() - before, 1, "twenty-five secrets, one read");
      assert.ok(Object.values((bulk.result as { args: Record<string, string> }).args).every((v) => v === "***"));
      assert.equal((flat.result as { args: { e: string } }).args.e, "eu");
      const nested = succeeded(await run({ actionId: "test.notify", args: { who: "ops" } }));
      reads.stop();
      assert.equal(reads.count(), 3, "a template two levels deep, one more read");
      assert.deepEqual(nested.result, { message: "hello ops via ***", key: "***" });
    });

    test("a template's steps see their inputs, earlier results and the secrets of the whole tree", async () => {
      const missing = failed(await run({ actionId: "test.notify", args: { who: "ops" }, runEnvironment: "prod" }));
      assert.equal(missing.error.code, "secrets_unresolved");
      assert.match(missing.error.message, /secret `pager` does not exist in environment `prod`/);
      const badInputs = failed(await run({ actionId: "test.notify", args: { whom: "x" } }));
      assert.equal(badInputs.error.code, "action_args_invalid");
      assert.match(badInputs.error.message, /missing who; unknown whom/);
    });

    test("a preprocessor runs after the fetch; the values it adds are masked", async () => {
      preprocessed.length = 0;
      const result = succeeded(
        await run({ actionId: "test.getter", args: { key: "x", secret: "api" }, runEnvironment: "default" }),
      );
      assert.deepEqual(preprocessed, ["test.getter@default"]);
      assert.deepEqual(result.result, { TOKEN: "***", SESSION: "***" });
    });

    test("ctx.secrets holds only this run's secrets; a missing key names the key and the declared secrets", async () => {
      const missing = failed(await run({ actionId: "test.getter", args: { key: "TOKEN2" } }));
      assert.equal(missing.error.code, "secret_key_not_found");
      assert.match(missing.error.message, /Secret key 'TOKEN2' is required but not found/);
      assert.match(missing.error.message, /declares api/);
      const other = failed(await run({ actionId: "test.getter", args: { key: "x", secret: "stranger" } }));
      assert.equal(other.error.code, "secret_not_found");
      assert.match(other.error.message, /Secret 'stranger' is not available .* in environment `default`/);
    });

    test("results, errors, log lines and details are masked; maskOutput masks every leaf", async () => {
      const hunter = new LeakHunter({ api: values.api, added: values.added });
      const lines: string[] = [];
      const onOutput = (stream: string, text: string) => lines.push(`${stream}:${text}`);
      const logged = succeeded(await run({ actionId: "test.leaky", args: { mode: "log" }, onOutput }));
      assert.equal(logged.result, "logged");
      assert.equal(lines.length, 1);
      assert.match(lines[0] ?? "", /^log:info: token is \*\*\*/);
      const thrown = failed(await run({ actionId: "test.leaky", args: { mode: "throw" } }));
      assert.equal(thrown.error.code, "action_failed");
      assert.equal(thrown.error.message, "Error: request failed with ***");
      const plain = failed(await run({ actionId: "test.leaky", args: { mode: "throw_plain" } }));
      assert.equal(plain.error.message, "TypeError: bad ***");
      const returned = succeeded(await run({ actionId: "test.leaky", args: { mode: "return" } }));
      assert.deepEqual(returned.result, { token: "***", "***": "as a key", inText: "Bearer ***" });
      const hidden = succeeded(
        await run({ actionId: "test.echo", args: { value: { n: 1, s: "x", l: [true] } }, maskOutput: true }),
      );
      assert.deepEqual(hidden.result, { args: { value: { n: "***", s: "***", l: ["***"] } }, environment: "***" });
      const invalid = failed(
        await run({ actionId: "test.strict", args: { count: "${{ SECRETS.api.TOKEN }}", name: 3 } }),
      );
      assert.equal(invalid.error.code, "action_args_invalid");
      assert.match(invalid.error.message, /count: .*name: /);
      const encoded = succeeded(await run({ actionId: "test.leaky", args: { mode: "encoded" } }));
      assert.match(JSON.stringify(encoded.result), /\*\*\*/);
      const text = JSON.stringify([lines, logged, thrown, plain, returned, invalid, encoded]);
      hunter.assertClean(text, "executor outputs");
    });

    test("a custom action in the sandbox: output split across writes, stderr and logs masked; timeout stops it", async () => {
      const chunks: string[] = [];
      const result = succeeded(
        await run({ actionId: "tools.custom.split", onOutput: (stream, text) => chunks.push(`${stream}|${text}`) }),
      );
      assert.deepEqual(result.result, { v: "***", env: "default" });
      const stdout = chunks
        .filter((c) => c.startsWith("stdout|"))
        .map((c) => c.slice(7))
        .join("");
      assert.equal(stdout, "a:***\n");
      assert.ok(chunks.includes("stderr|e:***\n"), JSON.stringify(chunks));
      assert.ok(
        chunks.some((c) => c.startsWith("log|info: l:***")),
        JSON.stringify(chunks),
      );
      new LeakHunter({ api: values.api }).assertClean(JSON.stringify([chunks, result]), "custom action output");
      const slowRun = failed(await run({ actionId: "tools.custom.split", args: { wait: true }, timeoutMs: 500 }));
      assert.equal(slowRun.error.code, "action_timeout");
    });

    test("unknown action: a clear error with a hint", async () => {
      const result = failed(await run({ actionId: "tools.nope.ping" }));
      assert.equal(result.error.code, "action_not_found");
      assert.match(result.error.message, /coffer actions list/);
    });

    test("a timeout aborts ctx.signal and fails with action_timeout", async () => {
      const result = failed(await run({ actionId: "test.slow", timeoutMs: 50 }));
      assert.equal(result.error.code, "action_timeout");
      assert.match(result.error.message, /within 50 ms/);
    });

    test("the caller's signal cancels a run: action_cancelled, and ctx.signal is aborted", async () => {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 30);
      const result = failed(await run({ actionId: "test.slow", signal: controller.signal }));
      assert.equal(result.error.code, "action_cancelled");
    });

    test("each secret.use event records the action, run and environment, never a value", async () => {
      const before = (await coffer.audit.list({ workspaceId: ws, limit: 1000 })).length;
      succeeded(await run({ actionId: "test.slack_post", args: { text: "a" }, runId: "run-audit-1" }));
      const events = (await coffer.audit.list({ workspaceId: ws, limit: 1000 })).slice(before);
      const uses = events.filter((e) => e.action === "secret.use");
      assert.deepEqual(
        uses.map((e) => [e.targetName, e.environment, e.runId, (e.details as { action?: string }).action]),
        [["slack", "default", "run-audit-1", "test.slack_post"]],
      );
      assert.ok(!JSON.stringify(events).includes(values.slackDefault));
    });
  });
}
