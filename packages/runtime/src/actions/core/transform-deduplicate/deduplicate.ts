import { createHash } from "node:crypto";
import { CofferError } from "@coffer/core";
import { defineAction, z } from "@coffer/sdk";
import { typeName } from "../transform-lambda/python-values.js";

/**
 * Digests seen by persisted deduplication, with their expiry. Tracecat keeps them in a
 * per-workspace KV store; Coffer keeps them in this process (one CLI run, or one server).
 */
const seen = new Map<string, number>();
const MAX_SEEN = 100_000;

function lookup(item: unknown, path: string): unknown {
  if (path === "" || path.split(".").some((p) => p === ""))
    throw new CofferError("expression_error", `Invalid key path '${path}': write dotted names such as user.id.`);
  let cur = item;
  for (const part of path.split(".")) {
    if (typeof cur !== "object" || cur === null || Array.isArray(cur) || !Object.hasOwn(cur, part))
      throw new CofferError(
        "expression_error",
        `Key '${path}' is missing from an item (${typeName(cur)} has no '${part}'). Every item must have every key.`,
      );
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** Python's json.dumps(sort_keys=True) spacing, so digests match across runs. */
function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(", ")}]`;
  if (typeof v === "object" && v !== null)
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}: ${stableJson((v as Record<string, unknown>)[k])}`)
      .join(", ")}}`;
  return JSON.stringify(v ?? null);
}

function dedupe(input: unknown, keys: string[], expireSeconds: number, persist: boolean, scope: string): unknown[] {
  if (!input || (Array.isArray(input) && input.length === 0)) return [];
  const items = Array.isArray(input) ? input : [input];
  const merged = new Map<string, Record<string, unknown>>();
  for (const item of items) {
    if (typeof item !== "object" || item === null || Array.isArray(item))
      throw new CofferError("expression_error", `deduplicate needs objects, got ${typeName(item)}.`);
    const composite = stableJson(keys.map((k) => lookup(item, k)));
    const prior = merged.get(composite);
    merged.set(composite, prior ? { ...prior, ...item } : { ...(item as Record<string, unknown>) });
  }
  if (!persist) return [...merged.values()];
  const now = Date.now();
  const out: unknown[] = [];
  for (const [composite, item] of merged) {
    const digest = createHash("sha256").update(`${scope}\u0000${composite}`).digest("hex");
    const expires = seen.get(digest);
    if (expires !== undefined && expires > now) continue;
    if (seen.size >= MAX_SEEN) for (const [d, e] of seen) if (e <= now) seen.delete(d);
    seen.set(digest, now + expireSeconds * 1000);
    out.push(item);
  }
  return out;
}

export const deduplicateAction = defineAction({
  namespace: "core.transform",
  name: "deduplicate",
  title: "Deduplicate",
  description:
    "Merge items with equal keys (dotted paths); with persist, items seen within expire_seconds are dropped on later calls.",
  display_group: "Data transform",
  args: z
    .object({
      items: z.unknown(),
      keys: z.array(z.string()).min(1),
      expire_seconds: z.number().positive().default(3600),
      persist: z.boolean().default(true),
    })
    .strict(),
  handler: (args, ctx) => dedupe(args.items, args.keys, args.expire_seconds, args.persist, ctx.environment),
});

export const isDuplicateAction = defineAction({
  namespace: "core.transform",
  name: "is_duplicate",
  title: "Is duplicate",
  description: "True when the item was seen (by its keys) within expire_seconds; the call records it.",
  display_group: "Data transform",
  args: z
    .object({
      item: z.record(z.string(), z.unknown()),
      keys: z.array(z.string()).min(1),
      expire_seconds: z.number().positive().default(3600),
    })
    .strict(),
  handler: (args, ctx) => dedupe([args.item], args.keys, args.expire_seconds, true, ctx.environment).length === 0,
});
