// JSON functions group (reference §2.9): dict helpers and tabulate.

import { tick } from "../../limits/budget.js";
import { type ExprDict, isDict } from "../../values/types.js";
import { type ExprValue, type FunctionDefinition, FunctionError } from "../function-definition.js";
import { expectDict, expectInt, expectString, optionalArg, param, typeError, valueError } from "./args.js";
import { checkListLength, checkStringLength, limitsOf } from "./limits.js";
import { checkRenderSize, pyIterate } from "./python-values.js";
import { tabulate } from "./tables.js";
import { setKey } from "./text.js";

const GROUP = "JSON functions";

function flattenDict(value: ExprValue, maxDepth: number, maxItems: number, maxChars: number): ExprDict {
  const out: ExprDict = {};
  let count = 0;
  const walk = (v: ExprValue, path: string, depth: number) => {
    tick();
    if ((Array.isArray(v) || isDict(v)) && depth > maxDepth) {
      throw valueError("flatten_dict", `maximum recursion depth (${maxDepth}) exceeded while flattening object`);
    }
    if (Array.isArray(v)) {
      v.forEach((item, i) => {
        walk(item, `${path}[${i}]`, depth + 1);
      });
    } else if (isDict(v)) {
      for (const [key, item] of Object.entries(v)) walk(item, path === "" ? key : `${path}.${key}`, depth + 1);
    } else {
      if (path.length > maxChars)
        checkStringLength("flatten_dict", path.length, { maxOutputChars: maxChars, maxListLength: 0, maxDepth: 0 });
      setKey(out, path, v);
      if (++count > maxItems) checkListLength("flatten_dict", count);
    }
  };
  walk(value, "", 0);
  return out;
}

export const jsonFunctions: FunctionDefinition[] = [
  {
    name: "lookup",
    group: GROUP,
    description: "The value of a key in a dict, or None when the key is missing.",
    params: [param("d", "dict[Any, Any]"), param("k", "Any")],
    returns: "Any",
    call(args) {
      const d = expectDict("lookup", "d", args[0]);
      const k = args[1] as ExprValue;
      if (Array.isArray(k) || isDict(k)) throw typeError("lookup", "k", "a hashable key (str, int, …)", k);
      return typeof k === "string" && Object.hasOwn(d, k) ? (d[k] as ExprValue) : null;
    },
  },
  {
    name: "map_keys",
    group: GROUP,
    description: "Renames the keys of a dict through a mapping; every key must be in the mapping.",
    params: [param("x", "dict[str, Any]"), param("keys", "dict[str, str]")],
    returns: "dict[str, Any]",
    call(args) {
      const x = expectDict("map_keys", "x", args[0]);
      const keys = expectDict("map_keys", "keys", args[1]);
      const out: ExprDict = {};
      for (const [key, value] of Object.entries(x)) {
        if (!Object.hasOwn(keys, key)) {
          throw valueError("map_keys", "a key of 'x' is not in the 'keys' mapping; every key needs a new name");
        }
        const renamed = keys[key] as ExprValue;
        if (typeof renamed !== "string") throw typeError("map_keys", "keys", "a dict of str to str", renamed);
        setKey(out, renamed, value);
      }
      return out;
    },
  },
  {
    name: "merge",
    group: GROUP,
    description: "Shallow-merges a list of dicts; later dicts win.",
    params: [param("x", "list[dict[Any, Any]]")],
    returns: "dict[Any, Any]",
    call(args) {
      const out: ExprDict = {};
      pyIterate(args[0] as ExprValue, "merge", "x").forEach((d, i) => {
        if (!isDict(d)) throw typeError("merge", `x[${i}]`, "a dict", d);
        for (const [key, value] of Object.entries(d)) setKey(out, key, value);
      });
      return out;
    },
  },
  {
    name: "flatten_dict",
    group: GROUP,
    description: "Flattens nested dicts and lists (or a JSON string of one) into one level of `a.b[0]` paths.",
    params: [param("x", "str | dict[str, Any] | list[Any]"), param("max_depth", "int", { optional: true })],
    returns: "dict[str, Any]",
    call(args, context) {
      let x = args[0] as ExprValue;
      const depthArg = optionalArg(args, 1);
      const maxDepth = depthArg === undefined ? 100 : expectInt("flatten_dict", "max_depth", depthArg);
      if (typeof x === "string") {
        try {
          x = JSON.parse(x) as ExprValue;
        } catch {
          throw valueError("flatten_dict", "parameter 'x' is a str that is not valid JSON");
        }
        if (!Array.isArray(x) && !isDict(x)) {
          throw valueError("flatten_dict", "input string must decode to a JSON object or array");
        }
      }
      return flattenDict(x, maxDepth, limitsOf(context).maxListLength, limitsOf(context).maxOutputChars);
    },
  },
  {
    name: "to_keys",
    group: GROUP,
    description: "The keys of a dict, in order.",
    params: [param("x", "dict[Any, Any]")],
    returns: "list[Any]",
    call: (args) => Object.keys(expectDict("to_keys", "x", args[0])),
  },
  {
    name: "to_values",
    group: GROUP,
    description: "The values of a dict, in order.",
    params: [param("x", "dict[Any, Any]")],
    returns: "list[Any]",
    call: (args) => Object.values(expectDict("to_values", "x", args[0])),
  },
  {
    name: "tabulate",
    group: GROUP,
    description: "Renders a list of dicts as a markdown, html, csv or xml table.",
    params: [param("x", "list[dict[str, Any]]"), param("format", "str")],
    returns: "str",
    call(args, context) {
      const format = expectString("tabulate", "format", args[1]);
      checkRenderSize(args[0] as ExprValue, limitsOf(context).maxOutputChars);
      if (!["markdown", "html", "csv", "xml"].includes(format)) {
        throw new FunctionError(
          "unsupported table format; expected `markdown`, `html`, `csv`, or `xml`",
          "value_error",
        );
      }
      return tabulate(args[0] as ExprValue, format as "markdown", "tabulate");
    },
  },
];
