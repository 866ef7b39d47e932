/**
 * The secret-type vocabulary shared by the store and by action authors: which types exist, the
 * fixed key sets of the structured ones, and the name rules that keep every stored secret
 * reachable from `${{ SECRETS.<name>.<KEY> }}`; and how an action declares the secrets it reads.
 * Free of zod, so the store and the CLI can load it without the SDK's schema library.
 */

export type SecretType = "custom" | "ssh_key" | "mtls" | "ca_cert";
export type StructuredSecretType = Exclude<SecretType, "custom">;

export const SECRET_TYPES: readonly SecretType[] = Object.freeze(["custom", "ssh_key", "mtls", "ca_cert"] as const);

/** The exact key names each structured type must have. */
export const STRUCTURED_KEYS: Readonly<Record<StructuredSecretType, readonly string[]>> = Object.freeze({
  ssh_key: Object.freeze(["PRIVATE_KEY"]),
  mtls: Object.freeze(["TLS_CERTIFICATE", "TLS_PRIVATE_KEY"]),
  ca_cert: Object.freeze(["CA_CERTIFICATE"]),
});

export function isSecretType(value: string): value is SecretType {
  return (SECRET_TYPES as readonly string[]).includes(value);
}

export const SECRET_NAME_PATTERN = /^[a-z_][a-z0-9_]{0,99}$/;
export const KEY_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
export const ENVIRONMENT_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;
/** Matches the patterns, but JavaScript objects treat it specially: refused as any name. */
export const RESERVED_NAME = "__proto__";

/** A secret the action reads by name (Tracecat's `RegistrySecret`). */
export interface NamedSecretDeclaration {
  name: string;
  /** Keys the secret must have. Structured types have a fixed key set and need not list it. */
  keys?: readonly string[];
  /** Keys the action reads when present; only for `custom` secrets. */
  optional_keys?: readonly string[];
  /** The run goes ahead without this secret. */
  optional?: boolean;
  secret_type?: SecretType;
}

export const OAUTH_GRANT_TYPES = Object.freeze(["authorization_code", "client_credentials"] as const);
export type OAuthGrantType = (typeof OAUTH_GRANT_TYPES)[number];

/** An OAuth integration the action uses (resolved by the OAuth issue; validated now). */
export interface OAuthSecretDeclaration {
  type: "oauth";
  provider_id: string;
  grant_type: OAuthGrantType;
  optional?: boolean;
}

export type SecretDeclaration = NamedSecretDeclaration | OAuthSecretDeclaration;

export function isOAuthDeclaration(declaration: SecretDeclaration): declaration is OAuthSecretDeclaration {
  return (declaration as OAuthSecretDeclaration).type === "oauth";
}
