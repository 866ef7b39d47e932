import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Coffer } from "../coffer.js";
import {
  createTestEnvironment,
  internalsOf,
  openBootstrapped,
  selfSignedCertificate,
  type TestEnvironment,
  testDialects,
} from "../testing/index.js";

const actor = { actor: "test:reader" };

for (const dialect of await testDialects("metadata reads")) {
  describe(`metadata reads never decrypt (${dialect})`, () => {
    let env: TestEnvironment;
    let coffer: Coffer;
    let ws: string;
    let keyAccesses = 0;

    before(async () => {
      env = await createTestEnvironment(dialect);
      ({ coffer, workspaceId: ws } = await openBootstrapped(env));
      // Every decryption of a value (or unwrap of a data key) starts by fetching its key here.
      const keyring = internalsOf(coffer).keyring as { get: (kid: string) => unknown };
      const get = keyring.get.bind(keyring);
      keyring.get = (kid: string) => {
        keyAccesses += 1;
        return get(kid);
      };
    });
    after(async () => {
      await coffer.close();
      await env.cleanup();
    });

    test("show, list, versions and environments touch no key, and writes return items without a decryption", async () => {
      const { certificate } = selfSignedCertificate("coffer-test-ca");
      const made = await coffer.secrets.create(ws, { name: "api", keys: [{ key: "TOKEN", value: "t1" }] }, actor);
      await coffer.secrets.create(
        ws,
        { name: "ca", type: "ca_cert", keys: [{ key: "CA_CERTIFICATE", value: certificate }] },
        actor,
      );
      await coffer.secrets.update(ws, made.id, { keys: [{ key: "TOKEN", value: "t2" }] }, actor);
      const updated = await coffer.secrets.update(ws, made.id, { description: "the API", tags: { team: "ir" } }, actor);
      assert.equal(updated.status, "ok");
      // Writes fetch no key by id: they seal with the active key, and the audit head each one
      // reads back is the one this process MACed last, so it needs no check against its key.
      assert.equal(keyAccesses, 0, "no write opened a value or re-checked its own anchor");
      keyAccesses = 0;
      assert.equal((await coffer.secrets.get(ws, made.id)).status, "ok");
      assert.equal((await coffer.secrets.getByName(ws, "ca")).status, "ok");
      assert.equal((await coffer.secrets.list(ws, { limit: 10 })).items.length, 2);
      assert.equal((await coffer.secrets.listSummaries(ws, { limit: 10 })).items.length, 2);
      assert.equal((await coffer.secrets.listVersions(ws, made.id)).length, 2);
      assert.equal((await coffer.secrets.environments(ws))[0]?.secrets, 2);
      assert.equal(keyAccesses, 0, "no metadata read fetched a key-encryption key");
    });

    test("the run path, a restore and verify do decrypt (the counter sees them)", async () => {
      const item = await coffer.secrets.getByName(ws, "api");
      await coffer.resolution.resolveForRun({ workspaceId: ws, environment: "default", secretNames: ["api"], actor });
      const afterRun = keyAccesses;
      assert.ok(afterRun > 0);
      await coffer.secrets.restore(ws, item.id, 1, actor);
      assert.ok(keyAccesses > afterRun);
      const report = await coffer.secrets.verify(actor);
      assert.deepEqual(report.problems, []);
      assert.equal(report.audited, true);
      assert.equal(report.checked, 4);
    });

    test("a version whose key this process lacks shows as corrupted without a decryption", async () => {
      const other = await env.open({ COFFER_ENCRYPTION_KEYS: `other:${Buffer.alloc(32, 9).toString("base64")}` });
      try {
        const listed = await other.secrets.list(ws, { limit: 10 });
        assert.deepEqual(
          listed.items.map((i) => [i.name, i.status]),
          [
            ["api", "corrupted"],
            ["ca", "corrupted"],
          ],
        );
      } finally {
        await other.close();
      }
    });
  });
}
