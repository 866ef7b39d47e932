// Shared by the engine and subflows: for_each iteration (Tracecat §3.4) and error description.
import { CofferError, isCofferError } from "@coffer/core";
import { compile, ExpressionError, evaluateTemplate, typeName } from "@coffer/expressions";

const FOR_EACH_INVALID = "Invalid for_each expression. Must be an IterableExpr or a list of IterableExprs.";

export function describe(error: unknown): string {
  if (error instanceof ExpressionError) return error.format();
  if (error instanceof Error) return error.message;
  return String(error);
}

export function codeOf(error: unknown): string {
  if (isCofferError(error)) return error.code;
  if (error instanceof ExpressionError) return "expression_error";
  return "workflow_failed";
}

/** Zips the iterators (`${{ for var.x in … }}`), stopping at the shortest (§3.4). */
export function iterate(forEach: string[], context: Record<string, unknown>): Record<string, unknown>[] {
  const iterators = forEach.map((text) => {
    const t = text.trim();
    const compiled = compile(t);
    const root = compiled.roots[0];
    if (!compiled.whole || !root?.iterator) throw new CofferError("expression_error", FOR_EACH_INVALID);
    const collection = evaluateTemplate(t, context);
    let items: unknown[];
    if (Array.isArray(collection)) items = collection;
    else if (typeof collection === "string") items = [...collection];
    else if (typeof collection === "object" && collection !== null) items = Object.keys(collection);
    else
      throw new CofferError(
        "expression_error",
        `Invalid iterator collection: ${collection === null ? "None" : typeName(collection as never)}. Must be an iterable. (in \`${t}\`)`,
      );
    return { path: root.iterator.variable, items };
  });
  const n = Math.min(...iterators.map((i) => i.items.length));
  const out: Record<string, unknown>[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const vars: Record<string, unknown> = {};
    for (const it of iterators) assignPath(vars, it.path, it.items[i]);
    out[i] = vars;
  }
  return out;
}

function assignPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let cur = target;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i] as string;
    const next = cur[key];
    if (typeof next !== "object" || next === null || Array.isArray(next)) cur[key] = {};
    cur = cur[key] as Record<string, unknown>;
  }
  cur[path[path.length - 1] as string] = value;
}
