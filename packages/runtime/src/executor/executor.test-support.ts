// STAND-IN until the `masking` and `registry` branches land: a literal-only masker and a registry
// over in-memory entries, so the executor's tests run now. Replaced by merging the real ones.
import type { ActionDefinition } from "@coffer/sdk";
import type { Masker, MaskingStream } from "../masking/masker.types.js";
import type { ActionEntry, Registry, TemplateActionBody } from "../registry/registry.types.js";

export function createMasker(values: readonly string[]): Masker {
  const patterns = [...new Set(values.filter((v) => v.length > 1))].sort((a, b) => b.length - a.length);
  const maskText = (text: string) => {
    let out = text;
    for (const p of patterns) out = out.split(p).join("***");
    return out;
  };
  const maskValue = <T>(value: T): T => {
    if (typeof value === "string") return maskText(value) as T;
    if (Array.isArray(value)) return value.map(maskValue) as T;
    if (typeof value === "object" && value !== null) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[maskText(k)] = maskValue(v);
      return out as T;
    }
    return value;
  };
  const longest = patterns[0]?.length ?? 0;
  return {
    patternCount: patterns.length,
    maskText,
    maskValue,
    createStream(): MaskingStream {
      let held = "";
      return {
        write(chunk) {
          held += chunk;
          const masked = maskText(held);
          if (longest === 0) {
            held = "";
            return masked;
          }
          const cut = Math.max(0, masked.length - longest);
          held = masked.slice(cut);
          return masked.slice(0, cut);
        },
        end() {
          const rest = maskText(held);
          held = "";
          return rest;
        },
      };
    },
  };
}

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
