import type { Coffer, SecretUpdateInput } from "@coffer/core";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { actorOf } from "../auth.js";
import { errorResponses, IdParams, security, WorkspaceParams } from "./common.schema.js";
import {
  ByNameParams,
  ByNameQuery,
  RestoreParams,
  SecretCreateBody,
  SecretItemSchema,
  SecretListQuery,
  SecretPageSchema,
  SecretUpdateBody,
  SecretVersionsSchema,
  versionNumber,
} from "./secrets.schema.js";

const tags = ["secrets"];

/** Secrets of one workspace: metadata and key names out, values only in. */
export function secretsRoutes(app: FastifyInstance, coffer: Coffer): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const base = "/api/v1/workspaces/:workspace/secrets";

  r.get(
    base,
    {
      config: { role: "viewer" },
      schema: {
        tags,
        security,
        summary: "List secrets (metadata and key names only)",
        params: WorkspaceParams,
        querystring: SecretListQuery,
        response: { 200: SecretPageSchema, ...errorResponses },
      },
    },
    async (request) => coffer.secrets.list(request.workspaceId, request.query),
  );

  r.post(
    base,
    {
      config: { role: "editor" },
      schema: {
        tags,
        security,
        summary: "Create a secret",
        params: WorkspaceParams,
        body: SecretCreateBody,
        response: { 201: SecretItemSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { expires_at, tags: tagMap, ...rest } = request.body;
      const item = await coffer.secrets.create(
        request.workspaceId,
        {
          ...rest,
          ...(tagMap ? { tags: tagMap } : {}),
          ...(expires_at !== undefined ? { expiresAt: expires_at } : {}),
        },
        actorOf(request),
      );
      return reply.code(201).send(item);
    },
  );

  r.get(
    `${base}/by-name/:name`,
    {
      config: { role: "viewer" },
      schema: {
        tags,
        security,
        summary: "Get a secret by name in one environment (default `default`)",
        params: ByNameParams,
        querystring: ByNameQuery,
        response: { 200: SecretItemSchema, ...errorResponses },
      },
    },
    async (request) =>
      coffer.secrets.getByName(request.workspaceId, request.params.name, request.query.environment ?? "default"),
  );

  r.get(
    `${base}/:id`,
    {
      config: { role: "viewer" },
      schema: {
        tags,
        security,
        summary: "Get a secret",
        params: IdParams,
        response: { 200: SecretItemSchema, ...errorResponses },
      },
    },
    async (request) => coffer.secrets.get(request.workspaceId, request.params.id),
  );

  r.patch(
    `${base}/:id`,
    {
      config: { role: "editor" },
      schema: {
        tags,
        security,
        summary: "Update a secret; `keys` is the new key set, a blank value keeps the stored one",
        params: IdParams,
        body: SecretUpdateBody,
        response: { 200: SecretItemSchema, ...errorResponses },
      },
    },
    async (request) => {
      const body = request.body;
      const input: SecretUpdateInput = {};
      if (body.type !== undefined) input.type = body.type;
      if (body.description !== undefined) input.description = body.description;
      if (body.tags !== undefined) input.tags = body.tags ?? {};
      if (body.expires_at !== undefined) input.expiresAt = body.expires_at;
      // Tracecat semantics: a blank value keeps what is stored.
      if (body.keys !== undefined)
        input.keys = body.keys.map(({ key, value }) => ({ key, value: value === "" ? null : value }));
      return coffer.secrets.update(request.workspaceId, request.params.id, input, actorOf(request));
    },
  );

  r.delete(
    `${base}/:id`,
    {
      config: { role: "admin" },
      schema: {
        tags,
        security,
        summary: "Delete a secret and all its versions",
        params: IdParams,
        response: { 204: z.null().describe("Deleted"), ...errorResponses },
      },
    },
    async (request, reply) => {
      await coffer.secrets.delete(request.workspaceId, request.params.id, actorOf(request));
      return reply.code(204).send(null);
    },
  );

  r.get(
    `${base}/:id/versions`,
    {
      config: { role: "viewer" },
      schema: {
        tags,
        security,
        summary: "List a secret's versions (key names only)",
        params: IdParams,
        response: { 200: SecretVersionsSchema, ...errorResponses },
      },
    },
    async (request) => ({ items: await coffer.secrets.listVersions(request.workspaceId, request.params.id) }),
  );

  r.post(
    `${base}/:id/versions/:number/restore`,
    {
      config: { role: "admin" },
      schema: {
        tags,
        security,
        summary: "Make an old version current again (as a new version)",
        params: RestoreParams,
        response: { 200: SecretItemSchema, ...errorResponses },
      },
    },
    async (request) =>
      coffer.secrets.restore(
        request.workspaceId,
        request.params.id,
        versionNumber(request.params.number),
        actorOf(request),
      ),
  );
}
