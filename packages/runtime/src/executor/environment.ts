import { CofferError, DEFAULT_ENVIRONMENT } from "@coffer/core";
import { ExpressionError, evaluateTemplate, extractReferences, isTemplate } from "@coffer/expressions";
import { ENVIRONMENT_NAME_PATTERN } from "@coffer/sdk";
import type { ActionRunRequest } from "./executor.types.js";

/** The environment a run uses when its action names none: the run's override, the workflow's default, `default`. */
export function baseEnvironment(request: Pick<ActionRunRequest, "runEnvironment" | "workflowEnvironment">): string {
  return nonEmpty(request.runEnvironment) ?? nonEmpty(request.workflowEnvironment) ?? DEFAULT_ENVIRONMENT;
}

/** Variable names an action's `environment` template reads (they are looked up in the base environment). */
export function environmentVariables(environment: string | undefined): string[] {
  const text = nonEmpty(environment);
  if (!text || !isTemplate(text)) return [];
  const references = extractReferences(text);
  if (references.secrets.length > 0) {
    throw new CofferError(
      "invalid_environment",
      `The action's environment \`${text}\` reads SECRETS; an environment may read only VARS and FN (which secrets a run gets must not depend on a secret). Write a literal name or a VARS/FN expression.`,
      { details: { environment: text } },
    );
  }
  return [...new Set(references.variables.map((v) => v.name))];
}

/**
 * The effective environment (DESIGN.md "Environments"): the action's `environment` (a literal,
 * or a template over VARS and FN, never SECRETS), else the base. The lookup that follows is
 * exact, so this name is the only one whose secrets the run can see.
 */
export function effectiveEnvironment(
  request: Pick<ActionRunRequest, "environment" | "runEnvironment" | "workflowEnvironment">,
  variables: Readonly<Record<string, unknown>> = {},
): string {
  const base = baseEnvironment(request);
  const text = nonEmpty(request.environment);
  if (!text) return checkName(base, "the run's environment");
  if (!isTemplate(text)) return checkName(text, "the action's environment");
  environmentVariables(text);
  let value: unknown;
  try {
    value = evaluateTemplate(text, { VARS: variables, ENV: { environment: base } });
  } catch (error) {
    if (error instanceof ExpressionError) {
      throw new CofferError("invalid_environment", `The action's environment cannot be evaluated: ${error.format()}`, {
        details: { environment: text, expressionCode: error.code },
      });
    }
    throw error;
  }
  if (typeof value !== "string" || value.trim() === "") {
    throw new CofferError(
      "invalid_environment",
      `The action's environment \`${text}\` must evaluate to an environment name, not ${value === null ? "None" : typeof value}.`,
      { details: { environment: text } },
    );
  }
  return checkName(value.trim(), `the action's environment (\`${text}\`)`);
}

function checkName(name: string, what: string): string {
  if (!ENVIRONMENT_NAME_PATTERN.test(name)) {
    throw new CofferError(
      "invalid_environment",
      `${what[0]?.toUpperCase()}${what.slice(1)} is \`${name.slice(0, 80)}\`, which is not an environment name: use lower-case letters, digits, '-' and '_', starting with a letter or digit (at most 64).`,
      { details: { environment: name.slice(0, 80) } },
    );
  }
  return name;
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}
