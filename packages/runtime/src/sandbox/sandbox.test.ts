import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { loadConfig } from "@coffer/core";
import { writeFixtures } from "../registry/fixtures.test-support.js";
import { createRegistry, type LoadedRegistry } from "../registry/registry.js";
import type { ActionEntry } from "../registry/registry.types.js";
import { bubblewrapArgs, createSandbox, type Sandbox } from "./sandbox.js";
import type { CustomActionRunRequest } from "./sandbox.types.js";

const run = promisify(execFile);

// The action a curious author writes to find the server's configuration.
const SNOOP = `
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { execSync } from "node:child_process";
import { defineAction, z } from "@coffer/sdk";

const attempt = (fn) => { try { const v = fn(); return { ok: true, value: typeof v === "string" ? v : String(v) }; } catch (e) { return { ok: false, code: e.code ?? e.name }; } };

export const snoop = defineAction({
  namespace: "tools.test",
  name: "snoop",
  title: "Looks for the server's configuration",
  args: z.object({ home: z.string(), database: z.string(), hostPid: z.number().int() }),
  handler: async ({ home, database, hostPid }) => ({
    env: { ...process.env },
    masterKey: attempt(() => readFileSync(home + "/master.key", "utf8")),
    database: attempt(() => readFileSync(database, "utf8")),
    homeListing: attempt(() => readdirSync(home).join(",")),
    parentEnviron: attempt(() => readFileSync("/proc/" + hostPid + "/environ", "utf8")),
    selfEnviron: attempt(() => readFileSync("/proc/self/environ", "utf8")),
    write: attempt(() => writeFileSync("/tmp/coffer-sandbox-write-probe", "x")),
    spawn: attempt(() => execSync("id").toString()),
  }),
});
`;

const BEHAVIOUR = `
import { defineAction, z } from "@coffer/sdk";

export const hang = defineAction({
  namespace: "tools.test", name: "hang", title: "Waits for its abort signal",
  args: z.object({}),
  handler: (_args, ctx) => new Promise(() => {
    ctx.signal.addEventListener("abort", () => process.stderr.write("saw abort\\n"));
  }),
});

export const spin = defineAction({
  namespace: "tools.test", name: "spin", title: "Busy loop", args: z.object({}),
  handler: () => { for (;;) {} },
});

export const crash = defineAction({
  namespace: "tools.test", name: "crash", title: "Dies", args: z.object({}),
  handler: () => { process.stderr.write("first line\\nsomething went very wrong\\n"); process.exit(7); },
});

export const count = defineAction({
  namespace: "tools.test", name: "count", title: "Counts", args: z.object({ n: z.number().int().min(1), label: z.string() }),
  handler: ({ n, label }) => ({ label, doubled: n * 2 }),
});

export const secrets = defineAction({
  namespace: "tools.test", name: "secrets", title: "Reads secrets",
  args: z.object({ key: z.string(), fallback: z.boolean().default(false) }),
  secrets: [{ name: "slack", keys: ["SLACK_BOT_TOKEN"] }, { name: "vt", keys: ["VT_KEY"], optional: true }],
  handler: ({ key, fallback }, ctx) => {
    ctx.log.info("reading", { key });
    console.log("stdout line");
    return fallback
      ? { value: ctx.secrets.getOrDefault(key, "the default"), slack: ctx.secrets.of("slack") }
      : { value: ctx.secrets.get(key), env: ctx.environment, run: ctx.runId, action: ctx.actionId };
  },
});

export const missingSecret = defineAction({
  namespace: "tools.test", name: "missing_secret", title: "Reads a secret it was not given",
  args: z.object({}),
  handler: (_args, ctx) => ctx.secrets.of("github"),
});

export const throwsCoffer = defineAction({
  namespace: "tools.test", name: "throws_coffer", title: "Throws a CofferError-like error", args: z.object({ code: z.string() }),
  handler: ({ code }) => { throw Object.assign(new Error("the ticket id is not known"), { name: "CofferError", code, details: { ticket: 3 } }); },
});

export const throwsPlain = defineAction({
  namespace: "tools.test", name: "throws_plain", title: "Throws a TypeError", args: z.object({}),
  handler: () => { throw new TypeError("cannot read the thing"); },
});

export const bigint = defineAction({
  namespace: "tools.test", name: "bigint", title: "Returns a BigInt", args: z.object({}),
  handler: () => ({ n: 10n }),
});
`;

interface Setup {
  registry: LoadedRegistry;
  sandbox: Sandbox;
  entry(id: string): Extract<ActionEntry, { kind: "custom" }>;
}

async function setUp(
  mode: "bubblewrap" | "node",
  folder: string,
  hidden: { home: string; db: string },
): Promise<Setup> {
  const sandbox = await createSandbox({ mode, hiddenDirectories: [hidden.home], hiddenFiles: [hidden.db] });
  const registry = await createRegistry({ builtins: [], paths: [folder], sandbox, home: hidden.home });
  assert.deepEqual(registry.errors, []);
  return {
    registry,
    sandbox,
    entry(id) {
      const entry = registry.get(id);
      assert.equal(entry?.kind, "custom");
      return entry as Extract<ActionEntry, { kind: "custom" }>;
    },
  };
}

function request(entry: Extract<ActionEntry, { kind: "custom" }>, extra: Partial<CustomActionRunRequest> = {}) {
  return {
    moduleFile: entry.moduleFile,
    exportName: entry.exportName,
    readablePaths: entry.readablePaths,
    args: {},
    secrets: {},
    environment: "default",
    runId: "run-1",
    actionId: entry.id,
    timeoutMs: 20_000,
    ...extra,
  } satisfies CustomActionRunRequest;
}

// The server's configuration as a host process holds it: files in COFFER_HOME, values in env.
let home: string;
let database: string;
let actions: Awaited<ReturnType<typeof writeFixtures>>;
const CANARY = "canary-7f3a9c";
before(async () => {
  home = await mkdtemp(join(tmpdir(), "coffer-home-"));
  await writeFile(join(home, "master.key"), `master-${CANARY}`);
  await writeFile(join(home, "coffer.db"), `db-${CANARY}`);
  database = join(home, "coffer.db");
  process.env.COFFER_HOME = home;
  process.env.COFFER_DATABASE_URL = database;
  process.env.COFFER_ENCRYPTION_KEYS = `k1:${CANARY}`;
  process.env.DATABASE_URL = `postgres://u:${CANARY}@127.0.0.1/db`;
  actions = await writeFixtures({ "snoop.mjs": SNOOP, "behaviour.mjs": BEHAVIOUR });
});
after(async () => {
  delete process.env.COFFER_HOME;
  delete process.env.COFFER_DATABASE_URL;
  delete process.env.COFFER_ENCRYPTION_KEYS;
  delete process.env.DATABASE_URL;
  await rm(home, { recursive: true, force: true });
  await actions.remove();
});

// COFFER_SANDBOX decides the layer; both are exercised, through the config module.
for (const setting of ["bubblewrap", "node"] as const) {
  describe(`sandbox with COFFER_SANDBOX=${setting}`, () => {
    let s: Setup;
    before(async () => {
      const mode = loadConfig({ COFFER_SANDBOX: setting }).runtime.sandbox as "bubblewrap" | "node";
      s = await setUp(mode, actions.dir, { home, db: database });
      assert.equal(s.sandbox.kind, setting);
    });
    after(() => s.registry.close());

    test("a custom action looking for the server's configuration finds nothing", async () => {
      const outcome = await s.sandbox.runCustomAction(
        request(s.entry("tools.test.snoop"), { args: { home, database, hostPid: process.pid } }),
      );
      assert.equal(outcome.ok, true, JSON.stringify(outcome));
      const r = (outcome as { result: Record<string, { ok: boolean; value?: string }> }).result;
      assert.deepEqual(r.env, {}, "the child's environment is empty");
      for (const probe of ["masterKey", "database", "homeListing", "parentEnviron", "write", "spawn"]) {
        assert.equal(r[probe]!.ok, false, `${probe} must fail: ${JSON.stringify(r[probe])}`);
      }
      // /proc/self/environ is the child's own (empty) environment, if readable at all.
      assert.ok(!r.selfEnviron!.ok || !String(r.selfEnviron!.value).includes(CANARY));
      assert.ok(!JSON.stringify(r).includes(CANARY), "no canary of the host reached the action");
    });

    test("args, secrets, logs and output cross the channel; the result comes back", async () => {
      const logs: unknown[] = [];
      let stdout = "";
      const outcome = await s.sandbox.runCustomAction(
        request(s.entry("tools.test.secrets"), {
          args: { key: "SLACK_BOT_TOKEN" },
          secrets: { slack: { SLACK_BOT_TOKEN: "xoxb-1" } },
          environment: "prod",
          runId: "run-42",
          onLog: (level, message, fields) => logs.push({ level, message, fields }),
          onOutput: (stream, chunk) => {
            if (stream === "stdout") stdout += chunk;
          },
        }),
      );
      assert.deepEqual(outcome, {
        ok: true,
        result: { value: "xoxb-1", env: "prod", run: "run-42", action: "tools.test.secrets" },
      });
      assert.deepEqual(logs, [{ level: "info", message: "reading", fields: { key: "SLACK_BOT_TOKEN" } }]);
      assert.equal(stdout, "stdout line\n");
    });

    test("ctx.secrets.get of a missing key names the key and the declared secrets", async () => {
      const outcome = await s.sandbox.runCustomAction(
        request(s.entry("tools.test.secrets"), {
          args: { key: "GITHUB_TOKEN" },
          secrets: { slack: { SLACK_BOT_TOKEN: "xoxb-1" } },
        }),
      );
      assert.equal(outcome.ok, false);
      const error = (outcome as { error: { code: string; message: string } }).error;
      assert.equal(error.code, "secret_key_not_found");
      assert.match(error.message, /GITHUB_TOKEN/);
      assert.match(error.message, /Declared secrets of tools\.test\.secrets: slack, vt/);
    });

    test("a key held by two secrets of the run is refused by get, naming both", async () => {
      const outcome = await s.sandbox.runCustomAction(
        request(s.entry("tools.test.secrets"), {
          args: { key: "TOKEN" },
          secrets: { slack: { TOKEN: "a-1" }, vt: { TOKEN: "b-2" } },
        }),
      );
      const error = (outcome as { error: { code: string; message: string } }).error;
      assert.equal(error.code, "duplicate_key");
      assert.match(error.message, /secrets slack and vt both have the key TOKEN/);
    });

    test("getOrDefault falls back; of(name) gives one secret; of(unknown) names secret and environment", async () => {
      const ok = await s.sandbox.runCustomAction(
        request(s.entry("tools.test.secrets"), {
          args: { key: "NOPE", fallback: true },
          secrets: { slack: { SLACK_BOT_TOKEN: "xoxb-1" } },
        }),
      );
      assert.deepEqual(ok, { ok: true, result: { value: "the default", slack: { SLACK_BOT_TOKEN: "xoxb-1" } } });
      const missing = await s.sandbox.runCustomAction(
        request(s.entry("tools.test.missing_secret"), { environment: "staging" }),
      );
      assert.equal(missing.ok, false);
      const error = (missing as { error: { code: string; message: string } }).error;
      assert.equal(error.code, "secret_not_found");
      assert.match(error.message, /github/);
      assert.match(error.message, /staging/);
    });

    test("args that fail the action's schema are action_args_invalid, listing every issue", async () => {
      const outcome = await s.sandbox.runCustomAction(request(s.entry("tools.test.count"), { args: { n: 0 } }));
      assert.equal(outcome.ok, false);
      const error = (outcome as { error: { code: string; message: string; details?: { issues: { path: string }[] } } })
        .error;
      assert.equal(error.code, "action_args_invalid");
      assert.deepEqual(
        error.details?.issues.map((i) => i.path),
        ["n", "label"],
      );
      assert.match(error.message, /Invalid args for tools\.test\.count: n: .*; label: /);
      const good = await s.sandbox.runCustomAction(
        request(s.entry("tools.test.count"), { args: { n: 2, label: "x" } }),
      );
      assert.deepEqual(good, { ok: true, result: { label: "x", doubled: 4 } });
    });

    test("a timeout aborts ctx.signal, then kills the child: action_timeout", async () => {
      let stderr = "";
      const started = Date.now();
      const outcome = await s.sandbox.runCustomAction(
        request(s.entry("tools.test.hang"), {
          // Room for the child to start on a loaded machine: the timeout counts from the spawn.
          timeoutMs: 3000,
          onOutput: (stream, chunk) => {
            if (stream === "stderr") stderr += chunk;
          },
        }),
      );
      assert.equal(outcome.ok, false);
      const error = (outcome as { error: { code: string; message: string } }).error;
      assert.equal(error.code, "action_timeout");
      assert.match(error.message, /tools\.test\.hang did not finish within 3 s/);
      assert.match(stderr, /saw abort/);
      assert.ok(Date.now() - started < 8000);
    });

    test("a busy loop is killed at its timeout", async () => {
      const started = Date.now();
      const outcome = await s.sandbox.runCustomAction(request(s.entry("tools.test.spin"), { timeoutMs: 500 }));
      assert.equal((outcome as { error: { code: string } }).error.code, "action_timeout");
      assert.ok(Date.now() - started < 5000);
    });

    test("a child that dies without a result is action_crashed, with its exit status and stderr's last lines", async () => {
      const outcome = await s.sandbox.runCustomAction(request(s.entry("tools.test.crash")));
      assert.equal(outcome.ok, false);
      const error = (outcome as { error: { code: string; message: string; details?: Record<string, unknown> } }).error;
      assert.equal(error.code, "action_crashed");
      assert.match(error.message, /exit code 7/);
      assert.match(error.message, /something went very wrong/);
      assert.equal(error.details?.exitCode, 7);
    });

    test("errors: a CofferError's known code survives; others are action_failed; a BigInt result is refused", async () => {
      const known = await s.sandbox.runCustomAction(
        request(s.entry("tools.test.throws_coffer"), { args: { code: "invalid_argument" } }),
      );
      assert.deepEqual(known, {
        ok: false,
        error: { code: "invalid_argument", message: "the ticket id is not known", details: { ticket: 3 } },
      });
      const unknown = await s.sandbox.runCustomAction(
        request(s.entry("tools.test.throws_coffer"), { args: { code: "made_up_code" } }),
      );
      assert.equal((unknown as { error: { code: string } }).error.code, "action_failed");
      const plain = await s.sandbox.runCustomAction(request(s.entry("tools.test.throws_plain")));
      assert.deepEqual(plain, {
        ok: false,
        error: { code: "action_failed", message: "TypeError: cannot read the thing" },
      });
      const big = await s.sandbox.runCustomAction(request(s.entry("tools.test.bigint")));
      assert.equal((big as { error: { code: string } }).error.code, "action_result_invalid");
      assert.match((big as { error: { message: string } }).error.message, /cannot be sent as JSON/);
    });

    test("a cancelled run stops the child: action_cancelled", async () => {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 300);
      const outcome = await s.sandbox.runCustomAction(
        request(s.entry("tools.test.hang"), { signal: controller.signal, timeoutMs: 20_000 }),
      );
      assert.equal((outcome as { error: { code: string } }).error.code, "action_cancelled");
    });
  });
}

describe("bubblewrap layer on its own", () => {
  test("COFFER_HOME and the database file stay hidden even inside a folder bound readable", async () => {
    const root = await mkdtemp(join(tmpdir(), "coffer-bwrap-"));
    try {
      await mkdir(join(root, "home"));
      await writeFile(join(root, "home", "master.key"), CANARY);
      await writeFile(join(root, "coffer.db"), CANARY);
      await writeFile(join(root, "visible.txt"), "visible");
      const args = bubblewrapArgs([root], [join(root, "home")], [join(root, "coffer.db")]);
      const script = `cat ${root}/visible.txt; echo; ls -A ${root}/home | wc -l; cat ${root}/coffer.db 2>/dev/null | wc -c; cat ${root}/home/master.key 2>/dev/null || echo no-key; env | wc -l`;
      const { stdout } = await run("bwrap", [...args, "/bin/sh", "-c", script], { env: { SECRET_THING: CANARY } });
      const [visible, homeEntries, dbBytes, key] = stdout.trim().split("\n");
      assert.equal(visible, "visible");
      assert.equal(homeEntries!.trim(), "0");
      assert.equal(dbBytes!.trim(), "0");
      assert.equal(key, "no-key");
      assert.ok(!stdout.includes(CANARY));
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

describe("sandbox mode", () => {
  test("bubblewrap required but missing is a clear error at start", async () => {
    await assert.rejects(createSandbox({ mode: "bubblewrap", bwrapPath: "/nonexistent/bwrap" }), (error: Error) => {
      assert.equal((error as { code?: string }).code, "sandbox_unavailable");
      assert.match(error.message, /Install Debian's bubblewrap package/);
      return true;
    });
  });
  test("auto without bubblewrap warns once that isolation is weaker and uses the permission model", async () => {
    const warnings: string[] = [];
    const sandbox = await createSandbox({
      mode: "auto",
      bwrapPath: "/nonexistent/bwrap",
      logger: { warn: (m) => warnings.push(m) },
    });
    assert.equal(sandbox.kind, "node");
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /weaker isolation/);
  });
  test("auto with bubblewrap present uses it, without a warning", async () => {
    const warnings: string[] = [];
    const sandbox = await createSandbox({ mode: "auto", logger: { warn: (m) => warnings.push(m) } });
    assert.equal(sandbox.kind, "bubblewrap");
    assert.deepEqual(warnings, []);
  });
});
