import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { CofferError } from "../errors/coffer-error.js";

/** One key-encryption key. `key` is 32 bytes. */
export interface KeyEncryptionKey {
  readonly kid: string;
  readonly key: Buffer;
}

/**
 * The key-encryption keys a process knows. The first is active: new data keys are wrapped with
 * it. Older ones stay to unwrap rows not yet rotated.
 */
export interface Keyring {
  readonly active: KeyEncryptionKey;
  readonly source: "environment" | "file";
  /** The key file path in file mode. */
  readonly path?: string;
  get(kid: string): KeyEncryptionKey | undefined;
  /** Whether the key is known, without touching key material (metadata reads use this). */
  has(kid: string): boolean;
  kids(): string[];
  /**
   * Re-reads the key file (file mode) so a process started before `keys rotate` learns the new
   * key. Returns true when something new was loaded. A no-op in environment mode.
   */
  reload(): boolean;
}

const KID_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** Parses `kid:base64,kid:base64,…` (the format of COFFER_ENCRYPTION_KEYS and of the key file). */
export function parseKeyList(text: string, sourceName: string): KeyEncryptionKey[] {
  const entries = text
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0 && !s.startsWith("#"));
  if (entries.length === 0) {
    throw new CofferError(
      "invalid_encryption_keys",
      `${sourceName} holds no key. Expected kid:base64key[,kid:base64key…].`,
    );
  }
  const seen = new Set<string>();
  return entries.map((entry, index) => {
    const colon = entry.indexOf(":");
    const kid = colon > 0 ? entry.slice(0, colon) : "";
    if (!KID_RE.test(kid)) {
      throw new CofferError(
        "invalid_encryption_keys",
        `${sourceName}: entry ${index + 1} needs a key id before ':' (letters, digits, '_', '.', '-'), e.g. k1:<base64 of 32 random bytes>.`,
      );
    }
    const key = Buffer.from(entry.slice(colon + 1), "base64");
    if (key.length !== 32) {
      throw new CofferError(
        "invalid_encryption_keys",
        `${sourceName}: key '${kid}' must be 32 bytes encoded in base64 (got ${key.length} bytes). Generate one with: openssl rand -base64 32`,
      );
    }
    if (seen.has(kid))
      throw new CofferError("invalid_encryption_keys", `${sourceName}: key id '${kid}' appears twice.`);
    seen.add(kid);
    return { kid, key };
  });
}

/**
 * `changedByOthers` (file mode): when given, the key file is looked at again only after another
 * process has written to the store. Every key change is made by such a process (`keys rotate`
 * and `keys prune` write their audit events, rotate its re-wraps), so a server learns of it on its
 * next write, without a stat per write. Without it, every write stats the file.
 */
function makeKeyring(
  keys: KeyEncryptionKey[],
  source: "environment" | "file",
  path?: string,
  changedByOthers?: () => boolean,
): Keyring {
  let byKid = new Map(keys.map((k) => [k.kid, k]));
  let active = keys[0]!;
  let seen = path ? fileStamp(path) : "";
  function load(): boolean {
    if (source !== "file" || !path) return false;
    const stamp = fileStamp(path);
    const fresh = parseKeyList(readFileSync(path, "utf8"), path);
    const changed = fresh[0]!.kid !== active.kid || fresh.some((k) => !byKid.has(k.kid));
    byKid = new Map(fresh.map((k) => [k.kid, k]));
    active = fresh[0]!;
    seen = stamp;
    return changed;
  }
  /** Whether the key file may have changed since it was read: then it is stat'ed. */
  const mayHaveChanged = changedByOthers ?? (() => true);
  const keyring: Keyring = {
    get active() {
      // Another process (`coffer keys rotate`) may have put a new key in front: a long-running
      // server must wrap new versions with it, not with the retired one.
      if (source === "file" && path && mayHaveChanged() && fileStamp(path) !== seen) load();
      return active;
    },
    source,
    ...(path ? { path } : {}),
    get: (kid) => byKid.get(kid),
    has(kid) {
      if (byKid.has(kid)) return true;
      if (source === "file" && path && fileStamp(path) !== seen) load();
      return byKid.has(kid);
    },
    kids: () => [...byKid.keys()],
    reload: load,
  };
  return keyring;
}

function fileStamp(path: string): string {
  try {
    // Not { bigint: true }: every write stats the file, and BigInt stats cost twice as much. A
    // rewrite moves the inode (keys rotate renames a new file into place) or the size or mtime.
    const s = statSync(path);
    return `${s.ino}:${s.size}:${s.mtimeMs}`;
  } catch {
    return "";
  }
}

export function keyringFromEnvironment(value: string): Keyring {
  return makeKeyring(parseKeyList(value, "COFFER_ENCRYPTION_KEYS"), "environment");
}

/** Time-ordered and unique even for two keys made in the same millisecond. */
function freshKid(): string {
  return `k${Date.now().toString(36)}${randomBytes(3).toString("hex")}`;
}

export function newKey(kid: string): KeyEncryptionKey {
  return { kid, key: randomBytes(32) };
}

function formatKeyFile(keys: KeyEncryptionKey[]): string {
  return (
    "# Coffer key-encryption keys. The first line is the active key. Losing this file makes every\n" +
    "# stored secret unrecoverable: back it up somewhere safe.\n" +
    keys.map((k) => `${k.kid}:${k.key.toString("base64")}`).join("\n") +
    "\n"
  );
}

function writeKeyFileAtomically(path: string, keys: KeyEncryptionKey[]): void {
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, formatKeyFile(keys), { mode: 0o600 });
  chmodSync(temp, 0o600);
  renameSync(temp, path);
}

/**
 * Loads the key file, creating it with one fresh key on first use. `onCreate` is told the path so
 * the caller can print a warning.
 */
export function keyringFromFile(
  path: string,
  onCreate: (path: string) => void,
  changedByOthers?: () => boolean,
): Keyring {
  if (!existsSync(path)) {
    try {
      writeFileSync(path, formatKeyFile([newKey(freshKid())]), { mode: 0o600, flag: "wx" });
      onCreate(path);
    } catch (error) {
      // Another process created it first: use theirs.
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
  }
  return makeKeyring(parseKeyList(readFileSync(path, "utf8"), path), "file", path, changedByOthers);
}

/** Adds a new active key to the key file (the old keys stay, to unwrap rows not yet rotated). */
export function addKeyToFile(keyring: Keyring): KeyEncryptionKey {
  if (keyring.source !== "file" || !keyring.path) {
    throw new CofferError("keyring_not_file", "Keys come from COFFER_ENCRYPTION_KEYS; edit that variable instead.");
  }
  keyring.reload();
  const fresh = newKey(freshKid());
  const current = keyring.kids().map((kid) => keyring.get(kid)!);
  writeKeyFileAtomically(keyring.path, [fresh, ...current]);
  keyring.reload();
  return fresh;
}

/**
 * Removes the given retired key ids from the key file (re-read first, so a key another process
 * just added stays). The active key is never removed. Returns the ids actually removed.
 */
export function removeKeysFromFile(keyring: Keyring, kids: string[]): string[] {
  if (keyring.source !== "file" || !keyring.path) {
    throw new CofferError("keyring_not_file", "Keys come from COFFER_ENCRYPTION_KEYS; edit that variable instead.");
  }
  keyring.reload();
  const activeKid = keyring.active.kid;
  const drop = new Set(kids.filter((kid) => kid !== activeKid && keyring.has(kid)));
  if (drop.size === 0) return [];
  const kept = keyring
    .kids()
    .filter((kid) => !drop.has(kid))
    .map((kid) => keyring.get(kid)!);
  writeKeyFileAtomically(keyring.path, kept);
  keyring.reload();
  return [...drop];
}

/**
 * The keyring of a store whose key file is gone while rows still need it. Nothing can be
 * decrypted (reads show secrets as corrupted), and every write is refused with
 * `encryption_key_missing` instead of silently starting over with a new key.
 */
export function missingKeyring(path: string, neededKids: string[]): Keyring {
  const refuse = (): never => {
    throw new CofferError(
      "encryption_key_missing",
      `The key file ${path} is missing, but this store holds data encrypted with key ${neededKids
        .map((k) => `'${k}'`)
        .join(
          ", ",
        )}. Coffer will not create a new key: restore master.key from your backup (mode 0600), or set COFFER_ENCRYPTION_KEYS to the key(s) listed.`,
      { status: 409, details: { path, kids: neededKids } },
    );
  };
  return {
    get active() {
      return refuse();
    },
    source: "file",
    path,
    get: () => undefined,
    has: () => false,
    kids: () => [],
    reload: () => false,
  };
}
