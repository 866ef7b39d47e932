import type { Coffer } from "@coffer/core";
import { CofferError } from "@coffer/core";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { ErrorResponse, errorResponses, security } from "./common.schema.js";

export const HealthSchema = z.object({ status: z.literal("ok") });

export const WhoamiSchema = z.object({
  workspace: z.object({ id: z.string(), slug: z.string() }),
  role: z.enum(["viewer", "editor", "admin"]),
  token: z.object({ id: z.string(), name: z.string() }),
});

/** Health (public: is the process up and its database reachable), whoami, and the OpenAPI document. */
export function metaRoutes(app: FastifyInstance, coffer: Coffer): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    "/api/v1/health",
    {
      schema: {
        tags: ["meta"],
        operationId: "getHealth",
        security: [],
        summary: "Liveness and database reachability",
        response: { 200: HealthSchema, 404: ErrorResponse, 503: ErrorResponse },
      },
    },
    async () => {
      if ((await coffer.health()).database !== "ok") {
        throw new CofferError("database_unavailable", "The database does not answer.", { status: 503 });
      }
      return { status: "ok" as const };
    },
  );

  r.get(
    "/api/v1/whoami",
    {
      config: { role: "viewer" },
      schema: {
        tags: ["meta"],
        security,
        operationId: "whoami",
        summary: "The calling token: its workspace, role and name",
        response: { 200: WhoamiSchema, ...errorResponses },
      },
    },
    async (request) => {
      const token = request.token!;
      return {
        workspace: { id: token.workspace_id, slug: token.workspace_slug },
        role: token.role,
        token: { id: token.id, name: token.name },
      };
    },
  );

  r.get("/api/v1/openapi.json", { schema: { hide: true } }, async () => app.swagger());
}
