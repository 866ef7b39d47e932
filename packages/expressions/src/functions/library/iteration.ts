// Iteration and Generators groups (reference §2.7, §2.8).
import { randomUUID } from "node:crypto";
import { tick } from "../../limits/budget.js";
import type { ExprValue, FunctionDefinition } from "../function-definition.js";
import { expectInt, optionalArg, param, valueError } from "./args.js";
import { checkListLength, limitsOf } from "./limits.js";
import { pyIterate } from "./python-values.js";

export const iterationFunctions: FunctionDefinition[] = [
  {
    name: "zip",
    group: "Iteration",
    description: "Pairs up items of several sequences position by position, stopping at the shortest.",
    params: [param("iterables", "Sequence[Any]", { variadic: true })],
    returns: "list[tuple[Any, ...]]",
    call(args) {
      const lists = args.map((a, i) => pyIterate(a, "zip", `iterables[${i}]`));
      if (lists.length === 0) return [];
      const n = Math.min(...lists.map((l) => l.length));
      const out: ExprValue[] = [];
      for (let i = 0; i < n; i++) out.push(lists.map((l) => l[i] as ExprValue));
      return out;
    },
  },
  {
    name: "iter_product",
    group: "Iteration",
    description: "Cartesian product of the sequences (the first varies slowest).",
    params: [param("iterables", "Sequence[Any]", { variadic: true })],
    returns: "list[tuple[Any, ...]]",
    call(args, context) {
      const lists = args.map((a, i) => pyIterate(a, "iter_product", `iterables[${i}]`));
      const total = lists.reduce((n, l) => n * l.length, 1);
      checkListLength("iter_product", total, limitsOf(context));
      let rows: ExprValue[][] = [[]];
      for (const list of lists) {
        const next: ExprValue[][] = [];
        for (const row of rows) {
          tick();
          for (const item of list) next.push([...row, item]);
        }
        rows = next;
      }
      return rows;
    },
  },
  {
    name: "range",
    group: "Iteration",
    description: "The ints from start up to (not including) end, by step (Python range).",
    params: [param("start", "int"), param("end", "int"), param("step", "int", { optional: true })],
    returns: "list[int]",
    call(args, context) {
      const start = expectInt("range", "start", args[0]);
      const end = expectInt("range", "end", args[1]);
      const stepArg = optionalArg(args, 2);
      const step = stepArg === undefined ? 1 : expectInt("range", "step", stepArg);
      if (step === 0) throw valueError("range", "range() arg 3 must not be zero");
      const count = Math.max(0, Math.ceil((end - start) / step));
      checkListLength("range", count, limitsOf(context));
      const out: number[] = new Array(count);
      for (let i = 0; i < count; i++) out[i] = start + i * step;
      return out;
    },
  },
];

export const generatorFunctions: FunctionDefinition[] = [
  {
    name: "uuid4",
    group: "Generators",
    description: "A new random version-4 UUID, lower-case with hyphens.",
    params: [],
    returns: "str",
    call: () => randomUUID(),
  },
];
