import type { Coffer } from "@coffer/core";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { actorOf } from "../auth.js";
import { errorResponses, IdParams, security, WorkspaceParams } from "./common.schema.js";
import { TokenCreateBody, TokenCreatedSchema, TokenListSchema } from "./tokens.schema.js";

const tags = ["tokens"];

/** API tokens of the caller's workspace (admin only). */
export function tokensRoutes(app: FastifyInstance, coffer: Coffer): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const base = "/api/v1/workspaces/:workspace/tokens";

  r.get(
    base,
    {
      config: { role: "admin" },
      schema: {
        tags,
        security,
        operationId: "listTokens",
        summary: "List active tokens",
        params: WorkspaceParams,
        response: { 200: TokenListSchema, ...errorResponses },
      },
    },
    async (request) => ({ items: await coffer.tokens.list(request.workspaceId) }),
  );

  r.post(
    base,
    {
      config: { role: "admin" },
      schema: {
        tags,
        security,
        operationId: "createToken",
        summary: "Create a token (the response is the only place it is shown)",
        params: WorkspaceParams,
        body: TokenCreateBody,
        response: { 201: TokenCreatedSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const created = await coffer.tokens.create(request.workspaceId, request.body, actorOf(request));
      return reply.code(201).header("cache-control", "no-store").send(created);
    },
  );

  r.delete(
    `${base}/:id`,
    {
      config: { role: "admin" },
      schema: {
        tags,
        security,
        operationId: "revokeToken",
        summary: "Revoke a token",
        params: IdParams,
        response: { 204: z.null().describe("Revoked"), ...errorResponses },
      },
    },
    async (request, reply) => {
      await coffer.tokens.revoke(request.workspaceId, request.params.id, actorOf(request));
      return reply.code(204).send(null);
    },
  );
}
