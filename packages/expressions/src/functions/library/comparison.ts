// Comparison and Logical groups (reference §2.3, §2.11): Python ==, ordering, truthiness.

import { type CompareOp, pyEquals } from "../../values/equality.js";
import { truthy } from "../../values/types.js";
import type { ExprValue, FunctionDefinition } from "../function-definition.js";
import { param } from "./args.js";
import { compareOrFail } from "./python-values.js";

const COMPARISON = "Comparison";
const LOGICAL = "Logical";

function ordering(name: string, op: CompareOp, words: string): FunctionDefinition {
  return {
    name,
    group: COMPARISON,
    description: `True if a is ${words} b (Python ordering: numbers, strings by code point, lists, datetimes).`,
    params: [param("a", "Any"), param("b", "Any")],
    returns: "bool",
    call: (args) => compareOrFail(op, args[0] as ExprValue, args[1] as ExprValue),
  };
}

export const comparisonFunctions: FunctionDefinition[] = [
  ordering("greater_than", ">", "greater than"),
  ordering("greater_than_or_equal", ">=", "greater than or equal to"),
  ordering("less_than", "<", "less than"),
  ordering("less_than_or_equal", "<=", "less than or equal to"),
  {
    name: "is_equal",
    group: COMPARISON,
    description: "True if a == b (deep for lists and dicts; 1 == 1.0 == True).",
    params: [param("a", "Any"), param("b", "Any")],
    returns: "bool",
    call: (args) => pyEquals(args[0] as ExprValue, args[1] as ExprValue),
  },
  {
    name: "not_equal",
    aliases: ["is_not_equal"],
    group: COMPARISON,
    description: "True if a != b.",
    params: [param("a", "Any"), param("b", "Any")],
    returns: "bool",
    call: (args) => !pyEquals(args[0] as ExprValue, args[1] as ExprValue),
  },
  {
    name: "is_null",
    group: COMPARISON,
    description: "True if the value is None (empty strings and lists are not).",
    params: [param("x", "Any")],
    returns: "bool",
    call: (args) => args[0] === null,
  },
  {
    name: "not_null",
    aliases: ["is_not_null"],
    group: COMPARISON,
    description: "True if the value is not None.",
    params: [param("x", "Any")],
    returns: "bool",
    call: (args) => args[0] !== null,
  },
];

export const logicalFunctions: FunctionDefinition[] = [
  {
    name: "and",
    group: LOGICAL,
    description: "Python `a and b`: a if a is falsy, else b.",
    params: [param("a", "bool"), param("b", "bool")],
    returns: "bool",
    call: (args) => (truthy(args[0] as ExprValue) ? (args[1] as ExprValue) : (args[0] as ExprValue)),
  },
  {
    name: "or",
    group: LOGICAL,
    description: "Python `a or b`: a if a is truthy, else b.",
    params: [param("a", "bool"), param("b", "bool")],
    returns: "bool",
    call: (args) => (truthy(args[0] as ExprValue) ? (args[0] as ExprValue) : (args[1] as ExprValue)),
  },
  {
    name: "not",
    group: LOGICAL,
    description: "Negation of Python truthiness (None, 0, '', [] and {} are false).",
    params: [param("x", "bool")],
    returns: "bool",
    call: (args) => !truthy(args[0] as ExprValue),
  },
];
