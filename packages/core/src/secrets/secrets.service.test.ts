import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Coffer } from "../coffer.js";
import { isCofferError } from "../errors/coffer-error.js";
import {
  canary,
  createTestEnvironment,
  ed25519PrivateKeyPem,
  internalsOf,
  openBootstrapped,
  selfSignedCertificate,
  storedValues,
  type TestEnvironment,
  testDialects,
} from "../testing/index.js";
import type { SecretSummary } from "./secrets.schema.js";

const actor = { actor: "test:alice" };

async function rejectsWith(promise: Promise<unknown>, code: string, messagePart?: RegExp) {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isCofferError(error), `expected a CofferError, got ${String(error)}`);
    assert.equal(error.code, code);
    if (messagePart) assert.match(error.message, messagePart);
    return true;
  });
}

for (const dialect of await testDialects("secrets service")) {
  describe(`secrets service (${dialect})`, () => {
    let env: TestEnvironment;
    let coffer: Coffer;
    let ws: string;

    before(async () => {
      env = await createTestEnvironment(dialect);
      ({ coffer, workspaceId: ws } = await openBootstrapped(env, { COFFER_VERSIONS_KEPT: "4" }));
    });
    after(async () => {
      await coffer.close();
      await env.cleanup();
    });

    async function valuesOf(name: string, environment = "default") {
      return (await storedValues(coffer, ws, environment, [name])).get(name)?.values;
    }

    test("create returns metadata and key names, never values", async () => {
      const value = canary("create");
      const item = await coffer.secrets.create(ws, { name: "slack", keys: [{ key: "SLACK_BOT_TOKEN", value }] }, actor);
      assert.equal(item.name, "slack");
      assert.equal(item.type, "custom");
      assert.equal(item.environment, "default");
      assert.deepEqual(item.keys, ["SLACK_BOT_TOKEN"]);
      assert.equal(item.version, 1);
      assert.equal(item.version_count, 1);
      assert.equal(item.status, "ok");
      assert.equal(item.updated_by, "test:alice");
      assert.ok(!JSON.stringify(item).includes(value));
      assert.deepEqual(await valuesOf("slack"), { SLACK_BOT_TOKEN: value });
    });

    test("names are checked and the error shows the offending name", async () => {
      await rejectsWith(
        coffer.secrets.create(ws, { name: "My-Token", keys: [{ key: "K", value: "v" }] }, actor),
        "invalid_secret_name",
        /My-Token/,
      );
      await rejectsWith(
        coffer.secrets.create(ws, { name: "ok", environment: "Prod!", keys: [{ key: "K", value: "v" }] }, actor),
        "invalid_environment",
        /Prod!/,
      );
      await rejectsWith(
        coffer.secrets.create(ws, { name: "ok", keys: [{ key: "1BAD", value: "v" }] }, actor),
        "invalid_key_name",
        /1BAD/,
      );
    });

    test("the same name may exist once per environment", async () => {
      await coffer.secrets.create(
        ws,
        { name: "crowdstrike", environment: "prod", keys: [{ key: "K", value: "p" }] },
        actor,
      );
      await coffer.secrets.create(
        ws,
        { name: "crowdstrike", environment: "lab", keys: [{ key: "K", value: "l" }] },
        actor,
      );
      await rejectsWith(
        coffer.secrets.create(
          ws,
          { name: "crowdstrike", environment: "prod", keys: [{ key: "K", value: "x" }] },
          actor,
        ),
        "secret_exists",
        /already exists in environment 'prod'/,
      );
      assert.deepEqual(await valuesOf("crowdstrike", "prod"), { K: "p" });
      assert.deepEqual(await valuesOf("crowdstrike", "lab"), { K: "l" });
      assert.equal(await valuesOf("crowdstrike", "default"), undefined, "lookup is exact: no fallback to default");
    });

    test("concurrent creates of one (name, environment) give exactly one success", async () => {
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) =>
          coffer.secrets.create(ws, { name: "race", keys: [{ key: "K", value: `v${i}` }] }, actor),
        ),
      );
      assert.equal(results.filter((r) => r.status === "fulfilled").length, 1);
      for (const r of results) {
        if (r.status === "rejected") assert.equal((r.reason as { code: string }).code, "secret_exists");
      }
    });

    test("update: blank keeps, unlisted keys go, new custom key may be empty", async () => {
      const created = await coffer.secrets.create(
        ws,
        {
          name: "jira",
          keys: [
            { key: "USER", value: "u1" },
            { key: "TOKEN", value: "t1" },
            { key: "OLD", value: "o" },
          ],
        },
        actor,
      );
      const updated = await coffer.secrets.update(
        ws,
        created.id,
        {
          keys: [
            { key: "USER", value: null },
            { key: "TOKEN", value: "t2" },
            { key: "EXTRA", value: null },
          ],
        },
        actor,
      );
      assert.deepEqual(updated.keys, ["USER", "TOKEN", "EXTRA"]);
      assert.equal(updated.version, 2);
      assert.deepEqual(await valuesOf("jira"), { USER: "u1", TOKEN: "t2", EXTRA: "" });
    });

    test("metadata-only updates make no new version", async () => {
      const created = await coffer.secrets.create(ws, { name: "meta", keys: [{ key: "K", value: "v" }] }, actor);
      const updated = await coffer.secrets.update(
        ws,
        created.id,
        { description: "Used by triage", tags: { team: "ir" }, expiresAt: "2030-01-01" },
        actor,
      );
      assert.equal(updated.version, 1);
      assert.equal(updated.description, "Used by triage");
      assert.deepEqual(updated.tags, { team: "ir" });
      assert.equal(updated.expires_at, "2030-01-01T00:00:00.000Z");
    });

    test("a type cannot change", async () => {
      const created = await coffer.secrets.create(ws, { name: "typed", keys: [{ key: "K", value: "v" }] }, actor);
      await rejectsWith(
        coffer.secrets.update(ws, created.id, { type: "ssh_key" }, actor),
        "secret_type_immutable",
        /delete/i,
      );
    });

    test("structured types: validated, normalised, facts kept, new key without value refused", async () => {
      const pem = ed25519PrivateKeyPem();
      const ssh = await coffer.secrets.create(
        ws,
        {
          name: "bastion",
          type: "ssh_key",
          keys: [{ key: "PRIVATE_KEY", value: `\r\n${pem.replace(/\n/g, "\r\n")}\r\n\r\n` }],
        },
        actor,
      );
      assert.equal(ssh.type, "ssh_key");
      assert.equal((await valuesOf("bastion"))?.PRIVATE_KEY, pem, "CRLF → LF, trimmed, one trailing newline");
      assert.ok(JSON.stringify(ssh.metadata).includes("ed25519"));

      const cert = selfSignedCertificate("client.example", 10);
      const other = selfSignedCertificate("other.example", 10);
      const mtls = await coffer.secrets.create(
        ws,
        {
          name: "mtls_client",
          type: "mtls",
          keys: [
            { key: "TLS_CERTIFICATE", value: cert.certificate },
            { key: "TLS_PRIVATE_KEY", value: cert.privateKey },
          ],
        },
        actor,
      );
      assert.ok(mtls.expires_at, "expires_at comes from the certificate");
      const days = (Date.parse(mtls.expires_at) - Date.now()) / 86_400_000;
      assert.ok(days > 9 && days < 11, `expires in about 10 days, got ${days}`);
      await rejectsWith(
        coffer.secrets.create(
          ws,
          {
            name: "mtls_bad",
            type: "mtls",
            keys: [
              { key: "TLS_CERTIFICATE", value: cert.certificate },
              { key: "TLS_PRIVATE_KEY", value: other.privateKey },
            ],
          },
          actor,
        ),
        "mtls_key_mismatch",
      );
      await rejectsWith(
        coffer.secrets.update(
          ws,
          mtls.id,
          {
            keys: [
              { key: "TLS_CERTIFICATE", value: null },
              { key: "TLS_PRIVATE_KEY", value: null },
              { key: "EXTRA", value: null },
            ],
          },
          actor,
        ),
        "missing_value",
      );
      const ca = await coffer.secrets.create(
        ws,
        {
          name: "corp_ca",
          type: "ca_cert",
          keys: [{ key: "CA_CERTIFICATE", value: cert.certificate + other.certificate }],
        },
        actor,
      );
      assert.equal(ca.metadata.certificates?.length, 2);
    });

    test("versions: listed without values, restore makes a new current version, old ones pruned", async () => {
      const created = await coffer.secrets.create(ws, { name: "rotating", keys: [{ key: "K", value: "v1" }] }, actor);
      for (const v of ["v2", "v3", "v4", "v5"])
        await coffer.secrets.update(ws, created.id, { keys: [{ key: "K", value: v }] }, actor);
      const versions = await coffer.secrets.listVersions(ws, created.id);
      assert.deepEqual(
        versions.map((v) => v.number),
        [5, 4, 3, 2],
        "COFFER_VERSIONS_KEPT=4 keeps the last four",
      );
      assert.equal(versions[0]?.current, true);
      assert.deepEqual(versions[0]?.keys, ["K"]);
      assert.ok(!JSON.stringify(versions).includes("v5"));
      const restored = await coffer.secrets.restore(ws, created.id, 3, actor);
      assert.equal(restored.version, 6);
      assert.deepEqual(await valuesOf("rotating"), { K: "v3" });
      await rejectsWith(coffer.secrets.restore(ws, created.id, 1, actor), "version_not_found", /no version 1/);
    });

    test("a tampered ciphertext reads as corrupted without breaking anything else; re-entering values repairs it", async () => {
      const good = await coffer.secrets.create(ws, { name: "good_one", keys: [{ key: "K", value: "fine" }] }, actor);
      const bad = await coffer.secrets.create(
        ws,
        {
          name: "bad_one",
          keys: [
            { key: "A", value: "x" },
            { key: "B", value: "y" },
          ],
        },
        actor,
      );
      const row = await internalsOf(coffer)
        .database.db.selectFrom("secret_versions")
        .selectAll()
        .where("secret_id", "=", bad.id)
        .executeTakeFirstOrThrow();
      const bytes = Buffer.from(row.ciphertext, "base64");
      bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 1;
      await internalsOf(coffer)
        .database.db.updateTable("secret_versions")
        .set({ ciphertext: bytes.toString("base64") })
        .where("id", "=", row.id)
        .execute();

      // A metadata read does not decrypt, so a tampered ciphertext under a known key is not
      // visible to it until a full decrypt (verify, a run, rotation) has met it.
      assert.equal((await coffer.secrets.get(ws, bad.id)).status, "ok");
      const report = await coffer.secrets.verify(actor);
      assert.deepEqual(
        report.problems.map((p) => [p.name, p.version, p.current, p.reason]),
        [["bad_one", 1, true, "undecryptable"]],
      );
      const listed = await coffer.secrets.list(ws, { prefix: "", limit: 1000 });
      const badItem = listed.items.find((i) => i.name === "bad_one");
      assert.equal(badItem?.status, "corrupted");
      assert.deepEqual(badItem?.keys, ["A", "B"], "name and key names still shown");
      assert.equal(listed.items.find((i) => i.id === good.id)?.status, "ok");
      assert.equal((await coffer.secrets.get(ws, bad.id)).status, "corrupted");
      const resolved = await storedValues(coffer, ws, "default", ["bad_one", "good_one"]);
      assert.equal(resolved.get("bad_one")?.values, null);
      assert.deepEqual(resolved.get("good_one")?.values, { K: "fine" });

      await rejectsWith(
        coffer.secrets.update(
          ws,
          bad.id,
          {
            keys: [
              { key: "A", value: null },
              { key: "B", value: "new" },
            ],
          },
          actor,
        ),
        "secret_corrupted",
        /re-enter/i,
      );
      const repaired = await coffer.secrets.update(
        ws,
        bad.id,
        {
          keys: [
            { key: "A", value: "a2" },
            { key: "B", value: "b2" },
          ],
        },
        actor,
      );
      assert.equal(repaired.status, "ok");
      assert.deepEqual(await valuesOf("bad_one"), { A: "a2", B: "b2" });
    });

    test("a ciphertext moved to another secret does not decrypt (AAD binds it to its row)", async () => {
      const a = await coffer.secrets.create(ws, { name: "swap_a", keys: [{ key: "K", value: "aaa" }] }, actor);
      const b = await coffer.secrets.create(ws, { name: "swap_b", keys: [{ key: "K", value: "bbb" }] }, actor);
      const rowA = await internalsOf(coffer)
        .database.db.selectFrom("secret_versions")
        .selectAll()
        .where("secret_id", "=", a.id)
        .executeTakeFirstOrThrow();
      await internalsOf(coffer)
        .database.db.updateTable("secret_versions")
        .set({ ciphertext: rowA.ciphertext, wrapped_key: rowA.wrapped_key, kid: rowA.kid })
        .where("secret_id", "=", b.id)
        .execute();
      const run = await coffer.resolution.resolveForRun({
        workspaceId: ws,
        environment: "default",
        secretNames: ["swap_b"],
        actor,
      });
      assert.equal(run.secrets.get("swap_b")?.values, null);
      assert.deepEqual(run.corrupted, [{ secret: "swap_b", version: 1 }]);
      assert.equal(run.complete, false);
      assert.equal((await coffer.secrets.get(ws, b.id)).status, "corrupted", "the run path marked it");
    });

    test("list: filters, prefix and cursor pagination", async () => {
      for (let i = 0; i < 7; i++) {
        await coffer.secrets.create(
          ws,
          { name: `page_${i}`, environment: i % 2 ? "prod" : "default", keys: [{ key: "K", value: "v" }] },
          actor,
        );
      }
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await coffer.secrets.list(ws, { prefix: "page_", limit: 3, ...(cursor ? { cursor } : {}) });
        assert.ok(page.items.length <= 3);
        seen.push(...page.items.map((i) => `${i.name}@${i.environment}`));
        cursor = page.next_cursor ?? undefined;
      } while (cursor);
      assert.equal(seen.length, 7);
      assert.equal(new Set(seen).size, 7);
      const prod = await coffer.secrets.list(ws, { prefix: "page_", environment: "prod" });
      assert.equal(prod.items.length, 3);
      const envs = await coffer.secrets.environments(ws);
      assert.ok(envs.some((e) => e.environment === "prod" && e.secrets >= 3));
      await rejectsWith(coffer.secrets.list(ws, { cursor: "garbage" }), "invalid_cursor");
      await rejectsWith(coffer.secrets.list(ws, { type: "oauth" }), "invalid_secret_type");
    });

    test("list summaries: the same pages and facts as list, for every filter", async () => {
      for (let i = 0; i < 5; i++) {
        await coffer.secrets.create(
          ws,
          {
            name: `summary_${i}`,
            environment: i % 2 ? "prod" : "default",
            ...(i === 3 ? { expiresAt: new Date(Date.now() + 5 * 86_400_000).toISOString() } : {}),
            keys: [
              { key: "B", value: "v" },
              { key: "A", value: "v" },
            ],
          },
          actor,
        );
      }
      const facts = (i: SecretSummary) =>
        JSON.stringify([i.id, i.name, i.type, i.environment, i.keys, i.version, i.status, i.expires_at, i.expiry]);
      const filters = [{}, { prefix: "summary_" }, { prefix: "summary_", environment: "prod" }, { type: "custom" }];
      for (const filter of filters) {
        const full: string[] = [];
        const summaries: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await coffer.secrets.list(ws, { ...filter, limit: 2, ...(cursor ? { cursor } : {}) });
          full.push(...page.items.map(facts));
          cursor = page.next_cursor ?? undefined;
        } while (cursor);
        do {
          const page = await coffer.secrets.listSummaries(ws, { ...filter, limit: 2, ...(cursor ? { cursor } : {}) });
          summaries.push(...page.items.map(facts));
          cursor = page.next_cursor ?? undefined;
        } while (cursor);
        assert.ok(full.length >= 2, `filter ${JSON.stringify(filter)} lists secrets`);
        assert.deepEqual(summaries, full, `filter ${JSON.stringify(filter)}`);
      }
      const line = (await coffer.secrets.listSummaries(ws, { prefix: "summary_3" })).items[0];
      assert.deepEqual(line?.keys, ["B", "A"]);
      assert.equal(line?.expiry.state, "expiring");
      assert.deepEqual(Object.keys(line ?? {}).sort(), [
        "environment",
        "expires_at",
        "expiry",
        "id",
        "keys",
        "name",
        "status",
        "type",
        "version",
      ]);
      await rejectsWith(coffer.secrets.listSummaries(ws, { cursor: "garbage" }), "invalid_cursor");
    });

    test("delete removes the secret and its versions", async () => {
      const created = await coffer.secrets.create(ws, { name: "gone", keys: [{ key: "K", value: "v" }] }, actor);
      await coffer.secrets.delete(ws, created.id, actor);
      await rejectsWith(coffer.secrets.get(ws, created.id), "secret_not_found");
      const versions = await internalsOf(coffer)
        .database.db.selectFrom("secret_versions")
        .select("id")
        .where("secret_id", "=", created.id)
        .execute();
      assert.equal(versions.length, 0);
    });

    test("a secret of another workspace is not found", async () => {
      const other = await coffer.workspaces.create({ slug: "other" }, actor);
      const mine = await coffer.secrets.create(ws, { name: "mine", keys: [{ key: "K", value: "v" }] }, actor);
      await rejectsWith(coffer.secrets.get(other.id, mine.id), "secret_not_found");
      await rejectsWith(coffer.secrets.delete(other.id, mine.id, actor), "secret_not_found");
      assert.equal((await storedValues(coffer, other.id, "default", ["mine"])).size, 0);
    });

    test("no submitted value is stored in clear in any column", async () => {
      const planted = [canary("dbA"), canary("dbB")];
      const created = await coffer.secrets.create(
        ws,
        { name: "leak_hunt", keys: [{ key: "A", value: planted[0]! }] },
        actor,
      );
      await coffer.secrets.update(
        ws,
        created.id,
        {
          keys: [
            { key: "A", value: null },
            { key: "B", value: planted[1]! },
          ],
        },
        actor,
      );
      await assert.rejects(
        coffer.secrets.create(ws, { name: "leak_hunt", keys: [{ key: "A", value: planted[0]! }] }, actor),
      );
      for (const table of [
        "secrets",
        "secret_versions",
        "audit_events",
        "audit_anchor",
        "workspaces",
        "api_tokens",
      ] as const) {
        const rows = await internalsOf(coffer).database.db.selectFrom(table).selectAll().execute();
        const text = JSON.stringify(rows);
        for (const c of planted) {
          assert.ok(!text.includes(c), `${table} holds a value in clear`);
          assert.ok(!text.includes(Buffer.from(c).toString("base64")), `${table} holds a value in base64`);
        }
      }
    });
  });
}
