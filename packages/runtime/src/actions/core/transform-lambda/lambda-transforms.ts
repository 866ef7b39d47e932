import { defineAction, z } from "@coffer/sdk";
import { truthy } from "./python-values.js";
import { compileLambda } from "./safe-lambda.js";

const lambdaArg = z
  .string()
  .describe("A Python lambda, e.g. `lambda x: x['severity'] > 3` (a safe subset, never eval).");

export const filterAction = defineAction({
  namespace: "core.transform",
  name: "filter",
  title: "Filter",
  description: "Keep the items for which the Python lambda is truthy, in order.",
  display_group: "Data transform",
  args: z.object({ items: z.array(z.unknown()), python_lambda: lambdaArg }).strict(),
  handler: (args) => {
    const fn = compileLambda(args.python_lambda);
    return args.items.filter((item) => truthy(fn(item)));
  },
});

export const mapAction = defineAction({
  namespace: "core.transform",
  name: "map",
  title: "Map",
  description: "Apply the Python lambda to every item; returns the list of results.",
  display_group: "Data transform",
  args: z.object({ items: z.array(z.unknown()), python_lambda: lambdaArg }).strict(),
  handler: (args) => {
    const fn = compileLambda(args.python_lambda);
    return args.items.map((item) => fn(item));
  },
});

export const applyAction = defineAction({
  namespace: "core.transform",
  name: "apply",
  title: "Apply",
  description: "Apply the Python lambda to one value.",
  display_group: "Data transform",
  args: z.object({ value: z.unknown(), python_lambda: lambdaArg }).strict(),
  handler: (args) => compileLambda(args.python_lambda)(args.value ?? null),
});
