// Every static problem of a value's templates, without evaluating: syntax, unknown functions,
// arity, SECRETS/VARS path shape, casts of literals that cannot succeed.
import { ExpressionError } from "../errors/expression-error.js";
import { secretShapeMessage, variableShapeMessage } from "../evaluator/evaluate.js";
import { defaultRegistry } from "../functions/default-registry.js";
import type { FunctionRegistry } from "../functions/registry.js";
import { compileAt, forEachTemplateString, walkNodes } from "../references/visit.js";
import { castValue, OperationError } from "../values/operators.js";

export interface CheckOptions {
  readonly registry?: FunctionRegistry;
}

/** All problems found, in source order; an empty list means the value is statically fine. */
export function check(value: unknown, options?: CheckOptions): ExpressionError[] {
  const registry = options?.registry ?? defaultRegistry;
  const problems: ExpressionError[] = [];
  forEachTemplateString(value, (source, location) => {
    let compiled: ReturnType<typeof compileAt>;
    try {
      compiled = compileAt(source, location);
    } catch (error) {
      if (error instanceof ExpressionError) {
        problems.push(error);
        return;
      }
      throw error;
    }
    const report = (code: ExpressionError["code"], message: string, start: number, end: number) =>
      problems.push(new ExpressionError(code, message, source, { start, end }, { location }));
    for (const root of compiled.roots) {
      walkNodes(root, (node) => {
        switch (node.kind) {
          case "call": {
            const definition = registry.get(node.name);
            if (!definition) {
              report("unknown_function", `Unknown function name '${node.name}'`, node.start, node.nameEnd);
              return;
            }
            const arity = registry.arityProblem(node.name, node.args.length);
            if (arity) report("arity", arity, node.start, node.end);
            return;
          }
          case "ref": {
            const names = node.segments.map((s) => (s.kind === "name" ? s.name : ""));
            if (node.context === "SECRETS" && names.length !== 2) {
              report("invalid_secret_path", secretShapeMessage(names), node.start, node.end);
            } else if (node.context === "VARS" && names.length > 2) {
              report("invalid_variable_path", variableShapeMessage(names), node.start, node.end);
            }
            return;
          }
          case "cast":
            if (node.operand.kind === "literal") {
              try {
                castValue(node.type, node.operand.value);
              } catch (error) {
                if (!(error instanceof OperationError)) throw error;
                report(
                  error.code,
                  `${node.type}() of this literal always fails: ${error.message}`,
                  node.start,
                  node.end,
                );
              }
            }
            return;
        }
      });
      if (root.cast && root.body.kind === "literal") {
        try {
          castValue(root.cast.type, root.body.value);
        } catch (error) {
          if (!(error instanceof OperationError)) throw error;
          report(
            error.code,
            `-> ${root.cast.type} of this literal always fails: ${error.message}`,
            root.cast.start,
            root.cast.end,
          );
        }
      }
    }
  });
  return problems;
}
