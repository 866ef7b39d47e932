import { type Coffer, DEFAULT_ENVIRONMENT, type SecretItem } from "@coffer/core";
import { deriveSecretDefinitions, type Registry } from "@coffer/runtime";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { errorResponses, security, WorkspaceParams } from "./common.schema.js";

export const SecretDefinitionListSchema = z.object({
  items: z.array(
    z.object({
      name: z.string(),
      keys: z.array(z.string()),
      optional_keys: z.array(z.string()).nullable(),
      optional: z.boolean(),
      secret_type: z.enum(["custom", "ssh_key", "mtls", "ca_cert"]),
      actions: z.array(z.string()),
      action_count: z.number().int(),
      environments: z.array(
        z.object({
          environment: z.string(),
          /** A secret of this name exists in the environment. */
          configured: z.boolean(),
          /** Declared keys the stored secret lacks (all of them when it is not configured). */
          missing_keys: z.array(z.string()),
        }),
      ),
    }),
  ),
});

/** Every secret the workspace's actions declare, and where each is set up — from metadata only. */
export function secretDefinitionsRoutes(app: FastifyInstance, coffer: Coffer, registry: Registry): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    "/api/v1/workspaces/:workspace/secrets/definitions",
    {
      config: { role: "viewer" },
      schema: {
        tags: ["secrets"],
        security,
        operationId: "listSecretDefinitions",
        summary: "Secrets the registry's actions declare, and which environments have them",
        params: WorkspaceParams,
        response: { 200: SecretDefinitionListSchema, ...errorResponses },
      },
    },
    async (request) => {
      const workspaceId = request.workspaceId;
      const definitions = deriveSecretDefinitions(registry);
      const [secretEnvs, variableEnvs] = await Promise.all([
        coffer.secrets.environments(workspaceId),
        coffer.variables.environments(workspaceId),
      ]);
      const environments = [
        ...new Set([
          DEFAULT_ENVIRONMENT,
          ...secretEnvs.map((e) => e.environment),
          ...variableEnvs.map((e) => e.environment),
        ]),
      ].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      // Key names come with the listing; no value is read or decrypted.
      const stored = new Map<string, Map<string, SecretItem>>();
      const names = new Set(definitions.map((d) => d.name));
      let cursor: string | undefined;
      do {
        const page = await coffer.secrets.list(workspaceId, { limit: 1000, ...(cursor ? { cursor } : {}) });
        for (const item of page.items) {
          if (!names.has(item.name)) continue;
          let byEnv = stored.get(item.name);
          if (!byEnv) {
            byEnv = new Map();
            stored.set(item.name, byEnv);
          }
          byEnv.set(item.environment, item);
        }
        cursor = page.next_cursor ?? undefined;
      } while (cursor);
      return {
        items: definitions.map((d) => ({
          ...d,
          environments: environments.map((environment) => {
            const item = stored.get(d.name)?.get(environment);
            return {
              environment,
              configured: item !== undefined,
              missing_keys: item ? d.keys.filter((k) => !item.keys.includes(k)) : [...d.keys],
            };
          }),
        })),
      };
    },
  );
}
