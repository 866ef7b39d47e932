import { CofferError } from "@coffer/core";
import { defineAction, z } from "@coffer/sdk";
import { pyRepr, typeName } from "../transform-lambda/python-values.js";

export const requireAction = defineAction({
  namespace: "core",
  name: "require",
  title: "Require",
  description: "Check that conditions hold: fails the action (or returns false) when they do not.",
  display_group: "Control flow",
  args: z
    .object({
      conditions: z.union([z.unknown(), z.array(z.unknown())]),
      require_all: z.boolean().default(true),
      raise_error: z.boolean().default(true),
    })
    .strict(),
  handler: (args) => {
    const list = Array.isArray(args.conditions) ? args.conditions : [args.conditions];
    const wrong = list.filter((c) => typeof c !== "boolean");
    if (wrong.length > 0)
      throw new CofferError(
        "action_args_invalid",
        `All conditions must evaluate to a boolean. Got types: ${list.map((c) => typeName(c)).join(", ")}`,
      );
    const ok = args.require_all ? list.every(Boolean) : list.some(Boolean);
    if (ok) return true;
    if (!args.raise_error) return false;
    throw new CofferError(
      "action_failed",
      `${args.require_all ? "All condition" : "At least one condition"} must evaluate to true. Got values: [${list.map((c) => pyRepr(c)).join(", ")}]`,
    );
  },
});
