import type { Coffer } from "@coffer/core";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { errorResponses, security, WorkspaceParams } from "./common.schema.js";

export const EnvironmentListSchema = z.object({
  items: z.array(
    z.object({
      environment: z.string(),
      secrets: z.number().int(),
      variables: z.number().int(),
    }),
  ),
});

/** Every environment in use in the workspace, with how many secrets and variables it holds. */
export function environmentsRoutes(app: FastifyInstance, coffer: Coffer): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    "/api/v1/workspaces/:workspace/environments",
    {
      config: { role: "viewer" },
      schema: {
        tags: ["environments"],
        security,
        operationId: "listEnvironments",
        summary: "List environments in use, with counts",
        params: WorkspaceParams,
        response: { 200: EnvironmentListSchema, ...errorResponses },
      },
    },
    async (request) => {
      const [secrets, variables] = await Promise.all([
        coffer.secrets.environments(request.workspaceId),
        coffer.variables.environments(request.workspaceId),
      ]);
      const counts = new Map<string, { secrets: number; variables: number }>();
      for (const s of secrets) counts.set(s.environment, { secrets: s.secrets, variables: 0 });
      for (const v of variables) {
        const entry = counts.get(v.environment) ?? { secrets: 0, variables: 0 };
        entry.variables = v.variables;
        counts.set(v.environment, entry);
      }
      const items = [...counts.entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([environment, c]) => ({ environment, ...c }));
      return { items };
    },
  );
}
