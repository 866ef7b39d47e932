import { type Coffer, CofferError } from "@coffer/core";
import { type CheckProblem, checkWorkflow, parseWorkflowSource, type Registry } from "@coffer/runtime";

export interface CheckedDeployment {
  source: string;
  definition: unknown;
  title: string;
  description: string;
  /** Problems that do not stop a deployment: warnings, and secrets not created yet. */
  warnings: CheckProblem[];
}

/** A secret a run will need that is missing now: it may be created after deploying. */
function isMissingSecret(p: CheckProblem): boolean {
  return / needs (secret|key\(s\)) /.test(p.message);
}

/**
 * Checks a document for deployment with `checkWorkflow` (structure, actions, args, expressions)
 * and refuses it with every problem and its location (action, field) when any is an error.
 */
export async function checkForDeploy(
  coffer: Coffer,
  registry: Registry,
  workspaceId: string,
  source: string,
): Promise<CheckedDeployment> {
  const result = await checkWorkflow(source, {
    registry,
    listSecrets: async (environment) => {
      const out: { name: string; keys: string[] }[] = [];
      let cursor: string | undefined;
      do {
        const page = await coffer.secrets.list(workspaceId, {
          environment,
          limit: 1000,
          ...(cursor ? { cursor } : {}),
        });
        for (const s of page.items) out.push({ name: s.name, keys: s.keys });
        cursor = page.next_cursor ?? undefined;
      } while (cursor);
      return out;
    },
  });
  const errors = result.problems.filter((p) => p.severity === "error" && !isMissingSecret(p));
  if (errors.length > 0 || !result.document) {
    throw new CofferError(
      "workflow_invalid",
      `The workflow has ${errors.length} problem(s); nothing was deployed. ${errors[0]?.message ?? ""}`.trim(),
      {
        status: 422,
        details: {
          problems: errors.map((p) => ({
            severity: p.severity,
            ...(p.action ? { action: p.action } : {}),
            ...(p.field ? { field: p.field } : {}),
            message: p.message,
          })),
        },
      },
    );
  }
  return {
    source,
    definition: parseWorkflowSource(source),
    title: result.document.title,
    description: result.document.description,
    warnings: result.problems.filter((p) => !errors.includes(p)),
  };
}
