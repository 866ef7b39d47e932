import type { Kysely } from "kysely";
import type { CofferSchema } from "../db/schema.js";

type Db = Kysely<CofferSchema>;

export interface OrganizationRow {
  id: string;
  slug: string;
  name: string;
  created_at: string;
}

export interface WorkspaceRow {
  id: string;
  organization_id: string;
  slug: string;
  name: string;
  created_at: string;
}

export function createWorkspacesStore(db: Db) {
  return {
    findOrganization: (slug: string) =>
      db.selectFrom("organizations").selectAll().where("slug", "=", slug).executeTakeFirst(),
    insertOrganization: async (trx: Db, org: OrganizationRow) => {
      await trx.insertInto("organizations").values(org).execute();
    },
    insertWorkspace: async (trx: Db, workspace: WorkspaceRow) => {
      await trx.insertInto("workspaces").values(workspace).execute();
    },
    list: (): Promise<WorkspaceRow[]> => db.selectFrom("workspaces").selectAll().orderBy("slug").execute(),
    find: (column: "id" | "slug", value: string): Promise<WorkspaceRow | undefined> =>
      db.selectFrom("workspaces").selectAll().where(column, "=", value).executeTakeFirst(),
  };
}

export type WorkspacesStore = ReturnType<typeof createWorkspacesStore>;
