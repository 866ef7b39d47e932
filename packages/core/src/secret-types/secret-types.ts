/**
 * Secret types and the validation of a secret's key set and values, per type.
 *
 * Called by the secrets service on the write path with the full, final key set (the service
 * resolves "blank value keeps the stored value" before calling). Every failure is a CofferError
 * with status 422, a stable code, a message that says what is wrong and how to fix it, and
 * details that hold names, counts and reasons — never a value or any part of one.
 *
 * Error codes:
 * - `invalid_secret_type`    type is not one of SECRET_TYPES
 * - `no_keys`                no keys given
 * - `too_many_keys`          more than `maxKeys` keys (default 100)
 * - `invalid_key_name`       custom: key name does not match `^[A-Za-z_][A-Za-z0-9_]{0,127}$`
 * - `duplicate_key`          a key name appears more than once
 * - `invalid_value`          a value is not a string
 * - `value_too_large`        a value is over `maxValueBytes` UTF-8 bytes (default 64 KiB); status 413
 * - `invalid_key_set`        structured type: keys are not exactly STRUCTURED_KEYS[type]
 * - `empty_value`            structured type: a value is empty after trimming
 * - `invalid_ssh_key`        ssh_key: PRIVATE_KEY is not a readable unencrypted private key
 * - `invalid_private_key`    mtls: TLS_PRIVATE_KEY is not a readable unencrypted PEM private key
 * - `encrypted_private_key`  a private key is protected by a passphrase
 * - `unsupported_key_type`   a private key of a type that cannot be used (e.g. DSA for SSH)
 * - `invalid_certificate`    TLS_CERTIFICATE / CA_CERTIFICATE holds no or an unreadable certificate
 * - `mtls_key_mismatch`      TLS_PRIVATE_KEY is not the key of the (first) certificate
 * details always carry `type` and, where one key is concerned, `key`; parse errors add `reason`
 * (e.g. `damaged`, `public_key`, `no_pem_block`) and certificate errors `certificateNumber` /
 * `certificateCount` (1-based).
 */
import { SECRET_TYPES, type SecretType, STRUCTURED_KEYS, type StructuredSecretType } from "@coffer/sdk/secret-types";
import { CofferError, type ErrorCode } from "../errors/coffer-error.js";
import { type CertificateFacts, parseCertificates } from "./certificate.js";
import { quoteName, validateKeyName } from "./names.js";
import { normalizePem } from "./pem.js";
import { type KeyFacts, parsePrivateKey } from "./private-key.js";

export type { SecretType, StructuredSecretType } from "@coffer/sdk/secret-types";
export { SECRET_TYPES, STRUCTURED_KEYS } from "@coffer/sdk/secret-types";
export type { CertificateFacts } from "./certificate.js";
export type { KeyFacts } from "./private-key.js";

export const DEFAULT_MAX_VALUE_BYTES = 64 * 1024;
export const DEFAULT_MAX_KEYS = 100;

export interface KeyValue {
  key: string;
  value: string;
}

/**
 * Non-secret facts about a secret's values, JSON-serialisable; exposed by the HTTP API as the
 * item's `metadata`.
 * - `custom`: `{}`
 * - `ssh_key`: `{ keys: { PRIVATE_KEY: KeyFacts } }`
 * - `mtls`: `{ keys: { TLS_PRIVATE_KEY: KeyFacts }, certificates: CertificateFacts[] }` (chain order, leaf first)
 * - `ca_cert`: `{ certificates: CertificateFacts[] }` (bundle order)
 *
 * KeyFacts: `{ type: "rsa"|"ecdsa"|"ed25519" (TLS also "rsa-pss"|"ed448"), bits, curve?: "P-256"|"P-384"|"P-521",
 *   format: "pkcs1"|"pkcs8"|"sec1"|"openssh", fingerprint?: "SHA256:…" (as ssh-keygen -lf) }`
 * CertificateFacts: `{ key, index (0-based), subject, issuer, serialNumber, notBefore, notAfter (ISO 8601),
 *   fingerprint256 ("AB:CD:…"), isCA }`
 */
export interface SecretMetadata {
  /** Facts about private keys, by key name. */
  keys?: Record<string, KeyFacts>;
  /** Facts about every certificate, in the order of the keys and then of the PEM blocks. */
  certificates?: CertificateFacts[];
}

export interface ValidatedSecretValues {
  /** The keys in the given order; structured values normalised (LF, trimmed, one trailing newline), custom values unchanged. */
  keys: KeyValue[];
  metadata: SecretMetadata;
  /** The earliest certificate notAfter (mtls, ca_cert), else null. */
  expiresAt: Date | null;
}

export interface ValidateSecretValuesOptions {
  /** Largest value in UTF-8 bytes, for every type (default 64 KiB). */
  maxValueBytes?: number;
  /** Most keys a secret may have (default 100). */
  maxKeys?: number;
}

function invalid(code: ErrorCode, message: string, details: Record<string, unknown>, status: 413 | 422 = 422): never {
  throw new CofferError(code, message, { status, details });
}

const TYPE_LABELS: Record<SecretType, string> = {
  custom: "custom",
  ssh_key: "SSH key",
  mtls: "mTLS",
  ca_cert: "CA certificate",
};

const TYPE_ARTICLES: Record<SecretType, string> = { custom: "a", ssh_key: "an", mtls: "an", ca_cert: "a" };

/** Parses a secret type; throws `invalid_secret_type` (422) listing the valid types otherwise. */
export function parseSecretType(input: string): SecretType {
  if (typeof input === "string" && (SECRET_TYPES as readonly string[]).includes(input)) return input as SecretType;
  const valid = SECRET_TYPES.join(", ");
  if (typeof input !== "string") {
    invalid("invalid_secret_type", `Secret type must be a string, one of: ${valid}.`, {
      validTypes: [...SECRET_TYPES],
    });
  }
  const guess = input.trim().toLowerCase().replace(/-/g, "_");
  const hint = (SECRET_TYPES as readonly string[]).includes(guess)
    ? ` Did you mean '${guess}'?`
    : guess === "github_app"
      ? " GitHub app credentials are stored as a custom secret."
      : "";
  const shown = input === "" ? "Secret type is empty" : `Secret type ${quoteName(input)} is invalid`;
  return invalid("invalid_secret_type", `${shown}: use one of ${valid}.${hint}`, {
    type: Array.from(input).slice(0, 100).join(""),
    validTypes: [...SECRET_TYPES],
  });
}

function positiveInteger(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) throw new TypeError(`${name} must be a positive integer`);
  return value;
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  const kib = bytes / 1024;
  if (kib < 1024) return `${Number.isInteger(kib) ? kib : kib.toFixed(1)} KiB`;
  const mib = kib / 1024;
  return `${Number.isInteger(mib) ? mib : mib.toFixed(1)} MiB`;
}

function listNames(names: readonly string[]): string {
  const shown = names.slice(0, 10).map(quoteName).join(", ");
  return names.length > 10 ? `${shown} and ${names.length - 10} more` : shown;
}

/**
 * Validates and normalises a secret's full key set for its type. Returns the keys (normalised,
 * in the given order), value-free metadata and the earliest certificate expiry. Throws a
 * CofferError (422) otherwise; see the codes at the top of this file.
 */
export function validateSecretValues(
  type: SecretType,
  keys: KeyValue[],
  options: ValidateSecretValuesOptions = {},
): ValidatedSecretValues {
  const secretType = parseSecretType(type);
  const maxValueBytes = positiveInteger(options.maxValueBytes, DEFAULT_MAX_VALUE_BYTES, "maxValueBytes");
  const maxKeys = positiveInteger(options.maxKeys, DEFAULT_MAX_KEYS, "maxKeys");
  const label = TYPE_LABELS[secretType];

  if (!Array.isArray(keys) || keys.length === 0) {
    const message =
      secretType === "custom"
        ? "Keys cannot be empty: a custom secret needs at least one key; add one, e.g. API_KEY with its value."
        : `Keys cannot be empty: ${TYPE_ARTICLES[secretType]} ${label} secret needs the key${
            STRUCTURED_KEYS[secretType].length === 1 ? "" : "s"
          } ${listNames(STRUCTURED_KEYS[secretType])}.`;
    invalid("no_keys", message, { type: secretType });
  }
  if (keys.length > maxKeys) {
    invalid(
      "too_many_keys",
      `A secret can have at most ${maxKeys} keys, and ${keys.length} were given: remove ${keys.length - maxKeys} or split them over several secrets.`,
      { type: secretType, count: keys.length, limit: maxKeys },
    );
  }

  const seen = new Set<string>();
  for (const [index, item] of keys.entries()) {
    const key = (item as Partial<KeyValue> | null)?.key;
    const value = (item as Partial<KeyValue> | null)?.value;
    if (typeof key !== "string") {
      invalid("invalid_key_name", `Key ${index + 1} has no name: every key needs a name and a value.`, {
        type: secretType,
        index,
      });
    }
    if (secretType === "custom") validateKeyName(key);
    if (seen.has(key)) {
      invalid(
        "duplicate_key",
        `Keys must be unique: ${quoteName(key)} appears more than once. Remove or rename the duplicate.`,
        { type: secretType, key: key.slice(0, 200) },
      );
    }
    seen.add(key);
    if (typeof value !== "string") {
      invalid("invalid_value", `The value of key ${quoteName(key)} must be a string.`, {
        type: secretType,
        key: key.slice(0, 200),
      });
    }
    const bytes = Buffer.byteLength(value, "utf8");
    if (bytes > maxValueBytes) {
      invalid(
        "value_too_large",
        `The value of key ${quoteName(key)} is too large: ${formatBytes(bytes)}, the limit is ${formatBytes(maxValueBytes)}. Store a smaller value.`,
        { type: secretType, key: key.slice(0, 200), bytes, limit: maxValueBytes },
        413,
      );
    }
  }

  if (secretType === "custom") {
    return { keys: keys.map(({ key, value }) => ({ key, value })), metadata: {}, expiresAt: null };
  }
  checkKeySet(secretType, keys);
  return validateStructured(secretType, keys);
}

const KEY_SET_MESSAGES: Record<StructuredSecretType, { count: string; names: string }> = {
  ssh_key: {
    count: "SSH key secrets must contain exactly one key value.",
    names: "SSH key secrets must use the 'PRIVATE_KEY' key name.",
  },
  mtls: {
    count: "mTLS secrets must contain exactly two key values.",
    names: "mTLS secrets must use the 'TLS_CERTIFICATE' and 'TLS_PRIVATE_KEY' key names.",
  },
  ca_cert: {
    count: "CA certificate secrets must contain exactly one key value.",
    names: "CA certificate secrets must use the 'CA_CERTIFICATE' key name.",
  },
};

function checkKeySet(type: StructuredSecretType, keys: KeyValue[]): void {
  const required = STRUCTURED_KEYS[type];
  const given = keys.map((k) => k.key);
  const missing = required.filter((r) => !given.includes(r));
  const unexpected = given.filter((g) => !required.includes(g));
  if (missing.length === 0 && unexpected.length === 0 && given.length === required.length) return;
  const base = given.length !== required.length ? KEY_SET_MESSAGES[type].count : KEY_SET_MESSAGES[type].names;
  const parts = [base, `Found ${given.length === 1 ? "1 key" : `${given.length} keys`}: ${listNames(given)}.`];
  if (missing.length > 0) parts.push(`Missing: ${listNames(missing)}.`);
  const renames: string[] = [];
  const extra: string[] = [];
  for (const u of unexpected) {
    const match = missing.find((m) => m.toUpperCase() === u.toUpperCase());
    if (match !== undefined) renames.push(`${quoteName(u)} to ${quoteName(match)}`);
    else extra.push(u);
  }
  if (renames.length > 0) parts.push(`Key names are case-sensitive: rename ${renames.join(" and ")}.`);
  if (extra.length > 0) {
    parts.push(
      `Remove ${listNames(extra)}, or store ${extra.length === 1 ? "it" : "them"} in a separate custom secret.`,
    );
  }
  invalid("invalid_key_set", parts.join(" "), {
    type,
    required: [...required],
    found: given.slice(0, 100).map((g) => g.slice(0, 200)),
    missing,
    unexpected: unexpected.slice(0, 100).map((u) => u.slice(0, 200)),
  });
}

const REQUIRED_MESSAGES: Record<string, string> = {
  PRIVATE_KEY: "SSH private key is required.",
  TLS_CERTIFICATE: "TLS certificate is required.",
  TLS_PRIVATE_KEY: "TLS private key is required.",
  CA_CERTIFICATE: "CA certificate is required.",
};

const PASTE_WHAT: Record<string, string> = {
  PRIVATE_KEY: "paste the private key",
  TLS_CERTIFICATE: "paste the client certificate (PEM)",
  TLS_PRIVATE_KEY: "paste the private key of the certificate (PEM)",
  CA_CERTIFICATE: "paste the CA certificate(s) (PEM)",
};

function validateStructured(type: StructuredSecretType, keys: KeyValue[]): ValidatedSecretValues {
  const normalized = keys.map(({ key, value }) => ({ key, value: normalizePem(value) }));
  const requiredValue = (name: string): string => {
    const value = normalized.find((k) => k.key === name)?.value ?? "";
    if (value === "") {
      invalid(
        "empty_value",
        `${REQUIRED_MESSAGES[name] ?? `${name} is required.`} ${name} is empty: ${PASTE_WHAT[name]}.`,
        {
          type,
          key: name,
        },
      );
    }
    return value;
  };
  // Empty values first, in the type's key order, so the user sees every blank before any parse error.
  for (const name of STRUCTURED_KEYS[type]) requiredValue(name);

  switch (type) {
    case "ssh_key": {
      const { facts } = parsePrivateKey(requiredValue("PRIVATE_KEY"), {
        secretType: "ssh_key",
        key: "PRIVATE_KEY",
        invalidCode: "invalid_ssh_key",
        formatMessage: "Invalid SSH private key format. Expected an unencrypted OpenSSH or PEM key.",
        allowOpenSsh: true,
        sshTypesOnly: true,
      });
      return { keys: normalized, metadata: { keys: { PRIVATE_KEY: facts } }, expiresAt: null };
    }
    case "mtls": {
      const { certificates, facts: certificateFacts } = parseCertificates(requiredValue("TLS_CERTIFICATE"), {
        secretType: "mtls",
        key: "TLS_CERTIFICATE",
        formatMessage: "Invalid TLS certificate format. Expected PEM-encoded certificate(s).",
      });
      const { keyObject, facts } = parsePrivateKey(requiredValue("TLS_PRIVATE_KEY"), {
        secretType: "mtls",
        key: "TLS_PRIVATE_KEY",
        invalidCode: "invalid_private_key",
        formatMessage: "Invalid TLS private key format. Expected an unencrypted PEM key.",
        allowOpenSsh: false,
        sshTypesOnly: false,
      });
      const matches = (index: number): boolean => {
        try {
          return certificates[index]?.checkPrivateKey(keyObject) ?? false;
        } catch {
          return false;
        }
      };
      if (!matches(0)) {
        let hint =
          certificates.length > 1
            ? " It must be the key of the first certificate (the client certificate, followed by its intermediates)."
            : "";
        for (let i = 1; i < certificates.length; i++) {
          if (matches(i)) {
            hint = ` The key belongs to certificate ${i + 1} of ${certificates.length}: put the client certificate first, followed by its intermediates.`;
            break;
          }
        }
        invalid(
          "mtls_key_mismatch",
          `TLS_PRIVATE_KEY is not the private key of the certificate in TLS_CERTIFICATE.${hint} Check that the certificate and key files belong together (compare \`openssl x509 -noout -pubkey -in cert.pem\` with \`openssl pkey -pubout -in key.pem\`).`,
          { type, key: "TLS_PRIVATE_KEY", certificateCount: certificates.length },
        );
      }
      return {
        keys: normalized,
        metadata: { keys: { TLS_PRIVATE_KEY: facts }, certificates: certificateFacts },
        expiresAt: earliestNotAfter(certificateFacts),
      };
    }
    case "ca_cert": {
      const { facts } = parseCertificates(requiredValue("CA_CERTIFICATE"), {
        secretType: "ca_cert",
        key: "CA_CERTIFICATE",
        formatMessage: "Invalid CA certificate format. Expected PEM-encoded certificate(s).",
      });
      return { keys: normalized, metadata: { certificates: facts }, expiresAt: earliestNotAfter(facts) };
    }
  }
}

/** The earliest notAfter of a set of certificates: the secret's derived expiry. */
export function earliestNotAfter(facts: readonly CertificateFacts[]): Date | null {
  let earliest: number | null = null;
  for (const f of facts) {
    const t = Date.parse(f.notAfter);
    if (earliest === null || t < earliest) earliest = t;
  }
  return earliest === null ? null : new Date(earliest);
}
