/**
 * Private key parsing for `ssh_key` (PRIVATE_KEY) and `mtls` (TLS_PRIVATE_KEY) values.
 *
 * PEM keys (PKCS#1 `RSA PRIVATE KEY`, PKCS#8 `PRIVATE KEY`, SEC1 `EC PRIVATE KEY`) are parsed by
 * node:crypto; OpenSSH keys (`OPENSSH PRIVATE KEY`, ssh_key only) by sshpk and then loaded into
 * node:crypto. Every key is checked with a sign/verify round trip, so a key whose parts do not
 * belong together is refused. Errors never quote the value: node:crypto and sshpk messages can
 * contain input, so they are dropped and the problem is described by key name and reason.
 */
import { createHash, createPrivateKey, createPublicKey, type KeyObject, sign, verify } from "node:crypto";
import { createRequire } from "node:module";
import type sshpk from "sshpk";

// Loaded when the first OpenSSH key is parsed, not at start-up of every command.
const require = createRequire(import.meta.url);
let sshpkModule: typeof sshpk | undefined;
function loadSshpk(): typeof sshpk {
  sshpkModule ??= require("sshpk") as typeof sshpk;
  return sshpkModule;
}

import { CofferError, type ErrorCode } from "../errors/coffer-error.js";
import { describePemLabel, isPrivateKeyLabel, type PemBlock, splitPem } from "./pem.js";

/** Non-secret facts about a private key, kept as metadata. */
export interface KeyFacts {
  /** `rsa`, `ecdsa` or `ed25519`; TLS keys may also be `rsa-pss` or `ed448`. */
  type: string;
  /** RSA modulus size; ECDSA curve size (256, 384, 521); 256 for Ed25519, 456 for Ed448. */
  bits: number;
  /** ECDSA only: `P-256`, `P-384` or `P-521`. */
  curve?: string;
  /** The encoding the key was given in. */
  format: "pkcs1" | "pkcs8" | "sec1" | "openssh";
  /**
   * OpenSSH-style SHA-256 fingerprint of the public key (`SHA256:` + unpadded base64), equal to
   * `ssh-keygen -lf`. Absent for key types SSH cannot express (`rsa-pss`, `ed448`).
   */
  fingerprint?: string;
}

export interface PrivateKeyContext {
  secretType: "ssh_key" | "mtls";
  /** The key name holding the value: `PRIVATE_KEY` or `TLS_PRIVATE_KEY`. */
  key: string;
  /** Code for a value that is not a usable key: `invalid_ssh_key` or `invalid_private_key`. */
  invalidCode: "invalid_ssh_key" | "invalid_private_key";
  /** Tracecat's sentence opening every format error. */
  formatMessage: string;
  /** Whether OpenSSH-format keys are accepted (SSH: yes; TLS libraries need PEM). */
  allowOpenSsh: boolean;
  /** Whether only SSH key types are accepted (RSA, ECDSA P-256/P-384/P-521, Ed25519). */
  sshTypesOnly: boolean;
}

export interface ParsedPrivateKey {
  keyObject: KeyObject;
  facts: KeyFacts;
}

const SSH_CURVES: Record<string, { curve: string; bits: number; ssh: string }> = {
  prime256v1: { curve: "P-256", bits: 256, ssh: "nistp256" },
  secp384r1: { curve: "P-384", bits: 384, ssh: "nistp384" },
  secp521r1: { curve: "P-521", bits: 521, ssh: "nistp521" },
};

const TLS_KEY_TYPES = new Set(["rsa", "rsa-pss", "ec", "ed25519", "ed448"]);

function fail(ctx: PrivateKeyContext, code: ErrorCode, reason: string, explanation: string): never {
  const message = code === ctx.invalidCode ? `${ctx.formatMessage} ${explanation}` : explanation;
  throw new CofferError(code, message, {
    status: 422,
    details: { type: ctx.secretType, key: ctx.key, reason },
  });
}

function encrypted(ctx: PrivateKeyContext, openssh: boolean): never {
  const how = openssh
    ? "run `ssh-keygen -p -N '' -f <copy of the key file>` and paste the result"
    : "run `openssl pkey -in <key file> -out <new key file>` (it asks for the passphrase) and paste the new file";
  return fail(
    ctx,
    "encrypted_private_key",
    "encrypted",
    `${ctx.key} is encrypted with a passphrase. Coffer needs the unencrypted key (it encrypts every stored value itself): ${how}.`,
  );
}

const OPENSSH_PUBLIC_KEY =
  /^(?:ssh-(?:rsa|dss|ed25519|ed448)|ecdsa-sha2-nistp\d+|sk-[a-z0-9@.-]+)\s+[A-Za-z0-9+/]+=*(?:\s|$)/;

/** Parses a normalised private key value; throws a CofferError describing the problem otherwise. */
export function parsePrivateKey(value: string, ctx: PrivateKeyContext): ParsedPrivateKey {
  const pemHint = ctx.allowOpenSsh
    ? "from '-----BEGIN OPENSSH PRIVATE KEY-----' (or '-----BEGIN … PRIVATE KEY-----') to the matching END line"
    : "from '-----BEGIN PRIVATE KEY-----' (or '-----BEGIN RSA/EC PRIVATE KEY-----') to the matching END line";

  if (value.startsWith("PuTTY-User-Key-File-")) {
    fail(
      ctx,
      ctx.invalidCode,
      "putty_format",
      `${ctx.key} is a PuTTY key (.ppk): export it in OpenSSH format with \`puttygen key.ppk -O private-openssh -o key\` and paste that file.`,
    );
  }
  if (OPENSSH_PUBLIC_KEY.test(value)) {
    fail(
      ctx,
      ctx.invalidCode,
      "public_key",
      `${ctx.key} holds an SSH public key, not a private key: paste the private key file (e.g. ~/.ssh/id_ed25519, not id_ed25519.pub).`,
    );
  }

  const split = splitPem(value);
  if (!split.ok) {
    fail(
      ctx,
      ctx.invalidCode,
      split.reason,
      split.reason === "unterminated"
        ? `${ctx.key} has a '-----BEGIN' line without its matching '-----END' line: the key is cut off. Paste the complete key, ${pemHint}.`
        : `${ctx.key} has an '-----END' line without a '-----BEGIN' line: the start of the key is missing. Paste the complete key, ${pemHint}.`,
    );
  }
  const blocks = split.blocks.filter((b) => b.label !== "EC PARAMETERS");
  const keyBlocks = blocks.filter((b) => isPrivateKeyLabel(b.label));
  if (keyBlocks.length === 0) {
    const first = blocks[0];
    if (first === undefined) {
      fail(
        ctx,
        ctx.invalidCode,
        "no_pem_block",
        `${ctx.key} does not contain a PEM private key: paste the whole key file, ${pemHint}.`,
      );
    }
    const what = describePemLabel(first.label);
    const reason = what === "a public key" ? "public_key" : what === "a certificate" ? "certificate" : "not_a_key";
    fail(
      ctx,
      ctx.invalidCode,
      reason,
      `${ctx.key} holds ${what}, not a private key: paste the private key, ${pemHint}.`,
    );
  }
  if (keyBlocks.length > 1) {
    fail(
      ctx,
      ctx.invalidCode,
      "multiple_keys",
      `${ctx.key} contains ${keyBlocks.length} private keys: it must hold exactly one. Keep one key and store the others as separate secrets.`,
    );
  }
  const block = keyBlocks[0] as PemBlock;
  if (block.label === "ENCRYPTED PRIVATE KEY" || block.procTypeEncrypted) encrypted(ctx, false);
  if (blocks.length > 1) {
    const other = blocks.find((b) => b !== block) as PemBlock;
    fail(
      ctx,
      ctx.invalidCode,
      "extra_blocks",
      `${ctx.key} holds ${describePemLabel(other.label)} besides the private key: keep only the private key block${
        ctx.secretType === "mtls" ? " (certificates belong in TLS_CERTIFICATE)" : ""
      }.`,
    );
  }
  if (split.hasOutsideText) {
    fail(
      ctx,
      ctx.invalidCode,
      "outside_text",
      `${ctx.key} has text before or after the key: keep only the lines ${pemHint}.`,
    );
  }

  const damaged = (): never =>
    fail(
      ctx,
      ctx.invalidCode,
      "damaged",
      `${ctx.key} could not be read: the key data is damaged or incomplete. Paste the key file again, unmodified, ${pemHint}.`,
    );

  let keyObject: KeyObject;
  let format: KeyFacts["format"];
  let sshPublicBlob: Buffer | null = null;
  if (block.label === "OPENSSH PRIVATE KEY") {
    if (!ctx.allowOpenSsh) {
      fail(
        ctx,
        ctx.invalidCode,
        "openssh_format",
        `${ctx.key} is in OpenSSH format, which TLS libraries cannot read: paste the key in PEM form (PKCS#8 '-----BEGIN PRIVATE KEY-----', PKCS#1 or SEC1). RSA and ECDSA keys convert with \`ssh-keygen -p -m PKCS8 -f <copy of the key file>\`.`,
      );
    }
    format = "openssh";
    let parsed: sshpk.PrivateKey;
    try {
      parsed = loadSshpk().parsePrivateKey(block.text, "openssh");
    } catch (error) {
      if (error instanceof Error && error.name === "KeyEncryptedError") encrypted(ctx, true);
      return damaged();
    }
    keyObject = opensshToKeyObject(parsed, ctx) ?? damaged();
    try {
      sshPublicBlob = parsed.toPublic().toBuffer("rfc4253");
    } catch {
      damaged();
    }
  } else if (block.label === "DSA PRIVATE KEY") {
    return unsupported(ctx, "DSA");
  } else {
    format = block.label === "RSA PRIVATE KEY" ? "pkcs1" : block.label === "EC PRIVATE KEY" ? "sec1" : "pkcs8";
    try {
      keyObject = createPrivateKey({ key: block.text, format: "pem" });
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      const msg = error instanceof Error ? error.message : "";
      if (code === "ERR_MISSING_PASSPHRASE" || /interrupted or cancelled|bad decrypt/i.test(msg)) {
        encrypted(ctx, false);
      }
      return damaged();
    }
  }

  const facts = keyFacts(keyObject, format, ctx);
  if (!selfTest(keyObject)) damaged();
  const blob = sshPublicKeyBlob(keyObject);
  if (sshPublicBlob !== null && (blob === null || !blob.equals(sshPublicBlob))) damaged();
  if (blob !== null)
    facts.fingerprint = `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`;
  return { keyObject, facts };
}

function unsupported(ctx: PrivateKeyContext, what: string): never {
  const allowed = ctx.sshTypesOnly
    ? "SSH keys must be RSA, ECDSA (P-256, P-384, P-521) or Ed25519; create a new key with `ssh-keygen -t ed25519`"
    : "TLS keys must be RSA, RSA-PSS, EC or Ed25519/Ed448";
  return fail(ctx, "unsupported_key_type", "unsupported_type", `${ctx.key} is a ${what} key: ${allowed}.`);
}

/** Largest RSA key accepted: larger keys are not usable by OpenSSL/OpenSSH and are slow to check. */
const MAX_RSA_BITS = 16384;
/** OpenSSH refuses RSA keys below 1024 bits. */
const MIN_SSH_RSA_BITS = 1024;

function checkRsaSize(bits: number, ctx: PrivateKeyContext): void {
  if (bits > MAX_RSA_BITS) {
    fail(
      ctx,
      "unsupported_key_type",
      "key_too_large",
      `${ctx.key} is a ${bits}-bit RSA key: RSA keys may have at most ${MAX_RSA_BITS} bits. Use a 2048-, 3072- or 4096-bit key.`,
    );
  }
  if (ctx.sshTypesOnly && bits < MIN_SSH_RSA_BITS) {
    fail(
      ctx,
      "unsupported_key_type",
      "key_too_small",
      `${ctx.key} is a ${bits}-bit RSA key, which SSH refuses (at least ${MIN_SSH_RSA_BITS} bits, better 3072): create a new key with \`ssh-keygen -t ed25519\`.`,
    );
  }
}

function keyFacts(keyObject: KeyObject, format: KeyFacts["format"], ctx: PrivateKeyContext): KeyFacts {
  if (keyObject.type !== "private") unsupported(ctx, "non-private");
  const nodeType = keyObject.asymmetricKeyType ?? "unknown";
  const details = keyObject.asymmetricKeyDetails ?? {};
  if (ctx.sshTypesOnly ? !["rsa", "ec", "ed25519"].includes(nodeType) : !TLS_KEY_TYPES.has(nodeType)) {
    unsupported(ctx, nodeType.toUpperCase());
  }
  switch (nodeType) {
    case "rsa":
    case "rsa-pss":
      checkRsaSize(details.modulusLength ?? 0, ctx);
      return { type: nodeType, bits: details.modulusLength ?? 0, format };
    case "ec": {
      const named = details.namedCurve ?? "";
      const known = SSH_CURVES[named];
      if (known === undefined) {
        if (ctx.sshTypesOnly || named === "") unsupported(ctx, named === "" ? "EC (explicit curve parameters)" : "EC");
        return { type: "ecdsa", bits: 0, curve: named, format };
      }
      return { type: "ecdsa", bits: known.bits, curve: known.curve, format };
    }
    case "ed25519":
      return { type: "ed25519", bits: 256, format };
    case "ed448":
      return { type: "ed448", bits: 456, format };
    default:
      return unsupported(ctx, nodeType.toUpperCase());
  }
}

/** Loads an sshpk key into node:crypto; null when the key type is not RSA/ECDSA/Ed25519 or the data is bad. */
function opensshToKeyObject(key: sshpk.PrivateKey, ctx: PrivateKeyContext): KeyObject | null {
  if (key.type === "dsa") unsupported(ctx, "DSA");
  if (key.type !== "rsa" && key.type !== "ecdsa" && key.type !== "ed25519") unsupported(ctx, key.type.toUpperCase());
  if (key.type === "rsa") checkRsaSize(key.size, ctx);
  try {
    if (key.type === "ed25519") {
      const part = key.part as unknown as Record<string, { data: Buffer } | undefined>;
      const seed = part.k?.data;
      const pub = part.A?.data;
      if (seed === undefined || pub === undefined || seed.length < 32) return null;
      return createPrivateKey({
        key: {
          kty: "OKP",
          crv: "Ed25519",
          d: seed.subarray(0, 32).toString("base64url"),
          x: pub.toString("base64url"),
        },
        format: "jwk",
      });
    }
    return createPrivateKey({ key: key.toString("pkcs8"), format: "pem" });
  } catch {
    return null;
  }
}

/** Signs and verifies a fixed message: proves the private and public parts belong together. */
function selfTest(keyObject: KeyObject): boolean {
  const type = keyObject.asymmetricKeyType;
  if (type !== "rsa" && type !== "ec" && type !== "ed25519" && type !== "ed448") return true;
  try {
    const data = Buffer.from("coffer key self-test");
    const algorithm = type === "ed25519" || type === "ed448" ? null : "sha256";
    const signature = sign(algorithm, data, keyObject);
    return verify(algorithm, data, createPublicKey(keyObject), signature);
  } catch {
    return false;
  }
}

function sshString(data: Buffer | string): Buffer {
  const bytes = typeof data === "string" ? Buffer.from(data, "latin1") : data;
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

function sshMpint(unsigned: Buffer): Buffer {
  let start = 0;
  while (start < unsigned.length && unsigned[start] === 0) start++;
  let bytes = unsigned.subarray(start);
  if (bytes.length > 0 && ((bytes[0] ?? 0) & 0x80) !== 0) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return sshString(bytes);
}

/** The SSH wire-format public key (RFC 4253 / 5656 / 8709), or null for types SSH cannot express. */
export function sshPublicKeyBlob(keyObject: KeyObject): Buffer | null {
  const jwk = createPublicKey(keyObject).export({ format: "jwk" });
  const b = (s: string | undefined): Buffer => Buffer.from(s ?? "", "base64url");
  switch (keyObject.asymmetricKeyType) {
    case "rsa":
      return Buffer.concat([sshString("ssh-rsa"), sshMpint(b(jwk.e)), sshMpint(b(jwk.n))]);
    case "ec": {
      const named = keyObject.asymmetricKeyDetails?.namedCurve ?? "";
      const curve = SSH_CURVES[named];
      if (curve === undefined) return null;
      const point = Buffer.concat([Buffer.from([4]), b(jwk.x), b(jwk.y)]);
      return Buffer.concat([sshString(`ecdsa-sha2-${curve.ssh}`), sshString(curve.ssh), sshString(point)]);
    }
    case "ed25519":
      return Buffer.concat([sshString("ssh-ed25519"), sshString(b(jwk.x))]);
    default:
      return null;
  }
}
