import type { Insertable, Kysely, Selectable, Updateable } from "kysely";
import type { CofferSchema, VariablesTable } from "../db/schema.js";

type Db = Kysely<CofferSchema>;
export type VariableRow = Selectable<VariablesTable>;

export function createVariablesStore(db: Db) {
  return {
    findById: (workspaceId: string, id: string): Promise<VariableRow | undefined> =>
      db
        .selectFrom("variables")
        .selectAll()
        .where("workspace_id", "=", workspaceId)
        .where("id", "=", id)
        .executeTakeFirst(),

    findByName: (workspaceId: string, name: string, environment: string): Promise<VariableRow | undefined> =>
      db
        .selectFrom("variables")
        .selectAll()
        .where("workspace_id", "=", workspaceId)
        .where("name", "=", name)
        .where("environment", "=", environment)
        .executeTakeFirst(),

    list(workspaceId: string, environment?: string): Promise<VariableRow[]> {
      let q = db.selectFrom("variables").selectAll().where("workspace_id", "=", workspaceId);
      if (environment !== undefined) q = q.where("environment", "=", environment);
      return q.orderBy("name").orderBy("environment").execute();
    },

    async environments(workspaceId: string) {
      const rows = await db
        .selectFrom("variables")
        .select(["environment", (eb) => eb.fn.countAll<number>().as("n")])
        .where("workspace_id", "=", workspaceId)
        .groupBy("environment")
        .orderBy("environment")
        .execute();
      return rows.map((r) => ({ environment: r.environment, variables: Number(r.n) }));
    },

    insert: async (trx: Db, row: Insertable<VariablesTable>) => {
      await trx.insertInto("variables").values(row).execute();
    },
    update: async (trx: Db, id: string, changes: Updateable<VariablesTable>) => {
      await trx.updateTable("variables").set(changes).where("id", "=", id).execute();
    },
    delete: async (trx: Db, id: string) => {
      await trx.deleteFrom("variables").where("id", "=", id).execute();
    },
  };
}

export type VariablesStore = ReturnType<typeof createVariablesStore>;
