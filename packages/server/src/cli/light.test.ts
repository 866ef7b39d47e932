// bin/coffer.cjs runs the everyday commands from the light bundle with its code cache and every
// other command line from the ES module bundle. These run copies of an install as a user would:
// one whose code cache V8 refuses (as after a Node upgrade) and one without the light bundle.
import assert from "node:assert/strict";
import { cpSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { canary, createTestEnvironment, type TestEnvironment } from "@coffer/core/testing";
import { runCli } from "../../test/support.js";

const SERVER = join(process.cwd(), "packages/server");

/** A copy of the bin and the given build folders, inside the package so node_modules resolve. */
function install(name: string, folders: string[]): string {
  const root = join(SERVER, "dist", `install-${name}-${process.pid}`);
  mkdirSync(join(root, "bin"), { recursive: true });
  cpSync(join(SERVER, "bin/coffer.cjs"), join(root, "bin/coffer.cjs"));
  cpSync(join(SERVER, "package.json"), join(root, "package.json"));
  for (const folder of folders) cpSync(join(SERVER, "dist", folder), join(root, "dist", folder), { recursive: true });
  return root;
}

describe("coffer's two bundles (sqlite)", () => {
  let env: TestEnvironment;
  const installs: string[] = [];
  before(async () => {
    env = await createTestEnvironment("sqlite");
    const r = await runCli(env.env, ["secrets", "create", "first", `K=${canary("light")}`, "--tag", "team=ops"]);
    assert.equal(r.code, 0, r.stderr);
  });
  after(async () => {
    for (const root of installs) rmSync(root, { recursive: true, force: true });
    await env.cleanup();
  });

  test("a code cache V8 refuses leaves every command working", async () => {
    const root = install("stale-cache", ["cli-light"]);
    installs.push(root);
    const light = join(root, "dist/cli-light");
    const [cache] = readdirSync(light).filter((f) => f.endsWith(".cache"));
    assert.ok(cache, "the build made no code cache");
    writeFileSync(join(light, cache), "made by another version of Node");
    const bin = join(root, "bin/coffer.cjs");

    const created = await runCli(env.env, ["secrets", "create", "second", "K=v"], undefined, bin);
    assert.equal(created.code, 0, created.stderr);
    const ours = await runCli(env.env, ["secrets", "list", "--json"], undefined, bin);
    const usual = await runCli(env.env, ["secrets", "list", "--json"]);
    assert.equal(ours.code, 0, ours.stderr);
    assert.equal(ours.stdout, usual.stdout);
    assert.deepEqual(
      (JSON.parse(ours.stdout) as { name: string }[]).map((s) => s.name),
      ["first", "second"],
    );
  });

  test("without the light bundle the ES module bundle answers the same", async () => {
    const root = install("esm-only", ["cli-bundle"]);
    installs.push(root);
    const bin = join(root, "bin/coffer.cjs");
    for (const args of [
      ["secrets", "list"],
      ["secret", "show", "first", "--json"],
      ["secrets", "--help"],
      ["vars", "list", "--json"],
      ["secrets", "show", "missing"],
      ["secrets", "list", "--bogus"],
    ]) {
      const ours = await runCli(env.env, args, undefined, bin);
      const usual = await runCli(env.env, args);
      assert.deepEqual(ours, usual, `coffer ${args.join(" ")}`);
    }
  });
});
