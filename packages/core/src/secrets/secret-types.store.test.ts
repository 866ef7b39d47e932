// Every secret type's validation through the real store, on both databases: what is accepted is
// stored normalised and decrypts back; what is refused leaves nothing behind.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Coffer } from "../coffer.js";
import * as fx from "../secret-types/fixtures.test-support.js";
import {
  createTestEnvironment,
  openBootstrapped,
  storedValues,
  type TestEnvironment,
  testDialects,
} from "../testing/index.js";

const actor = { actor: "test:types" };

const validKeys: [string, () => string][] = [
  ["rsa_pkcs1", () => fx.pkcs1Rsa()],
  ["rsa_pkcs8", () => fx.pkcs8("rsa")],
  ["rsa_openssh", () => fx.openssh("rsa")],
  ["p256_sec1", () => fx.sec1("p256")],
  ["p384_sec1", () => fx.sec1("p384")],
  ["p256_pkcs8", () => fx.pkcs8("p256")],
  ["p256_openssh", () => fx.openssh("p256")],
  ["ed25519_pkcs8", () => fx.pkcs8("ed25519")],
  ["ed25519_openssh", () => fx.openssh("ed25519")],
];

const refusedKeys: [string, () => string, string][] = [
  ["encrypted_pkcs8", () => fx.encryptedPkcs8("p256"), "encrypted_private_key"],
  ["encrypted_pkcs1", () => fx.encryptedPkcs1Rsa(), "encrypted_private_key"],
  ["garbage", () => "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n", "invalid_ssh_key"],
];

for (const dialect of await testDialects("secret types through the store")) {
  describe(`secret types through the store (${dialect})`, () => {
    let env: TestEnvironment;
    let coffer: Coffer;
    let ws: string;
    before(async () => {
      env = await createTestEnvironment(dialect);
      ({ coffer, workspaceId: ws } = await openBootstrapped(env));
    });
    after(async () => {
      await coffer.close();
      await env.cleanup();
    });

    const stored = async (name: string) => (await storedValues(coffer, ws, "default", [name])).get(name)?.values;

    for (const [label, make] of validKeys) {
      test(`ssh_key accepts ${label}, stored normalised`, async () => {
        const pem = make();
        const crlf = `  ${pem.trim().replace(/\n/g, "\r\n")}\r\n\r\n`;
        const item = await coffer.secrets.create(
          ws,
          { name: `ssh_${label}`, type: "ssh_key", keys: [{ key: "PRIVATE_KEY", value: crlf }] },
          actor,
        );
        assert.equal(item.status, "ok");
        assert.match(item.metadata.keys?.PRIVATE_KEY?.fingerprint ?? "", /^SHA256:/);
        assert.equal((await stored(`ssh_${label}`))?.PRIVATE_KEY, `${pem.trim()}\n`);
      });
    }

    for (const [label, make, code] of refusedKeys) {
      test(`ssh_key refuses ${label} (${code}) and stores nothing`, async () => {
        await assert.rejects(
          coffer.secrets.create(
            ws,
            { name: `bad_${label}`, type: "ssh_key", keys: [{ key: "PRIVATE_KEY", value: make() }] },
            actor,
          ),
          (e: { code?: string }) => e.code === code,
        );
        assert.equal(await stored(`bad_${label}`), undefined);
      });
    }

    test("mtls: a matching pair is accepted, a mismatched pair refused", async () => {
      const { leaf, ca } = fx.caAndLeaf(30, 10);
      const ok = await coffer.secrets.create(
        ws,
        {
          name: "mtls_ok",
          type: "mtls",
          keys: [
            { key: "TLS_CERTIFICATE", value: leaf.cert },
            { key: "TLS_PRIVATE_KEY", value: leaf.key },
          ],
        },
        actor,
      );
      assert.equal(ok.metadata.certificates?.length, 1);
      assert.ok(ok.expires_at);
      await assert.rejects(
        coffer.secrets.create(
          ws,
          {
            name: "mtls_bad",
            type: "mtls",
            keys: [
              { key: "TLS_CERTIFICATE", value: leaf.cert },
              { key: "TLS_PRIVATE_KEY", value: ca.key },
            ],
          },
          actor,
        ),
        (e: { code?: string }) => e.code === "mtls_key_mismatch",
      );
      await assert.rejects(
        coffer.secrets.create(
          ws,
          { name: "mtls_one", type: "mtls", keys: [{ key: "TLS_CERTIFICATE", value: leaf.cert }] },
          actor,
        ),
        (e: { code?: string }) => e.code === "invalid_key_set",
      );
    });

    test("ca_cert: a bundle's earliest notAfter sets expires_at; a broken certificate is refused", async () => {
      const { leaf, ca } = fx.caAndLeaf(30, 10);
      const item = await coffer.secrets.create(
        ws,
        { name: "bundle", type: "ca_cert", keys: [{ key: "CA_CERTIFICATE", value: ca.cert + leaf.cert }] },
        actor,
      );
      assert.equal(item.expires_at, fx.opensslNotAfter(leaf.cert).toISOString());
      const broken = `${ca.cert}-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n`;
      await assert.rejects(
        coffer.secrets.create(
          ws,
          { name: "bundle_bad", type: "ca_cert", keys: [{ key: "CA_CERTIFICATE", value: broken }] },
          actor,
        ),
        (e: { code?: string; details?: { certificateNumber?: number } }) =>
          e.code === "invalid_certificate" && e.details?.certificateNumber === 2,
      );
    });
  });
}
