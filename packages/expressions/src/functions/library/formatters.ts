// Formatters group (reference §2.10): markdown lists, tables and task lists.

import { pyStr } from "../../values/python-str.js";
import { truthy } from "../../values/types.js";
import type { ExprValue, FunctionDefinition } from "../function-definition.js";
import { optionalArg, param } from "./args.js";
import { checkStringLength, limitsOf, MAX_TEXT } from "./limits.js";
import { checkRenderSize, pyIterate } from "./python-values.js";
import { tabulate } from "./tables.js";

const GROUP = "Formatters";

export const formatterFunctions: FunctionDefinition[] = [
  {
    name: "to_markdown_list",
    group: GROUP,
    description: "One markdown list line per item (`- item`, or `1. item` when ordered).",
    params: [param("x", "list[str]"), param("ordered", "bool", { optional: true })],
    returns: "str",
    call(args, context) {
      checkRenderSize(args[0] as ExprValue, limitsOf(context).maxOutputChars);
      const ordered = truthy(optionalArg(args, 1) ?? false);
      const items = pyIterate(args[0] as ExprValue, "to_markdown_list", "x");
      const out = items.map((item, i) => `${ordered ? `${i + 1}.` : "-"} ${pyStr(item, MAX_TEXT)}`).join("\n");
      checkStringLength("to_markdown_list", out.length, limitsOf(context));
      return out;
    },
  },
  {
    name: "to_markdown_table",
    group: GROUP,
    description: "Renders a list of dicts as a compact markdown table (columns sorted).",
    params: [param("x", "list[dict[str, Any]]")],
    returns: "str",
    call(args, context) {
      checkRenderSize(args[0] as ExprValue, limitsOf(context).maxOutputChars);
      return tabulate(args[0] as ExprValue, "markdown", "to_markdown_table");
    },
  },
  {
    name: "to_markdown_tasks",
    group: GROUP,
    description: "One markdown task line (`- [ ] item`) per item.",
    params: [param("x", "list[str]")],
    returns: "str",
    call(args, context) {
      checkRenderSize(args[0] as ExprValue, limitsOf(context).maxOutputChars);
      const items = pyIterate(args[0] as ExprValue, "to_markdown_tasks", "x");
      const out = items.map((item) => `- [ ] ${pyStr(item, MAX_TEXT)}`).join("\n");
      checkStringLength("to_markdown_tasks", out.length, limitsOf(context));
      return out;
    },
  },
];
