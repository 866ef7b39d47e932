import { type AuditService, targetEvent } from "../audit/audit.service.js";
import { type Database, isUniqueViolation } from "../db/database.js";
import { newBase62Id } from "../db/ids.js";
import { CofferError } from "../errors/coffer-error.js";
import type { Actor } from "../secrets/secrets.schema.js";
import type { WorkflowRow, WorkflowsStore } from "./workflows.store.js";

/** A deployed workflow's metadata (its newest version). */
export interface WorkflowItem {
  id: string;
  alias: string | null;
  title: string;
  description: string;
  version: number;
  created_at: string;
  created_by: string;
  updated_at: string;
  updated_by: string;
}

/** One version of a deployed workflow, with its document. */
export interface DeployedVersion extends WorkflowItem {
  /** The document as it was sent (YAML or JSON text). */
  source: string;
  /** The document as JSON: what the engine loads. */
  definition: unknown;
}

/** One version with the list of every version. */
export interface WorkflowVersionDetail extends DeployedVersion {
  versions: { version: number; created_at: string; created_by: string }[];
}

export interface WorkflowPage {
  items: WorkflowItem[];
  next_cursor: string | null;
}

/** A checked document: the caller (runtime side) parses and validates; core stores. */
export interface WorkflowDeployInput {
  source: string;
  definition: unknown;
  title: string;
  description?: string;
  alias?: string | null;
}

export interface WorkflowLookupInput {
  id?: string;
  alias?: string;
  version?: number;
}

const ALIAS_RE = /^[a-z0-9][a-z0-9_.-]{0,99}$/;
export const WORKFLOW_ID_RE = /^wf_[0-9A-Za-z]{1,40}$/;
const MAX_LIST_LIMIT = 1000;

export function validateAlias(alias: string): string {
  if (!ALIAS_RE.test(alias)) {
    throw new CofferError(
      "invalid_workflow_alias",
      `A workflow alias is 1-100 lowercase letters, digits, '_', '.' or '-', starting with a letter or digit (got '${alias.slice(0, 100)}').`,
      { status: 422 },
    );
  }
  return alias;
}

function toItem(row: WorkflowRow): WorkflowItem {
  return {
    id: row.id,
    alias: row.alias,
    title: row.title,
    description: row.description,
    version: Number(row.latest_version),
    created_at: row.created_at,
    created_by: row.created_by,
    updated_at: row.updated_at,
    updated_by: row.updated_by,
  };
}

function notFound(what: string): CofferError {
  return new CofferError("workflow_not_found", `No workflow ${what} is deployed in this workspace.`, { status: 404 });
}

export function createWorkflowsService(deps: {
  store: WorkflowsStore;
  writer: Pick<Database, "writeTransaction">;
  audit: Pick<AuditService, "append">;
  clock: () => Date;
}) {
  const { store, writer, audit, clock } = deps;

  async function mustFind(workspaceId: string, id: string): Promise<WorkflowRow> {
    const row = await store.findById(workspaceId, id);
    if (!row) throw notFound(`with id '${id}'`);
    return row;
  }

  /** A new version of `existing` (re-read inside the transaction; a concurrent writer makes us retry). */
  async function addVersion(
    workspaceId: string,
    existing: WorkflowRow,
    input: WorkflowDeployInput,
    actor: Actor,
    action: string,
  ): Promise<WorkflowItem> {
    const alias = input.alias === undefined ? existing.alias : input.alias === null ? null : validateAlias(input.alias);
    for (let attempt = 0; ; attempt++) {
      const now = clock().toISOString();
      try {
        return await writer.writeTransaction(async (trx) => {
          const current = await trx
            .selectFrom("workflows")
            .selectAll()
            .where("id", "=", existing.id)
            .executeTakeFirst();
          if (!current) throw notFound(`with id '${existing.id}'`);
          const version = Number(current.latest_version) + 1;
          await store.insertVersion(trx, {
            workflow_id: current.id,
            workspace_id: workspaceId,
            version,
            source: input.source,
            definition: JSON.stringify(input.definition),
            created_at: now,
            created_by: actor.actor,
          });
          const changes = {
            latest_version: version,
            alias,
            title: input.title,
            description: input.description ?? "",
            updated_at: now,
            updated_by: actor.actor,
          };
          if (!(await store.bump(trx, current.id, Number(current.latest_version), changes)))
            throw Object.assign(new Error("concurrent deploy"), { code: "23505" });
          await audit.append(trx, [
            targetEvent(
              actor,
              workspaceId,
              action,
              { type: "workflow", id: current.id, name: alias ?? current.id },
              {
                version,
              },
            ),
          ]);
          return toItem({ ...current, ...changes });
        });
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        if (alias !== null && alias !== existing.alias) {
          const holder = await store.findByAlias(workspaceId, alias);
          if (holder && holder.id !== existing.id) throw aliasTaken(alias);
        }
        if (attempt >= 10) throw error;
      }
    }
  }

  function aliasTaken(alias: string): CofferError {
    return new CofferError(
      "workflow_alias_taken",
      `The alias '${alias}' already names another workflow in this workspace. Deploy under it to add a version to that workflow, or choose another alias.`,
      { status: 409 },
    );
  }

  const service = {
    /**
     * Deploys a document: under an alias that exists, a new version of that workflow; otherwise a
     * new workflow (version 1).
     */
    async deploy(workspaceId: string, input: WorkflowDeployInput, actor: Actor): Promise<WorkflowItem> {
      const alias = input.alias ? validateAlias(input.alias) : null;
      for (let attempt = 0; ; attempt++) {
        if (alias) {
          const existing = await store.findByAlias(workspaceId, alias);
          if (existing) return addVersion(workspaceId, existing, { ...input, alias }, actor, "workflow.deploy");
        }
        const now = clock().toISOString();
        const row = {
          id: `wf_${newBase62Id()}`,
          workspace_id: workspaceId,
          alias,
          title: input.title,
          description: input.description ?? "",
          latest_version: 1,
          created_at: now,
          created_by: actor.actor,
          updated_at: now,
          updated_by: actor.actor,
        };
        try {
          await writer.writeTransaction(async (trx) => {
            await store.insert(trx, row);
            await store.insertVersion(trx, {
              workflow_id: row.id,
              workspace_id: workspaceId,
              version: 1,
              source: input.source,
              definition: JSON.stringify(input.definition),
              created_at: now,
              created_by: actor.actor,
            });
            await audit.append(trx, [
              targetEvent(
                actor,
                workspaceId,
                "workflow.deploy",
                { type: "workflow", id: row.id, name: alias ?? row.id },
                {
                  version: 1,
                },
              ),
            ]);
          });
          return toItem(row);
        } catch (error) {
          // Another deploy under the same alias won the race: add a version to its workflow.
          if (!alias || !isUniqueViolation(error) || attempt >= 3) throw error;
        }
      }
    },

    /** PUT: a new version of workflow `id` (the alias changes only when `alias` is given). */
    async update(workspaceId: string, id: string, input: WorkflowDeployInput, actor: Actor): Promise<WorkflowItem> {
      const existing = await mustFind(workspaceId, id);
      return addVersion(workspaceId, existing, input, actor, "workflow.update");
    },

    async get(workspaceId: string, id: string, version?: number): Promise<WorkflowVersionDetail> {
      const found = await service.find(workspaceId, { id, ...(version !== undefined ? { version } : {}) });
      if (!found) throw notFound(version === undefined ? `with id '${id}'` : `with id '${id}' at version ${version}`);
      return found;
    },

    /** By id or alias (alias wins when both are given), at a version or the newest; null when none. */
    async find(workspaceId: string, lookup: WorkflowLookupInput): Promise<WorkflowVersionDetail | null> {
      const found = await service.findVersion(workspaceId, lookup);
      if (!found) return null;
      const versions = await store.versions(found.id);
      return {
        ...found,
        versions: versions.map((v) => ({
          version: Number(v.version),
          created_at: v.created_at,
          created_by: v.created_by,
        })),
      };
    },

    /** As `find`, without the version list: what starting a run needs (two point reads). */
    async findVersion(workspaceId: string, lookup: WorkflowLookupInput): Promise<DeployedVersion | null> {
      const row = lookup.alias
        ? await store.findByAlias(workspaceId, lookup.alias)
        : lookup.id
          ? await store.findById(workspaceId, lookup.id)
          : undefined;
      if (!row) return null;
      const version = lookup.version ?? Number(row.latest_version);
      const found = await store.findVersion(row.id, version);
      if (!found) return null;
      return { ...toItem(row), version, source: found.source, definition: JSON.parse(found.definition) as unknown };
    },

    async list(workspaceId: string, filter: { limit?: number; cursor?: string } = {}): Promise<WorkflowPage> {
      const limit = Math.min(Math.max(filter.limit ?? 100, 1), MAX_LIST_LIMIT);
      const after = filter.cursor ? decodeCursor(filter.cursor) : undefined;
      const rows = await store.list(workspaceId, { limit: limit + 1, ...(after ? { after } : {}) });
      const page = rows.length > limit ? rows.slice(0, limit) : rows;
      const last = page[page.length - 1];
      return {
        items: page.map(toItem),
        next_cursor: rows.length > limit && last ? encodeCursor([last.updated_at, last.id]) : null,
      };
    },

    /** Deletes the workflow and every version; its runs stay (history). */
    async delete(workspaceId: string, id: string, actor: Actor): Promise<void> {
      const row = await mustFind(workspaceId, id);
      await writer.writeTransaction(async (trx) => {
        await store.delete(trx, id);
        await audit.append(trx, [
          targetEvent(actor, workspaceId, "workflow.delete", { type: "workflow", id, name: row.alias ?? id }),
        ]);
      });
    },
  };
  return service;
}

export type WorkflowsService = ReturnType<typeof createWorkflowsService>;

export function encodeCursor(parts: string[]): string {
  return Buffer.from(JSON.stringify(parts)).toString("base64url");
}

function decodeCursor(cursor: string): { updated_at: string; id: string } {
  const parts = decodeCursorParts(cursor, 2);
  return { updated_at: parts[0]!, id: parts[1]! };
}

export function decodeCursorParts(cursor: string, n: number): string[] {
  try {
    const parts = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as unknown;
    if (Array.isArray(parts) && parts.length === n && parts.every((p) => typeof p === "string")) return parts;
  } catch {
    // fall through
  }
  throw new CofferError("invalid_cursor", "The cursor is not one this API returned. Start again without a cursor.", {
    status: 400,
  });
}
