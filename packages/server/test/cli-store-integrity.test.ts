import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { canary, createTestEnvironment, internalsOf, type TestEnvironment } from "@coffer/core/testing";
import { runCli } from "./support.js";

describe("coffer CLI: binary input, metadata reads and secrets verify (sqlite)", () => {
  let env: TestEnvironment;
  before(async () => {
    env = await createTestEnvironment("sqlite", { useKeyFile: false });
  });
  after(() => env.cleanup());

  test("KEY=@file with bytes that are not UTF-8 is refused with a base64 hint, and nothing is stored", async () => {
    const der = join(env.home, "cert.der");
    writeFileSync(der, Buffer.from([0x30, 0x82, 0x01, 0xff, 0xfe, 0x80, 0x00, 0x41]));
    const r = await runCli(env.env, ["secrets", "create", "binary", `BLOB=@${der}`]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /not UTF-8 text.*base64/s);
    assert.match(r.stderr, /\[invalid_utf8\]/);
    const list = await runCli(env.env, ["secrets", "list", "--json"]);
    assert.deepEqual(JSON.parse(list.stdout), []);
  });

  test("invalid UTF-8 on standard input is refused the same way", async () => {
    const { spawn } = await import("node:child_process");
    const { BIN } = await import("./support.js");
    const child = spawn(process.execPath, [BIN, "secrets", "create", "piped", "K=-"], {
      env: { ...env.env, PATH: process.env.PATH ?? "" },
    });
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    child.stdin.end(Buffer.from([0xc3, 0x28, 0x0a]));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    assert.equal(code, 1, stderr);
    assert.match(stderr, /Standard input is not UTF-8/);
  });

  test("list and show do not decrypt (a wrong key with the same id reads as ok); verify decrypts and reports", async () => {
    const value = canary("verify");
    assert.equal((await runCli(env.env, ["secrets", "create", "api", `TOKEN=${value}`])).code, 0);
    const [kid] = env.env.COFFER_ENCRYPTION_KEYS!.split(":");
    const wrongKey = { ...env.env, COFFER_ENCRYPTION_KEYS: `${kid}:${Buffer.alloc(32, 200).toString("base64")}` };
    const show = await runCli(wrongKey, ["secrets", "show", "api", "--json"]);
    assert.equal(show.code, 0, show.stderr);
    assert.equal(JSON.parse(show.stdout).status, "ok", "a metadata read cannot tell: it never opened the value");

    const verify = await runCli(wrongKey, ["secrets", "verify"]);
    assert.equal(verify.code, 1);
    assert.match(verify.stdout, /api\s+default\s+1\s+yes\s+does not decrypt/);
    assert.match(verify.stderr, /\[secrets_corrupted\]/);
    assert.match(verify.stderr, /audit log refused to record this check/);
    assert.ok(!(verify.stdout + verify.stderr).includes(value));
    const after = await runCli(wrongKey, ["secrets", "list", "--json"]);
    assert.equal(JSON.parse(after.stdout)[0].status, "corrupted", "verify marked it for later reads");

    const good = await runCli(env.env, ["secrets", "verify", "--json"]);
    assert.equal(good.code, 0, good.stderr);
    assert.deepEqual(JSON.parse(good.stdout), { checked: 1, problems: [], audited: true });
    const healed = await runCli(env.env, ["secrets", "show", "api", "--json"]);
    assert.equal(JSON.parse(healed.stdout).status, "ok", "with the right key, verify clears the mark");
  });

  test("a tampered version is found by verify", async () => {
    const coffer = await env.open();
    try {
      const db = internalsOf(coffer).database.db;
      const row = await db.selectFrom("secret_versions").selectAll().executeTakeFirstOrThrow();
      const bytes = Buffer.from(row.ciphertext, "base64");
      bytes[bytes.length - 2] = (bytes[bytes.length - 2] ?? 0) ^ 0x10;
      await db
        .updateTable("secret_versions")
        .set({ ciphertext: bytes.toString("base64") })
        .where("id", "=", row.id)
        .execute();
    } finally {
      await coffer.close();
    }
    const verify = await runCli(env.env, ["secrets", "verify", "--json"]);
    assert.equal(verify.code, 1);
    const report = JSON.parse(verify.stdout) as { checked: number; problems: { name: string; reason: string }[] };
    assert.deepEqual(
      report.problems.map((p) => [p.name, p.reason]),
      [["api", "undecryptable"]],
    );
  });
});
