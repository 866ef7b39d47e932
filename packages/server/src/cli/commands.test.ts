// The commands of issue 9 §3, run as a user would: `coffer …` as a real process.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { canary, createTestEnvironment, internalsOf, type TestEnvironment } from "@coffer/core/testing";
import { BIN, type CliResult, runCli } from "../../test/support.js";

const PTY_RUN = join(process.cwd(), "packages/server/src/cli/pty-run.test-support.py");

/** Runs `coffer …` in a real pseudo-terminal, typing `typed` at its hidden prompt; stdout is what the terminal showed. */
function runInTerminal(env: Record<string, string>, args: string[], typed = ""): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn("python3", [PTY_RUN, process.execPath, BIN, ...args], {
      env: { PATH: process.env.PATH ?? "", ...env, PTY_INPUT: typed },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("coffer audit list (sqlite)", () => {
  let env: TestEnvironment;
  const value = canary("audit-list");
  before(async () => {
    env = await createTestEnvironment("sqlite");
    for (const name of ["alpha", "beta"]) {
      const r = await runCli(env.env, ["secrets", "create", name, `K=${value}`]);
      assert.equal(r.code, 0, r.stderr);
    }
    const r = await runCli(env.env, ["secrets", "update", "alpha", "K=-"], `${value}-2\n`);
    assert.equal(r.code, 0, r.stderr);
  });
  after(() => env.cleanup());

  test("--json: {items, next_cursor}, newest first, never a value; --secret and --limit", async () => {
    const r = await runCli(env.env, ["audit", "list", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!r.stdout.includes(value) && !r.stderr.includes(value));
    const page = JSON.parse(r.stdout) as {
      items: { seq: number; action: string; actor: string; target: { name: string | null } }[];
      next_cursor: string | null;
    };
    assert.equal(page.next_cursor, null);
    assert.deepEqual(
      page.items.slice(0, 3).map((i) => `${i.action} ${i.target.name}`),
      ["secret.update alpha", "secret.create beta", "secret.create alpha"],
    );
    assert.match(page.items[0]?.actor ?? "", /^cli:/);

    const only = JSON.parse((await runCli(env.env, ["audit", "list", "--secret", "alpha", "--json"])).stdout) as {
      items: { action: string }[];
    };
    assert.deepEqual(
      only.items.map((i) => i.action),
      ["secret.update", "secret.create"],
    );

    const first = await runCli(env.env, ["audit", "list", "--limit", "1", "--json"]);
    const one = JSON.parse(first.stdout) as { items: { seq: number }[]; next_cursor: string };
    assert.equal(one.items.length, 1);
    assert.ok(one.next_cursor);
    const next = JSON.parse(
      (await runCli(env.env, ["audit", "list", "--limit", "1", "--cursor", one.next_cursor, "--json"])).stdout,
    ) as { items: { seq: number }[] };
    assert.equal(next.items[0]?.seq, (one.items[0]?.seq ?? 0) - 1);
  });

  test("human table, --since, and clear errors for a bad date or limit", async () => {
    const r = await runCli(env.env, ["audit", "list"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^SEQ\s+TIME\s+ACTOR\s+ACTION\s+OUTCOME\s+TARGET\s+ENVIRONMENT\n/);
    assert.match(r.stdout, /secret\.update\s+success\s+alpha\s+default/);
    const future = await runCli(env.env, ["audit", "list", "--since", "2999-01-01"]);
    assert.equal(future.code, 0, future.stderr);
    assert.equal(future.stdout, "No audit events.\n");
    const bad = await runCli(env.env, ["audit", "list", "--since", "last tuesday"]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /ISO-8601.*\[invalid_argument\]/);
    const limit = await runCli(env.env, ["audit", "list", "--limit", "0"]);
    assert.equal(limit.code, 1);
    assert.match(limit.stderr, /--limit must be a whole number from 1 to 1000/);
  });
});

describe("a write refused for an invalid audit anchor (sqlite)", () => {
  test("exits 1 with its stable code and says what to run", async () => {
    const env = await createTestEnvironment("sqlite");
    try {
      assert.equal((await runCli(env.env, ["secrets", "create", "first", "K=v"])).code, 0);
      const coffer = await env.open();
      await internalsOf(coffer)
        .database.db.updateTable("audit_anchor")
        .set({ mac: "00".repeat(32) })
        .execute();
      await coffer.close();
      const r = await runCli(env.env, ["secrets", "create", "second", "K=v"]);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /anchor does not verify.*coffer audit verify.*\[audit_anchor_invalid\]/);
    } finally {
      await env.cleanup();
    }
  });
});

describe("coffer secrets check, KEY=- at a terminal, --json errors (sqlite)", () => {
  let env: TestEnvironment;
  const value = canary("check");
  before(async () => {
    env = await createTestEnvironment("sqlite");
    const r = await runCli(env.env, ["secrets", "create", "api", "TOKEN=-", "OTHER=@/dev/null"], `${value}\n`);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /shell history/, "no hint when no value is typed on the command line");
  });
  after(() => env.cleanup());

  test("exit 0 when the value matches, 1 (value_mismatch) when not, 2 for usage errors; audited without a value", async () => {
    let r = await runCli(env.env, ["secrets", "check", "api", "TOKEN"], `${value}\n`);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Matches: key TOKEN of secret 'api' in environment 'default'/);
    r = await runCli(env.env, ["secrets", "check", "api", "TOKEN"], `${value}x`);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /does not match key TOKEN of secret 'api'.*\[value_mismatch\]/);
    r = await runCli(env.env, ["secrets", "check", "api", "TOKEN"], `${value}\n\n`);
    assert.equal(r.code, 1, "only one trailing newline is stripped");
    r = await runCli(env.env, ["secrets", "check", "api", "TOKEN", "--json"], value);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), {
      match: true,
      name: "api",
      environment: "default",
      key: "TOKEN",
      version: 1,
    });
    r = await runCli(env.env, ["secrets", "check", "api", "NOPE"], value);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /has no key 'NOPE' \(its keys: TOKEN, OTHER\).*\[secret_key_not_found\]/);
    r = await runCli(env.env, ["secrets", "check", "api"], value);
    assert.equal(r.code, 2, "a missing argument is a usage error");
    r = await runCli(env.env, ["secrets", "check", "api", "TOKEN", "--bogus"], value);
    assert.equal(r.code, 2);
    r = await runCli(env.env, ["secrets", "check", "missing", "TOKEN"], value);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /\[secret_not_found\]/);

    const log = await runCli(env.env, ["audit", "list", "--secret", "api", "--json"]);
    assert.ok(!log.stdout.includes(value));
    const checks = (JSON.parse(log.stdout) as { items: { action: string; outcome: string; details: unknown }[] }).items
      .filter((i) => i.action === "secret.check")
      .map((i) => [i.outcome, i.details]);
    assert.deepEqual(checks.slice(0, 3), [
      ["success", { key: "TOKEN", match: true, version: 1 }],
      ["failure", { key: "TOKEN", match: false, version: 1 }],
      ["failure", { key: "TOKEN", match: false, version: 1 }],
    ]);
  });

  test("--json: errors are {error: {code, message}} on stderr and stdout holds only the document", async () => {
    let r = await runCli(env.env, ["secrets", "check", "api", "TOKEN", "--json"], "wrong");
    assert.equal(r.code, 1);
    assert.deepEqual(JSON.parse(r.stdout), {
      match: false,
      name: "api",
      environment: "default",
      key: "TOKEN",
      version: 1,
    });
    const error = JSON.parse(r.stderr) as { error: { code: string; message: string } };
    assert.equal(error.error.code, "value_mismatch");
    assert.match(error.error.message, /does not match/);
    r = await runCli(env.env, ["secrets", "show", "nothing", "--json"]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, "");
    assert.equal((JSON.parse(r.stderr) as { error: { code: string } }).error.code, "secret_not_found");
    r = await runCli(env.env, ["secrets", "show", "--json"]);
    assert.equal(r.code, 1);
    assert.equal((JSON.parse(r.stderr) as { error: { code: string; message: string } }).error.code, "invalid_argument");
    r = await runCli({ ...env.env, COFFER_LOG_LEVEL: "debug" }, ["secrets", "list", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(Array.isArray(JSON.parse(r.stdout)), "stdout parses as one JSON document");
  });

  test("a value typed on the command line gets a one-line hint about shell history", async () => {
    const r = await runCli(env.env, ["secrets", "create", "typed", `K=${value}`, "L=x"]);
    assert.equal(r.code, 0, r.stderr);
    const hints = r.stderr.split("\n").filter((l) => l.includes("shell history"));
    assert.equal(hints.length, 1);
    assert.match(hints[0] ?? "", /\(K, L\).*KEY=-.*KEY=@file/);
    assert.ok(!r.stderr.includes(value));
    const vars = await runCli(env.env, ["vars", "create", "settings", "REGION=eu"]);
    assert.equal(vars.code, 0, vars.stderr);
    assert.doesNotMatch(vars.stderr, /shell history/, "variables are not secret: no hint");
  });

  test("KEY=- and check at a real terminal prompt without echo", async () => {
    const typed = canary("tty");
    let r = await runInTerminal(env.env, ["secrets", "create", "ttysecret", "K=-"], typed);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /Value for K \(not shown\): /);
    assert.ok(!r.stdout.includes(typed), "the typed value was echoed");
    assert.match(r.stdout, /Created secret 'ttysecret'/);
    r = await runCli(env.env, ["secrets", "check", "ttysecret", "K"], typed);
    assert.equal(r.code, 0, "the prompted value is what was stored");
    r = await runInTerminal(env.env, ["secrets", "check", "ttysecret", "K"], typed);
    assert.equal(r.code, 0, r.stdout);
    assert.ok(!r.stdout.includes(typed));
    r = await runInTerminal(env.env, ["secrets", "check", "ttysecret", "K"], "not it");
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stdout, /\[value_mismatch\]/);
  });
});

describe("coffer secrets import (sqlite)", () => {
  let env: TestEnvironment;
  before(async () => {
    env = await createTestEnvironment("sqlite");
  });
  after(() => env.cleanup());

  test("dotenv syntax: comments, quotes, escapes, export prefixes; one custom secret with those keys", async () => {
    const secret = canary("dotenv");
    const file = join(env.home, "app.env");
    writeFileSync(
      file,
      [
        "# database settings",
        `export DB_PASSWORD='${secret}'`,
        'GREETING="hello\\nworld"',
        "PLAIN=a b c # trailing comment",
        "",
        "EMPTY=",
        'QUOTED_HASH="x#y"',
      ].join("\n"),
    );
    const r = await runCli(env.env, [
      "secrets",
      "import",
      file,
      "--name",
      "app",
      "--env",
      "prod",
      "-d",
      "from .env",
      "--tag",
      "team=sec",
      "--json",
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!r.stdout.includes(secret) && !r.stderr.includes(secret));
    const item = JSON.parse(r.stdout) as {
      keys: string[];
      type: string;
      environment: string;
      description: string;
      tags: object;
    };
    assert.deepEqual(item.keys, ["DB_PASSWORD", "GREETING", "PLAIN", "EMPTY", "QUOTED_HASH"]);
    assert.equal(item.type, "custom");
    assert.equal(item.environment, "prod");
    assert.equal(item.description, "from .env");
    assert.deepEqual(item.tags, { team: "sec" });
    const expected: [string, string][] = [
      ["DB_PASSWORD", secret],
      ["GREETING", "hello\nworld"],
      ["PLAIN", "a b c"],
      ["QUOTED_HASH", "x#y"],
    ];
    for (const [key, value] of expected) {
      const c = await runCli(env.env, ["secrets", "check", "app", key, "--env", "prod"], value);
      assert.equal(c.code, 0, `${key}: ${c.stderr}`);
    }
  });

  test("an invalid key name is refused naming the key and its line, never the value", async () => {
    const secret = canary("dotenv-bad");
    const file = join(env.home, "bad.env");
    writeFileSync(file, `# header\nGOOD=1\n\nbad-key=${secret}\n`);
    const r = await runCli(env.env, ["secrets", "import", file, "--name", "bad"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /bad\.env, line 4: .*'bad-key'.*\[invalid_key_name\]/);
    assert.ok(!r.stderr.includes(secret) && !r.stdout.includes(secret));
    const none = join(env.home, "none.env");
    writeFileSync(none, "# nothing here\n");
    const empty = await runCli(env.env, ["secrets", "import", none, "--name", "none"]);
    assert.equal(empty.code, 1);
    assert.match(empty.stderr, /holds no KEY=value lines.*\[no_keys\]/);
    const missing = await runCli(env.env, ["secrets", "import", join(env.home, "nope.env"), "--name", "x"]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /Cannot read the file to import .*ENOENT/);
    const noName = await runCli(env.env, ["secrets", "import", file]);
    assert.equal(noName.code, 1);
    assert.match(noName.stderr, /--name/);
  });
});

describe("expiry in secrets list and show (sqlite)", () => {
  test("'expired' and 'expires in N days' in human output, an expiry field in --json", async () => {
    const env = await createTestEnvironment("sqlite");
    try {
      const day = 24 * 60 * 60 * 1000;
      const soon = new Date(Date.now() + 10.5 * day).toISOString();
      for (const [name, at] of [
        ["old", "2020-01-01"],
        ["soon", soon],
        ["never", undefined],
      ] as const) {
        const r = await runCli(env.env, [
          "secrets",
          "create",
          name,
          "K=@/dev/null",
          ...(at ? ["--expires-at", at] : []),
        ]);
        assert.equal(r.code, 0, r.stderr);
      }
      let r = await runCli(env.env, ["secrets", "list"]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^never .*\n/m);
      assert.match(r.stdout, /^old .*2020-01-01 \(expired\)$/m);
      assert.match(r.stdout, new RegExp(`^soon .*${soon.slice(0, 10)} \\(expires in 10 days\\)$`, "m"));
      r = await runCli(env.env, ["secrets", "show", "soon"]);
      assert.match(r.stdout, /expires_at: {2}\S+ \(expires in 10 days\)/);
      r = await runCli(env.env, ["secrets", "show", "old"]);
      assert.match(r.stdout, /expires_at: {2}2020-01-01T00:00:00.000Z \(expired\)/);
      r = await runCli(env.env, ["secrets", "list", "--json"]);
      const items = JSON.parse(r.stdout) as { name: string; expiry: { state: string; days_left: number | null } }[];
      assert.deepEqual(
        items.map((i) => [i.name, i.expiry.state]),
        [
          ["never", "none"],
          ["old", "expired"],
          ["soon", "expiring"],
        ],
      );
      assert.equal(items.find((i) => i.name === "soon")?.expiry.days_left, 10);
    } finally {
      await env.cleanup();
    }
  });
});

describe("help text", () => {
  test("list --help says once what no --env means (secrets and vars)", async () => {
    for (const group of ["secrets", "vars"]) {
      const r = await runCli({}, [group, "list", "--help"]);
      assert.equal(r.code, 0, r.stderr);
      const help = r.stdout.replace(/\s+/g, " ");
      assert.match(help, /--env <environment> only this environment \(default: every environment\) --json/);
    }
    const show = await runCli({}, ["secrets", "show", "--help"]);
    assert.match(show.stdout.replace(/\s+/g, " "), /--env <environment> environment \(default: "default"\) --json/);
  });
});

describe("tables fit the terminal (sqlite)", () => {
  test("long names and key lists are cut with … to the terminal's width; piped output is not cut", async () => {
    const env = await createTestEnvironment("sqlite");
    try {
      const name = `a_very_long_secret_name_${"x".repeat(60)}`;
      const keys = Array.from({ length: 12 }, (_, i) => `SOME_RATHER_LONG_KEY_${i}=-`);
      const r0 = await runCli(
        env.env,
        ["secrets", "create", name, keys[0] ?? "", ...keys.slice(1).map((k) => k.replace("=-", "=@/dev/null"))],
        "v",
      );
      assert.equal(r0.code, 0, r0.stderr);
      const r = await runInTerminal({ ...env.env, PTY_COLUMNS: "80" }, ["secrets", "list"]);
      assert.equal(r.code, 0, r.stdout);
      const lines = r.stdout.split(/\r?\n/).filter((l) => l.trim() !== "");
      assert.ok(lines.length >= 2, r.stdout);
      for (const line of lines) assert.ok([...line].length <= 80, `line wider than the terminal: ${line}`);
      assert.match(r.stdout, /\na_very_long_se\S*… {2}/);
      assert.match(r.stdout, / {2}SOME_RATHER_L\S*… {2}/);
      const piped = await runCli(env.env, ["secrets", "list"]);
      assert.ok(piped.stdout.includes(name) && piped.stdout.includes("SOME_RATHER_LONG_KEY_11"));
    } finally {
      await env.cleanup();
    }
  });
});
