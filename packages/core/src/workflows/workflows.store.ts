import type { Insertable, Kysely, Selectable, Updateable } from "kysely";
import type { CofferSchema, WorkflowsTable, WorkflowVersionsTable } from "../db/schema.js";

type Db = Kysely<CofferSchema>;
export type WorkflowRow = Selectable<WorkflowsTable>;
export type WorkflowVersionRow = Selectable<WorkflowVersionsTable>;

export function createWorkflowsStore(db: Db) {
  return {
    findById: (workspaceId: string, id: string): Promise<WorkflowRow | undefined> =>
      db
        .selectFrom("workflows")
        .selectAll()
        .where("workspace_id", "=", workspaceId)
        .where("id", "=", id)
        .executeTakeFirst(),

    findByAlias: (workspaceId: string, alias: string): Promise<WorkflowRow | undefined> =>
      db
        .selectFrom("workflows")
        .selectAll()
        .where("workspace_id", "=", workspaceId)
        .where("alias", "=", alias)
        .executeTakeFirst(),

    findVersion: (workflowId: string, version: number): Promise<WorkflowVersionRow | undefined> =>
      db
        .selectFrom("workflow_versions")
        .selectAll()
        .where("workflow_id", "=", workflowId)
        .where("version", "=", version)
        .executeTakeFirst(),

    versions: (workflowId: string) =>
      db
        .selectFrom("workflow_versions")
        .select(["version", "created_at", "created_by"])
        .where("workflow_id", "=", workflowId)
        .orderBy("version", "desc")
        .execute(),

    /** Newest-updated first, keyset on (updated_at, id). */
    list(workspaceId: string, options: { limit: number; after?: { updated_at: string; id: string } }) {
      let q = db.selectFrom("workflows").selectAll().where("workspace_id", "=", workspaceId);
      const after = options.after;
      if (after)
        q = q.where((eb) =>
          eb.or([
            eb("updated_at", "<", after.updated_at),
            eb.and([eb("updated_at", "=", after.updated_at), eb("id", "<", after.id)]),
          ]),
        );
      return q.orderBy("updated_at", "desc").orderBy("id", "desc").limit(options.limit).execute();
    },

    insert: async (trx: Db, row: Insertable<WorkflowsTable>) => {
      await trx.insertInto("workflows").values(row).execute();
    },
    insertVersion: async (trx: Db, row: Insertable<WorkflowVersionsTable>) => {
      await trx.insertInto("workflow_versions").values(row).execute();
    },
    /** Bumps latest_version only if it is still `expected` (a concurrent deploy loses and retries). */
    async bump(trx: Db, id: string, expected: number, changes: Updateable<WorkflowsTable>): Promise<boolean> {
      const result = await trx
        .updateTable("workflows")
        .set(changes)
        .where("id", "=", id)
        .where("latest_version", "=", expected)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    update: async (trx: Db, id: string, changes: Updateable<WorkflowsTable>) => {
      await trx.updateTable("workflows").set(changes).where("id", "=", id).execute();
    },
    delete: async (trx: Db, id: string) => {
      await trx.deleteFrom("workflows").where("id", "=", id).execute();
    },
  };
}

export type WorkflowsStore = ReturnType<typeof createWorkflowsStore>;
