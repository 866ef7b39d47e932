import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { openValues, sealValues, versionAad } from "./envelope.js";
import { addKeyToFile, keyringFromEnvironment, keyringFromFile } from "./keyring.js";

const KEY_A = `a:${Buffer.alloc(32, 1).toString("base64")}`;
const KEY_B = `b:${Buffer.alloc(32, 2).toString("base64")}`;

test("COFFER_ENCRYPTION_KEYS: the first key is active, the others unwrap", () => {
  const keyring = keyringFromEnvironment(`${KEY_B}, ${KEY_A}`);
  assert.equal(keyring.active.kid, "b");
  assert.deepEqual(keyring.kids(), ["b", "a"]);
});

test("malformed keyrings are refused with a message that says how to fix them, never the key", () => {
  const cases: [string, RegExp][] = [
    ["", /holds no key/],
    ["nokid", /needs a key id before ':'/],
    [`a:${Buffer.alloc(16).toString("base64")}`, /must be 32 bytes .*got 16 bytes.*openssl rand -base64 32/],
    [`${KEY_A},${KEY_A}`, /'a' appears twice/],
  ];
  for (const [value, pattern] of cases) {
    assert.throws(
      () => keyringFromEnvironment(value),
      (e: Error & { code?: string }) =>
        e.code === "invalid_encryption_keys" && pattern.test(e.message) && !e.message.includes("AQEB"),
    );
  }
});

test("sealed values open only with the same AAD and an intact ciphertext", () => {
  const keyring = keyringFromEnvironment(KEY_A);
  const aad = versionAad("ws", "secret", "v1");
  const sealed = sealValues(keyring, aad, { TOKEN: "t0k3n", EMPTY: "" });
  assert.ok(!sealed.ciphertext.includes(Buffer.from("t0k3n").toString("base64")));
  assert.deepEqual(plain(openValues(keyring, aad, sealed)), { ok: true, values: { TOKEN: "t0k3n", EMPTY: "" } });
  assert.deepEqual(openValues(keyring, versionAad("ws", "secret", "v2"), sealed), {
    ok: false,
    reason: "undecryptable",
  });
  const flipped = Buffer.from(sealed.ciphertext, "base64");
  flipped[20] = (flipped[20] ?? 0) ^ 0x80;
  assert.equal(openValues(keyring, aad, { ...sealed, ciphertext: flipped.toString("base64") }).ok, false);
  assert.deepEqual(openValues(keyringFromEnvironment(KEY_B), aad, sealed), { ok: false, reason: "unknown_kid" });
});

test("a cached data key never opens another row's ciphertext, and `fresh` re-checks the wrapped key", () => {
  const keyring = keyringFromEnvironment(KEY_A);
  const aad = versionAad("ws", "secret", "v1");
  const sealed = sealValues(keyring, aad, { TOKEN: "first" });
  const other = sealValues(keyring, versionAad("ws", "secret", "v2"), { TOKEN: "second" });
  assert.equal(openValues(keyring, aad, sealed).ok, true); // warms the cache
  // Another version's ciphertext under this row's (cached) wrapped key: refused.
  assert.equal(openValues(keyring, aad, { ...sealed, ciphertext: other.ciphertext }).ok, false);
  const tampered = Buffer.from(sealed.wrappedKey, "base64");
  tampered[20] = (tampered[20] ?? 0) ^ 0x80;
  const broken = { ...sealed, wrappedKey: tampered.toString("base64") };
  assert.deepEqual(openValues(keyring, aad, broken, { fresh: true }), { ok: false, reason: "undecryptable" });
  assert.deepEqual(openValues(keyring, aad, broken), { ok: false, reason: "undecryptable" });
  assert.equal(openValues(keyring, aad, sealed, { fresh: true }).ok, true);
});

test("the key file is created 0600 once, and rotation adds a new active key in front", () => {
  const dir = mkdtempSync(join(tmpdir(), "coffer-keyring-"));
  try {
    const path = join(dir, "master.key");
    let created = 0;
    const keyring = keyringFromFile(path, () => created++);
    keyringFromFile(path, () => created++);
    assert.equal(created, 1);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    const first = keyring.active.kid;
    const aad = versionAad("w", "s", "v");
    const sealed = sealValues(keyring, aad, { K: "v" });

    // Another process loaded the file before the rotation; it learns the new key on demand.
    const otherProcess = keyringFromFile(path, () => {});
    const added = addKeyToFile(keyring);
    assert.equal(keyring.active.kid, added.kid);
    assert.notEqual(added.kid, first);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.match(readFileSync(path, "utf8"), new RegExp(`^#[^]*\\n${added.kid}:`));
    const resealed = sealValues(keyring, aad, { K: "v2" });
    assert.deepEqual(plain(openValues(otherProcess, aad, resealed)), { ok: true, values: { K: "v2" } });
    assert.deepEqual(plain(openValues(keyring, aad, sealed)), { ok: true, values: { K: "v" } });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** openValues gives prototype-less maps; compare their content. */
function plain(result: ReturnType<typeof openValues>) {
  return result.ok ? { ok: true, values: { ...result.values } } : result;
}

test("keys made in the same millisecond get distinct ids", () => {
  const dir = mkdtempSync(join(tmpdir(), "coffer-kids-"));
  try {
    const keyring = keyringFromFile(join(dir, "master.key"), () => {});
    for (let i = 0; i < 20; i++) addKeyToFile(keyring);
    assert.equal(new Set(keyring.kids()).size, 21);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a running process wraps with the new active key once another process rotates the key file", () => {
  const dir = mkdtempSync(join(tmpdir(), "coffer-pickup-"));
  try {
    const path = join(dir, "master.key");
    const server = keyringFromFile(path, () => {});
    const before = server.active.kid;
    const rotated = addKeyToFile(keyringFromFile(path, () => {}));
    assert.notEqual(rotated.kid, before);
    const sealed = sealValues(server, versionAad("w", "s", "v"), { K: "v" });
    assert.equal(sealed.kid, rotated.kid, "new versions are wrapped with the key `keys rotate` added");
    assert.ok(server.has(before), "the retired key still unwraps older rows");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
