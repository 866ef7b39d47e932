// STAND-IN until the `registry` branch lands: a registry over in-memory entries, so the
// executor's tests run now. Replaced by the real createRegistry when it is merged.
import type { ActionDefinition } from "@coffer/sdk";
import type { ActionEntry, Registry, TemplateActionBody } from "../registry/registry.types.js";

export function registryOf(
  // Each definition has its own args type; the registry holds them as the general ActionDefinition.
  definitions: readonly object[],
  templates: readonly { id: string; secrets?: ActionEntry["secrets"]; template: TemplateActionBody }[] = [],
): Registry {
  const entries = new Map<string, ActionEntry>();
  for (const item of definitions) {
    const d = item as ActionDefinition;
    entries.set(d.id, {
      kind: "builtin",
      id: d.id,
      namespace: d.namespace,
      name: d.name,
      title: d.title,
      description: d.description ?? "",
      secrets: d.secrets ?? [],
      argsSchema: {},
      definition: d,
    });
  }
  for (const t of templates) {
    const dot = t.id.lastIndexOf(".");
    entries.set(t.id, {
      kind: "template",
      id: t.id,
      namespace: t.id.slice(0, dot),
      name: t.id.slice(dot + 1),
      title: t.id,
      description: "",
      secrets: t.secrets ?? [],
      argsSchema: {},
      file: `${t.id}.yml`,
      template: t.template,
    });
  }
  return {
    get: (id) => entries.get(id),
    list: () => [...entries.values()].sort((a, b) => a.id.localeCompare(b.id)),
    errors: [],
  };
}
