/** The URL's TLS options (libpq's sslmode, MySQL's ssl_mode) as one mode every driver maps. */
import type { ConnectionOptions } from "node:tls";
import { CofferError } from "@coffer/core";
import type { ConnectionUrl } from "./connection-url.js";

export type TlsMode = "disable" | "require" | "verify-ca" | "verify-full";

const MODES: Readonly<Record<string, TlsMode>> = {
  disable: "disable",
  disabled: "disable",
  require: "require",
  required: "require",
  "verify-ca": "verify-ca",
  "verify-full": "verify-full",
  "verify-identity": "verify-full",
};

/** With no sslmode: verify-full when a ca_cert secret is there, else the dialect's default (plain). */
export function tlsMode(url: ConnectionUrl, hasCa: boolean, fallback: TlsMode = "disable"): TlsMode {
  const raw = url.options.sslmode ?? url.options.ssl_mode;
  if (raw === undefined) return hasCa ? "verify-full" : fallback;
  const mode = MODES[raw.toLowerCase().replace(/_/g, "-")];
  if (mode === undefined) {
    throw new CofferError(
      "invalid_sql_option",
      `sslmode=${raw} is not supported: use disable, require, verify-ca or verify-full (prefer and allow fall back to plain text silently, so Coffer does not offer them).`,
      { details: { option: "sslmode" } },
    );
  }
  return mode;
}

/** Node TLS options for a mode; undefined for plain text. `ca` replaces the default trust store. */
export function tlsOptions(
  mode: TlsMode,
  host: string | undefined,
  ca: string | undefined,
): ConnectionOptions | undefined {
  if (mode === "disable") return undefined;
  const options: ConnectionOptions = { rejectUnauthorized: mode !== "require" || ca !== undefined };
  if (ca !== undefined) options.ca = ca;
  if (mode === "require" || mode === "verify-ca") options.checkServerIdentity = () => undefined;
  if (host !== undefined) options.servername = host;
  return options;
}

/** Options the URL may carry beyond TLS, per driver; anything else is refused by name. */
export function checkOptions(url: ConnectionUrl, allowed: readonly string[]): void {
  for (const key of Object.keys(url.options)) {
    if (
      key === "ssl_ca" ||
      key === "sslrootcert" ||
      key === "ssl_cert" ||
      key === "sslcert" ||
      key === "sslkey" ||
      key === "ssl_key"
    ) {
      throw new CofferError(
        "invalid_sql_option",
        `The URL option ${key} names a file on the Coffer host, which actions do not read: store the CA certificate as the ca_cert secret (CA_CERTIFICATE) in this environment instead.`,
        { details: { option: key } },
      );
    }
    if (!allowed.includes(key)) {
      throw new CofferError(
        "invalid_sql_option",
        `The URL option ${key} is not supported for ${url.dialect}. Supported: ${allowed.join(", ")}.`,
        { details: { option: key, supported: allowed } },
      );
    }
  }
}

/** Node's codes for a server certificate that does not verify. */
const UNTRUSTED = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_SIGNATURE_FAILURE",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
]);

/**
 * A TLS failure while connecting, said so the user knows what to change: an untrusted certificate,
 * a name that does not match, an expired certificate, or a server without TLS. Undefined for
 * anything else.
 */
export function tlsFailureMessage(error: unknown): string | undefined {
  const e = error as { code?: string; message?: string };
  const message = e.message ?? String(error);
  if (UNTRUSTED.has(e.code ?? "")) {
    return `TLS: the server's certificate is not trusted (${message}); with sslmode=verify-full or verify-ca it must be signed by the CA in this environment's ca_cert secret (CA_CERTIFICATE)`;
  }
  if (e.code === "ERR_TLS_CERT_ALTNAME_INVALID") {
    return `TLS: the server's certificate is not for the host in the URL (${message}); use the host name the certificate names, or sslmode=verify-ca to check only the CA`;
  }
  if (e.code === "CERT_HAS_EXPIRED" || e.code === "CERT_NOT_YET_VALID") {
    return `TLS: the server's certificate is outside its validity period (${message})`;
  }
  if (
    /does not support SSL|server does not allow insecure|HANDSHAKE_NO_SSL_SUPPORT/i.test(`${e.code ?? ""} ${message}`)
  ) {
    return `TLS: the server does not offer TLS, and the URL's sslmode asks for it (${message}); enable TLS on the server, or set sslmode=disable to connect in plain text`;
  }
  return undefined;
}
