import { randomUUID } from "node:crypto";
import type { Selectable } from "kysely";
import { type AuditService, targetEvent } from "../audit/audit.service.js";
import { type Database, isUniqueViolation } from "../db/database.js";
import type { VariablesTable } from "../db/schema.js";
import { CofferError } from "../errors/coffer-error.js";
import { validateEnvironmentName, validateKeyName, validateSecretName } from "../secret-types/index.js";
import type { Actor } from "../secrets/secrets.schema.js";
import type { VariablesStore } from "./variables.store.js";

/** A workspace variable: the non-secret values behind `${{ VARS.<name>.<key> }}`, stored in clear. */
export interface VariableItem {
  id: string;
  name: string;
  environment: string;
  description: string | null;
  values: Record<string, unknown>;
  tags: Record<string, string>;
  created_at: string;
  updated_at: string;
  updated_by: string;
}

export interface VariableCreateInput {
  name: string;
  environment?: string;
  description?: string | null;
  values: Record<string, unknown>;
  tags?: Record<string, string>;
}

export type VariableUpdateInput = Partial<Omit<VariableCreateInput, "name" | "environment">>;

const MAX_VALUES_BYTES = 256 * 1024;

/** How deep lists and objects may nest inside one variable value (`{"K": [[1]]}` is 2). */
export const MAX_VALUE_DEPTH = 32;

/**
 * The deepest nesting of lists and objects in `value`, counted without recursion (a hostile value
 * nested 100,000 deep must not overflow the stack); stops counting past `limit`.
 */
export function nestingDepth(value: unknown, limit: number): number {
  let deepest = 0;
  const stack: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const next = stack.pop()!;
    if (next.value === null || typeof next.value !== "object") continue;
    const depth = next.depth + 1;
    if (depth > deepest) deepest = depth;
    if (deepest > limit) return deepest;
    for (const child of Object.values(next.value)) {
      if (child !== null && typeof child === "object") stack.push({ value: child, depth });
    }
  }
  return deepest;
}

function toItem(row: Selectable<VariablesTable>): VariableItem {
  return {
    id: row.id,
    name: row.name,
    environment: row.environment,
    description: row.description,
    values: JSON.parse(row.values) as Record<string, unknown>,
    tags: JSON.parse(row.tags) as Record<string, string>,
    created_at: row.created_at,
    updated_at: row.updated_at,
    updated_by: row.updated_by,
  };
}

function checkValues(values: Record<string, unknown>): string {
  if (!values || typeof values !== "object" || Array.isArray(values)) {
    throw new CofferError("invalid_values", "values must be an object of key → value.", { status: 422 });
  }
  for (const [key, value] of Object.entries(values)) {
    validateKeyName(key);
    if (nestingDepth(value, MAX_VALUE_DEPTH) > MAX_VALUE_DEPTH) {
      throw new CofferError(
        "value_too_deep",
        `The value of '${key}' nests lists or objects more than ${MAX_VALUE_DEPTH} levels deep. Flatten it, or store it as a JSON string.`,
        { status: 422, details: { key, max_depth: MAX_VALUE_DEPTH } },
      );
    }
  }
  const text = JSON.stringify(values);
  if (Buffer.byteLength(text) > MAX_VALUES_BYTES) {
    throw new CofferError("value_too_large", `A variable's values hold at most ${MAX_VALUES_BYTES} bytes of JSON.`, {
      status: 413,
    });
  }
  return text;
}

export function createVariablesService(deps: {
  store: VariablesStore;
  writer: Pick<Database, "writeTransaction">;
  audit: Pick<AuditService, "append">;
  clock: () => Date;
}) {
  const { store, writer, audit, clock } = deps;

  async function mustFind(workspaceId: string, id: string) {
    const row = await store.findById(workspaceId, id);
    if (!row)
      throw new CofferError("variable_not_found", `No variable with id '${id}' in this workspace.`, { status: 404 });
    return row;
  }

  function auditEvent(
    actor: Actor,
    workspaceId: string,
    action: string,
    row: { id: string; name: string; environment: string },
  ) {
    return targetEvent(actor, workspaceId, action, {
      type: "variable",
      id: row.id,
      name: row.name,
      environment: row.environment,
    });
  }

  return {
    async create(workspaceId: string, input: VariableCreateInput, actor: Actor): Promise<VariableItem> {
      const now = clock().toISOString();
      const row = {
        id: randomUUID(),
        workspace_id: workspaceId,
        name: validateSecretName(input.name, "Variable name"),
        environment: validateEnvironmentName(input.environment ?? "default"),
        description: input.description ?? null,
        values: checkValues(input.values),
        tags: JSON.stringify(input.tags ?? {}),
        created_at: now,
        updated_at: now,
        updated_by: actor.actor,
      };
      try {
        await writer.writeTransaction(async (trx) => {
          await store.insert(trx, row);
          await audit.append(trx, [auditEvent(actor, workspaceId, "variable.create", row)]);
        });
      } catch (error) {
        if (isUniqueViolation(error)) {
          throw new CofferError(
            "variable_exists",
            `A variable named '${row.name}' already exists in environment '${row.environment}'.`,
            { status: 409 },
          );
        }
        throw error;
      }
      return toItem(row);
    },

    async list(workspaceId: string, filter: { environment?: string } = {}): Promise<VariableItem[]> {
      return (await store.list(workspaceId, filter.environment)).map(toItem);
    },

    async get(workspaceId: string, id: string): Promise<VariableItem> {
      return toItem(await mustFind(workspaceId, id));
    },

    async getByName(workspaceId: string, name: string, environment = "default"): Promise<VariableItem> {
      const row = await store.findByName(workspaceId, name, environment);
      if (!row) {
        throw new CofferError("variable_not_found", `No variable named '${name}' in environment '${environment}'.`, {
          status: 404,
        });
      }
      return toItem(row);
    },

    async update(workspaceId: string, id: string, input: VariableUpdateInput, actor: Actor): Promise<VariableItem> {
      const row = await mustFind(workspaceId, id);
      const changes = {
        updated_at: clock().toISOString(),
        updated_by: actor.actor,
        ...(input.description !== undefined ? { description: input.description } : {}),
        ...(input.values !== undefined ? { values: checkValues(input.values) } : {}),
        ...(input.tags !== undefined ? { tags: JSON.stringify(input.tags) } : {}),
      };
      await writer.writeTransaction(async (trx) => {
        await store.update(trx, id, changes);
        await audit.append(trx, [auditEvent(actor, workspaceId, "variable.update", row)]);
      });
      return toItem({ ...row, ...changes });
    },

    /** Environments holding variables, with their variable counts. */
    async environments(workspaceId: string): Promise<{ environment: string; variables: number }[]> {
      return store.environments(workspaceId);
    },

    async delete(workspaceId: string, id: string, actor: Actor): Promise<void> {
      const row = await mustFind(workspaceId, id);
      await writer.writeTransaction(async (trx) => {
        await store.delete(trx, id);
        await audit.append(trx, [auditEvent(actor, workspaceId, "variable.delete", row)]);
      });
    },
  };
}

export type VariablesService = ReturnType<typeof createVariablesService>;
