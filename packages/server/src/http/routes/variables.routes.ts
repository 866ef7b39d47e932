import type { Coffer, VariableUpdateInput } from "@coffer/core";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { actorOf } from "../auth.js";
import { errorResponses, IdParams, security, WorkspaceParams } from "./common.schema.js";
import {
  VariableCreateBody,
  VariableItemSchema,
  VariableListQuery,
  VariableListSchema,
  VariableUpdateBody,
} from "./variables.schema.js";

const tags = ["variables"];

/** Workspace variables: the non-secret values behind `${{ VARS.<name>.<key> }}`, stored in clear. */
export function variablesRoutes(app: FastifyInstance, coffer: Coffer): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const base = "/api/v1/workspaces/:workspace/variables";

  r.get(
    base,
    {
      config: { role: "viewer" },
      schema: {
        tags,
        security,
        operationId: "listVariables",
        summary: "List variables",
        params: WorkspaceParams,
        querystring: VariableListQuery,
        response: { 200: VariableListSchema, ...errorResponses },
      },
    },
    async (request) => ({
      items: await coffer.variables.list(
        request.workspaceId,
        request.query.environment !== undefined ? { environment: request.query.environment } : {},
      ),
    }),
  );

  r.post(
    base,
    {
      config: { role: "editor" },
      schema: {
        tags,
        security,
        operationId: "createVariable",
        summary: "Create a variable",
        params: WorkspaceParams,
        body: VariableCreateBody,
        response: { 201: VariableItemSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { tags: tagMap, ...rest } = request.body;
      const item = await coffer.variables.create(
        request.workspaceId,
        { ...rest, ...(tagMap ? { tags: tagMap } : {}) },
        actorOf(request),
      );
      return reply.code(201).send(item);
    },
  );

  r.get(
    `${base}/:id`,
    {
      config: { role: "viewer" },
      schema: {
        tags,
        security,
        operationId: "getVariable",
        summary: "Get a variable",
        params: IdParams,
        response: { 200: VariableItemSchema, ...errorResponses },
      },
    },
    async (request) => coffer.variables.get(request.workspaceId, request.params.id),
  );

  r.patch(
    `${base}/:id`,
    {
      config: { role: "editor" },
      schema: {
        tags,
        security,
        operationId: "updateVariable",
        summary: "Update a variable's description, values or tags",
        params: IdParams,
        body: VariableUpdateBody,
        response: { 200: VariableItemSchema, ...errorResponses },
      },
    },
    async (request) => {
      const body = request.body;
      const input: VariableUpdateInput = {};
      if (body.description !== undefined) input.description = body.description;
      if (body.values !== undefined) input.values = body.values;
      if (body.tags !== undefined) input.tags = body.tags ?? {};
      return coffer.variables.update(request.workspaceId, request.params.id, input, actorOf(request));
    },
  );

  r.delete(
    `${base}/:id`,
    {
      config: { role: "admin" },
      schema: {
        tags,
        security,
        operationId: "deleteVariable",
        summary: "Delete a variable",
        params: IdParams,
        response: { 204: z.null().describe("Deleted"), ...errorResponses },
      },
    },
    async (request, reply) => {
      await coffer.variables.delete(request.workspaceId, request.params.id, actorOf(request));
      return reply.code(204).send(null);
    },
  );
}
