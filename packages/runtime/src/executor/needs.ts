import { CofferError } from "@coffer/core";
import { ExpressionError, extractReferences } from "@coffer/expressions";
import { isOAuthDeclaration, type SecretDeclaration, type SecretType, STRUCTURED_KEYS } from "@coffer/sdk";
import type { ActionEntry, Registry } from "../registry/registry.types.js";

/** What one secret name is needed for, merged over every reference and declaration of the run. */
export interface SecretNeed {
  /** Declared without `optional`, or referenced outside a `||` fallback and not declared optional. */
  required: boolean;
  /** Keys that must exist when the secret does. */
  keys: Set<string>;
  /** A declared type, for the fix hint (`--type mtls`). */
  type?: SecretType;
}

export interface RunNeeds {
  secrets: Map<string, SecretNeed>;
  variables: Set<string>;
}

interface Collected {
  declaredRequired: boolean;
  declaredOptional: boolean;
  referencedStrict: boolean;
  declaredKeys: Set<string>;
  referencedKeys: Set<string>;
  type?: SecretType;
}

/**
 * Every secret and variable an action run needs, found before it starts: references in the args
 * (values, dictionary keys, nested templates), the action's declarations, and, for a template
 * action, the args and declarations of every step, recursively. Tracecat does not scan step
 * args; we do, so a step's `${{ SECRETS.x.K }}` is resolved in the same one read as the rest.
 */
export function collectNeeds(registry: Registry, entry: ActionEntry, args: unknown): RunNeeds {
  const collected = new Map<string, Collected>();
  const variables = new Set<string>();
  const slot = (name: string): Collected => {
    let c = collected.get(name);
    if (!c) {
      c = {
        declaredRequired: false,
        declaredOptional: false,
        referencedStrict: false,
        declaredKeys: new Set(),
        referencedKeys: new Set(),
      };
      collected.set(name, c);
    }
    return c;
  };

  const scan = (value: unknown, where: string) => {
    let references: ReturnType<typeof extractReferences>;
    try {
      references = extractReferences(value);
    } catch (error) {
      if (error instanceof ExpressionError) {
        const at = error.location.length > 0 ? ` at ${error.location.join(".")}` : "";
        throw new CofferError("expression_error", `${where}${at}: ${error.format()}`, {
          details: { expressionCode: error.code, location: error.location.map(String) },
        });
      }
      throw error;
    }
    for (const ref of references.secrets) {
      // OAuth tokens (`<provider>_oauth`) are not stored secrets; the OAuth resolution owns them.
      if (ref.name.endsWith("_oauth")) continue;
      const c = slot(ref.name);
      if (ref.hasFallback) continue;
      c.referencedStrict = true;
      if (ref.key !== undefined) c.referencedKeys.add(ref.key);
    }
    for (const ref of references.variables) variables.add(ref.name);
  };

  const declare = (declarations: readonly SecretDeclaration[]) => {
    for (const d of declarations) {
      if (isOAuthDeclaration(d)) continue;
      const c = slot(d.name);
      if (d.secret_type && !c.type) c.type = d.secret_type;
      if (d.optional) {
        c.declaredOptional = true;
        continue;
      }
      c.declaredRequired = true;
      const keys = d.keys ?? (d.secret_type && d.secret_type !== "custom" ? STRUCTURED_KEYS[d.secret_type] : []);
      for (const k of keys) c.declaredKeys.add(k);
    }
  };

  const visiting: string[] = [];
  const visit = (action: ActionEntry) => {
    if (visiting.includes(action.id)) {
      throw new CofferError(
        "invalid_argument",
        `Template action ${visiting[0]} calls itself through ${[...visiting, action.id].join(" → ")}; a template cannot recurse.`,
        { details: { cycle: [...visiting, action.id] } },
      );
    }
    declare(action.secrets);
    if (action.kind !== "template") return;
    visiting.push(action.id);
    for (const step of action.template.steps) {
      const inner = registry.get(step.action);
      if (!inner) {
        throw new CofferError(
          "action_not_found",
          `Step \`${step.ref}\` of template action ${action.id} uses action ${step.action}, which is not in the registry. Run \`coffer actions list\` to see what is.`,
          { details: { action: step.action, template: action.id, step: step.ref } },
        );
      }
      scan(step.args, `Step \`${step.ref}\` of ${action.id}`);
      visit(inner);
    }
    scan(action.template.returns, `The returns of ${action.id}`);
    visiting.pop();
  };

  scan(args, `The args of ${entry.id}`);
  visit(entry);

  const secrets = new Map<string, SecretNeed>();
  for (const [name, c] of collected) {
    // Optional wins over a plain reference (Tracecat's rule): the action copes with its absence.
    const required = c.declaredRequired || (c.referencedStrict && !c.declaredOptional);
    const keys = new Set(c.referencedKeys);
    if (c.declaredRequired) for (const k of c.declaredKeys) keys.add(k);
    secrets.set(name, { required, keys, ...(c.type ? { type: c.type } : {}) });
  }
  return { secrets, variables };
}
