import { type Coffer, CofferError, WORKFLOW_ID_RE, type WorkflowVersionDetail } from "@coffer/core";
import type { DeployedWorkflow, Registry } from "@coffer/runtime";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { checkForDeploy } from "../../runs/deploy.js";
import type { RunManager } from "../../runs/run-manager.js";
import { actorOf } from "../auth.js";
import { errorResponses, security, WorkspaceParams } from "./common.schema.js";
import {
  RunDocumentSchema,
  RunItemSchema,
  RunPageSchema,
  RunStartBody,
  RunStartQuery,
  WorkflowRunListQuery,
} from "./runs.schema.js";
import {
  DeployBody,
  DeployedSchema,
  DeployQuery,
  PageQuery,
  WorkflowDetailSchema,
  WorkflowGetQuery,
  WorkflowPageSchema,
  WorkflowParams,
} from "./workflows.schema.js";

const tags = ["workflows"];
const YAML_TYPES = ["application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml"];

/** The body's document text and alias, whichever form it came in. */
function deployInput(
  body: unknown,
  queryAlias: string | undefined,
): { source: string; alias: string | null | undefined } {
  if (typeof body === "string") return { source: body, alias: queryAlias };
  const b = body as { definition: string | Record<string, unknown>; alias?: string | null };
  const source = typeof b.definition === "string" ? b.definition : JSON.stringify(b.definition, null, 2);
  return { source, alias: b.alias !== undefined ? b.alias : queryAlias };
}

/** Deployed workflows and starting their runs. */
export function workflowsRoutes(app: FastifyInstance, coffer: Coffer, registry: Registry, runs: RunManager): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const base = "/api/v1/workspaces/:workspace/workflows";
  app.addContentTypeParser(YAML_TYPES, { parseAs: "string" }, (_request, body, done) => done(null, body));

  async function resolve(workspaceId: string, idOrAlias: string, version?: number): Promise<WorkflowVersionDetail> {
    const lookup = WORKFLOW_ID_RE.test(idOrAlias) ? { id: idOrAlias } : { alias: idOrAlias };
    const found = await coffer.workflows.find(workspaceId, {
      ...lookup,
      ...(version !== undefined ? { version } : {}),
    });
    if (!found) {
      throw new CofferError(
        "workflow_not_found",
        `No workflow ${WORKFLOW_ID_RE.test(idOrAlias) ? "with id" : "with alias"} '${idOrAlias}'${version !== undefined ? ` at version ${version}` : ""} is deployed in this workspace.`,
        { status: 404 },
      );
    }
    return found;
  }

  r.post(
    base,
    {
      config: { role: "editor" },
      schema: {
        tags,
        security,
        operationId: "deployWorkflow",
        summary: "Deploy a workflow (YAML or JSON); under an existing alias it becomes a new version",
        params: WorkspaceParams,
        querystring: DeployQuery,
        body: DeployBody,
        response: { 201: DeployedSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { source, alias } = deployInput(request.body, request.query.alias);
      const checked = await checkForDeploy(coffer, registry, request.workspaceId, source);
      const item = await coffer.workflows.deploy(
        request.workspaceId,
        { ...checked, ...(alias !== undefined ? { alias } : {}) },
        actorOf(request),
      );
      return reply.code(201).send({ ...item, warnings: checked.warnings });
    },
  );

  r.get(
    base,
    {
      config: { role: "viewer" },
      schema: {
        tags,
        security,
        operationId: "listWorkflows",
        summary: "List deployed workflows, most recently changed first",
        params: WorkspaceParams,
        querystring: PageQuery,
        response: { 200: WorkflowPageSchema, ...errorResponses },
      },
    },
    async (request) => coffer.workflows.list(request.workspaceId, request.query),
  );

  r.get(
    `${base}/:id`,
    {
      config: { role: "viewer" },
      schema: {
        tags,
        security,
        operationId: "getWorkflow",
        summary: "Get a workflow's newest (or a given) version with its document",
        params: WorkflowParams,
        querystring: WorkflowGetQuery,
        response: { 200: WorkflowDetailSchema, ...errorResponses },
      },
    },
    async (request) => resolve(request.workspaceId, request.params.id, request.query.version),
  );

  r.put(
    `${base}/:id`,
    {
      config: { role: "editor" },
      schema: {
        tags,
        security,
        operationId: "updateWorkflow",
        summary: "Deploy a new version of a workflow",
        params: WorkflowParams,
        querystring: DeployQuery,
        body: DeployBody,
        response: { 200: DeployedSchema, ...errorResponses },
      },
    },
    async (request) => {
      const existing = await resolve(request.workspaceId, request.params.id);
      const { source, alias } = deployInput(request.body, request.query.alias);
      const checked = await checkForDeploy(coffer, registry, request.workspaceId, source);
      const item = await coffer.workflows.update(
        request.workspaceId,
        existing.id,
        { ...checked, ...(alias !== undefined ? { alias } : {}) },
        actorOf(request),
      );
      return { ...item, warnings: checked.warnings };
    },
  );

  r.delete(
    `${base}/:id`,
    {
      config: { role: "admin" },
      schema: {
        tags,
        security,
        operationId: "deleteWorkflow",
        summary: "Delete a workflow and its versions (its runs stay)",
        params: WorkflowParams,
        response: { 204: z.null().describe("Deleted"), ...errorResponses },
      },
    },
    async (request, reply) => {
      const existing = await resolve(request.workspaceId, request.params.id);
      await coffer.workflows.delete(request.workspaceId, existing.id, actorOf(request));
      return reply.code(204).send(null);
    },
  );

  r.post(
    `${base}/:id/runs`,
    {
      config: { role: "editor" },
      schema: {
        tags,
        security,
        operationId: "runWorkflow",
        summary: "Run the newest version: 202 with the run at once, or 200 with the finished run (?wait=true)",
        params: WorkflowParams,
        querystring: RunStartQuery,
        body: RunStartBody.optional(),
        response: { 200: RunDocumentSchema, 202: RunItemSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const idOrAlias = request.params.id;
      const workflow = await runs.deployed(
        request.workspaceId,
        WORKFLOW_ID_RE.test(idOrAlias) ? { id: idOrAlias } : { alias: idOrAlias },
      );
      if (!workflow) await resolve(request.workspaceId, idOrAlias); // throws the 404
      const body = request.body ?? {};
      const started = await runs.start({
        workspaceId: request.workspaceId,
        actor: actorOf(request),
        doc: (workflow as DeployedWorkflow).document,
        workflow: { id: (workflow as DeployedWorkflow).id, version: (workflow as DeployedWorkflow).version },
        trigger: body.trigger,
        environment: body.environment,
      });
      if (request.query.wait === "true") {
        await started.result;
        return reply.code(200).send(await coffer.runs.get(request.workspaceId, started.id));
      }
      return reply.code(202).send(started.run);
    },
  );

  r.get(
    `${base}/:id/runs`,
    {
      config: { role: "viewer" },
      schema: {
        tags,
        security,
        operationId: "listWorkflowRuns",
        summary: "List a workflow's runs, newest first",
        params: WorkflowParams,
        querystring: WorkflowRunListQuery,
        response: { 200: RunPageSchema, ...errorResponses },
      },
    },
    async (request) => {
      const workflow = await resolve(request.workspaceId, request.params.id);
      const q = request.query;
      return coffer.runs.list(request.workspaceId, {
        workflowId: workflow.id,
        ...(q.status ? { status: q.status } : {}),
        ...(q.parent_run_id ? { parentRunId: q.parent_run_id } : {}),
        ...(q.limit !== undefined ? { limit: q.limit } : {}),
        ...(q.cursor ? { cursor: q.cursor } : {}),
      });
    },
  );
}
