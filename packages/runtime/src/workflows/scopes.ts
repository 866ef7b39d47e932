// Scope validation for scatter/gather regions (Tracecat §1.8): a breadth-first walk assigns each
// action a scope; edges and expression references must respect the nesting.
import { CofferError } from "@coffer/core";
import type { ActionStatement } from "./document.js";

export const ROOT_SCOPE = "<root>";
export const SCATTER = "core.transform.scatter";
export const GATHER = "core.transform.gather";

function invalid(message: string, action?: string): CofferError {
  return new CofferError("workflow_invalid", message, { details: action ? { action } : {} });
}

/** Scope of every action; throws the first violation with Tracecat's message. */
export function validateScopes(
  actions: ActionStatement[],
  references: Map<string, [string, Set<string>][]>,
): Map<string, string> {
  const scatters = actions.filter((a) => a.action === SCATTER).length;
  const gathers = actions.filter((a) => a.action === GATHER).length;
  if (gathers > scatters) throw invalid("There are more gather actions than scatter actions.");
  const byRef = new Map(actions.map((a) => [a.ref, a]));
  const parentOf = new Map<string, string | null>([[ROOT_SCOPE, null]]);
  const scopeOf = new Map<string, string>();
  const successors = new Map<string, string[]>();
  const indegree = new Map<string, number>();
  for (const a of actions) {
    indegree.set(a.ref, a.dependsOn.length);
    for (const d of a.dependsOn) successors.set(d.source, [...(successors.get(d.source) ?? []), a.ref]);
  }
  const assign = (a: ActionStatement, inherited: string) => {
    let scope = inherited;
    if (a.action === SCATTER) {
      scope = a.ref;
      parentOf.set(scope, inherited);
    } else if (a.action === GATHER) {
      const parent = parentOf.get(inherited);
      if (parent === null || parent === undefined)
        throw invalid(`You cannot use a gather action '${a.ref}' in the root scope`, a.ref);
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
  for (const a of actions) {
    const scope = scopeOf.get(a.ref) as string;
    for (const d of a.dependsOn) {
      const ds = scopeOf.get(d.source) as string;
      if (a.action === SCATTER) {
        if (ds !== parent(scope))
          throw invalid(
            `Scatter action '${a.ref}' has an edge from '${d.source}', which isn't the parent scope`,
            a.ref,
          );
      } else if (a.action === GATHER) {
        if (parent(ds) !== scope)
          throw invalid(`Gather action '${a.ref}' has an edge from '${d.source}', which isn't the child scope`, a.ref);
      } else if (ds !== scope) {
        throw invalid(
          `Action '${a.ref}' has an edge from '${d.source}', which is in a different scatter-gather scope`,
          a.ref,
        );
      }
    }
    for (const [field, refs] of references.get(a.ref) ?? []) {
      for (const r of refs) {
        const rs = scopeOf.get(r);
        if (rs === undefined) continue;
        if (a.action === SCATTER) {
          if (rs !== parent(scope))
            throw invalid(
              `Scatter action '${a.ref}' has an expression in field '${field}' that references '${r}', which isn't the parent scope`,
              a.ref,
            );
        } else if (a.action === GATHER) {
          if (parent(rs) !== scope)
            throw invalid(
              `Gather action '${a.ref}' has an expression in field '${field}' that references '${r}', which isn't the child scope`,
              a.ref,
            );
        } else if (!isAncestorOrSelf(rs, scope)) {
          throw invalid(
            `Action '${a.ref}' has an expression in field '${field}' that references '${r}' which cannot be referenced from this scope`,
            a.ref,
          );
        }
      }
    }
  }
  return scopeOf;
}
