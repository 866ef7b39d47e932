import type { Kysely } from "kysely";

// Deployed workflows (versioned, alias unique per workspace), their runs and per-action runs.
// Portable schema-builder only; JSON and timestamps are text as elsewhere.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("workflows")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("workspace_id", "text", (c) => c.notNull().references("workspaces.id").onDelete("cascade"))
    .addColumn("alias", "text")
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("description", "text", (c) => c.notNull())
    .addColumn("latest_version", "integer", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("created_by", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addColumn("updated_by", "text", (c) => c.notNull())
    .addUniqueConstraint("workflows_workspace_alias_unique", ["workspace_id", "alias"])
    .execute();
  await db.schema
    .createIndex("workflows_workspace_updated_idx")
    .on("workflows")
    .columns(["workspace_id", "updated_at", "id"])
    .execute();

  await db.schema
    .createTable("workflow_versions")
    .addColumn("workflow_id", "text", (c) => c.notNull().references("workflows.id").onDelete("cascade"))
    .addColumn("workspace_id", "text", (c) => c.notNull())
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("source", "text", (c) => c.notNull())
    .addColumn("definition", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("created_by", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("workflow_versions_pk", ["workflow_id", "version"])
    .execute();

  // Runs outlive a deleted workflow (history): workflow_id is not a foreign key.
  await db.schema
    .createTable("workflow_runs")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("workspace_id", "text", (c) => c.notNull().references("workspaces.id").onDelete("cascade"))
    .addColumn("workflow_id", "text")
    .addColumn("workflow_version", "integer")
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("reason", "text")
    .addColumn("trigger", "text", (c) => c.notNull())
    .addColumn("environment", "text", (c) => c.notNull())
    .addColumn("returns", "text")
    .addColumn("error", "text")
    .addColumn("parent_run_id", "text")
    .addColumn("parent_kind", "text")
    .addColumn("parent_action_ref", "text")
    .addColumn("loop_index", "integer")
    .addColumn("depth", "integer", (c) => c.notNull())
    .addColumn("owner_id", "text", (c) => c.notNull())
    .addColumn("owner_host", "text", (c) => c.notNull())
    .addColumn("owner_pid", "integer", (c) => c.notNull())
    .addColumn("heartbeat_at", "text", (c) => c.notNull())
    .addColumn("created_by", "text", (c) => c.notNull())
    .addColumn("started_at", "text", (c) => c.notNull())
    .addColumn("finished_at", "text")
    .execute();
  await db.schema
    .createIndex("workflow_runs_workspace_started_idx")
    .on("workflow_runs")
    .columns(["workspace_id", "started_at", "id"])
    .execute();
  await db.schema
    .createIndex("workflow_runs_workflow_started_idx")
    .on("workflow_runs")
    .columns(["workspace_id", "workflow_id", "started_at", "id"])
    .execute();
  await db.schema.createIndex("workflow_runs_status_idx").on("workflow_runs").columns(["status", "owner_id"]).execute();
  await db.schema.createIndex("workflow_runs_parent_idx").on("workflow_runs").column("parent_run_id").execute();

  await db.schema
    .createTable("action_runs")
    .addColumn("run_id", "text", (c) => c.notNull().references("workflow_runs.id").onDelete("cascade"))
    .addColumn("workspace_id", "text", (c) => c.notNull())
    .addColumn("ref", "text", (c) => c.notNull())
    .addColumn("position", "integer", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("attempts", "integer", (c) => c.notNull())
    .addColumn("environment", "text")
    .addColumn("result", "text")
    .addColumn("error", "text")
    .addColumn("started_at", "text", (c) => c.notNull())
    .addColumn("finished_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("action_runs_pk", ["run_id", "ref"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("action_runs").execute();
  await db.schema.dropTable("workflow_runs").execute();
  await db.schema.dropTable("workflow_versions").execute();
  await db.schema.dropTable("workflows").execute();
}
