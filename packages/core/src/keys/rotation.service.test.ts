import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, test } from "node:test";
import {
  createTestEnvironment,
  internalsOf,
  openBootstrapped,
  storedValues,
  TEST_ENCRYPTION_KEYS,
  testDialects,
} from "../testing/index.js";

const actor = { actor: "test:operator" };
const NEW_KEY = `test2:${randomBytes(32).toString("base64")}`;

async function seed(coffer: Awaited<ReturnType<typeof openBootstrapped>>["coffer"], ws: string, n: number) {
  for (let i = 0; i < n; i++) {
    await coffer.secrets.create(ws, { name: `s_${i}`, keys: [{ key: "K", value: `value-${i}` }] }, actor);
  }
}

async function assertAllDecrypt(coffer: Awaited<ReturnType<typeof openBootstrapped>>["coffer"], ws: string, n: number) {
  const names = Array.from({ length: n }, (_, i) => `s_${i}`);
  const resolved = await storedValues(coffer, ws, "default", names);
  assert.equal(resolved.size, n);
  for (let i = 0; i < n; i++) assert.deepEqual(resolved.get(`s_${i}`)?.values, { K: `value-${i}` });
}

for (const dialect of await testDialects("key rotation")) {
  describe(`key rotation (${dialect})`, () => {
    test("environment mode: the new first key becomes active; a crash half-way resumes; every secret still decrypts", async () => {
      const env = await createTestEnvironment(dialect, { useKeyFile: false });
      try {
        const { coffer, workspaceId } = await openBootstrapped(env, { COFFER_ROTATION_BATCH_SIZE: "3" });
        await seed(coffer, workspaceId, 10);
        await coffer.close();

        // The operator puts the new key first, keeping the old one.
        const rotating = await env.open({
          COFFER_ENCRYPTION_KEYS: `${NEW_KEY},${TEST_ENCRYPTION_KEYS}`,
          COFFER_ROTATION_BATCH_SIZE: "3",
        });
        let batches = 0;
        await assert.rejects(
          rotating.keys.rotate(actor, {
            onBatch: () => {
              batches += 1;
              if (batches === 2) throw new Error("simulated crash");
            },
          }),
          /simulated crash/,
        );
        const half = await rotating.keys.status();
        assert.equal(half.find((r) => r.kid === "test2")?.versions, 6, "two batches of 3 were re-wrapped");
        await assertAllDecrypt(rotating, workspaceId, 10);

        const result = await rotating.keys.rotate(actor);
        assert.equal(result.rewrapped, 4, "resumed with what was left");
        assert.equal(result.activeKid, "test2");
        const status = await rotating.keys.status();
        assert.equal(
          status.find((r) => r.kid === "test1")?.versions,
          0,
          "the old key wraps nothing: it can be dropped",
        );
        await rotating.close();

        // Dropping the old key: everything still decrypts, and the audit anchor moved too.
        const after = await env.open({ COFFER_ENCRYPTION_KEYS: NEW_KEY });
        await assertAllDecrypt(after, workspaceId, 10);
        assert.deepEqual((await after.audit.verify()).ok, true);
        assert.ok((await after.audit.list({ limit: 1000 })).some((e) => e.action === "keys.rotate"));
        await after.close();
      } finally {
        await env.cleanup();
      }
    });

    test("a process without the version's key reports the secret as corrupted, not an error", async () => {
      const env = await createTestEnvironment(dialect, { useKeyFile: false });
      try {
        const { coffer, workspaceId } = await openBootstrapped(env);
        await seed(coffer, workspaceId, 1);
        await coffer.close();
        const stranger = await env.open({ COFFER_ENCRYPTION_KEYS: NEW_KEY });
        const page = await stranger.secrets.list(workspaceId);
        assert.equal(page.items[0]?.status, "corrupted");
        const status = await stranger.keys.status();
        assert.equal(status.find((r) => r.kid === "test1")?.known, false);
        await stranger.close();
      } finally {
        await env.cleanup();
      }
    });
  });
}

describe("key rotation (sqlite, key file)", () => {
  test("adds a new active key to the file, re-wraps, and resumes instead of adding another after a crash", async () => {
    const env = await createTestEnvironment("sqlite");
    try {
      const { coffer, workspaceId } = await openBootstrapped(env, { COFFER_ROTATION_BATCH_SIZE: "2" });
      await seed(coffer, workspaceId, 5);
      const firstKid = internalsOf(coffer).keyring.active.kid;
      await assert.rejects(
        coffer.keys.rotate(actor, {
          onBatch: () => {
            throw new Error("simulated crash");
          },
        }),
      );
      const newKid = internalsOf(coffer).keyring.active.kid;
      assert.notEqual(newKid, firstKid);
      let resumed = false;
      const result = await coffer.keys.rotate(actor, { onStart: (p) => (resumed = p.resumed) });
      assert.equal(resumed, true);
      assert.equal(result.addedKey, false);
      assert.equal(result.activeKid, newKid);
      assert.equal(result.rewrapped, 3);
      await assertAllDecrypt(coffer, workspaceId, 5);
      await coffer.close();

      const reopened = await env.open();
      assert.equal(internalsOf(reopened).keyring.active.kid, newKid, "the key file now starts with the new key");
      assert.deepEqual(internalsOf(reopened).keyring.kids().sort(), [firstKid, newKid].sort());
      await assertAllDecrypt(reopened, workspaceId, 5);
      await reopened.close();
    } finally {
      await env.cleanup();
    }
  });
  test("a server open beside `keys rotate` wraps its next writes with the new key, so the old key can be pruned", async () => {
    const env = await createTestEnvironment("sqlite");
    try {
      const { coffer: server, workspaceId } = await openBootstrapped(env);
      await seed(server, workspaceId, 3);
      const oldKid = internalsOf(server).keyring.active.kid;

      const cli = await env.open();
      const rotated = await cli.keys.rotate(actor);
      assert.notEqual(rotated.activeKid, oldKid);

      // The server learned of the rotation from the store, not from a restart.
      await server.secrets.create(workspaceId, { name: "after_rotate", keys: [{ key: "K", value: "new" }] }, actor);
      const s0 = await server.secrets.getByName(workspaceId, "s_0");
      await server.secrets.update(workspaceId, s0.id, { keys: [{ key: "K", value: "value-0" }] }, actor);
      const status = await cli.keys.status();
      assert.equal(status.find((r) => r.kid === oldKid)?.versions ?? 0, 0, "nothing new is wrapped by the retired key");
      assert.deepEqual((await cli.keys.prune(actor)).removed, [oldKid]);
      await cli.close();

      await assertAllDecrypt(server, workspaceId, 3);
      const fresh = await storedValues(server, workspaceId, "default", ["after_rotate"]);
      assert.deepEqual(fresh.get("after_rotate")?.values, { K: "new" });
      await server.close();
    } finally {
      await env.cleanup();
    }
  });
});

describe("key rotation meets an altered row", () => {
  test("the version is left as it is, counted unreadable, and shown as corrupted afterwards", async () => {
    const env = await createTestEnvironment("sqlite", { useKeyFile: false });
    try {
      const { coffer, workspaceId } = await openBootstrapped(env);
      await seed(coffer, workspaceId, 3);
      const db = internalsOf(coffer).database.db;
      const victim = await db.selectFrom("secret_versions").selectAll().orderBy("id").executeTakeFirstOrThrow();
      const bytes = Buffer.from(victim.wrapped_key, "base64");
      bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 1;
      await db
        .updateTable("secret_versions")
        .set({ wrapped_key: bytes.toString("base64") })
        .where("id", "=", victim.id)
        .execute();
      await coffer.close();
      const rotating = await env.open({ COFFER_ENCRYPTION_KEYS: `${NEW_KEY},${TEST_ENCRYPTION_KEYS}` });
      try {
        const result = await rotating.keys.rotate(actor);
        assert.equal(result.rewrapped, 2);
        assert.equal(result.unreadable, 1);
        const items = (await rotating.secrets.list(workspaceId)).items;
        assert.deepEqual(
          items.filter((i) => i.status === "corrupted").map((i) => i.id),
          [victim.secret_id],
        );
      } finally {
        await rotating.close();
      }
    } finally {
      await env.cleanup();
    }
  });
});
