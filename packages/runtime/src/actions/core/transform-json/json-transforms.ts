import { CofferError } from "@coffer/core";
import { defineAction, z } from "@coffer/sdk";
import { findJsonPathValue } from "../transform-lambda/python-values.js";

const MAX_DEPTH = 100;

function asObject(json: unknown): Record<string, unknown> {
  let value = json;
  if (typeof json === "string") {
    try {
      value = JSON.parse(json);
    } catch {
      throw new CofferError(
        "action_args_invalid",
        "json must be a JSON object or a string holding one: the string is not valid JSON.",
      );
    }
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new CofferError("action_args_invalid", "json must be a JSON object or a string");
  return value as Record<string, unknown>;
}

export const flattenJsonAction = defineAction({
  namespace: "core.transform",
  name: "flatten_json",
  title: "Flatten JSON",
  description:
    "One level of path → leaf value: keys joined with '.', list indexes as [i]; empty objects and lists vanish.",
  display_group: "Data transform",
  args: z.object({ json: z.unknown() }).strict(),
  handler: (args) => {
    const out: Record<string, unknown> = {};
    const walk = (v: unknown, path: string, depth: number) => {
      if (depth > MAX_DEPTH)
        throw new CofferError("action_args_invalid", `json is nested deeper than ${MAX_DEPTH} levels.`);
      if (Array.isArray(v)) for (const [i, x] of v.entries()) walk(x, `${path}[${i}]`, depth + 1);
      else if (typeof v === "object" && v !== null)
        for (const [k, x] of Object.entries(v)) walk(x, path === "" ? k : `${path}.${k}`, depth + 1);
      else out[path] = v;
    };
    walk(asObject(args.json), "", 0);
    return out;
  },
});

export const evalJsonpathsAction = defineAction({
  namespace: "core.transform",
  name: "eval_jsonpaths",
  title: "Evaluate JSONPaths",
  description: "{path: value} for each JSONPath: a wildcard or filter gives a list, one match the value, none null.",
  display_group: "Data transform",
  args: z.object({ json: z.unknown(), jsonpaths: z.array(z.string()) }).strict(),
  handler: (args) => {
    const root = asObject(args.json);
    const out: Record<string, unknown> = {};
    for (const path of args.jsonpaths) out[path] = findJsonPathValue(path, root);
    return out;
  },
});
