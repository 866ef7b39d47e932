// Walks any value's strings (dict keys included) and the ASTs of their templates.
import { ExpressionError } from "../errors/expression-error.js";
import type { ExpressionRoot, Node } from "../parser/ast.js";
import { type CompiledTemplate, sharedCache } from "../template/compile.js";

export type Location = readonly (string | number)[];

/** Calls `onString` for every string holding a template, with its location in the value. */
export function forEachTemplateString(value: unknown, onString: (source: string, location: Location) => void): void {
  const location: (string | number)[] = [];
  const seen = new Set<object>();
  const visit = (v: unknown): void => {
    if (typeof v === "string") {
      if (v.includes("${{")) onString(v, location.slice());
      return;
    }
    if (v === null || typeof v !== "object" || seen.has(v)) return;
    seen.add(v);
    if (Array.isArray(v)) {
      v.forEach((item, i) => {
        location.push(i);
        visit(item);
        location.pop();
      });
      return;
    }
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) return;
    for (const key of Object.keys(v)) {
      location.push(key);
      if (key.includes("${{")) onString(key, location.slice());
      visit((v as Record<string, unknown>)[key]);
      location.pop();
    }
  };
  visit(value);
}

/** Compiles with the shared cache, tagging a syntax error with its location. */
export function compileAt(source: string, location: Location): CompiledTemplate {
  try {
    return sharedCache.compile(source);
  } catch (error) {
    if (error instanceof ExpressionError) error.location = location;
    throw error;
  }
}

/** Visits every node of an expression, parents first. */
export function walkNodes(root: ExpressionRoot, onNode: (node: Node) => void): void {
  const stack: Node[] = [root.body];
  while (stack.length) {
    const node = stack.pop() as Node;
    onNode(node);
    switch (node.kind) {
      case "list":
        for (let i = node.items.length - 1; i >= 0; i--) stack.push(node.items[i] as Node);
        break;
      case "dict":
        for (let i = node.values.length - 1; i >= 0; i--) stack.push(node.values[i] as Node);
        break;
      case "call":
        for (let i = node.args.length - 1; i >= 0; i--) stack.push(node.args[i] as Node);
        break;
      case "binary":
        stack.push(node.right, node.left);
        break;
      case "unary":
        stack.push(node.operand);
        break;
      case "index":
        stack.push(node.index, node.target);
        break;
      case "ternary":
        stack.push(node.otherwise, node.condition, node.then);
        break;
      case "cast":
        stack.push(node.operand);
        break;
    }
  }
}
