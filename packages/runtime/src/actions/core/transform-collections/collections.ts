import { CofferError } from "@coffer/core";
import { defineAction, z } from "@coffer/sdk";
import { pyEquals, typeName } from "../transform-lambda/python-values.js";
import { compileLambda } from "../transform-lambda/safe-lambda.js";

const membershipArgs = z
  .object({
    items: z.array(z.unknown()),
    collection: z.array(z.unknown()),
    python_lambda: z.string().nullable().optional(),
  })
  .strict();

function membership(args: z.infer<typeof membershipArgs>, wanted: boolean): unknown[] {
  for (const c of args.collection)
    if (typeof c === "object" && c !== null)
      throw new CofferError(
        "action_args_invalid",
        `\`collection\` must hold hashable values (strings, numbers, booleans, null), not ${typeName(c)}.`,
      );
  const fn = args.python_lambda ? compileLambda(args.python_lambda) : (x: unknown) => x;
  return args.items.filter((item) => {
    const v = fn(item);
    return args.collection.some((c) => pyEquals(c, v)) === wanted;
  });
}

export const isInAction = defineAction({
  namespace: "core.transform",
  name: "is_in",
  title: "Is in",
  description: "The items whose value (or python_lambda(item)) is in `collection`; duplicates and order kept.",
  display_group: "Data transform",
  args: membershipArgs,
  handler: (args) => membership(args, true),
});

export const notInAction = defineAction({
  namespace: "core.transform",
  name: "not_in",
  title: "Not in",
  description: "The items whose value (or python_lambda(item)) is not in `collection`.",
  display_group: "Data transform",
  args: membershipArgs,
  handler: (args) => membership(args, false),
});

export const dropNullsAction = defineAction({
  namespace: "core.transform",
  name: "drop_nulls",
  title: "Drop nulls",
  description: 'Remove null items; "", 0 and false are kept.',
  display_group: "Data transform",
  args: z.object({ items: z.array(z.unknown()) }).strict(),
  handler: (args) => args.items.filter((x) => x !== null && x !== undefined),
});
