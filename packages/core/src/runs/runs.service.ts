import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { type AuditService, targetEvent } from "../audit/audit.service.js";
import type { Database } from "../db/database.js";
import { newId } from "../db/ids.js";
import type { ActionRunStatus, RunParentKind, RunStatus } from "../db/schema.js";
import { CofferError } from "../errors/coffer-error.js";
import type { Actor } from "../secrets/secrets.schema.js";
import { decodeCursorParts, encodeCursor } from "../workflows/workflows.service.js";
import type { ActionRunRow, RunRow, RunsStore } from "./runs.store.js";

export type { ActionRunStatus, RunParentKind, RunStatus };

export const RUN_STATUSES: readonly RunStatus[] = ["running", "succeeded", "failed", "cancelled"];

/** A run's error as stored and served: a stable code and a message, never a value. */
export interface RunError {
  code: string;
  message: string;
}

export interface ActionRunItem {
  status: ActionRunStatus;
  attempts: number;
  environment: string | null;
  result?: unknown;
  error?: { code: string; type: string; message: string };
  started_at: string;
  finished_at: string;
  duration_ms: number;
}

/** A run as the runs list shows it (the run document without `actions`). */
export interface RunItem {
  id: string;
  status: RunStatus;
  reason: string | null;
  environment: string;
  returns: unknown;
  error: RunError | null;
  workflow_id: string | null;
  workflow_version: number | null;
  title: string;
  trigger: unknown;
  parent_run_id: string | null;
  parent_kind: RunParentKind | null;
  parent_action_ref: string | null;
  loop_index: number | null;
  depth: number;
  created_by: string;
  started_at: string;
  finished_at: string | null;
  duration_ms: number | null;
}

/** The run document: `coffer workflow run --json`'s shape plus workflow id, trigger and timings. */
export interface RunDocument extends RunItem {
  actions: Record<string, ActionRunItem>;
}

export interface RunPage {
  items: RunItem[];
  next_cursor: string | null;
}

export interface RunListFilter {
  status?: string;
  workflowId?: string;
  parentRunId?: string;
  limit?: number;
  cursor?: string;
}

export interface RunStartInput {
  /** Given by the caller when it must know the id first; else made here. */
  id?: string;
  workflowId: string | null;
  workflowVersion: number | null;
  title: string;
  /** Already masked by the caller. */
  trigger: unknown;
  environment: string;
  parent?: { runId: string; kind: RunParentKind; actionRef: string | null; loopIndex: number | null };
  depth?: number;
}

export interface ActionRunInput {
  ref: string;
  status: ActionRunStatus;
  attempts: number;
  environment: string | null;
  result?: unknown;
  error?: { code: string; type: string; message: string };
  startedAt: number;
  finishedAt: number;
}

export interface RunFinishInput {
  status: Exclude<RunStatus, "running">;
  reason?: string | null;
  environment: string;
  trigger: unknown;
  returns: unknown;
  error: RunError | null;
  actions: ActionRunInput[];
}

/**
 * Masks every value before it is written: the caller's run-wide masker. Every write of run
 * content takes one, so nothing reaches a row without passing it.
 */
export type RunMask = <T>(value: T) => T;

/** Who executes runs in this process: how a run left `running` by a dead process is recognised. */
export interface RunOwner {
  id: string;
  host: string;
  pid: number;
}

/** A process whose newest heartbeat is older than this is taken as dead (other hosts). */
export const HEARTBEAT_STALE_MS = 60_000;
/** How often an owner with runs in flight refreshes their heartbeat. */
export const HEARTBEAT_INTERVAL_MS = 15_000;
const MAX_LIST_LIMIT = 1000;

const json = (value: unknown) => JSON.stringify(value === undefined ? null : value);
const parse = (text: string | null): unknown => (text === null ? null : JSON.parse(text));

function ms(from: string, to: string | null): number | null {
  return to === null ? null : Date.parse(to) - Date.parse(from);
}

function toItem(row: RunRow): RunItem {
  return {
    id: row.id,
    status: row.status,
    reason: row.reason,
    environment: row.environment,
    returns: parse(row.returns),
    error: parse(row.error) as RunError | null,
    workflow_id: row.workflow_id,
    workflow_version: row.workflow_version === null ? null : Number(row.workflow_version),
    title: row.title,
    trigger: parse(row.trigger),
    parent_run_id: row.parent_run_id,
    parent_kind: row.parent_kind,
    parent_action_ref: row.parent_action_ref,
    loop_index: row.loop_index === null ? null : Number(row.loop_index),
    depth: Number(row.depth),
    created_by: row.created_by,
    started_at: row.started_at,
    finished_at: row.finished_at,
    duration_ms: ms(row.started_at, row.finished_at),
  };
}

function toAction(row: ActionRunRow): ActionRunItem {
  const item: ActionRunItem = {
    status: row.status,
    attempts: Number(row.attempts),
    environment: row.environment,
    started_at: row.started_at,
    finished_at: row.finished_at,
    duration_ms: Date.parse(row.finished_at) - Date.parse(row.started_at),
  };
  if (row.result !== null) item.result = parse(row.result);
  if (row.error !== null) item.error = parse(row.error) as NonNullable<ActionRunItem["error"]>;
  return item;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** A new run id: `wfr_` + a time-ordered hex id. */
export function newRunId(): string {
  return `wfr_${newId().replace(/-/g, "")}`;
}

export function parseRunStatus(status: string): RunStatus {
  if ((RUN_STATUSES as readonly string[]).includes(status)) return status as RunStatus;
  throw new CofferError(
    "invalid_argument",
    `status must be one of ${RUN_STATUSES.join(", ")} (got '${status.slice(0, 40)}').`,
    {
      status: 400,
    },
  );
}

export function createRunsService(deps: {
  store: RunsStore;
  writer: Pick<Database, "writeTransaction">;
  audit: Pick<AuditService, "append">;
  clock: () => Date;
  /** This process (default: a fresh instance id on this host and pid). */
  owner?: RunOwner;
}) {
  const { store, writer, audit, clock } = deps;
  const owner: RunOwner = deps.owner ?? {
    id: `inst_${randomBytes(9).toString("base64url")}`,
    host: hostname(),
    pid: process.pid,
  };

  const service = {
    owner,

    /** Records a run as `running`, owned by this process. */
    async start(workspaceId: string, input: RunStartInput, actor: Actor): Promise<RunItem> {
      const now = clock().toISOString();
      const row = {
        id: input.id ?? newRunId(),
        workspace_id: workspaceId,
        workflow_id: input.workflowId,
        workflow_version: input.workflowVersion,
        title: input.title,
        status: "running" as const,
        reason: null,
        trigger: json(input.trigger),
        environment: input.environment,
        returns: null,
        error: null,
        parent_run_id: input.parent?.runId ?? null,
        parent_kind: input.parent?.kind ?? null,
        parent_action_ref: input.parent?.actionRef ?? null,
        loop_index: input.parent?.loopIndex ?? null,
        depth: input.depth ?? 0,
        owner_id: owner.id,
        owner_host: owner.host,
        owner_pid: owner.pid,
        heartbeat_at: now,
        created_by: actor.actor,
        started_at: now,
        finished_at: null,
      };
      await writer.writeTransaction(async (trx) => {
        await store.insert(trx, row);
        await audit.append(trx, [
          targetEvent(
            actor,
            workspaceId,
            "run.start",
            { type: "run", id: row.id, name: row.workflow_id ?? row.title, environment: row.environment },
            {
              workflow_version: row.workflow_version,
              ...(row.parent_run_id ? { parent_run_id: row.parent_run_id, parent_kind: row.parent_kind } : {}),
            },
          ),
        ]);
      });
      return toItem(row);
    },

    /**
     * Ends a run: its status, masked returns/error/trigger, and every action run, in one
     * transaction. False when the run had already ended (marked interrupted by another process).
     */
    async finish(runId: string, workspaceId: string, input: RunFinishInput, mask: RunMask): Promise<boolean> {
      const finishedAt = clock().toISOString();
      const rows = input.actions.map((a, position) => ({
        run_id: runId,
        workspace_id: workspaceId,
        ref: a.ref,
        position,
        status: a.status,
        attempts: a.attempts,
        environment: a.environment,
        result: a.result === undefined ? null : json(mask(a.result)),
        error: a.error === undefined ? null : json(mask(a.error)),
        started_at: new Date(a.startedAt).toISOString(),
        finished_at: new Date(a.finishedAt).toISOString(),
      }));
      const changes = {
        status: input.status,
        reason: input.reason ?? null,
        environment: input.environment,
        trigger: json(mask(input.trigger)),
        returns: json(mask(input.returns)),
        error: input.error === null ? null : json(mask(input.error)),
        finished_at: finishedAt,
      };
      return writer.writeTransaction(async (trx) => {
        if (!(await store.finish(trx, runId, changes))) return false;
        if (rows.length > 0) await store.insertActions(trx, rows);
        return true;
      });
    },

    async get(workspaceId: string, id: string): Promise<RunDocument> {
      const row = await store.findById(workspaceId, id);
      if (!row) throw new CofferError("run_not_found", `No run with id '${id}' in this workspace.`, { status: 404 });
      const actions: Record<string, ActionRunItem> = {};
      for (const a of await store.actions(id)) actions[a.ref] = toAction(a);
      return { ...toItem(row), actions };
    },

    async list(workspaceId: string, filter: RunListFilter = {}): Promise<RunPage> {
      const limit = Math.min(Math.max(filter.limit ?? 100, 1), MAX_LIST_LIMIT);
      let before: { started_at: string; id: string } | undefined;
      if (filter.cursor) {
        const [started_at, id] = decodeCursorParts(filter.cursor, 2) as [string, string];
        before = { started_at, id };
      }
      const rows = await store.list(workspaceId, {
        limit: limit + 1,
        ...(filter.status !== undefined ? { status: parseRunStatus(filter.status) } : {}),
        ...(filter.workflowId ? { workflowId: filter.workflowId } : {}),
        ...(filter.parentRunId ? { parentRunId: filter.parentRunId } : {}),
        ...(before ? { before } : {}),
      });
      const page = rows.length > limit ? rows.slice(0, limit) : rows;
      const last = page[page.length - 1];
      return {
        items: page.map(toItem),
        next_cursor: rows.length > limit && last ? encodeCursor([last.started_at, last.id]) : null,
      };
    },

    /** Audits a user's cancellation of a run (the run itself is stored `cancelled` by its owner). */
    async recordCancel(workspaceId: string, runId: string, actor: Actor): Promise<void> {
      await writer.writeTransaction((trx) =>
        audit.append(trx, [targetEvent(actor, workspaceId, "run.cancel", { type: "run", id: runId, name: runId })]),
      );
    },

    /** Refreshes the heartbeat of this process's running runs. */
    heartbeat: () => store.heartbeat(owner.id, clock().toISOString()),

    /**
     * Marks `failed` (reason `interrupted`) every run left `running` by a process that is gone:
     * on this host, its pid no longer exists; elsewhere, its heartbeat is older than
     * HEARTBEAT_STALE_MS. Runs of this process and of live ones are left alone.
     */
    async recoverInterrupted(): Promise<number> {
      const now = clock();
      const dead: string[] = [];
      for (const o of await store.runningOwners()) {
        if (o.owner_id === owner.id) continue;
        const sameHost = o.owner_host === owner.host;
        const stale = now.getTime() - Date.parse(String(o.heartbeat_at)) > HEARTBEAT_STALE_MS;
        if ((sameHost && !pidAlive(Number(o.owner_pid))) || stale) dead.push(o.owner_id);
      }
      if (dead.length === 0) return 0;
      return writer.writeTransaction((trx) => store.markInterrupted(trx, dead, now.toISOString()));
    },
  };
  return service;
}

export type RunsService = ReturnType<typeof createRunsService>;
