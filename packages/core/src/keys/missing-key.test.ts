import assert from "node:assert/strict";
import { existsSync, readFileSync, renameSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { createTestEnvironment, openBootstrapped } from "../testing/index.js";

test("a missing master.key is never replaced while the store holds data wrapped by it", async () => {
  const env = await createTestEnvironment("sqlite");
  try {
    const { coffer, workspaceId } = await openBootstrapped(env);
    await coffer.secrets.create(workspaceId, { name: "kept", keys: [{ key: "K", value: "v" }] }, { actor: "t" });
    await coffer.close();
    const path = join(env.home, "master.key");
    const kid = readFileSync(path, "utf8")
      .split("\n")
      .find((l) => /^k[0-9a-z]+:/.test(l))!
      .split(":")[0]!;
    renameSync(path, `${path}.away`);

    const reopened = await env.open();
    try {
      assert.ok(!existsSync(path), "no new key file was created");
      const listed = await reopened.secrets.list(workspaceId);
      assert.deepEqual(
        listed.items.map((i) => [i.name, i.status]),
        [["kept", "corrupted"]],
        "reads still work and say the values cannot be opened",
      );
      await assert.rejects(
        reopened.secrets.create(workspaceId, { name: "new", keys: [{ key: "K", value: "v" }] }, { actor: "t" }),
        (error: { code?: string; status?: number; message?: string; details?: { kids?: string[] } }) => {
          assert.equal(error.code, "encryption_key_missing");
          assert.ok(error.status !== undefined && error.status < 500, "a user error: exit 1 in the CLI");
          assert.ok(error.message?.includes(kid), "names the missing key id");
          assert.match(error.message ?? "", /restore master\.key/);
          assert.deepEqual(error.details?.kids, [kid]);
          return true;
        },
      );
      await assert.rejects(reopened.tokens.create(workspaceId, { role: "viewer", name: "x" }, { actor: "t" }), {
        code: "encryption_key_missing",
      });
    } finally {
      await reopened.close();
    }

    renameSync(`${path}.away`, path);
    const restored = await env.open();
    try {
      assert.equal((await restored.secrets.list(workspaceId)).items[0]?.status, "ok", "restoring the file repairs it");
    } finally {
      await restored.close();
    }
  } finally {
    await env.cleanup();
  }
});

test("an empty store still gets a key file on first use", async () => {
  const env = await createTestEnvironment("sqlite");
  try {
    let created = 0;
    const coffer = await env.open({}, { onKeyFileCreated: () => created++ });
    await coffer.close();
    assert.equal(created, 1);
    assert.ok(existsSync(join(env.home, "master.key")));
  } finally {
    await env.cleanup();
  }
});
