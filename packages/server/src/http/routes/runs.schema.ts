import { z } from "zod";
import { WorkspaceParams } from "./common.schema.js";

export const RunParams = WorkspaceParams.extend({ id: z.string().min(1).max(200) });

export const RunStatusSchema = z.enum(["running", "succeeded", "failed", "cancelled"]);

export const RunStartBody = z
  .strictObject({
    trigger: z.unknown().optional().describe("The trigger payload (TRIGGER), checked against `entrypoint.expects`."),
    environment: z.string().min(1).max(100).optional().describe("Overrides the workflow's config.environment."),
  })
  .describe("RunStartRequest: both fields optional; the body may be left out.");

export const RunStartQuery = z.strictObject({
  wait: z
    .enum(["true", "false"])
    .optional()
    .describe("true: answer when the run has finished, with the run document (200)."),
});

const RunErrorSchema = z.object({ code: z.string(), message: z.string() });

export const ActionRunSchema = z
  .object({
    status: z.enum(["succeeded", "failed", "skipped", "cancelled"]),
    attempts: z.number().int(),
    environment: z.string().nullable(),
    result: z.unknown().optional().describe("Masked: no secret value is ever stored or returned."),
    error: z.object({ code: z.string(), type: z.string(), message: z.string() }).optional(),
    started_at: z.string(),
    finished_at: z.string(),
    duration_ms: z.number(),
  })
  .meta({ id: "ActionRun" });

export const RunItemSchema = z
  .object({
    id: z.string(),
    status: RunStatusSchema,
    reason: z.string().nullable().describe("`interrupted` (its process died), `cancelled_by_user`, …"),
    environment: z.string(),
    returns: z.unknown(),
    error: RunErrorSchema.nullable(),
    workflow_id: z.string().nullable().describe("Null for a run of a file (`coffer workflow run FILE`)."),
    workflow_version: z.number().int().nullable(),
    title: z.string(),
    trigger: z.unknown(),
    parent_run_id: z.string().nullable(),
    parent_kind: z.enum(["subflow", "error_handler"]).nullable(),
    parent_action_ref: z.string().nullable(),
    loop_index: z.number().int().nullable(),
    depth: z.number().int(),
    created_by: z.string(),
    started_at: z.string(),
    finished_at: z.string().nullable(),
    duration_ms: z.number().nullable(),
  })
  .meta({ id: "RunSummary" });

export const RunDocumentSchema = RunItemSchema.extend({
  actions: z.record(z.string(), ActionRunSchema).describe("Per action, in document order."),
}).meta({ id: "Run" });

export const RunPageSchema = z
  .object({ items: z.array(RunItemSchema), next_cursor: z.string().nullable() })
  .meta({ id: "RunPage" });

export const RunListQuery = z.strictObject({
  status: RunStatusSchema.optional(),
  workflow_id: z.string().max(200).optional(),
  parent_run_id: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  cursor: z.string().max(2000).optional(),
});

export const WorkflowRunListQuery = RunListQuery.omit({ workflow_id: true });
