// `coffer keys prune`, run as a user would: a real process against a real store.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  canary,
  createTestEnvironment,
  storedValues,
  TEST_ENCRYPTION_KEYS,
  type TestEnvironment,
} from "@coffer/core/testing";
import { runCli } from "../../test/support.js";

const kidsOf = (file: string) =>
  readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l && !l.startsWith("#"))
    .map((l) => l.slice(0, l.indexOf(":")));

/** Puts a new active key in front, as an operator adding a key by hand would (nothing re-wrapped yet). */
function prependKey(file: string, kid: string): void {
  writeFileSync(file, `${kid}:${randomBytes(32).toString("base64")}\n${readFileSync(file, "utf8")}`, { mode: 0o600 });
}

describe("coffer keys prune (sqlite, key file)", () => {
  let env: TestEnvironment;
  let keyFile = "";
  const value = canary("prune");
  before(async () => {
    env = await createTestEnvironment("sqlite");
    keyFile = join(env.home, "master.key");
    const r = await runCli(env.env, ["secrets", "create", "kept", `K=${value}`]);
    assert.equal(r.code, 0, r.stderr);
  });
  after(() => env.cleanup());

  test("with only the active key there is nothing to prune", async () => {
    const before = readFileSync(keyFile, "utf8");
    const r = await runCli(env.env, ["keys", "prune"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Nothing to prune: the key file holds only the active key 'k[0-9a-z]+'\.\n$/);
    assert.equal(readFileSync(keyFile, "utf8"), before);
  });

  test("refuses, with the counts, while versions or the audit anchor are wrapped by a retired key", async () => {
    const [oldKid] = kidsOf(keyFile);
    prependKey(keyFile, "knew1");
    const before = readFileSync(keyFile, "utf8");
    const r = await runCli(env.env, ["keys", "prune"]);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stdout, "");
    assert.match(
      r.stderr,
      new RegExp(
        `Nothing was pruned: retired key '${oldKid}' still wraps 1 secret version\\(s\\) and the audit anchor\\. Run \`coffer keys rotate\`.*\\[key_in_use\\]`,
      ),
    );
    assert.equal(readFileSync(keyFile, "utf8"), before, "the key file changed on a refusal");
  });

  test("after `keys rotate` the retired key goes; the active key and every value stay", async () => {
    const [active, oldKid] = kidsOf(keyFile);
    assert.equal(active, "knew1");
    const rotated = await runCli(env.env, ["keys", "rotate", "--json"]);
    assert.equal(rotated.code, 0, rotated.stderr);
    assert.equal(JSON.parse(rotated.stdout).activeKid, "knew1");

    const r = await runCli(env.env, ["keys", "prune", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { active_kid: "knew1", removed: [oldKid], kept: ["knew1"] });
    assert.deepEqual(kidsOf(keyFile), ["knew1"]);
    assert.equal(statSync(keyFile).mode & 0o777, 0o600);

    const coffer = await env.open();
    try {
      const workspace = await coffer.workspaces.resolve("default");
      const stored = await storedValues(coffer, workspace.id, "default", ["kept"]);
      assert.deepEqual(stored.get("kept")?.values, { K: value });
    } finally {
      await coffer.close();
    }
    const verify = await runCli(env.env, ["audit", "verify"]);
    assert.equal(verify.code, 0, verify.stderr);
    const status = await runCli(env.env, ["keys", "status", "--json"]);
    assert.deepEqual(
      (JSON.parse(status.stdout) as { kid: string }[]).map((s) => s.kid),
      ["knew1"],
    );
    const again = await runCli(env.env, ["keys", "prune"]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /Nothing to prune/);
  });
});

describe("coffer keys prune with only the audit anchor on the retired key (sqlite, key file)", () => {
  let env: TestEnvironment;
  before(async () => {
    env = await createTestEnvironment("sqlite");
    const r = await runCli(env.env, ["workspaces", "create", "ops"]);
    assert.equal(r.code, 0, r.stderr);
  });
  after(() => env.cleanup());

  test("the anchor's key counts as in use", async () => {
    const keyFile = join(env.home, "master.key");
    const [oldKid] = kidsOf(keyFile);
    prependKey(keyFile, "knew2");
    const r = await runCli(env.env, ["keys", "prune", "--json"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`'${oldKid}' still wraps 0 secret version\\(s\\) and the audit anchor`));
    assert.deepEqual(kidsOf(keyFile), ["knew2", oldKid]);
  });
});

describe("coffer keys prune with COFFER_ENCRYPTION_KEYS (sqlite)", () => {
  let env: TestEnvironment;
  before(async () => {
    env = await createTestEnvironment("sqlite", { useKeyFile: false });
    const r = await runCli(env.env, ["secrets", "create", "s", `K=${canary("prune-env")}`]);
    assert.equal(r.code, 0, r.stderr);
  });
  after(() => env.cleanup());

  test("says to edit the variable, naming what can go and what must stay", async () => {
    const newKey = `knew3:${randomBytes(32).toString("base64")}`;
    const both = { ...env.env, COFFER_ENCRYPTION_KEYS: `${newKey},${TEST_ENCRYPTION_KEYS}` };
    const inUse = await runCli(both, ["keys", "prune"]);
    assert.equal(inUse.code, 1);
    assert.match(inUse.stderr, /Keys come from COFFER_ENCRYPTION_KEYS, which Coffer cannot edit: edit that variable/);
    assert.match(inUse.stderr, /Keep the others until `coffer keys rotate`.*'test1' still wraps 1 secret version/);
    assert.match(inUse.stderr, /\[keyring_not_file\]/);

    assert.equal((await runCli(both, ["keys", "rotate"])).code, 0);
    const unused = await runCli(both, ["keys", "prune"]);
    assert.equal(unused.code, 1);
    assert.match(unused.stderr, /Key\(s\) 'test1' wrap nothing: remove them from the variable in every process\./);
  });
});
