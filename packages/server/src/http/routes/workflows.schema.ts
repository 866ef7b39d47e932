import { z } from "zod";
import { WorkspaceParams } from "./common.schema.js";

const MAX_SOURCE = 512 * 1024;

export const WorkflowParams = WorkspaceParams.extend({
  id: z.string().min(1).max(200).describe("Workflow id (`wf_…`) or alias."),
});

export const DeployQuery = z.strictObject({
  alias: z.string().max(100).optional().describe("With a YAML body: the alias to deploy under."),
});

const DeployJson = z
  .strictObject({
    definition: z
      .union([z.string().max(MAX_SOURCE), z.record(z.string(), z.unknown())])
      .describe("The workflow document: YAML text, or the document as a JSON object."),
    alias: z.string().max(100).nullable().optional(),
  })
  .meta({ id: "WorkflowDeployRequest" });

/** `application/json` ({definition, alias}) or the YAML document itself (`application/yaml`). */
export const DeployBody = z.union([DeployJson, z.string().max(MAX_SOURCE)]);

export const WorkflowItemSchema = z
  .object({
    id: z.string(),
    alias: z.string().nullable(),
    title: z.string(),
    description: z.string(),
    version: z.number().int().describe("The newest version."),
    created_at: z.string(),
    created_by: z.string(),
    updated_at: z.string(),
    updated_by: z.string(),
  })
  .meta({ id: "Workflow" });

export const ProblemSchema = z
  .object({
    severity: z.enum(["error", "warning"]),
    action: z.string().optional(),
    field: z.string().optional(),
    message: z.string(),
  })
  .meta({ id: "WorkflowProblem" });

export const DeployedSchema = WorkflowItemSchema.extend({
  warnings: z
    .array(ProblemSchema)
    .describe("Problems that did not stop the deployment (e.g. secrets not created yet)."),
}).meta({ id: "WorkflowDeployed" });

export const WorkflowDetailSchema = WorkflowItemSchema.extend({
  source: z.string().describe("The document as it was deployed."),
  definition: z.unknown().describe("The document parsed to JSON."),
  versions: z.array(z.object({ version: z.number().int(), created_at: z.string(), created_by: z.string() })),
}).meta({ id: "WorkflowVersion" });

export const WorkflowGetQuery = z.strictObject({
  version: z.coerce.number().int().min(1).optional(),
});

export const WorkflowPageSchema = z
  .object({ items: z.array(WorkflowItemSchema), next_cursor: z.string().nullable() })
  .meta({ id: "WorkflowPage" });

export const PageQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  cursor: z.string().max(2000).optional(),
});
