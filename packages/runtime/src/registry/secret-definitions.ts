/**
 * Pre-built credentials, derived from every action's declarations (Tracecat's
 * `/secrets/definitions`): one definition per secret name, with the union of what its
 * declarers need. OAuth declarations (and `*_oauth` names) are integrations, not secrets.
 */
import { isOAuthDeclaration, type SecretType, STRUCTURED_KEYS, type StructuredSecretType } from "@coffer/sdk";
import type { Registry } from "./registry.types.js";

export interface SecretDefinition {
  name: string;
  keys: string[];
  /** Keys some declarer reads when present, minus the required ones; null when none. */
  optional_keys: string[] | null;
  /** True when any declarer runs without this secret. */
  optional: boolean;
  secret_type: SecretType;
  actions: string[];
  action_count: number;
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The type a key set implies when no declarer says (Tracecat's inference for old manifests). */
export function inferSecretType(keys: readonly string[]): SecretType {
  const set = [...keys].sort(byText).join(",");
  for (const [type, fixed] of Object.entries(STRUCTURED_KEYS)) {
    if ([...fixed].sort(byText).join(",") === set) return type as StructuredSecretType;
  }
  return "custom";
}

export function deriveSecretDefinitions(registry: Registry): SecretDefinition[] {
  const groups = new Map<
    string,
    { keys: Set<string>; optionalKeys: Set<string>; optional: boolean; type?: SecretType; actions: Set<string> }
  >();
  for (const entry of registry.list()) {
    for (const declaration of entry.secrets) {
      if (isOAuthDeclaration(declaration) || declaration.name.endsWith("_oauth")) continue;
      let group = groups.get(declaration.name);
      if (!group) {
        group = { keys: new Set(), optionalKeys: new Set(), optional: false, actions: new Set() };
        groups.set(declaration.name, group);
      }
      for (const key of declaration.keys ?? []) group.keys.add(key);
      for (const key of declaration.optional_keys ?? []) group.optionalKeys.add(key);
      if (declaration.optional) group.optional = true;
      if (declaration.secret_type !== undefined) group.type ??= declaration.secret_type;
      group.actions.add(entry.id);
    }
  }
  const out: SecretDefinition[] = [];
  for (const [name, group] of groups) {
    const type = group.type ?? inferSecretType([...group.keys]);
    // A structured type's keys are fixed: a declarer may leave them out.
    if (type !== "custom") for (const key of STRUCTURED_KEYS[type]) group.keys.add(key);
    const keys = [...group.keys].sort(byText);
    const optionalKeys = [...group.optionalKeys].filter((k) => !group.keys.has(k)).sort(byText);
    const actions = [...group.actions].sort(byText);
    out.push({
      name,
      keys,
      optional_keys: optionalKeys.length ? optionalKeys : null,
      optional: group.optional,
      secret_type: type,
      actions,
      action_count: actions.length,
    });
  }
  return out.sort((a, b) => b.action_count - a.action_count || byText(a.name, b.name));
}
