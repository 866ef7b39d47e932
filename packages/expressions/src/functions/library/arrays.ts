// Arrays group (reference §2.5): membership, set operations (first-seen order), flattening.

import { tick } from "../../limits/budget.js";
import { pyStr } from "../../values/python-str.js";
import { type ExprDict, isDict } from "../../values/types.js";
import { type ExprValue, type FunctionDefinition, FunctionError } from "../function-definition.js";
import { expectInt, param, typeError } from "./args.js";
import { type CallLimits, checkDepth, checkListLength, limitsOf } from "./limits.js";
import { hashKey, inOrFail, lenOrFail, pyIterate } from "./python-values.js";
import { setKey } from "./text.js";

const GROUP = "Arrays";

/** Python set(x) as an insertion-ordered map from hash key to the first representative. */
function toSet(value: ExprValue, fn: string, paramName: string): Map<string, ExprValue> {
  const set = new Map<string, ExprValue>();
  for (const item of pyIterate(value, fn, paramName)) {
    const key = hashKey(item, fn);
    if (!set.has(key)) set.set(key, item);
  }
  return set;
}

function setPair(args: readonly ExprValue[], fn: string): [Map<string, ExprValue>, Map<string, ExprValue>] {
  return [toSet(args[0] as ExprValue, fn, "a"), toSet(args[1] as ExprValue, fn, "b")];
}

function intersects(args: readonly ExprValue[], fn: string): boolean {
  const [a, b] = setPair(args, fn);
  for (const key of a.keys()) if (b.has(key)) return true;
  return false;
}

function flattenInto(value: ExprValue, out: ExprValue[], depth: number, limits: CallLimits): void {
  tick();
  checkDepth("flatten", depth);
  if (Array.isArray(value)) {
    for (const item of value) flattenInto(item, out, depth + 1, limits);
  } else {
    out.push(value);
    if (out.length > limits.maxListLength) checkListLength("flatten", out.length, limits);
  }
}

function membership(name: string, aliases: string[], negate: boolean): FunctionDefinition {
  return {
    name,
    aliases,
    group: GROUP,
    description: negate
      ? "True if the item is not in the container (substring for str, key for dict)."
      : "True if the item is in the container (substring for str, key for dict); item comes first.",
    params: [param("item", "Any"), param("container", "Sequence[Any]")],
    returns: "bool",
    call: (args) => inOrFail(args[0] as ExprValue, args[1] as ExprValue) !== negate,
  };
}

export const arrayFunctions: FunctionDefinition[] = [
  {
    name: "compact",
    group: GROUP,
    description: "Removes None items; keeps '', 0, False and empty lists.",
    params: [param("x", "list[Any]")],
    returns: "list[Any]",
    call: (args) => pyIterate(args[0] as ExprValue, "compact", "x").filter((v) => v !== null),
  },
  membership("is_in", ["contains"], false),
  membership("not_in", ["does_not_contain", "is_not_in"], true),
  {
    name: "contains_any_of",
    group: GROUP,
    description: "True if the two collections share an element (strings count as sets of characters).",
    params: [param("a", "Sequence[Any]"), param("b", "Sequence[Any]")],
    returns: "bool",
    call: (args) => intersects(args, "contains_any_of"),
  },
  {
    name: "contains_none_of",
    group: GROUP,
    description: "True if the two collections share no element (strings count as sets of characters).",
    params: [param("a", "Sequence[Any]"), param("b", "Sequence[Any]")],
    returns: "bool",
    call: (args) => !intersects(args, "contains_none_of"),
  },
  {
    name: "difference",
    group: GROUP,
    description: "Distinct elements of a that are not in b (first-seen order).",
    params: [param("a", "Sequence[Any]"), param("b", "Sequence[Any]")],
    returns: "list[Any]",
    call(args) {
      const [a, b] = setPair(args, "difference");
      return [...a].filter(([key]) => !b.has(key)).map(([, v]) => v);
    },
  },
  {
    name: "flatten",
    group: GROUP,
    description: "Flattens nested lists at any depth into one list (strings and dicts stay whole).",
    params: [param("iterables", "Sequence[Sequence[Any]]")],
    returns: "list[Any]",
    call(args, context) {
      const x = args[0] as ExprValue;
      const out: ExprValue[] = [];
      const limits = limitsOf(context);
      for (const item of pyIterate(x, "flatten", "iterables")) flattenInto(item, out, 1, limits);
      return out;
    },
  },
  {
    name: "intersection",
    group: GROUP,
    description: "Distinct elements present in both a and b.",
    params: [param("a", "Sequence[Any]"), param("b", "Sequence[Any]")],
    returns: "list[Any]",
    call(args) {
      const [a, b] = setPair(args, "intersection");
      // CPython iterates the smaller set (b on a tie) and keeps its representatives.
      const [outer, inner] = b.size <= a.size ? [b, a] : [a, b];
      return [...outer].filter(([key]) => inner.has(key)).map(([, v]) => v);
    },
  },
  {
    name: "drop_nulls",
    group: GROUP,
    description: "Removes None and empty-string items; keeps 0, False and empty containers.",
    params: [param("items", "list[Any]")],
    returns: "list[Any]",
    call: (args) => pyIterate(args[0] as ExprValue, "drop_nulls", "items").filter((v) => v !== null && v !== ""),
  },
  {
    name: "is_empty",
    group: GROUP,
    description: "True if the str, list or dict has length 0.",
    params: [param("x", "Sequence[Any]")],
    returns: "bool",
    call: (args) => lenOrFail(args[0] as ExprValue, "x") === 0,
  },
  {
    name: "length",
    group: GROUP,
    description: "Number of characters (code points) of a str, items of a list or keys of a dict.",
    params: [param("obj", "Sized")],
    returns: "int",
    call: (args) => lenOrFail(args[0] as ExprValue, "obj"),
  },
  {
    name: "not_empty",
    aliases: ["is_not_empty"],
    group: GROUP,
    description: "True if the str, list or dict has at least one element.",
    params: [param("x", "Sequence[Any]")],
    returns: "bool",
    call: (args) => lenOrFail(args[0] as ExprValue, "x") > 0,
  },
  {
    name: "symmetric_difference",
    group: GROUP,
    description: "Distinct elements in exactly one of a and b.",
    params: [param("a", "Sequence[Any]"), param("b", "Sequence[Any]")],
    returns: "list[Any]",
    call(args) {
      const [a, b] = setPair(args, "symmetric_difference");
      return [...[...a].filter(([k]) => !b.has(k)), ...[...b].filter(([k]) => !a.has(k))].map(([, v]) => v);
    },
  },
  {
    name: "union",
    group: GROUP,
    description: "Distinct elements of a and b together (first-seen order).",
    params: [param("a", "Sequence[Any]"), param("b", "Sequence[Any]")],
    returns: "list[Any]",
    call(args) {
      const [a, b] = setPair(args, "union");
      for (const [k, v] of b) if (!a.has(k)) a.set(k, v);
      return [...a.values()];
    },
  },
  {
    name: "unique",
    group: GROUP,
    description: "Distinct items, first occurrence kept (1, 1.0 and True count as one).",
    params: [param("items", "Sequence[Any]")],
    returns: "list[Any]",
    call: (args) => [...toSet(args[0] as ExprValue, "unique", "items").values()],
  },
  {
    name: "zip_map",
    group: GROUP,
    description: "Builds a dict from a list of keys and a list of values, paired up to the shorter list.",
    params: [param("x", "list[str]"), param("y", "list[str]")],
    returns: "dict[str, str]",
    call(args) {
      const keys = pyIterate(args[0] as ExprValue, "zip_map", "x");
      const values = pyIterate(args[1] as ExprValue, "zip_map", "y");
      const out: ExprDict = {};
      const n = Math.min(keys.length, values.length);
      for (let i = 0; i < n; i++) {
        const key = keys[i] as ExprValue;
        if (Array.isArray(key) || isDict(key))
          throw typeError("zip_map", `x[${i}]`, "a str (dict keys must be hashable)", key);
        setKey(out, typeof key === "string" ? key : pyStr(key), values[i] as ExprValue);
      }
      return out;
    },
  },
  {
    name: "at",
    group: GROUP,
    description: "The item at an index (negative counts from the end); on a dict, the value of a key.",
    params: [param("sequence", "Sequence[Any]"), param("index", "int")],
    returns: "Any",
    call(args) {
      const seq = args[0] as ExprValue;
      const index = args[1] as ExprValue;
      if (isDict(seq)) {
        if (typeof index !== "string" || !Object.hasOwn(seq, index)) {
          throw new FunctionError("key not found in the dict (parameter 'index')", "value_error");
        }
        return seq[index] as ExprValue;
      }
      if (typeof seq !== "string" && !Array.isArray(seq)) throw typeError("at", "sequence", "a list, str or dict", seq);
      const i = expectInt("at", "index", index);
      const items = typeof seq === "string" ? [...seq] : seq;
      const j = i < 0 ? i + items.length : i;
      if (j < 0 || j >= items.length) {
        throw new FunctionError(
          `${typeof seq === "string" ? "string" : "list"} index out of range (length ${items.length})`,
          "value_error",
        );
      }
      return items[j] as ExprValue;
    },
  },
];
