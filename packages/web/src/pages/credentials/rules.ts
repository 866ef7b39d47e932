// The API's name rules, for feedback while typing (the server checks again and has the last word;
// rules.test.ts keeps these equal to the SDK's patterns).
export const SECRET_NAME_PATTERN = /^[a-z_][a-z0-9_]{0,99}$/;
export const KEY_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
export const ENVIRONMENT_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export const SECRET_TYPES = ["custom", "ssh_key", "mtls", "ca_cert"] as const;
export type SecretType = (typeof SECRET_TYPES)[number];

export const TYPE_LABELS: Record<SecretType, string> = {
  custom: "Custom (key/value)",
  ssh_key: "SSH private key",
  mtls: "mTLS certificate + key",
  ca_cert: "CA certificate bundle",
};

/** The fixed keys of the structured types, with the label of their PEM field. */
export const FIXED_KEYS: Record<
  Exclude<SecretType, "custom">,
  { key: string; label: string; placeholder: string }[]
> = {
  ssh_key: [
    { key: "PRIVATE_KEY", label: "Private key (PEM or OpenSSH)", placeholder: "-----BEGIN OPENSSH PRIVATE KEY-----" },
  ],
  mtls: [
    { key: "TLS_CERTIFICATE", label: "Client certificate (PEM)", placeholder: "-----BEGIN CERTIFICATE-----" },
    { key: "TLS_PRIVATE_KEY", label: "Private key (PEM)", placeholder: "-----BEGIN PRIVATE KEY-----" },
  ],
  ca_cert: [
    { key: "CA_CERTIFICATE", label: "CA certificate bundle (PEM)", placeholder: "-----BEGIN CERTIFICATE-----" },
  ],
};

export function isSecretType(type: string): type is SecretType {
  return (SECRET_TYPES as readonly string[]).includes(type);
}

/** What is wrong with a secret name, or null. */
export function secretNameProblem(name: string): string | null {
  if (name === "") return "Give the secret a name.";
  if (SECRET_NAME_PATTERN.test(name) && name !== "__proto__") return null;
  const hint = name
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, "_")
    .replace(/^[0-9]/, "_$&")
    .slice(0, 100);
  return `Use lowercase letters, digits and underscores, starting with a letter or underscore, at most 100 characters${
    hint && SECRET_NAME_PATTERN.test(hint) && hint !== name ? ` (e.g. ${hint})` : ""
  }.`;
}

export function keyNameProblem(key: string): string | null {
  if (key === "") return "Give the key a name.";
  if (KEY_NAME_PATTERN.test(key) && key !== "__proto__") return null;
  return "Use letters, digits and underscores, starting with a letter or underscore, at most 128 characters.";
}

export function environmentProblem(environment: string): string | null {
  if (environment === "") return "Name an environment (default is `default`).";
  if (ENVIRONMENT_NAME_PATTERN.test(environment)) return null;
  return "Use lowercase letters, digits, '-' and '_', starting with a letter or digit, at most 64 characters.";
}

/** Parses `KEY=value` lines (`export`, quotes and comments allowed), as a .env file has them. */
export function parseDotEnv(text: string): { key: string; value: string }[] {
  const out: { key: string; value: string }[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const match = /^(?:export\s+)?([^=\s]+)\s*=\s*(.*)$/.exec(line);
    if (!match) continue;
    let value = match[2] ?? "";
    const quote = value[0];
    if ((quote === '"' || quote === "'") && value.endsWith(quote) && value.length >= 2) {
      value = value.slice(1, -1);
      if (quote === '"') value = value.replace(/\\n/g, "\n").replace(/\\"/g, '"');
    } else {
      value = value.replace(/\s+#.*$/, "");
    }
    out.push({ key: match[1]!, value });
  }
  return out;
}

/** Tags as typed (`team=secops, tier=1`) to the API's map; null with a problem when malformed. */
export function parseTags(text: string): { tags: Record<string, string> } | { problem: string } {
  const tags: Record<string, string> = {};
  for (const part of text.split(",")) {
    const item = part.trim();
    if (item === "") continue;
    const at = item.indexOf("=");
    if (at <= 0) return { problem: `Write tags as name=value, separated by commas ('${item}' has no '=').` };
    tags[item.slice(0, at).trim()] = item.slice(at + 1).trim();
  }
  return { tags };
}

export function formatTags(tags: Record<string, string>): string {
  return Object.entries(tags)
    .map(([k, v]) => `${k}=${v}`)
    .join(", ");
}

export function expression(name: string, key: string): string {
  return `\${{ SECRETS.${name}.${key} }}`;
}
