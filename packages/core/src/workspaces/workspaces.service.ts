import { type AuditService, targetEvent } from "../audit/audit.service.js";
import { type Database, isUniqueViolation } from "../db/database.js";
import { newId } from "../db/ids.js";
import { CofferError } from "../errors/coffer-error.js";
import type { Actor } from "../secrets/secrets.schema.js";
import type { WorkspacesStore } from "./workspaces.store.js";

export interface WorkspaceItem {
  id: string;
  organization_id: string;
  slug: string;
  name: string;
  created_at: string;
}

const SLUG_RE = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const DEFAULT_SLUG = "default";

function workspaceCreated(actor: Actor, workspace: { id: string; slug: string }, details?: Record<string, unknown>) {
  return targetEvent(
    actor,
    workspace.id,
    "workspace.create",
    { type: "workspace", id: workspace.id, name: workspace.slug },
    details,
  );
}

export function createWorkspacesService(deps: {
  store: WorkspacesStore;
  writer: Pick<Database, "writeTransaction">;
  audit: Pick<AuditService, "append">;
  clock: () => Date;
}) {
  const { store, writer, audit, clock } = deps;
  const defaultOrganization = () => store.findOrganization(DEFAULT_SLUG);

  return {
    /**
     * Creates organization `default` and workspace `default` on an empty database. Returns the
     * workspace when this call created it (the caller then issues the admin token), else null.
     */
    async bootstrap(actor: Actor): Promise<WorkspaceItem | null> {
      if (await defaultOrganization()) return null;
      const now = clock().toISOString();
      const org = { id: newId(), slug: DEFAULT_SLUG, name: "Default organization", created_at: now };
      const workspace = {
        id: newId(),
        organization_id: org.id,
        slug: DEFAULT_SLUG,
        name: "Default workspace",
        created_at: now,
      };
      try {
        await writer.writeTransaction(async (trx) => {
          await store.insertOrganization(trx, org);
          await store.insertWorkspace(trx, workspace);
          await audit.append(trx, [workspaceCreated(actor, workspace, { bootstrap: true })]);
        });
      } catch (error) {
        if (isUniqueViolation(error)) return null; // another process bootstrapped first
        throw error;
      }
      return workspace;
    },

    async create(input: { slug: string; name?: string }, actor: Actor): Promise<WorkspaceItem> {
      if (!SLUG_RE.test(input.slug)) {
        throw new CofferError(
          "invalid_workspace_slug",
          `Workspace name '${input.slug.slice(0, 80)}' is invalid: use lowercase letters, digits, '_' and '-', starting with a letter or digit, at most 64 characters.`,
          { status: 422, details: { slug: input.slug.slice(0, 80) } },
        );
      }
      const org = await defaultOrganization();
      if (!org) throw new CofferError("not_bootstrapped", "The database has no organization yet.", { status: 500 });
      const workspace = {
        id: newId(),
        organization_id: org.id,
        slug: input.slug,
        name: input.name ?? input.slug,
        created_at: clock().toISOString(),
      };
      try {
        await writer.writeTransaction(async (trx) => {
          await store.insertWorkspace(trx, workspace);
          await audit.append(trx, [workspaceCreated(actor, workspace)]);
        });
      } catch (error) {
        if (isUniqueViolation(error)) {
          throw new CofferError("workspace_exists", `A workspace named '${input.slug}' already exists.`, {
            status: 409,
          });
        }
        throw error;
      }
      return workspace;
    },

    async list(): Promise<WorkspaceItem[]> {
      return store.list();
    },

    /** Finds a workspace by id or slug; `not found` never says whether it exists elsewhere. */
    async resolve(idOrSlug: string): Promise<WorkspaceItem> {
      const column = UUID_RE.test(idOrSlug) ? "id" : "slug";
      const row = await store.find(column, idOrSlug);
      if (!row) {
        throw new CofferError(
          "workspace_not_found",
          `No workspace '${idOrSlug.slice(0, 80)}'. List them with \`coffer workspaces list\`.`,
          { status: 404 },
        );
      }
      return row;
    },
  };
}

export type WorkspacesService = ReturnType<typeof createWorkspacesService>;
