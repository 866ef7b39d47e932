// Scope validation for scatter/gather and do-while regions (Tracecat §1.8): a breadth-first walk
// assigns each action a scope; edges and expression references must respect the nesting.
import { CofferError } from "@coffer/core";
import type { ActionStatement } from "./document.js";

export const ROOT_SCOPE = "<root>";
export const SCATTER = "core.transform.scatter";
export const GATHER = "core.transform.gather";
export const LOOP_START = "core.loop.start";
export const LOOP_END = "core.loop.end";

export interface Scopes {
  /** Action ref → the scope it belongs to (`<root>`, or an opener's ref). */
  scopeOf: Map<string, string>;
  /** Scope → its parent scope (null for the root). */
  parentOf: Map<string, string | null>;
}

function invalid(message: string, action?: string): CofferError {
  return new CofferError("workflow_invalid", message, { details: action ? { action } : {} });
}

/** Scope of every action; throws the first violation with Tracecat's message. */
export function validateScopes(actions: ActionStatement[], references: Map<string, [string, Set<string>][]>): Scopes {
  const count = (key: string) => actions.filter((a) => a.action === key).length;
  if (count(GATHER) > count(SCATTER)) throw invalid("There are more gather actions than scatter actions.");
  if (count(LOOP_START) !== count(LOOP_END))
    throw invalid(
      `Loop scopes must be balanced: found ${count(LOOP_START)} loop start action(s) and ${count(LOOP_END)} loop end action(s).`,
    );
  const byRef = new Map(actions.map((a) => [a.ref, a]));
  const parentOf = new Map<string, string | null>([[ROOT_SCOPE, null]]);
  const kindOf = new Map<string, "scatter" | "loop">();
  const scopeOf = new Map<string, string>();
  const successors = new Map<string, string[]>();
  const indegree = new Map<string, number>();
  for (const a of actions) {
    indegree.set(a.ref, a.dependsOn.length);
    for (const d of a.dependsOn) successors.set(d.source, [...(successors.get(d.source) ?? []), a.ref]);
  }
  const assign = (a: ActionStatement, inherited: string) => {
    let scope = inherited;
    if (a.action === SCATTER || a.action === LOOP_START) {
      scope = a.ref;
      parentOf.set(scope, inherited);
      kindOf.set(scope, a.action === SCATTER ? "scatter" : "loop");
    } else if (a.action === GATHER || a.action === LOOP_END) {
      const parent = parentOf.get(inherited);
      if (parent === null || parent === undefined)
        throw invalid(
          `You cannot use a ${a.action === GATHER ? "gather" : "loop.end"} action '${a.ref}' in the root scope`,
          a.ref,
        );
      if (kindOf.get(inherited) !== (a.action === GATHER ? "scatter" : "loop"))
        throw invalid(`Action '${a.ref}' closes the wrong scope type`, a.ref);
      scope = parent;
    }
    const prior = scopeOf.get(a.ref);
    if (prior !== undefined && prior !== scope)
      throw invalid(
        `Action '${a.ref}' cannot belong to multiple scopes: already in '${prior}', trying to assign to '${scope}'`,
        a.ref,
      );
    scopeOf.set(a.ref, scope);
  };
  const queue: ActionStatement[] = [];
  for (const a of actions)
    if (a.dependsOn.length === 0) {
      assign(a, ROOT_SCOPE);
      queue.push(a);
    }
  for (let i = 0; i < queue.length; i++) {
    const a = queue[i] as ActionStatement;
    for (const next of successors.get(a.ref) ?? []) {
      const left = (indegree.get(next) as number) - 1;
      indegree.set(next, left);
      if (left === 0) {
        const n = byRef.get(next) as ActionStatement;
        assign(n, scopeOf.get(a.ref) as string);
        queue.push(n);
      }
    }
  }
  if (scopeOf.size !== actions.length) throw invalid("Cycle detected in control-flow workflow");

  const parent = (s: string) => parentOf.get(s) ?? null;
  const isAncestorOrSelf = (anc: string, s: string) => {
    for (let cur: string | null = s; cur !== null; cur = parent(cur)) if (cur === anc) return true;
    return false;
  };
  /** A finished loop's body stays visible: `rs` lies below `scope` only through loop scopes. */
  const throughLoops = (rs: string, scope: string) => {
    for (let cur: string | null = rs; cur !== null; cur = parent(cur)) {
      if (cur === scope) return true;
      if (kindOf.get(cur) !== "loop") return false;
    }
    return false;
  };
  const opener = (a: ActionStatement) => (a.action === SCATTER ? "Scatter" : "Loop start");
  for (const a of actions) {
    const scope = scopeOf.get(a.ref) as string;
    if (a.action === LOOP_END) {
      const closed = new Set(a.dependsOn.map((x) => scopeOf.get(x.source) as string));
      if (closed.size !== 1)
        throw invalid(`Loop end action '${a.ref}' must depend on actions from exactly one loop scope`, a.ref);
    }
    for (const d of a.dependsOn) {
      const ds = scopeOf.get(d.source) as string;
      if (a.action === SCATTER || a.action === LOOP_START) {
        if (ds !== parent(scope))
          throw invalid(
            `${opener(a)} action '${a.ref}' has an edge from '${d.source}', which isn't the parent scope`,
            a.ref,
          );
      } else if (a.action === LOOP_END) {
        if (parent(ds) !== scope)
          throw invalid(`Loop end action '${a.ref}' must depend on actions from its child loop scope`, a.ref);
        if (kindOf.get(ds) !== "loop") throw invalid(`Loop end action '${a.ref}' must close a loop.start scope`, a.ref);
      } else if (a.action === GATHER) {
        if (parent(ds) !== scope)
          throw invalid(`Gather action '${a.ref}' has an edge from '${d.source}', which isn't the child scope`, a.ref);
        if (kindOf.get(ds) === "loop")
          throw invalid(`Action '${a.ref}' closes the wrong scope type for edge '${d.source}'`, a.ref);
      } else if (ds !== scope) {
        throw invalid(
          `Action '${a.ref}' has an edge from '${d.source}', which is in a different scatter-gather scope`,
          a.ref,
        );
      }
    }
    const closedLoop = a.action === LOOP_END ? (scopeOf.get(a.dependsOn[0]?.source ?? "") ?? "") : "";
    for (const [field, refs] of references.get(a.ref) ?? []) {
      for (const r of refs) {
        const rs = scopeOf.get(r);
        if (rs === undefined) continue;
        if (a.action === SCATTER || a.action === LOOP_START) {
          if (rs !== parent(scope))
            throw invalid(
              `${opener(a)} action '${a.ref}' has an expression in field '${field}' that references '${r}', which isn't the parent scope`,
              a.ref,
            );
        } else if (a.action === LOOP_END) {
          if (rs !== closedLoop)
            throw invalid(
              `Loop end action '${a.ref}' has an expression in field 'inputs.condition' that references '${r}', but condition refs must be in loop scope '${closedLoop}'.`,
              a.ref,
            );
        } else if (a.action === GATHER) {
          if (parent(rs) !== scope)
            throw invalid(
              `Gather action '${a.ref}' has an expression in field '${field}' that references '${r}', which isn't the child scope`,
              a.ref,
            );
        } else if (!isAncestorOrSelf(rs, scope) && !throughLoops(rs, scope)) {
          throw invalid(
            `Action '${a.ref}' has an expression in field '${field}' that references '${r}' which cannot be referenced from this scope`,
            a.ref,
          );
        }
      }
    }
  }

  // One loop end per loop scope, and every action of the region on a success path to it.
  for (const start of actions.filter((a) => a.action === LOOP_START)) {
    const closers = actions.filter(
      (a) => a.action === LOOP_END && a.dependsOn.some((d) => scopeOf.get(d.source) === start.ref),
    );
    if (closers.length === 0)
      throw invalid(`Loop start action '${start.ref}' has no matching loop end action`, start.ref);
    if (closers.length > 1)
      throw invalid(
        `Loop start action '${start.ref}' has multiple loop end actions: '${closers[0]?.ref}' and '${closers[1]?.ref}'`,
        start.ref,
      );
    const end = closers[0] as ActionStatement;
    const reaches = new Set<string>([end.ref]);
    const stack = [end.ref];
    while (stack.length > 0) {
      const cur = byRef.get(stack.pop() as string) as ActionStatement;
      for (const d of cur.dependsOn)
        if (d.type === "success" && !reaches.has(d.source)) {
          reaches.add(d.source);
          stack.push(d.source);
        }
    }
    const unsynchronized = actions
      .filter((a) => a.ref !== end.ref && isAncestorOrSelf(start.ref, scopeOf.get(a.ref) as string))
      .filter((a) => !reaches.has(a.ref))
      .map((a) => `'${a.ref}'`);
    if (unsynchronized.length > 0)
      throw invalid(
        `Loop scope opened by '${start.ref}' must synchronize at '${end.ref}'. Every action in the loop region needs a success path to loop_end so iterations cannot interleave and overwrite each other. Unsynchronized actions: [${unsynchronized.join(", ")}]`,
        start.ref,
      );
  }
  return { scopeOf, parentOf };
}

/** Every loop start's region: the actions of its scope and nested scopes, and its loop end. */
export function loopRegions(actions: ActionStatement[], scopes: Scopes): Map<string, Set<string>> {
  const isAncestorOrSelf = (anc: string, s: string) => {
    for (let cur: string | null = s; cur !== null; cur = scopes.parentOf.get(cur) ?? null) if (cur === anc) return true;
    return false;
  };
  const out = new Map<string, Set<string>>();
  for (const start of actions.filter((a) => a.action === LOOP_START)) {
    const region = new Set<string>();
    for (const a of actions) {
      const s = scopes.scopeOf.get(a.ref) as string;
      if (isAncestorOrSelf(start.ref, s)) region.add(a.ref);
      else if (a.action === LOOP_END && a.dependsOn.some((d) => scopes.scopeOf.get(d.source) === start.ref))
        region.add(a.ref);
    }
    out.set(start.ref, region);
  }
  return out;
}
