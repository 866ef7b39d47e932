import { defineAction, z } from "@coffer/sdk";

/**
 * Returns its `value` as the result. Templates in `value` are evaluated before the handler runs,
 * so this is how a workflow builds a new shape out of earlier results, variables and functions.
 */
export const reshapeAction = defineAction({
  namespace: "core.transform",
  name: "reshape",
  title: "Reshape",
  description: "Return the given value, with its expressions evaluated: build a new object, list or value.",
  display_group: "Data transform",
  args: z.object({ value: z.unknown() }).strict(),
  handler: (args) => args.value,
});
