import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { generateKeyPairSync, X509Certificate } from "node:crypto";
import { describe, test } from "node:test";
import { inspect } from "node:util";
import sshpk from "sshpk";
import { CofferError } from "../errors/coffer-error.js";
import {
  type Algorithm,
  caAndLeaf,
  encryptedPkcs1Rsa,
  encryptedPkcs8,
  keyPair,
  openssh,
  opensslNotAfter,
  pkcs1Rsa,
  pkcs8,
  sec1,
  selfSigned,
  sshKeygen,
  sshKeygenFingerprint,
  sshpkFingerprint,
  writeTemp,
} from "./fixtures.test-support.js";
import {
  type KeyValue,
  parseSecretType,
  SECRET_TYPES,
  type SecretType,
  STRUCTURED_KEYS,
  validateSecretValues,
} from "./index.js";

function rejects(fn: () => unknown, code: string, ...messageParts: (string | RegExp)[]): CofferError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof CofferError, `expected a CofferError, got ${inspect(error)}`);
    assert.equal(error.code, code, `${error.code}: ${error.message}`);
    assert.equal(error.status, code === "value_too_large" ? 413 : 422);
    assert.equal(error.cause, undefined, "library errors must not be attached: their messages can quote input");
    for (const part of messageParts) {
      if (typeof part === "string") assert.ok(error.message.includes(part), `"${error.message}" lacks "${part}"`);
      else assert.match(error.message, part);
    }
    return error;
  }
  assert.fail(`expected ${code}`);
}

const ssh = (value: string): KeyValue[] => [{ key: "PRIVATE_KEY", value }];
const mtls = (cert: string, key: string): KeyValue[] => [
  { key: "TLS_CERTIFICATE", value: cert },
  { key: "TLS_PRIVATE_KEY", value: key },
];
const ca = (value: string): KeyValue[] => [{ key: "CA_CERTIFICATE", value }];

/** Cuts the body of a PEM block to its first line: still framed, but the DER inside is incomplete. */
function truncateBody(pem: string): string {
  const lines = pem.trim().split("\n");
  return [lines[0], lines[1], lines[lines.length - 1]].join("\n");
}

describe("types", () => {
  test("SECRET_TYPES and STRUCTURED_KEYS", () => {
    assert.deepEqual(SECRET_TYPES, ["custom", "ssh_key", "mtls", "ca_cert"]);
    assert.deepEqual(STRUCTURED_KEYS, {
      ssh_key: ["PRIVATE_KEY"],
      mtls: ["TLS_CERTIFICATE", "TLS_PRIVATE_KEY"],
      ca_cert: ["CA_CERTIFICATE"],
    });
    assert.ok(Object.isFrozen(SECRET_TYPES) && Object.isFrozen(STRUCTURED_KEYS.mtls));
  });

  test("parseSecretType accepts the four types and lists them otherwise", () => {
    for (const t of SECRET_TYPES) assert.equal(parseSecretType(t), t);
    const error = rejects(() => parseSecretType("token"), "invalid_secret_type", "custom, ssh_key, mtls, ca_cert");
    assert.deepEqual(error.details.validTypes, ["custom", "ssh_key", "mtls", "ca_cert"]);
    rejects(() => parseSecretType("ssh-key"), "invalid_secret_type", "Did you mean 'ssh_key'?");
    rejects(() => parseSecretType("MTLS"), "invalid_secret_type", "Did you mean 'mtls'?");
    rejects(() => parseSecretType(""), "invalid_secret_type", "Secret type is empty");
    rejects(() => validateSecretValues("oauth" as SecretType, [{ key: "A", value: "b" }]), "invalid_secret_type");
  });
});

describe("custom", () => {
  test("keeps keys in order and values unchanged, empty value allowed", () => {
    const keys = [
      { key: "Z_KEY", value: "  spaced\r\n" },
      { key: "a", value: "" },
    ];
    const result = validateSecretValues("custom", keys);
    assert.deepEqual(result, { keys, metadata: {}, expiresAt: null });
    assert.notEqual(result.keys[0], keys[0], "returns copies");
  });

  test("0 keys", () => {
    rejects(() => validateSecretValues("custom", []), "no_keys", "Keys cannot be empty");
  });

  test("101 keys, and the maxKeys option", () => {
    const keys = (n: number) => Array.from({ length: n }, (_, i) => ({ key: `K${i}`, value: "v" }));
    assert.equal(validateSecretValues("custom", keys(100)).keys.length, 100);
    const error = rejects(() => validateSecretValues("custom", keys(101)), "too_many_keys", "at most 100 keys", "101");
    assert.deepEqual(error.details, { type: "custom", count: 101, limit: 100 });
    rejects(() => validateSecretValues("custom", keys(3), { maxKeys: 2 }), "too_many_keys");
  });

  test("duplicate names", () => {
    const error = rejects(
      () =>
        validateSecretValues("custom", [
          { key: "TOKEN", value: "a" },
          { key: "OTHER", value: "b" },
          { key: "TOKEN", value: "c" },
        ]),
      "duplicate_key",
      "Keys must be unique",
      "'TOKEN'",
    );
    assert.equal(error.details.key, "TOKEN");
  });

  test("key names follow validateKeyName", () => {
    rejects(() => validateSecretValues("custom", [{ key: "api-key", value: "x" }]), "invalid_key_name", "'api_key'");
    rejects(() => validateSecretValues("custom", [{ key: "", value: "x" }]), "invalid_key_name");
  });

  test("value over the limit (UTF-8 bytes), and the maxValueBytes option", () => {
    validateSecretValues("custom", [{ key: "BIG", value: "x".repeat(64 * 1024) }]);
    const error = rejects(
      () => validateSecretValues("custom", [{ key: "BIG", value: "x".repeat(64 * 1024 + 1) }]),
      "value_too_large",
      "'BIG'",
      "the limit is 64 KiB",
    );
    assert.deepEqual(error.details, { type: "custom", key: "BIG", bytes: 65537, limit: 65536 });
    rejects(
      () => validateSecretValues("custom", [{ key: "E", value: "é".repeat(6) }], { maxValueBytes: 11 }),
      "value_too_large",
    );
    validateSecretValues("custom", [{ key: "E", value: "é".repeat(6) }], { maxValueBytes: 12 });
  });

  test("a value that is not a string", () => {
    rejects(() => validateSecretValues("custom", [{ key: "N", value: 5 as unknown as string }]), "invalid_value");
  });
});

describe("ssh_key", () => {
  const cases: [string, () => string, Algorithm, Record<string, unknown>][] = [
    ["RSA PKCS#1", pkcs1Rsa, "rsa", { type: "rsa", bits: 2048, format: "pkcs1" }],
    ["RSA PKCS#8", () => pkcs8("rsa"), "rsa", { type: "rsa", bits: 2048, format: "pkcs8" }],
    ["RSA OpenSSH", () => openssh("rsa"), "rsa", { type: "rsa", bits: 2048, format: "openssh" }],
    ["ECDSA P-256 SEC1", () => sec1("p256"), "p256", { type: "ecdsa", bits: 256, curve: "P-256", format: "sec1" }],
    ["ECDSA P-256 PKCS#8", () => pkcs8("p256"), "p256", { type: "ecdsa", bits: 256, curve: "P-256", format: "pkcs8" }],
    [
      "ECDSA P-256 OpenSSH",
      () => openssh("p256"),
      "p256",
      { type: "ecdsa", bits: 256, curve: "P-256", format: "openssh" },
    ],
    ["ECDSA P-384 SEC1", () => sec1("p384"), "p384", { type: "ecdsa", bits: 384, curve: "P-384", format: "sec1" }],
    ["ECDSA P-384 PKCS#8", () => pkcs8("p384"), "p384", { type: "ecdsa", bits: 384, curve: "P-384", format: "pkcs8" }],
    [
      "ECDSA P-384 OpenSSH",
      () => openssh("p384"),
      "p384",
      { type: "ecdsa", bits: 384, curve: "P-384", format: "openssh" },
    ],
    ["Ed25519 PKCS#8", () => pkcs8("ed25519"), "ed25519", { type: "ed25519", bits: 256, format: "pkcs8" }],
    ["Ed25519 OpenSSH", () => openssh("ed25519"), "ed25519", { type: "ed25519", bits: 256, format: "openssh" }],
  ];
  for (const [name, make, algorithm, facts] of cases) {
    test(`accepts ${name}, with facts and sshpk's fingerprint`, () => {
      const value = make();
      const result = validateSecretValues("ssh_key", ssh(value));
      assert.deepEqual(result.keys, ssh(value));
      assert.deepEqual(result.metadata, {
        keys: { PRIVATE_KEY: { ...facts, fingerprint: sshpkFingerprint(algorithm) } },
      });
      assert.equal(result.expiresAt, null);
    });
  }

  for (const type of ["ed25519", "ecdsa", "rsa"] as const) {
    test(`accepts an ssh-keygen ${type} key; fingerprint equals ssh-keygen -lf`, () => {
      const { text, fingerprint } = sshKeygen(type);
      assert.match(fingerprint, /^SHA256:[A-Za-z0-9+/]{43}$/);
      const facts = validateSecretValues("ssh_key", ssh(text)).metadata.keys?.PRIVATE_KEY;
      assert.equal(facts?.fingerprint, fingerprint);
      assert.equal(facts?.format, "openssh");
    });
  }

  test("ECDSA P-521 (ssh-keygen and node:crypto) has the right facts and fingerprint", () => {
    const { text, fingerprint } = sshKeygen("ecdsa", "", 521);
    const facts = validateSecretValues("ssh_key", ssh(text)).metadata.keys?.PRIVATE_KEY;
    assert.deepEqual(facts, { type: "ecdsa", bits: 521, curve: "P-521", format: "openssh", fingerprint });
    const pem = generateKeyPairSync("ec", { namedCurve: "P-521" }).privateKey.export({
      type: "sec1",
      format: "pem",
    }) as string;
    const pemFacts = validateSecretValues("ssh_key", ssh(pem)).metadata.keys?.PRIVATE_KEY;
    assert.equal(pemFacts?.fingerprint, sshKeygenFingerprint(writeTemp("p521", pem)));
  });

  test("RSA keys below 1024 bits are refused for SSH", () => {
    const small = generateKeyPairSync("rsa", { modulusLength: 768 }).privateKey.export({
      type: "pkcs1",
      format: "pem",
    }) as string;
    const error = rejects(() => validateSecretValues("ssh_key", ssh(small)), "unsupported_key_type", "768-bit RSA key");
    assert.equal(error.details.reason, "key_too_small");
  });

  test("fingerprint of a PEM key equals ssh-keygen -lf of the same key", () => {
    for (const value of [pkcs1Rsa(), sec1("p384"), pkcs8("p256")]) {
      const expected = sshKeygenFingerprint(writeTemp("pem-key", value));
      assert.equal(validateSecretValues("ssh_key", ssh(value)).metadata.keys?.PRIVATE_KEY?.fingerprint, expected);
    }
  });

  test("encrypted keys are refused with encrypted_private_key", () => {
    for (const value of [encryptedPkcs8("ed25519"), encryptedPkcs8("rsa"), encryptedPkcs1Rsa()]) {
      const error = rejects(
        () => validateSecretValues("ssh_key", ssh(value)),
        "encrypted_private_key",
        "PRIVATE_KEY is encrypted with a passphrase",
        "openssl pkey",
      );
      assert.deepEqual(error.details, { type: "ssh_key", key: "PRIVATE_KEY", reason: "encrypted" });
    }
    assert.match(encryptedPkcs1Rsa(), /Proc-Type: 4,ENCRYPTED/);
    const { text } = sshKeygen("ed25519", "a passphrase");
    rejects(() => validateSecretValues("ssh_key", ssh(text)), "encrypted_private_key", "ssh-keygen -p");
  });

  test("garbage is refused with Tracecat's message and a reason", () => {
    const cases: [string, string][] = [
      ["not-a-key", "no_pem_block"],
      ["-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----", "damaged"],
      ["-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----", "damaged"],
      [truncateBody(pkcs8("rsa")), "damaged"],
      [truncateBody(openssh("ed25519")), "damaged"],
      [pkcs8("ed25519").split("\n").slice(0, 2).join("\n"), "unterminated"],
      [`${pkcs8("ed25519")}\n${pkcs8("p256")}`, "multiple_keys"],
      [`my key:\n${pkcs8("ed25519")}`, "outside_text"],
      [keyPair("ed25519").publicKey.export({ type: "spki", format: "pem" }) as string, "public_key"],
      ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl user@host", "public_key"],
      ["PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none", "putty_format"],
    ];
    for (const [value, reason] of cases) {
      const error = rejects(
        () => validateSecretValues("ssh_key", ssh(value)),
        "invalid_ssh_key",
        "Invalid SSH private key format. Expected an unencrypted OpenSSH or PEM key.",
        "PRIVATE_KEY",
      );
      assert.equal(error.details.reason, reason, `${reason}: ${error.message}`);
    }
  });

  test("an OpenSSH key whose public part does not belong to its private part is refused", () => {
    const a = sshpk.parsePrivateKey(pkcs8("ed25519"), "pem");
    const other = generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }) as string;
    const b = sshpk.parsePrivateKey(other, "pem");
    const parts = [
      { name: "A", data: (b.part as unknown as Record<string, { data: Buffer }>).A?.data },
      { name: "k", data: (a.part as unknown as Record<string, { data: Buffer }>).k?.data },
    ];
    const Ctor = sshpk.PrivateKey as unknown as new (o: unknown) => sshpk.PrivateKey;
    const mixed = new Ctor({ type: "ed25519", parts }).toString("openssh");
    const error = rejects(() => validateSecretValues("ssh_key", ssh(mixed)), "invalid_ssh_key", "damaged");
    assert.equal(error.details.reason, "damaged");
  });

  test("openssl ecparam -genkey output (EC PARAMETERS + EC PRIVATE KEY) is accepted", () => {
    const value = execFileSync("openssl", ["ecparam", "-name", "prime256v1", "-genkey"], { encoding: "utf8" });
    assert.match(value, /BEGIN EC PARAMETERS/);
    const result = validateSecretValues("ssh_key", ssh(value));
    assert.equal(result.keys[0]?.value, value);
    assert.equal(result.metadata.keys?.PRIVATE_KEY?.curve, "P-256");
  });

  test("a certificate pasted as the key", () => {
    const cert = selfSigned(pkcs8("p256"), "x", 1);
    rejects(
      () => validateSecretValues("ssh_key", ssh(cert)),
      "invalid_ssh_key",
      "holds a certificate, not a private key",
    );
  });

  test("key types SSH cannot use are refused", () => {
    const dsa = generateKeyPairSync("dsa", { modulusLength: 1024, divisorLength: 160 }).privateKey.export({
      type: "pkcs8",
      format: "pem",
    }) as string;
    rejects(() => validateSecretValues("ssh_key", ssh(dsa)), "unsupported_key_type", "DSA", "ssh-keygen -t ed25519");
    const k1 = generateKeyPairSync("ec", { namedCurve: "secp256k1" }).privateKey.export({
      type: "pkcs8",
      format: "pem",
    }) as string;
    rejects(() => validateSecretValues("ssh_key", ssh(k1)), "unsupported_key_type");
  });

  test("CRLF, lone CR and surrounding whitespace are normalised (T-SVC-03, T-SVC-04)", () => {
    const pem = pkcs8("ed25519");
    assert.ok(pem.endsWith("-----\n"));
    const crlf = validateSecretValues("ssh_key", ssh(pem.replace(/\n/g, "\r\n"))).keys[0]?.value;
    assert.equal(crlf, pem);
    const cr = validateSecretValues("ssh_key", ssh(pem.replace(/\n/g, "\r"))).keys[0]?.value;
    assert.equal(cr, pem);
    const padded = validateSecretValues("ssh_key", ssh(`\n  ${pem}\n\n`)).keys[0]?.value;
    assert.equal(padded, pem);
    const bare = validateSecretValues("ssh_key", ssh(pem.trimEnd())).keys[0]?.value;
    assert.equal(bare, pem);
  });

  test("empty value", () => {
    const error = rejects(
      () => validateSecretValues("ssh_key", ssh(" \r\n ")),
      "empty_value",
      "SSH private key is required.",
      "PRIVATE_KEY is empty",
    );
    assert.deepEqual(error.details, { type: "ssh_key", key: "PRIVATE_KEY" });
  });

  test("wrong key sets: extra key, wrong case, missing", () => {
    const value = pkcs8("ed25519");
    let error = rejects(
      () => validateSecretValues("ssh_key", [...ssh(value), { key: "PASSPHRASE", value: "x" }]),
      "invalid_key_set",
      "SSH key secrets must contain exactly one key value.",
      "Remove 'PASSPHRASE'",
    );
    assert.deepEqual(error.details, {
      type: "ssh_key",
      required: ["PRIVATE_KEY"],
      found: ["PRIVATE_KEY", "PASSPHRASE"],
      missing: [],
      unexpected: ["PASSPHRASE"],
    });
    error = rejects(
      () => validateSecretValues("ssh_key", [{ key: "private_key", value }]),
      "invalid_key_set",
      "SSH key secrets must use the 'PRIVATE_KEY' key name.",
      "Key names are case-sensitive: rename 'private_key' to 'PRIVATE_KEY'.",
    );
    assert.deepEqual(error.details.missing, ["PRIVATE_KEY"]);
    rejects(() => validateSecretValues("ssh_key", []), "no_keys", "'PRIVATE_KEY'");
    rejects(
      () => validateSecretValues("ssh_key", [...ssh(value), ...ssh(value)]),
      "duplicate_key",
      "'PRIVATE_KEY' appears more than once",
    );
  });

  test("structured values are limited by maxValueBytes too", () => {
    rejects(() => validateSecretValues("ssh_key", ssh(pkcs8("rsa")), { maxValueBytes: 1000 }), "value_too_large");
  });
});

describe("mtls", () => {
  test("accepts a matching pair; values get a trailing newline (T-SVC-08); facts and expiresAt", () => {
    for (const algorithm of ["rsa", "p256", "ed25519"] as const) {
      const key = pkcs8(algorithm);
      const cert = selfSigned(key, `client-${algorithm}`, 30);
      const result = validateSecretValues("mtls", mtls(cert.trimEnd(), key.trimEnd()));
      assert.deepEqual(result.keys, mtls(cert, key));
      const x509 = new X509Certificate(cert);
      const notAfter = opensslNotAfter(cert);
      assert.deepEqual(result.expiresAt, notAfter);
      assert.deepEqual(result.metadata.certificates, [
        {
          key: "TLS_CERTIFICATE",
          index: 0,
          subject: `O=Coffer Test, CN=client-${algorithm}`,
          issuer: `O=Coffer Test, CN=client-${algorithm}`,
          serialNumber: x509.serialNumber.toUpperCase(),
          notBefore: new Date(x509.validFrom).toISOString(),
          notAfter: notAfter.toISOString(),
          fingerprint256: x509.fingerprint256,
          isCA: x509.ca,
        },
      ]);
      assert.equal(result.metadata.keys?.TLS_PRIVATE_KEY?.fingerprint, sshpkFingerprint(algorithm));
      assert.deepEqual(JSON.parse(JSON.stringify(result.metadata)), result.metadata);
    }
  });

  test("accepts PKCS#1 and SEC1 keys", () => {
    validateSecretValues("mtls", mtls(selfSigned(pkcs8("rsa"), "a", 1), pkcs1Rsa()));
    validateSecretValues("mtls", mtls(selfSigned(pkcs8("p384"), "b", 1), sec1("p384")));
  });

  test("a mismatched pair is refused", () => {
    const cert = selfSigned(pkcs8("p256"), "client", 30);
    const error = rejects(
      () => validateSecretValues("mtls", mtls(cert, pkcs8("p384"))),
      "mtls_key_mismatch",
      "TLS_PRIVATE_KEY is not the private key of the certificate in TLS_CERTIFICATE.",
    );
    assert.deepEqual(error.details, { type: "mtls", key: "TLS_PRIVATE_KEY", certificateCount: 1 });
    rejects(() => validateSecretValues("mtls", mtls(cert, pkcs8("rsa"))), "mtls_key_mismatch");
  });

  test("a chain: leaf first is accepted with earliest expiry; CA first is refused with a hint", () => {
    const { ca: caPair, leaf } = caAndLeaf(365, 10);
    const chain = `${leaf.cert}${caPair.cert}`;
    const result = validateSecretValues("mtls", mtls(chain, leaf.key));
    assert.equal(result.metadata.certificates?.length, 2);
    assert.equal(result.metadata.certificates?.[0]?.serialNumber, "1234");
    assert.equal(result.metadata.certificates?.[0]?.issuer, "CN=Coffer Test CA");
    assert.equal(result.metadata.certificates?.[1]?.isCA, true);
    assert.deepEqual(result.expiresAt, opensslNotAfter(leaf.cert));
    rejects(
      () => validateSecretValues("mtls", mtls(`${caPair.cert}${leaf.cert}`, leaf.key)),
      "mtls_key_mismatch",
      "The key belongs to certificate 2 of 2: put the client certificate first",
    );
  });

  test("bad values name the key, with Tracecat's messages", () => {
    const key = pkcs8("p256");
    const cert = selfSigned(key, "client", 30);
    rejects(
      () => validateSecretValues("mtls", mtls("not-a-certificate", key)),
      "invalid_certificate",
      "Invalid TLS certificate format. Expected PEM-encoded certificate(s).",
      "TLS_CERTIFICATE contains no certificate",
    );
    rejects(
      () => validateSecretValues("mtls", mtls(cert, "not-a-key")),
      "invalid_private_key",
      "Invalid TLS private key format. Expected an unencrypted PEM key.",
      "TLS_PRIVATE_KEY",
    );
    rejects(
      () => validateSecretValues("mtls", mtls(cert, encryptedPkcs8("p256"))),
      "encrypted_private_key",
      "TLS_PRIVATE_KEY",
    );
    const error = rejects(
      () => validateSecretValues("mtls", mtls(cert, openssh("p256"))),
      "invalid_private_key",
      "OpenSSH format",
    );
    assert.equal(error.details.reason, "openssh_format");
    const combined = rejects(
      () => validateSecretValues("mtls", mtls(`${cert}${key}`, key)),
      "invalid_certificate",
      "put the private key in TLS_PRIVATE_KEY",
    );
    assert.equal(combined.details.reason, "private_key");
    rejects(
      () => validateSecretValues("mtls", mtls(cert, `${key}${cert}`)),
      "invalid_private_key",
      "certificates belong in TLS_CERTIFICATE",
    );
    rejects(() => validateSecretValues("mtls", mtls("", key)), "empty_value", "TLS certificate is required.");
    rejects(() => validateSecretValues("mtls", mtls(cert, "  ")), "empty_value", "TLS private key is required.");
  });

  test("wrong key sets", () => {
    const key = pkcs8("p256");
    const cert = selfSigned(key, "client", 30);
    let error = rejects(
      () => validateSecretValues("mtls", [{ key: "TLS_CERTIFICATE", value: cert }]),
      "invalid_key_set",
      "mTLS secrets must contain exactly two key values.",
      "Missing: 'TLS_PRIVATE_KEY'.",
    );
    assert.deepEqual(error.details.missing, ["TLS_PRIVATE_KEY"]);
    error = rejects(
      () =>
        validateSecretValues("mtls", [
          { key: "TLS_CERTIFICATE", value: cert },
          { key: "TLS_KEY", value: key },
        ]),
      "invalid_key_set",
      "mTLS secrets must use the 'TLS_CERTIFICATE' and 'TLS_PRIVATE_KEY' key names.",
      "Remove 'TLS_KEY'",
    );
    rejects(
      () => validateSecretValues("mtls", [...mtls(cert, key), { key: "CA_CERTIFICATE", value: cert }]),
      "invalid_key_set",
      "exactly two key values",
    );
  });
});

describe("ca_cert", () => {
  test("a bundle: every certificate described, expiresAt is the earliest notAfter, comments allowed", () => {
    const { ca: caPair, leaf } = caAndLeaf(365, 10);
    const other = selfSigned(pkcs8("ed25519"), "Other Root", 100);
    const bundle = `# Coffer Test CA\n${caPair.cert}\nLeaf title\n${leaf.cert}${other}`;
    const result = validateSecretValues("ca_cert", ca(bundle));
    assert.equal(result.keys[0]?.value, bundle);
    const certs = result.metadata.certificates ?? [];
    assert.deepEqual(
      certs.map((c) => [c.key, c.index, c.subject]),
      [
        ["CA_CERTIFICATE", 0, "CN=Coffer Test CA"],
        ["CA_CERTIFICATE", 1, "CN=client.coffer.test"],
        ["CA_CERTIFICATE", 2, "O=Coffer Test, CN=Other Root"],
      ],
    );
    assert.deepEqual(result.expiresAt, opensslNotAfter(leaf.cert));
    assert.deepEqual(result.metadata.keys, undefined);
    assert.equal(certs[0]?.isCA, true);
  });

  test("a bundle with one broken certificate names which one", () => {
    const { ca: caPair, leaf } = caAndLeaf(365, 10);
    const bundle = `${caPair.cert}${truncateBody(leaf.cert)}\n${caPair.cert}`;
    const error = rejects(
      () => validateSecretValues("ca_cert", ca(bundle)),
      "invalid_certificate",
      "Invalid CA certificate format. Expected PEM-encoded certificate(s).",
      "Certificate 2 of 3 in CA_CERTIFICATE could not be parsed",
    );
    assert.deepEqual(error.details, {
      type: "ca_cert",
      key: "CA_CERTIFICATE",
      reason: "damaged",
      certificateNumber: 2,
      certificateCount: 3,
    });
  });

  test("garbage and non-certificate blocks", () => {
    rejects(() => validateSecretValues("ca_cert", ca("not-a-certificate")), "invalid_certificate", "CA certificate");
    const pub = keyPair("p256").publicKey.export({ type: "spki", format: "pem" }) as string;
    rejects(
      () => validateSecretValues("ca_cert", ca(pub)),
      "invalid_certificate",
      "Block 1 of CA_CERTIFICATE is a public key",
    );
    const cert = selfSigned(pkcs8("p256"), "x", 1);
    rejects(() => validateSecretValues("ca_cert", ca(`${cert}${pkcs8("p256")}`)), "invalid_certificate", "private key");
    rejects(
      () => validateSecretValues("ca_cert", ca(cert.split("\n").slice(0, 4).join("\n"))),
      "invalid_certificate",
      "cut off",
    );
    rejects(() => validateSecretValues("ca_cert", ca("\n\n")), "empty_value", "CA certificate is required.");
  });

  test("wrong key name", () => {
    const cert = selfSigned(pkcs8("p256"), "x", 1);
    rejects(
      () => validateSecretValues("ca_cert", [{ key: "CA_CERT", value: cert }]),
      "invalid_key_set",
      "CA certificate secrets must use the 'CA_CERTIFICATE' key name.",
    );
  });
});

describe("no value in errors (canary)", () => {
  const CANARY = "C4NARYzq8";
  const pem = (label: string) => `-----BEGIN ${label}-----\nMII${CANARY}AAAA\n${CANARY}==\n-----END ${label}-----`;
  const cert = () => selfSigned(pkcs8("p256"), "canary", 1);
  const cases: [string, () => [SecretType, KeyValue[], { maxValueBytes?: number }?]][] = [
    ["custom value too large", () => ["custom", [{ key: "K", value: `${CANARY}${"x".repeat(70000)}` }]]],
    ["custom value too large (small limit)", () => ["custom", [{ key: "K", value: CANARY }], { maxValueBytes: 4 }]],
    ["broken PKCS#8 body", () => ["ssh_key", ssh(pem("PRIVATE KEY"))]],
    ["broken PKCS#1 body", () => ["ssh_key", ssh(pem("RSA PRIVATE KEY"))]],
    ["broken SEC1 body", () => ["ssh_key", ssh(pem("EC PRIVATE KEY"))]],
    ["broken OpenSSH body", () => ["ssh_key", ssh(pem("OPENSSH PRIVATE KEY"))]],
    ["unknown PEM label", () => ["ssh_key", ssh(pem(`${CANARY.toUpperCase()} KEY`))]],
    ["text around a key", () => ["ssh_key", ssh(`${CANARY}\n${pkcs8("ed25519")}`)]],
    ["no PEM at all", () => ["ssh_key", ssh(`${CANARY} ${CANARY}`)]],
    ["public key line", () => ["ssh_key", ssh(`ssh-ed25519 AAAA${CANARY} me@host`)]],
    ["putty", () => ["ssh_key", ssh(`PuTTY-User-Key-File-3: ssh-ed25519\nComment: ${CANARY}`)]],
    ["unterminated block", () => ["ssh_key", ssh(`-----BEGIN PRIVATE KEY-----\n${CANARY}`)]],
    ["broken certificate body", () => ["mtls", mtls(pem("CERTIFICATE"), pkcs8("p256"))]],
    ["broken TLS key body", () => ["mtls", mtls(cert(), pem("PRIVATE KEY"))]],
    ["broken CA in bundle", () => ["ca_cert", ca(`${cert()}${pem("CERTIFICATE")}`)]],
    ["unknown block in bundle", () => ["ca_cert", ca(pem(`X ${CANARY.toUpperCase()}`))]],
    [
      "encrypted PEM with canary header",
      () => ["ssh_key", ssh(encryptedPkcs1Rsa().replace("DEK-Info", `X-Note: ${CANARY}\nDEK-Info`))],
    ],
  ];
  for (const [name, make] of cases) {
    test(name, () => {
      const [type, keys, options] = make();
      try {
        validateSecretValues(type, keys, options);
      } catch (error) {
        assert.ok(error instanceof CofferError, inspect(error));
        const seen = [
          error.message,
          JSON.stringify(error),
          JSON.stringify(error.details),
          inspect(error, { depth: 10 }),
          String(error.stack),
        ].join("\n");
        assert.ok(!seen.toUpperCase().includes(CANARY.toUpperCase()), `canary leaked: ${seen}`);
        assert.ok(!seen.includes("MII"), `value prefix leaked: ${seen}`);
        return;
      }
      assert.fail("expected an error");
    });
  }
});

describe("text after the last certificate", () => {
  test("mtls and ca_cert refuse it (as ssh_key does); titles before and between blocks stay allowed", () => {
    const key = pkcs8("p256");
    const cert = selfSigned(key, "client-trailing", 30);
    const error = rejects(
      () => validateSecretValues("mtls", mtls(`${cert}\nsomething pasted by mistake\n`, key)),
      "invalid_certificate",
      /after its last '-----END CERTIFICATE-----'/,
    );
    assert.equal(error.details.reason, "trailing_text");
    assert.ok(!error.message.includes("pasted by mistake"), "the extra text is not echoed");
    rejects(
      () => validateSecretValues("ca_cert", ca(`${cert}trailing`)),
      "invalid_certificate",
      /remove everything after/,
    );
    const titled = validateSecretValues("ca_cert", ca(`# Bundle title\n${cert}Second\n${cert}`));
    assert.equal(titled.metadata.certificates?.length, 2);
  });
});
