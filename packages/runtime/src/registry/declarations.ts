/**
 * Load-time checks of what an action declares: its id parts and its secrets. Each problem names
 * the file and the field, so an author sees every problem at once.
 */
import {
  ACTION_NAME_PATTERN,
  ACTION_NAMESPACE_PATTERN,
  isSecretType,
  KEY_NAME_PATTERN,
  OAUTH_GRANT_TYPES,
  RESERVED_NAME,
  SECRET_NAME_PATTERN,
  SECRET_TYPES,
  type SecretDeclaration,
  STRUCTURED_KEYS,
  type StructuredSecretType,
} from "@coffer/sdk";
import type { RegistryLoadError } from "./registry.types.js";

const NAMED_FIELDS = new Set(["name", "keys", "optional_keys", "optional", "secret_type"]);
const OAUTH_FIELDS = new Set(["type", "provider_id", "grant_type", "optional"]);
export const PROVIDER_ID_PATTERN = /^[a-z][a-z0-9_]*$/;

type Problem = Omit<RegistryLoadError, "file">;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const show = (v: unknown) => (typeof v === "string" ? `'${v}'` : (JSON.stringify(v) ?? String(v)));

/** `namespace`, `name`, `title`, `description`, `display_group` of one action. */
export function checkIdentity(raw: Record<string, unknown>, prefix: string): Problem[] {
  const problems: Problem[] = [];
  const bad = (field: string, message: string) =>
    problems.push({ field: `${prefix}${field}`, code: "invalid_action", message });
  if (typeof raw.namespace !== "string" || !ACTION_NAMESPACE_PATTERN.test(raw.namespace)) {
    bad(
      "namespace",
      `namespace ${show(raw.namespace)} is not valid: use dotted lower-case words of letters, digits and _ (tools.acme).`,
    );
  }
  if (typeof raw.name !== "string" || !ACTION_NAME_PATTERN.test(raw.name)) {
    bad("name", `name ${show(raw.name)} is not valid: use one lower-case word of letters, digits and _ (lookup_ip).`);
  }
  if (typeof raw.title !== "string" || raw.title.trim() === "") bad("title", "title must be a non-empty string.");
  if (raw.description !== undefined && typeof raw.description !== "string") {
    bad("description", "description must be a string.");
  }
  if (raw.display_group !== undefined && typeof raw.display_group !== "string") {
    bad("display_group", "display_group must be a string.");
  }
  return problems;
}

function checkKeyList(value: unknown, field: string, problems: Problem[]): string[] {
  if (!Array.isArray(value)) {
    problems.push({ field, code: "invalid_secret_declaration", message: `${field} must be a list of key names.` });
    return [];
  }
  const keys: string[] = [];
  value.forEach((key, j) => {
    if (typeof key !== "string" || !KEY_NAME_PATTERN.test(key) || key === RESERVED_NAME) {
      problems.push({
        field: `${field}[${j}]`,
        code: "invalid_secret_declaration",
        message: `Key name ${show(key)} is not valid: a key name starts with a letter or _ and has only letters, digits and _ (at most 128).`,
      });
      return;
    }
    if (keys.includes(key)) {
      problems.push({
        field: `${field}[${j}]`,
        code: "invalid_secret_declaration",
        message: `Key ${key} is listed twice.`,
      });
      return;
    }
    keys.push(key);
  });
  return keys;
}

/**
 * Checks a `secrets` list as written. Returns the declarations (only when all are valid) and
 * every problem found.
 */
export function checkSecretDeclarations(
  value: unknown,
  field: string,
): { declarations: SecretDeclaration[]; problems: Problem[] } {
  const problems: Problem[] = [];
  if (value === undefined || value === null) return { declarations: [], problems };
  if (!Array.isArray(value)) {
    return {
      declarations: [],
      problems: [
        { field, code: "invalid_secret_declaration", message: `${field} must be a list of secret declarations.` },
      ],
    };
  }
  const declarations: SecretDeclaration[] = [];
  const names = new Set<string>();
  value.forEach((item, i) => {
    const at = `${field}[${i}]`;
    const bad = (sub: string, message: string) =>
      problems.push({ field: sub ? `${at}.${sub}` : at, code: "invalid_secret_declaration", message });
    if (!isRecord(item)) {
      bad("", "A secret declaration is an object: { name, keys?, optional_keys?, optional?, secret_type? }.");
      return;
    }
    const before = problems.length;
    if (item.optional !== undefined && typeof item.optional !== "boolean")
      bad("optional", "optional must be true or false.");
    if (item.type !== undefined) {
      if (item.type !== "oauth") {
        bad("type", `type ${show(item.type)} is not known: only OAuth declarations have a type (type: oauth).`);
        return;
      }
      for (const key of Object.keys(item)) {
        if (!OAUTH_FIELDS.has(key))
          bad(key, `${key} is not a field of an OAuth declaration (type, provider_id, grant_type, optional).`);
      }
      if (typeof item.provider_id !== "string" || item.provider_id === "") {
        bad("provider_id", "An OAuth declaration needs provider_id (the integration it uses, e.g. microsoft_graph).");
      } else if (!PROVIDER_ID_PATTERN.test(item.provider_id)) {
        bad("provider_id", `provider_id ${show(item.provider_id)} is not valid: use lower-case letters, digits and _.`);
      }
      if (typeof item.grant_type !== "string" || !(OAUTH_GRANT_TYPES as readonly string[]).includes(item.grant_type)) {
        bad(
          "grant_type",
          `grant_type ${show(item.grant_type)} is not known: use one of ${OAUTH_GRANT_TYPES.join(", ")}.`,
        );
      }
      if (problems.length === before) declarations.push(item as unknown as SecretDeclaration);
      return;
    }
    for (const key of Object.keys(item)) {
      if (!NAMED_FIELDS.has(key))
        bad(key, `${key} is not a field of a secret declaration (name, keys, optional_keys, optional, secret_type).`);
    }
    const name = item.name;
    if (typeof name !== "string" || !SECRET_NAME_PATTERN.test(name) || name === RESERVED_NAME) {
      bad(
        "name",
        `Secret name ${show(name)} is not valid: a secret name starts with a lower-case letter or _ and has only lower-case letters, digits and _ (at most 100).`,
      );
    } else if (names.has(name)) {
      bad("name", `Secret ${name} is declared twice in this action; merge the two declarations.`);
    } else {
      names.add(name);
    }
    const keys = item.keys === undefined ? [] : checkKeyList(item.keys, `${at}.keys`, problems);
    const optionalKeys =
      item.optional_keys === undefined ? undefined : checkKeyList(item.optional_keys, `${at}.optional_keys`, problems);
    if (item.secret_type !== undefined) {
      if (typeof item.secret_type !== "string" || !isSecretType(item.secret_type)) {
        bad(
          "secret_type",
          `secret_type ${show(item.secret_type)} is not known: use one of ${SECRET_TYPES.join(", ")}.`,
        );
      } else if (item.secret_type !== "custom") {
        const fixed = STRUCTURED_KEYS[item.secret_type as StructuredSecretType];
        if (optionalKeys !== undefined) {
          bad(
            "optional_keys",
            `A ${item.secret_type} secret cannot declare optional_keys: the key set is fixed by the type (${fixed.join(", ")}).`,
          );
        }
        keys.forEach((key) => {
          if (!fixed.includes(key)) {
            bad(
              `keys[${(item.keys as unknown[]).indexOf(key)}]`,
              `Key ${key} is not a key of a ${item.secret_type} secret: the key set is fixed by the type (${fixed.join(", ")}).`,
            );
          }
        });
      }
    }
    if (problems.length === before) declarations.push(item as unknown as SecretDeclaration);
  });
  return { declarations: problems.length ? [] : declarations, problems };
}
