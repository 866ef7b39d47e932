import { createCipheriv, createDecipheriv, createHmac } from "node:crypto";
import type { KeyEncryptionKey, Keyring } from "./keyring.js";
import { freshRandom } from "./random.js";

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** What a sealed secret version stores. */
export interface SealedValues {
  ciphertext: string;
  wrappedKey: string;
  kid: string;
}

/** Binds a ciphertext to its row: moving it to another secret, version or workspace fails. */
export function versionAad(workspaceId: string, secretId: string, versionId: string): Buffer {
  return Buffer.from(`coffer:v1:${workspaceId}:${secretId}:${versionId}`, "utf8");
}

function seal(key: Buffer, plaintext: Buffer, aad: Buffer): Buffer {
  const iv = freshRandom(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]);
}

function open(key: Buffer, sealed: Buffer, aad: Buffer): Buffer {
  if (sealed.length < IV_BYTES + TAG_BYTES) throw new Error("sealed data too short");
  const decipher = createDecipheriv("aes-256-gcm", key, sealed.subarray(0, IV_BYTES));
  decipher.setAAD(aad);
  decipher.setAuthTag(sealed.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  const plaintext = decipher.update(sealed.subarray(IV_BYTES + TAG_BYTES));
  // GCM is a stream mode: final() adds no bytes, it checks the tag (and throws when it fails).
  decipher.final();
  return plaintext;
}

function wrapAad(aad: Buffer, kid: string): Buffer {
  return Buffer.concat([aad, Buffer.from(`:kek:${kid}`)]);
}

/**
 * Encrypts `values` under a fresh data key, wrapped by the keyring's active key (or `kek`, the
 * active key the caller already fetched for this write).
 */
export function sealValues(
  keyring: Keyring,
  aad: Buffer,
  values: Record<string, string>,
  kek: KeyEncryptionKey = keyring.active,
): SealedValues {
  const dataKey = freshRandom(32);
  const plaintext = Buffer.from(JSON.stringify(values), "utf8");
  try {
    return {
      ciphertext: seal(dataKey, plaintext, aad).toString("base64"),
      wrappedKey: seal(kek.key, dataKey, wrapAad(aad, kek.kid)).toString("base64"),
      kid: kek.kid,
    };
  } finally {
    dataKey.fill(0);
    plaintext.fill(0);
  }
}

export type OpenResult =
  | { ok: true; values: Record<string, string> }
  | { ok: false; reason: "unknown_kid" | "undecryptable" };

// Unwrapped data keys by wrapped key, per keyring (each entry remembers the key-encryption key's
// id, and answers only for it): a resolve then costs one AES-GCM open per secret instead of two.
// The AAD need not be part of the lookup: a data key found here still opens only a ciphertext
// sealed under it for this row's AAD, so a wrapped key copied onto another row opens nothing
// there. It exposes nothing new: whoever can read this process's memory can read the keyring's
// key-encryption keys, which unwrap every data key. Bounded, and wiped when it is cleared. A
// value is still opened (and authenticated against its row) on every use.
const DATA_KEY_CACHE_MAX = 4096;
const dataKeyCaches = new WeakMap<Keyring, Map<string, { kid: string; dataKey: Buffer }>>();

function cachedDataKey(keyring: Keyring, kek: KeyEncryptionKey, aad: Buffer, wrappedKey: string): Buffer {
  let cache = dataKeyCaches.get(keyring);
  if (!cache) {
    cache = new Map();
    dataKeyCaches.set(keyring, cache);
  }
  const hit = cache.get(wrappedKey);
  if (hit !== undefined && hit.kid === kek.kid) return hit.dataKey;
  const dataKey = open(kek.key, Buffer.from(wrappedKey, "base64"), wrapAad(aad, kek.kid));
  if (cache.size >= DATA_KEY_CACHE_MAX) {
    for (const entry of cache.values()) entry.dataKey.fill(0);
    cache.clear();
  }
  hit?.dataKey.fill(0);
  cache.set(wrappedKey, { kid: kek.kid, dataKey });
  return dataKey;
}

/**
 * Decrypts a sealed version. Never throws for bad data: a version that cannot be opened is
 * reported so the caller can show the secret as corrupted. `fresh` unwraps the data key again
 * even when it is cached (what `coffer secrets verify` needs to check every byte).
 */
export function openValues(
  keyring: Keyring,
  aad: Buffer,
  sealed: SealedValues,
  options: { fresh?: boolean } = {},
): OpenResult {
  let kek = keyring.get(sealed.kid);
  if (!kek && keyring.reload()) kek = keyring.get(sealed.kid);
  if (!kek) return { ok: false, reason: "unknown_kid" };
  let freshKey: Buffer | undefined;
  try {
    if (options.fresh) freshKey = open(kek.key, Buffer.from(sealed.wrappedKey, "base64"), wrapAad(aad, kek.kid));
    const dataKey = freshKey ?? cachedDataKey(keyring, kek, aad, sealed.wrappedKey);
    const plaintext = open(dataKey, Buffer.from(sealed.ciphertext, "base64"), aad);
    const parsed = JSON.parse(plaintext.toString("utf8")) as unknown;
    plaintext.fill(0);
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) return { ok: false, reason: "undecryptable" };
    // No prototype: a key named like an Object.prototype member must not resolve to it.
    const values = Object.create(null) as Record<string, string>;
    for (const key in parsed) {
      const value = (parsed as Record<string, unknown>)[key];
      if (typeof value !== "string") return { ok: false, reason: "undecryptable" };
      values[key] = value;
    }
    return { ok: true, values };
  } catch {
    return { ok: false, reason: "undecryptable" };
  } finally {
    freshKey?.fill(0);
  }
}

/** Re-wraps a version's data key under `target`; the ciphertext is untouched. Null if it cannot be unwrapped. */
export function rewrapKey(
  keyring: Keyring,
  aad: Buffer,
  sealed: { wrappedKey: string; kid: string },
  target: KeyEncryptionKey,
): { wrappedKey: string; kid: string } | null {
  let source = keyring.get(sealed.kid);
  if (!source && keyring.reload()) source = keyring.get(sealed.kid);
  if (!source) return null;
  let dataKey: Buffer | undefined;
  try {
    dataKey = open(source.key, Buffer.from(sealed.wrappedKey, "base64"), wrapAad(aad, source.kid));
    return { wrappedKey: seal(target.key, dataKey, wrapAad(aad, target.kid)).toString("base64"), kid: target.kid };
  } catch {
    return null;
  } finally {
    dataKey?.fill(0);
  }
}

// The anchor's MAC key per key-encryption key, derived once: every audit append MACs the head.
// It lives exactly as long as the key it comes from, which already unwraps every data key.
const anchorMacKeys = new WeakMap<KeyEncryptionKey, Buffer>();

/** An HMAC keyed from a key-encryption key, for integrity anchors (never for values). */
export function anchorMac(kek: KeyEncryptionKey, message: string): string {
  let macKey = anchorMacKeys.get(kek);
  if (!macKey) {
    macKey = createHmac("sha256", kek.key).update("coffer:audit-anchor:v1").digest();
    anchorMacKeys.set(kek, macKey);
  }
  return createHmac("sha256", macKey).update(message).digest("hex");
}
