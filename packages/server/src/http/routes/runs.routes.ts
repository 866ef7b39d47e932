import type { Coffer } from "@coffer/core";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import type { RunManager } from "../../runs/run-manager.js";
import { actorOf } from "../auth.js";
import { errorResponses, security, WorkspaceParams } from "./common.schema.js";
import { RunDocumentSchema, RunListQuery, RunPageSchema, RunParams } from "./runs.schema.js";

const tags = ["runs"];

/** Stored runs of the workspace: every workflow's, file runs' and child runs'. */
export function runsRoutes(app: FastifyInstance, coffer: Coffer, runs: RunManager): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const base = "/api/v1/workspaces/:workspace/runs";

  r.get(
    base,
    {
      config: { role: "viewer" },
      schema: {
        tags,
        security,
        operationId: "listRuns",
        summary: "List runs, newest first (filter by status, workflow, parent run)",
        params: WorkspaceParams,
        querystring: RunListQuery,
        response: { 200: RunPageSchema, ...errorResponses },
      },
    },
    async (request) => {
      const q = request.query;
      return coffer.runs.list(request.workspaceId, {
        ...(q.status ? { status: q.status } : {}),
        ...(q.workflow_id ? { workflowId: q.workflow_id } : {}),
        ...(q.parent_run_id ? { parentRunId: q.parent_run_id } : {}),
        ...(q.limit !== undefined ? { limit: q.limit } : {}),
        ...(q.cursor ? { cursor: q.cursor } : {}),
      });
    },
  );

  r.get(
    `${base}/:id`,
    {
      config: { role: "viewer" },
      schema: {
        tags,
        security,
        operationId: "getRun",
        summary: "Get a run with its action runs",
        params: RunParams,
        response: { 200: RunDocumentSchema, ...errorResponses },
      },
    },
    async (request) => coffer.runs.get(request.workspaceId, request.params.id),
  );

  r.post(
    `${base}/:id/cancel`,
    {
      config: { role: "editor" },
      schema: {
        tags,
        security,
        operationId: "cancelRun",
        summary: "Cancel a running run (its actions are aborted); answers with the run once stored",
        params: RunParams,
        response: { 200: RunDocumentSchema, ...errorResponses },
      },
    },
    async (request) => runs.cancel(request.workspaceId, request.params.id, actorOf(request)),
  );
}
