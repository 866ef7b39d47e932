import type { Coffer } from "@coffer/core";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { AuditListQuery, AuditPageSchema } from "./audit.schema.js";
import { errorResponses, security, WorkspaceParams } from "./common.schema.js";

const tags = ["audit"];

/** The workspace's audit log, newest first (admin only). */
export function auditRoutes(app: FastifyInstance, coffer: Coffer): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    "/api/v1/workspaces/:workspace/audit",
    {
      config: { role: "admin" },
      schema: {
        tags,
        security,
        operationId: "listAuditEvents",
        summary: "List audit events, newest first (names, ids and outcomes; never a value)",
        params: WorkspaceParams,
        querystring: AuditListQuery,
        response: { 200: AuditPageSchema, ...errorResponses },
      },
    },
    async (request) => coffer.audit.page(request.workspaceId, request.query),
  );
}
