// Static extraction of SECRETS and VARS references, without evaluating anything.
import type { Span } from "../errors/expression-error.js";
import { compileAt, forEachTemplateString, type Location, walkNodes } from "./visit.js";

export interface SecretReference {
  /** The secret's name (what the store is queried by). */
  readonly name: string;
  /** The key, absent for the one-segment form `SECRETS.name`. */
  readonly key?: string;
  /** `name.KEY` as Tracecat reports it (`name` alone for one segment; every segment if more). */
  readonly path: string;
  /** The reference sits on the left of `||`: a missing key falls back instead of failing. */
  readonly hasFallback: boolean;
  /** The string holding the reference, and where the reference is in it. */
  readonly expression: string;
  readonly span: Span;
  /** Where the string sits in the walked value. */
  readonly location: Location;
}

export interface VariableReference {
  readonly name: string;
  readonly key?: string;
  readonly expression: string;
  readonly span: Span;
  readonly location: Location;
}

export interface References {
  readonly secrets: SecretReference[];
  readonly variables: VariableReference[];
}

/**
 * Every SECRETS and VARS reference in a value's templates (strings, dict keys, lists, nested
 * objects), in source order. Text outside templates and string literals are not references.
 * Throws ExpressionError on a syntax error, since a run cannot proceed with one.
 */
export function extractReferences(value: unknown): References {
  const secrets: SecretReference[] = [];
  const variables: VariableReference[] = [];
  forEachTemplateString(value, (source, location) => {
    const compiled = compileAt(source, location);
    for (const root of compiled.roots) {
      walkNodes(root, (node) => {
        if (node.kind !== "ref" || (node.context !== "SECRETS" && node.context !== "VARS")) return;
        const names = node.segments.map((s) => (s.kind === "name" ? s.name : ""));
        const span = { start: node.start, end: node.end };
        const [name = "", key] = names;
        if (node.context === "SECRETS") {
          secrets.push({
            name,
            ...(key !== undefined ? { key } : {}),
            path: names.join("."),
            hasFallback: node.hasFallback,
            expression: source,
            span,
            location,
          });
        } else {
          variables.push({ name, ...(key !== undefined ? { key } : {}), expression: source, span, location });
        }
      });
    }
  });
  return { secrets, variables };
}

/** Tracecat's `extract_templated_secrets`: sorted unique `name.KEY` paths. */
export function secretPaths(references: References | readonly SecretReference[]): string[] {
  const list = Array.isArray(references) ? references : (references as References).secrets;
  return [...new Set(list.map((r: SecretReference) => r.path))].sort();
}

/** Sorted unique variable names. */
export function variableNames(references: References): string[] {
  return [...new Set(references.variables.map((r) => r.name))].sort();
}

/** A reference to any context (`inputs.x`, `steps.a.result`, `ACTIONS.b.result`…), by its leading names. */
export interface ContextReference {
  readonly context: string;
  /** The path's leading name segments (`steps.a.result[0]` → `["a", "result"]`). */
  readonly names: readonly string[];
  readonly expression: string;
  readonly span: Span;
  readonly location: Location;
}

/**
 * Every context reference in a value's templates, in source order: what a template action's
 * validation needs (inputs and earlier steps). Throws ExpressionError on a syntax error.
 */
export function contextReferences(value: unknown): ContextReference[] {
  const out: ContextReference[] = [];
  forEachTemplateString(value, (source, location) => {
    const compiled = compileAt(source, location);
    for (const root of compiled.roots) {
      walkNodes(root, (node) => {
        if (node.kind !== "ref") return;
        const names: string[] = [];
        for (const segment of node.segments) {
          if (segment.kind !== "name") break;
          names.push(segment.name);
        }
        out.push({
          context: node.context,
          names,
          expression: source,
          span: { start: node.start, end: node.end },
          location,
        });
      });
    }
  });
  return out;
}
