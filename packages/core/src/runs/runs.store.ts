import type { Insertable, Kysely, Selectable } from "kysely";
import type { ActionRunsTable, CofferSchema, RunStatus, WorkflowRunsTable } from "../db/schema.js";

type Db = Kysely<CofferSchema>;
export type RunRow = Selectable<WorkflowRunsTable>;
export type ActionRunRow = Selectable<ActionRunsTable>;

export interface RunListQuery {
  limit: number;
  status?: RunStatus;
  workflowId?: string;
  parentRunId?: string;
  /** Keyset: rows strictly older than this (started_at, id). */
  before?: { started_at: string; id: string };
}

export function createRunsStore(db: Db) {
  return {
    findById: (workspaceId: string, id: string): Promise<RunRow | undefined> =>
      db
        .selectFrom("workflow_runs")
        .selectAll()
        .where("workspace_id", "=", workspaceId)
        .where("id", "=", id)
        .executeTakeFirst(),

    actions: (runId: string): Promise<ActionRunRow[]> =>
      db.selectFrom("action_runs").selectAll().where("run_id", "=", runId).orderBy("position").execute(),

    /** Newest first, keyset on (started_at, id). */
    list(workspaceId: string, query: RunListQuery): Promise<RunRow[]> {
      let q = db.selectFrom("workflow_runs").selectAll().where("workspace_id", "=", workspaceId);
      if (query.status) q = q.where("status", "=", query.status);
      if (query.workflowId) q = q.where("workflow_id", "=", query.workflowId);
      if (query.parentRunId) q = q.where("parent_run_id", "=", query.parentRunId);
      const before = query.before;
      if (before)
        q = q.where((eb) =>
          eb.or([
            eb("started_at", "<", before.started_at),
            eb.and([eb("started_at", "=", before.started_at), eb("id", "<", before.id)]),
          ]),
        );
      return q.orderBy("started_at", "desc").orderBy("id", "desc").limit(query.limit).execute();
    },

    insert: async (trx: Db, row: Insertable<WorkflowRunsTable>) => {
      await trx.insertInto("workflow_runs").values(row).execute();
    },

    /** Ends a run still `running`; false when it had already ended (e.g. marked interrupted). */
    async finish(
      trx: Db,
      id: string,
      changes: Pick<
        WorkflowRunsTable,
        "status" | "reason" | "returns" | "error" | "environment" | "trigger" | "finished_at"
      >,
    ): Promise<boolean> {
      const result = await trx
        .updateTable("workflow_runs")
        .set(changes)
        .where("id", "=", id)
        .where("status", "=", "running")
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    insertActions: async (trx: Db, rows: Insertable<ActionRunsTable>[]) => {
      // Chunked: SQLite binds at most 32766 parameters per statement.
      for (let i = 0; i < rows.length; i += 500)
        await trx
          .insertInto("action_runs")
          .values(rows.slice(i, i + 500))
          .execute();
    },

    heartbeat: async (ownerId: string, at: string) => {
      await db
        .updateTable("workflow_runs")
        .set({ heartbeat_at: at })
        .where("owner_id", "=", ownerId)
        .where("status", "=", "running")
        .execute();
    },

    /** One row per process that has runs left `running`, with its newest heartbeat. */
    runningOwners: () =>
      db
        .selectFrom("workflow_runs")
        .select(["owner_id", "owner_host", "owner_pid", (eb) => eb.fn.max("heartbeat_at").as("heartbeat_at")])
        .where("status", "=", "running")
        .groupBy(["owner_id", "owner_host", "owner_pid"])
        .execute(),

    markInterrupted: async (trx: Db, ownerIds: string[], at: string): Promise<number> => {
      const result = await trx
        .updateTable("workflow_runs")
        .set({
          status: "failed",
          reason: "interrupted",
          finished_at: at,
          error: JSON.stringify({
            code: "run_interrupted",
            message: "The process running this workflow stopped before the run finished (crash, kill or restart).",
          }),
        })
        .where("status", "=", "running")
        .where("owner_id", "in", ownerIds)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
  };
}

export type RunsStore = ReturnType<typeof createRunsStore>;
