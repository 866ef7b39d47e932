import type { Kysely } from "kysely";
import type { CofferSchema } from "../db/schema.js";
import { CofferError } from "../errors/coffer-error.js";
import { SECRET_TYPES } from "../secret-types/index.js";

/** Secret events' target type: `secret`, or the secret's own type in rows written before that was fixed. */
const SECRET_TARGET_TYPES = ["secret", ...SECRET_TYPES];

/** One audit event as the API and `coffer audit list --json` show it. Never holds a value. */
export interface AuditItem {
  seq: number;
  id: string;
  occurred_at: string;
  actor: string;
  action: string;
  outcome: string;
  target: { type: string | null; id: string | null; name: string | null };
  environment: string | null;
  request_id: string | null;
  run_id: string | null;
  details: Record<string, unknown>;
}

export interface AuditListFilter {
  /** Only events about this secret (its name or id). */
  secret?: string;
  /** Only events at or after this ISO-8601 date or date-time. */
  since?: string;
  /** 1–1000, default 50. */
  limit?: number;
  /** `next_cursor` of the previous page. */
  cursor?: string;
}

export interface AuditPage {
  items: AuditItem[];
  next_cursor: string | null;
}

export const AUDIT_LIST_MAX_LIMIT = 1000;
export const AUDIT_LIST_DEFAULT_LIMIT = 50;

/** One workspace's audit events, newest first, `limit` at a time. */
export async function listAuditPage(
  db: Kysely<CofferSchema>,
  workspaceId: string,
  filter: AuditListFilter = {},
): Promise<AuditPage> {
  const limit = parseLimit(filter.limit);
  const since = filter.since === undefined ? undefined : parseSince(filter.since);
  const before = filter.cursor === undefined ? undefined : decodeAuditCursor(filter.cursor);
  let q = db
    .selectFrom("audit_events")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .orderBy("seq", "desc")
    .limit(limit + 1);
  if (since !== undefined) q = q.where("occurred_at", ">=", since);
  if (before !== undefined) q = q.where("seq", "<", before);
  if (filter.secret !== undefined) {
    const secret = filter.secret;
    q = q
      .where("target_type", "in", SECRET_TARGET_TYPES)
      .where((eb) => eb.or([eb("target_name", "=", secret), eb("target_id", "=", secret)]));
  }
  const rows = await q.execute();
  const page = rows.length > limit ? rows.slice(0, limit) : rows;
  const last = page[page.length - 1];
  return {
    items: page.map((r) => ({
      seq: r.seq,
      id: r.id,
      occurred_at: r.occurred_at,
      actor: r.actor,
      action: r.action,
      outcome: r.outcome,
      target: { type: r.target_type, id: r.target_id, name: r.target_name },
      environment: r.environment,
      request_id: r.request_id,
      run_id: r.run_id,
      details: JSON.parse(r.details) as Record<string, unknown>,
    })),
    next_cursor: rows.length > limit && last ? Buffer.from(`seq:${last.seq}`).toString("base64url") : null,
  };
}

function parseLimit(limit: number | undefined): number {
  if (limit === undefined) return AUDIT_LIST_DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > AUDIT_LIST_MAX_LIMIT) {
    throw new CofferError(
      "invalid_argument",
      `The limit must be a whole number from 1 to ${AUDIT_LIST_MAX_LIMIT} (got ${String(limit).slice(0, 20)}).`,
      { details: { max: AUDIT_LIST_MAX_LIMIT } },
    );
  }
  return limit;
}

function parseSince(value: string): string {
  const time = /^\d{4}-\d{2}-\d{2}([T ][0-9:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(time)) {
    throw new CofferError(
      "invalid_argument",
      `since must be an ISO-8601 date or date-time, e.g. 2026-01-31 or 2026-01-31T12:00:00Z (got '${value.slice(0, 40)}').`,
    );
  }
  return new Date(time).toISOString();
}

function decodeAuditCursor(cursor: string): number {
  const m = /^seq:(\d{1,15})$/.exec(Buffer.from(cursor, "base64url").toString("utf8"));
  if (m?.[1]) return Number(m[1]);
  throw new CofferError("invalid_cursor", "The cursor is not one this API returned. Start again without a cursor.");
}
