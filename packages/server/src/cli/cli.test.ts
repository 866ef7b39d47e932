import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  canary,
  createTestEnvironment,
  ed25519PrivateKeyPem,
  internalsOf,
  LeakHunter,
  selfSignedCertificate,
  storedValues,
  storeHaystacks,
  type TestEnvironment,
  testDialects,
} from "@coffer/core/testing";
import { BIN, runCli, waitForOutput } from "../../test/support.js";

const READ_LOOP = join(process.cwd(), "packages/core/dist/src/testing/read-loop.js");

describe("coffer CLI (sqlite, embedded default)", () => {
  let env: TestEnvironment;
  before(async () => {
    env = await createTestEnvironment("sqlite");
  });
  after(() => env.cleanup());

  test("--version answers without opening a store", async () => {
    const r = await runCli({ COFFER_DATABASE_URL: "postgres://nobody@127.0.0.1:1/none" }, ["--version"]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^\d+\.\d+\.\d+\n$/);
  });

  test("the first command bootstraps: names the admin token file (0600), never prints a token", async () => {
    const r = await runCli(env.env, ["workspaces", "list", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const tokenFile = join(env.home, "admin.token");
    assert.match(
      r.stderr,
      new RegExp(`admin API token was written to ${tokenFile.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}`),
    );
    assert.equal(statSync(tokenFile).mode & 0o777, 0o600);
    assert.equal(statSync(join(env.home, "master.key")).mode & 0o777, 0o600);
    assert.match(r.stderr, /created a new encryption key file/);
    const token = readFileSync(tokenFile, "utf8").trim();
    assert.ok(token.length > 40);
    assert.ok(!r.stdout.includes(token) && !r.stderr.includes(token));
    const workspaces = JSON.parse(r.stdout) as { slug: string }[];
    assert.deepEqual(
      workspaces.map((w) => w.slug),
      ["default"],
    );
    const again = await runCli(env.env, ["workspaces", "list"]);
    assert.ok(!again.stderr.includes("Initialised"), "bootstraps only once");
  });

  test("create, list, show, update, versions, restore, delete with --json shapes", async () => {
    let r = await runCli(env.env, ["secrets", "create", "slack", "SLACK_BOT_TOKEN=xoxb-1=2", "REGION=eu", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const created = JSON.parse(r.stdout) as { keys: string[]; version: number; environment: string };
    assert.deepEqual(created.keys, ["SLACK_BOT_TOKEN", "REGION"]);
    assert.equal(created.environment, "default");

    r = await runCli(env.env, ["secrets", "create", "slack", "--env", "prod", "SLACK_BOT_TOKEN=p"]);
    assert.equal(r.code, 0, r.stderr);

    r = await runCli(env.env, ["secrets", "list", "--json"]);
    const all = JSON.parse(r.stdout) as { name: string; environment: string }[];
    assert.deepEqual(
      all.map((s) => `${s.name}@${s.environment}`),
      ["slack@default", "slack@prod"],
    );
    r = await runCli(env.env, ["secrets", "list", "--env", "prod", "--json"]);
    assert.equal((JSON.parse(r.stdout) as unknown[]).length, 1);

    r = await runCli(env.env, ["secrets", "update", "slack", "NEW=-", "--unset", "REGION", "--json"], "from stdin\n");
    assert.equal(r.code, 0, r.stderr);
    const updated = JSON.parse(r.stdout) as { keys: string[]; version: number };
    assert.deepEqual(updated.keys, ["SLACK_BOT_TOKEN", "NEW"]);
    assert.equal(updated.version, 2);

    r = await runCli(env.env, ["secrets", "versions", "slack", "--json"]);
    const versions = JSON.parse(r.stdout) as { number: number; keys: string[]; current: boolean }[];
    assert.deepEqual(
      versions.map((v) => [v.number, v.current]),
      [
        [2, true],
        [1, false],
      ],
    );

    r = await runCli(env.env, ["secrets", "restore", "slack", "1", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual((JSON.parse(r.stdout) as { keys: string[] }).keys, ["SLACK_BOT_TOKEN", "REGION"]);

    r = await runCli(env.env, ["secrets", "show", "slack", "--env", "prod"]);
    assert.match(r.stdout, /environment: prod/);

    r = await runCli(env.env, ["secrets", "delete", "slack", "--env", "prod", "--json"]);
    assert.equal((JSON.parse(r.stdout) as { deleted: boolean }).deleted, true);
    r = await runCli(env.env, ["secrets", "show", "slack", "--env", "prod"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /No secret named 'slack' in environment 'prod'.*\[secret_not_found\]/);
  });

  test("structured types from files; a workspace of its own", async () => {
    const dir = env.home;
    const cert = selfSignedCertificate("cli.example", 5);
    writeFileSync(join(dir, "id_ed25519"), ed25519PrivateKeyPem());
    writeFileSync(join(dir, "cert.pem"), cert.certificate);
    writeFileSync(join(dir, "key.pem"), cert.privateKey);
    let r = await runCli(env.env, ["workspaces", "create", "ir-team"]);
    assert.equal(r.code, 0, r.stderr);
    r = await runCli(env.env, [
      "secrets",
      "create",
      "jump",
      "--workspace",
      "ir-team",
      "--type",
      "ssh_key",
      `PRIVATE_KEY=@${join(dir, "id_ed25519")}`,
    ]);
    assert.equal(r.code, 0, r.stderr);
    r = await runCli(env.env, [
      "secrets",
      "create",
      "client",
      "-w",
      "ir-team",
      "-t",
      "mtls",
      `TLS_CERTIFICATE=@${join(dir, "cert.pem")}`,
      `TLS_PRIVATE_KEY=@${join(dir, "key.pem")}`,
      "--json",
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok((JSON.parse(r.stdout) as { expires_at: string | null }).expires_at);
    r = await runCli(env.env, ["secrets", "list", "--json"]);
    assert.ok(
      !(JSON.parse(r.stdout) as { name: string }[]).some((s) => s.name === "jump"),
      "default workspace does not see ir-team's secrets",
    );
  });

  test("exit codes: 1 for user errors with a message that says what to do, 2 for internal ones", async () => {
    let r = await runCli(env.env, ["secrets", "create", "Bad-Name", "K=v"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Secret name 'Bad-Name' is invalid.*\[invalid_secret_name\]/);
    r = await runCli(env.env, ["secrets", "create", "x", "novalue"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /KEY=VALUE/);
    r = await runCli(env.env, ["secrets", "frobnicate"]);
    assert.equal(r.code, 1);
    r = await runCli({ ...env.env, COFFER_VERSIONS_KEPT: "zero" }, ["secrets", "list"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /COFFER_VERSIONS_KEPT must be a whole number/);
    r = await runCli(
      {
        ...env.env,
        COFFER_DATABASE_URL: "postgres://nobody@127.0.0.1:1/none",
        COFFER_ENCRYPTION_KEYS: "k:" + Buffer.alloc(32).toString("base64"),
      },
      ["secrets", "list"],
    );
    assert.equal(r.code, 2);
    assert.match(r.stderr, /Cannot connect to PostgreSQL/);
  });

  test("audit verify: intact, then an edited event makes it fail naming the event", async () => {
    let r = await runCli(env.env, ["audit", "verify"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Audit log intact: \d+ event/);
    const coffer = await env.open();
    await internalsOf(coffer)
      .database.db.updateTable("audit_events")
      .set({ target_name: "edited" })
      .where("seq", "=", 4)
      .execute();
    await coffer.close();
    r = await runCli(env.env, ["audit", "verify"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Audit event #4 .* was altered/);
  });
});

for (const dialect of await testDialects("coffer CLI leak hunt")) {
  describe(`coffer CLI leak hunt (${dialect})`, () => {
    test("no submitted value in any output, error or the database in clear", async () => {
      const env = await createTestEnvironment(dialect);
      try {
        const planted = {
          arg: canary("arg"),
          file: canary("file"),
          stdin: canary("stdin"),
          update: canary("update"),
          badName: canary("badname"),
          tooBig: canary("toobig"),
          pem: canary("pem"),
          dup: canary("dup"),
          wrongCheck: canary("wrongcheck"),
          dotenv: canary("dotenv"),
          dotenvBad: canary("dotenvbad"),
        };
        const outputs: string[] = [];
        const run = async (args: string[], input?: string) => {
          const r = await runCli({ ...env.env, COFFER_LOG_LEVEL: "debug" }, args, input);
          outputs.push(r.stdout, r.stderr);
          return r;
        };
        writeFileSync(join(env.home, "value.txt"), planted.file);
        assert.equal(
          (
            await run(
              ["secrets", "create", "leaky", `A=${planted.arg}`, `B=@${join(env.home, "value.txt")}`, "C=-", "--json"],
              planted.stdin,
            )
          ).code,
          0,
        );
        assert.equal((await run(["secrets", "update", "leaky", `D=${planted.update}`, "--json"])).code, 0);
        for (const args of [
          ["secrets", "show", "leaky"],
          ["secrets", "show", "leaky", "--json"],
          ["secrets", "list"],
          ["secrets", "list", "--json"],
          ["secrets", "versions", "leaky", "--json"],
          ["keys", "rotate"],
          ["audit", "verify", "--json"],
          ["audit", "list", "--json"],
          ["audit", "list"],
        ]) {
          assert.equal((await run(args)).code, 0);
        }
        assert.equal((await run(["secrets", "check", "leaky", "A", "--json"], planted.arg)).code, 0);
        assert.equal((await run(["secrets", "check", "leaky", "A"], planted.wrongCheck)).code, 1);
        assert.equal((await run(["secrets", "check", "leaky", "A", "--json"], planted.wrongCheck)).code, 1);
        writeFileSync(join(env.home, "good.env.txt"), `export TOKEN="${planted.dotenv}"\n`);
        writeFileSync(join(env.home, "bad.env.txt"), `bad-key=${planted.dotenvBad}\n`);
        assert.equal((await run(["secrets", "import", join(env.home, "good.env.txt"), "--name", "imported"])).code, 0);
        assert.equal(
          (await run(["secrets", "import", join(env.home, "bad.env.txt"), "--name", "nope", "--json"])).code,
          1,
        );
        // invalid requests carrying values
        assert.equal((await run(["secrets", "create", "Bad-Name", `K=${planted.badName}`])).code, 1);
        assert.equal((await run(["secrets", "create", "big", `K=${planted.tooBig}${"x".repeat(70_000)}`])).code, 1);
        const brokenPem = `-----BEGIN PRIVATE KEY-----\n${planted.pem}\n-----END PRIVATE KEY-----\n`;
        assert.equal(
          (await run(["secrets", "create", "badkey", "--type", "ssh_key", `PRIVATE_KEY=${brokenPem}`])).code,
          1,
        );
        assert.equal((await run(["secrets", "create", "leaky", `A=${planted.dup}`])).code, 1);
        assert.equal((await run(["secrets", "create", "dupkeys", `A=${planted.dup}`, `A=${planted.dup}`])).code, 1);

        const hunter = new LeakHunter(planted);
        hunter.assertClean(outputs.join("\n"), "CLI output");
        // value.txt is the input file the test wrote.
        for (const { where, data } of await storeHaystacks(env, { skipFiles: (name) => name.endsWith(".txt") }))
          hunter.assertClean(data, where);
      } finally {
        await env.cleanup();
      }
    });
  });
}

for (const dialect of await testDialects("coffer CLI across processes")) {
  describe(`coffer CLI across processes (${dialect})`, () => {
    test("concurrent creates of the same (name, environment) from several processes: exactly one succeeds", async () => {
      const env = await createTestEnvironment(dialect);
      try {
        assert.equal((await runCli(env.env, ["workspaces", "list"])).code, 0);
        const results = await Promise.all(
          Array.from({ length: 4 }, (_, i) =>
            runCli(env.env, ["secrets", "create", "contested", `K=v${i}`, "--env", "prod"]),
          ),
        );
        assert.deepEqual(results.map((r) => r.code).sort(), [0, 1, 1, 1], results.map((r) => r.stderr).join("\n"));
        for (const r of results.filter((x) => x.code === 1))
          assert.match(r.stderr, /already exists in environment 'prod'.*\[secret_exists\]/);
        const audit = await runCli(env.env, ["audit", "verify"]);
        assert.equal(audit.code, 0, audit.stderr);
      } finally {
        await env.cleanup();
      }
    });

    test("a rotation run while another process keeps reading: no failed read", async () => {
      const env = await createTestEnvironment(dialect);
      const newKey = `rot2:${Buffer.alloc(32, 9).toString("base64")}`;
      // environment mode: every process gets the new keyring first (the documented order)
      const rotateEnv =
        dialect === "postgres"
          ? { ...env.env, COFFER_ENCRYPTION_KEYS: `${newKey},${env.env.COFFER_ENCRYPTION_KEYS}` }
          : env.env;
      let reader: ChildProcess | undefined;
      try {
        const coffer = await env.open();
        await coffer.bootstrap({ actor: "test" });
        const ws = (await coffer.workspaces.resolve("default")).id;
        const names = Array.from({ length: 40 }, (_, i) => `r_${i}`);
        for (const name of names)
          await coffer.secrets.create(ws, { name, keys: [{ key: "K", value: name }] }, { actor: "test" });
        await coffer.close();

        const stopFile = join(env.home, "stop");
        reader = spawn(process.execPath, [READ_LOOP], {
          env: { ...rotateEnv, COFFER_TEST_NAMES: names.join(","), COFFER_TEST_STOP_FILE: stopFile },
        });
        let out = "";
        reader.stdout?.on("data", (d: Buffer) => (out += d.toString()));
        const closed = new Promise((resolve) => reader?.on("close", resolve));
        await waitForOutput(reader.stdout as NodeJS.ReadableStream, "ready");
        for (let i = 0; i < 2; i++) {
          const r = await runCli({ ...rotateEnv, COFFER_ROTATION_BATCH_SIZE: "3" }, ["keys", "rotate", "--json"]);
          assert.equal(r.code, 0, r.stderr);
        }
        writeFileSync(stopFile, "");
        await closed;
        const stats = JSON.parse(out.split("\n").filter(Boolean).pop() ?? "{}") as {
          reads: number;
          failures: number;
          corrupted: number;
          missing: number;
        };
        assert.ok(stats.reads > 0, "the reader read");
        assert.equal(stats.failures, 0);
        assert.equal(stats.corrupted, 0);
        assert.equal(stats.missing, 0);
      } finally {
        reader?.kill();
        await env.cleanup();
      }
    });
  });
}

describe("coffer keys rotate killed half-way (sqlite, key file)", () => {
  test("the next run resumes without adding another key, and every secret decrypts", async () => {
    const env = await createTestEnvironment("sqlite");
    try {
      const coffer = await env.open();
      await coffer.bootstrap({ actor: "test" });
      const ws = (await coffer.workspaces.resolve("default")).id;
      for (let i = 0; i < 12; i++)
        await coffer.secrets.create(ws, { name: `k_${i}`, keys: [{ key: "K", value: `v${i}` }] }, { actor: "test" });
      const oldKid = internalsOf(coffer).keyring.active.kid;
      // Hold the write lock so the rotation blocks on its first batch; then kill it.
      const { default: Sqlite } = await import("better-sqlite3");
      const locker = new Sqlite(join(env.home, "coffer.db"));
      locker.exec("begin immediate");
      const child = spawn(process.execPath, [BIN, "keys", "rotate"], {
        env: { PATH: process.env.PATH ?? "", ...env.env, COFFER_ROTATION_BATCH_SIZE: "4" },
      });
      const keyFile = join(env.home, "master.key");
      const started = Date.now();
      while (
        readFileSync(keyFile, "utf8")
          .split("\n")
          .filter((l) => l && !l.startsWith("#")).length < 2
      ) {
        assert.ok(Date.now() - started < 30_000, "rotation never added its key");
        await new Promise((r) => setTimeout(r, 20));
      }
      // The lock is held, so the rotation cannot have re-wrapped anything yet: kill it now.
      child.kill("SIGKILL");
      await new Promise((r) => child.on("close", r));
      locker.exec("rollback");
      locker.close();

      const status = await coffer.keys.status();
      assert.equal(status.find((s) => s.kid === oldKid)?.versions, 12, "nothing was re-wrapped before the kill");

      const r = await runCli(env.env, ["keys", "rotate", "--json"]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /Resuming an unfinished rotation/);
      const result = JSON.parse(r.stdout) as { addedKey: boolean; rewrapped: number };
      assert.equal(result.addedKey, false);
      assert.equal(result.rewrapped, 12);
      const lines = readFileSync(keyFile, "utf8")
        .split("\n")
        .filter((l) => l && !l.startsWith("#"));
      assert.equal(lines.length, 2, "no third key");
      const resolved = await storedValues(
        coffer,
        ws,
        "default",
        Array.from({ length: 12 }, (_, i) => `k_${i}`),
      );
      for (let i = 0; i < 12; i++) assert.deepEqual(resolved.get(`k_${i}`)?.values, { K: `v${i}` });
      assert.ok(existsSync(keyFile));
      await coffer.close();
    } finally {
      await env.cleanup();
    }
  });
});

for (const dialect of (await testDialects("coffer keys rotate killed half-way")).filter((d) => d === "postgres")) {
  describe(`coffer keys rotate killed half-way (${dialect}, COFFER_ENCRYPTION_KEYS)`, () => {
    test("batches before the kill stay rotated, the next run finishes, the old key can be dropped", async () => {
      const env = await createTestEnvironment(dialect);
      const newKey = `half2:${Buffer.alloc(32, 5).toString("base64")}`;
      const rotateEnv = { ...env.env, COFFER_ENCRYPTION_KEYS: `${newKey},${env.env.COFFER_ENCRYPTION_KEYS}` };
      try {
        const coffer = await env.open();
        await coffer.bootstrap({ actor: "test" });
        const ws = (await coffer.workspaces.resolve("default")).id;
        const names = Array.from({ length: 30 }, (_, i) => `h_${i}`);
        for (const name of names)
          await coffer.secrets.create(ws, { name, keys: [{ key: "K", value: `${name}!` }] }, { actor: "test" });
        const ids = (
          await internalsOf(coffer).database.db.selectFrom("secret_versions").select("id").orderBy("id").execute()
        ).map((r) => r.id);
        const rotated = async () =>
          Number(
            (
              await internalsOf(coffer)
                .database.db.selectFrom("secret_versions")
                .select((eb) => eb.fn.countAll<number>().as("n"))
                .where("kid", "=", "half2")
                .executeTakeFirstOrThrow()
            ).n,
          );

        // Another transaction holds the 16th row (in id order): the rotation (batches of 5) commits
        // three batches, then waits on the fourth; it is killed there.
        let release = () => {};
        const held = new Promise<void>((resolve) => (release = resolve));
        let locked = () => {};
        const isLocked = new Promise<void>((resolve) => (locked = resolve));
        const holder = internalsOf(coffer)
          .database.db.transaction()
          .execute(async (trx) => {
            await trx.selectFrom("secret_versions").select("id").where("id", "=", ids[15]!).forUpdate().execute();
            locked();
            await held;
          });
        await isLocked;
        const child = spawn(process.execPath, [BIN, "keys", "rotate"], {
          env: { PATH: process.env.PATH ?? "", ...rotateEnv, COFFER_ROTATION_BATCH_SIZE: "5" },
        });
        const started = Date.now();
        while ((await rotated()) < 15) {
          assert.ok(Date.now() - started < 30_000, "the first three batches were never committed");
          await new Promise((r) => setTimeout(r, 25));
        }
        // The fourth batch waits on the locked row, so no more than 15 can be committed: kill it now.
        child.kill("SIGKILL");
        await new Promise((r) => child.on("close", r));
        release();
        await holder;
        assert.equal(await rotated(), 15, "killed half-way: 15 of 30 re-wrapped");

        const again = await runCli({ ...rotateEnv, COFFER_ROTATION_BATCH_SIZE: "5" }, ["keys", "rotate", "--json"]);
        assert.equal(again.code, 0, again.stderr);
        assert.equal((JSON.parse(again.stdout) as { rewrapped: number }).rewrapped, 15);
        await coffer.close();

        const onlyNewKey = await env.open({ COFFER_ENCRYPTION_KEYS: newKey });
        const resolved = await storedValues(onlyNewKey, ws, "default", names);
        for (const name of names) assert.deepEqual(resolved.get(name)?.values, { K: `${name}!` });
        await onlyNewKey.close();
      } finally {
        await env.cleanup();
      }
    });
  });
}
