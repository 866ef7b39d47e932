import { hash as digest, timingSafeEqual } from "node:crypto";
import type { Kysely } from "kysely";
import { anchorMac } from "../crypto/envelope.js";
import type { KeyEncryptionKey, Keyring } from "../crypto/keyring.js";
import type { Database } from "../db/database.js";
import { newId } from "../db/ids.js";
import type { AuditEventsTable, CofferSchema } from "../db/schema.js";
import { CofferError } from "../errors/coffer-error.js";
import { type AuditListFilter, type AuditPage, listAuditPage } from "./audit.listing.js";
import { createAuditStore } from "./audit.store.js";

/** Who is acting, for audit and `updated_by`: `cli:<os user>`, `token:<name>`, … */
export interface Actor {
  actor: string;
  requestId?: string;
}

/** One thing that happened. Never holds a value: names, ids and counts only. */
export interface AuditEventInput {
  actor: string;
  workspaceId: string | null;
  /** `secret.create`, `secret.update`, `token.create`, `request.denied`, `keys.rotate`, … */
  action: string;
  outcome?: "success" | "denied" | "failure";
  targetType?: string;
  targetId?: string;
  targetName?: string;
  environment?: string;
  requestId?: string;
  runId?: string;
  details?: Record<string, unknown>;
}

/** An event about one named thing (a secret, variable, token or workspace) done by `actor`. */
export function targetEvent(
  actor: Actor,
  workspaceId: string | null,
  action: string,
  target: { type: string; id: string; name: string; environment?: string },
  details?: Record<string, unknown>,
): AuditEventInput {
  return {
    actor: actor.actor,
    workspaceId,
    action,
    targetType: target.type,
    targetId: target.id,
    targetName: target.name,
    ...(target.environment !== undefined ? { environment: target.environment } : {}),
    ...(actor.requestId ? { requestId: actor.requestId } : {}),
    ...(details ? { details } : {}),
  };
}

export interface AuditEvent {
  seq: number;
  id: string;
  occurredAt: string;
  actor: string;
  workspaceId: string | null;
  action: string;
  outcome: string;
  targetType: string | null;
  targetId: string | null;
  targetName: string | null;
  environment: string | null;
  requestId: string | null;
  runId: string | null;
  details: Record<string, unknown>;
}

export type AuditProblemCode =
  | "event_altered"
  | "event_missing"
  | "chain_broken"
  | "tail_cut"
  | "anchor_missing"
  | "anchor_invalid"
  | "events_beyond_anchor";

export interface AuditVerification {
  ok: boolean;
  /** Events checked. */
  count: number;
  problem?: { code: AuditProblemCode; seq?: number; message: string };
}

const GENESIS = "0".repeat(64);

function canonical(row: Omit<AuditEventsTable, "hash" | "prev_hash">): string {
  return JSON.stringify([
    row.seq,
    row.id,
    row.occurred_at,
    row.actor,
    row.workspace_id,
    row.action,
    row.outcome,
    row.target_type,
    row.target_id,
    row.target_name,
    row.environment,
    row.request_id,
    row.run_id,
    row.details,
  ]);
}

function chainHash(prevHash: string, row: Omit<AuditEventsTable, "hash" | "prev_hash">): string {
  // One-shot: the same bytes as updating with each string in turn, without a Hash object per event.
  return digest("sha256", prevHash + canonical(row), "hex");
}

function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a, "hex");
  const y = Buffer.from(b, "hex");
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

export interface AuditService {
  /**
   * Appends events inside the caller's write transaction, extending the hash chain from the
   * anchored head (not from the newest row, so a cut tail stays visible) and re-anchoring it.
   * `activeKey`: the keyring's active key as the caller fetched it for this write (each fetch
   * looks at the key file for a rotation by another process; once per write is enough).
   */
  append(trx: Kysely<CofferSchema>, events: AuditEventInput[], activeKey?: KeyEncryptionKey): Promise<void>;
  /** Appends in a transaction of its own (denied requests and other events with no other write). */
  record(events: AuditEventInput[]): Promise<void>;
  verify(): Promise<AuditVerification>;
  list(filter: { workspaceId?: string; limit?: number; afterSeq?: number }): Promise<AuditEvent[]>;
  /** One workspace's events, newest first, filtered and paginated (`coffer audit list`, the API). */
  page(workspaceId: string, filter?: AuditListFilter): Promise<AuditPage>;
  /** Re-MACs the anchor under the active key (after key rotation). */
  reanchor(): Promise<void>;
}

export function createAuditService(deps: { database: Database; keyring: Keyring; clock: () => Date }): AuditService {
  const { database, keyring, clock } = deps;

  const store = createAuditStore(database.db, database.dialect);
  const lockChain = (trx: Kysely<CofferSchema>) => store.lockChain(trx);
  const readAnchor = (trx: Kysely<CofferSchema>) => store.readAnchor(trx);

  // The anchor this process MACed last. An append that reads exactly these values back (its
  // transaction committed, nobody moved the head since) knows the MAC is good without computing
  // it again; any other anchor, e.g. a rolled-back write's predecessor or another process's, is
  // checked in full.
  let lastWritten: { count: number; hash: string; kid: string; mac: string } | undefined;

  function anchorIsValid(anchor: { count: number; hash: string; kid: string; mac: string }): boolean {
    const kek = keyring.get(anchor.kid) ?? (keyring.reload() ? keyring.get(anchor.kid) : undefined);
    if (!kek) return false;
    return sameHex(anchorMac(kek, `${anchor.count}:${anchor.hash}`), anchor.mac);
  }

  async function writeAnchor(
    trx: Kysely<CofferSchema>,
    count: number,
    hash: string,
    exists: boolean,
    kek: KeyEncryptionKey = keyring.active,
  ) {
    const row = anchorRow(count, hash, kek);
    if (exists) await store.moveAnchor(trx, row);
    else await store.writeAnchor(trx, row, false);
    lastWritten = { count: row.count, hash: row.hash, kid: row.kid, mac: row.mac };
  }

  /** The rows of `events` chained on from `count`/`prev`, all stamped `occurredAt`. */
  function chainRows(events: AuditEventInput[], count: number, prev: string, occurredAt: string): AuditEventsTable[] {
    const rows: AuditEventsTable[] = [];
    let seq = count;
    for (const e of events) {
      seq += 1;
      const base = {
        seq,
        id: newId(),
        occurred_at: occurredAt,
        actor: e.actor,
        workspace_id: e.workspaceId,
        action: e.action,
        outcome: e.outcome ?? "success",
        target_type: e.targetType ?? null,
        target_id: e.targetId ?? null,
        target_name: e.targetName ?? null,
        environment: e.environment ?? null,
        request_id: e.requestId ?? null,
        run_id: e.runId ?? null,
        details: JSON.stringify(e.details ?? {}),
      };
      const hash = chainHash(prev, base);
      // Field by field: spreading `base` into a new object costs V8 more than hashing it.
      rows.push({
        seq,
        id: base.id,
        occurred_at: occurredAt,
        actor: base.actor,
        workspace_id: base.workspace_id,
        action: base.action,
        outcome: base.outcome,
        target_type: base.target_type,
        target_id: base.target_id,
        target_name: base.target_name,
        environment: base.environment,
        request_id: base.request_id,
        run_id: base.run_id,
        details: base.details,
        prev_hash: prev,
        hash,
      });
      prev = hash;
    }
    return rows;
  }

  function anchorRow(count: number, hash: string, kek: KeyEncryptionKey) {
    return { count, hash, kid: kek.kid, mac: anchorMac(kek, `${count}:${hash}`), updated_at: clock().toISOString() };
  }

  async function append(
    trx: Kysely<CofferSchema>,
    events: AuditEventInput[],
    activeKey?: KeyEncryptionKey,
  ): Promise<void> {
    if (events.length === 0) return;
    const kek = activeKey ?? keyring.active; // a store without its key refuses writes before anything else
    await lockChain(trx);
    const occurredAt = clock().toISOString();
    // The common case: the anchor is still the one this process wrote last. One conditional
    // update then makes both checks below (anchor unchanged, so its MAC is good; its head event
    // still there with that hash) and moves it; if either fails nothing is written and the
    // append takes the full path.
    if (lastWritten !== undefined) {
      const from = lastWritten;
      const rows = chainRows(events, from.count, from.hash, occurredAt);
      const head = rows[rows.length - 1]!;
      const to = anchorRow(head.seq, head.hash, kek);
      if (await store.moveAnchorFrom(trx, from, to)) {
        await store.insertEvents(trx, rows);
        lastWritten = { count: to.count, hash: to.hash, kid: to.kid, mac: to.mac };
        return;
      }
    }
    const anchor = await store.readHead(trx);
    const known =
      anchor !== undefined &&
      lastWritten !== undefined &&
      anchor.count === lastWritten.count &&
      anchor.hash === lastWritten.hash &&
      anchor.kid === lastWritten.kid &&
      anchor.mac === lastWritten.mac;
    if (anchor && !known && !anchorIsValid(anchor)) {
      throw new CofferError(
        "audit_anchor_invalid",
        "The audit chain's anchor does not verify, so Coffer refuses to write. Run `coffer audit verify` and investigate.",
      );
    }
    // The anchored head row is still there, unchanged (read with the anchor, in the same query).
    if (anchor && anchor.count > 0 && anchor.head_hash !== anchor.hash) {
      throw new CofferError(
        "audit_chain_broken",
        `The newest audit event (#${anchor.count}) is missing or altered, so Coffer refuses to write. Run \`coffer audit verify\` and investigate.`,
        { status: 409, details: { seq: anchor.count } },
      );
    }
    const rows = chainRows(events, anchor?.count ?? 0, anchor?.hash ?? GENESIS, occurredAt);
    const head = rows[rows.length - 1]!;
    await store.insertEvents(trx, rows);
    await writeAnchor(trx, head.seq, head.hash, anchor !== undefined, kek);
  }

  async function verify(): Promise<AuditVerification> {
    const anchor = await store.readAnchor();
    let expectedSeq = 1;
    let prev = GENESIS;
    const batch = 2000;
    for (;;) {
      const rows = await store.eventsFrom(expectedSeq, batch);
      for (const row of rows) {
        if (row.seq !== expectedSeq) {
          return {
            ok: false,
            count: expectedSeq - 1,
            problem: {
              code: "event_missing",
              seq: expectedSeq,
              message: `Audit event #${expectedSeq} is missing: the chain jumps from #${expectedSeq - 1} to #${row.seq}. Events were deleted.`,
            },
          };
        }
        if (row.prev_hash !== prev) {
          return {
            ok: false,
            count: expectedSeq - 1,
            problem: {
              code: "chain_broken",
              seq: row.seq - 1,
              message: `Audit event #${row.seq - 1} was rewritten: event #${row.seq} no longer links to it.`,
            },
          };
        }
        const { hash, prev_hash: _prev, ...base } = row;
        if (chainHash(prev, base) !== hash) {
          return {
            ok: false,
            count: expectedSeq - 1,
            problem: {
              code: "event_altered",
              seq: row.seq,
              message: `Audit event #${row.seq} (${row.action} by ${row.actor} at ${row.occurred_at}) was altered after it was written.`,
            },
          };
        }
        prev = hash;
        expectedSeq += 1;
      }
      if (rows.length < batch) break;
    }
    const count = expectedSeq - 1;
    if (!anchor) {
      if (count === 0) return { ok: true, count };
      return {
        ok: false,
        count,
        problem: { code: "anchor_missing", message: "The audit chain's anchor row is missing: it was deleted." },
      };
    }
    if (!anchorIsValid(anchor)) {
      return {
        ok: false,
        count,
        problem: {
          code: "anchor_invalid",
          message:
            "The audit chain's anchor does not verify against the key-encryption key: the anchor was forged or the chain rewritten.",
        },
      };
    }
    if (count < anchor.count) {
      return {
        ok: false,
        count,
        problem: {
          code: "tail_cut",
          seq: count + 1,
          message: `The newest ${anchor.count - count} audit event(s) were deleted: the chain ends at #${count} but was anchored at #${anchor.count}.`,
        },
      };
    }
    if (count > anchor.count) {
      return {
        ok: false,
        count,
        problem: {
          code: "events_beyond_anchor",
          seq: anchor.count + 1,
          message: `Audit events from #${anchor.count + 1} on were written outside Coffer (the anchor ends at #${anchor.count}).`,
        },
      };
    }
    if (anchor.hash !== prev) {
      return {
        ok: false,
        count,
        problem: {
          code: "anchor_invalid",
          message: "The audit chain was rewritten: its newest hash no longer matches the anchored one.",
        },
      };
    }
    return { ok: true, count };
  }

  return {
    append,
    record: async (events) => {
      if (events.length > 0) await database.writeTransaction((trx) => append(trx, events));
    },
    verify,
    page: (workspaceId, filter) => listAuditPage(database.db, workspaceId, filter),
    async list(filter) {
      const rows = await store.list(filter);
      return rows.map((r) => ({
        seq: r.seq,
        id: r.id,
        occurredAt: r.occurred_at,
        actor: r.actor,
        workspaceId: r.workspace_id,
        action: r.action,
        outcome: r.outcome,
        targetType: r.target_type,
        targetId: r.target_id,
        targetName: r.target_name,
        environment: r.environment,
        requestId: r.request_id,
        runId: r.run_id,
        details: JSON.parse(r.details) as Record<string, unknown>,
      }));
    },
    async reanchor() {
      await database.writeTransaction(async (trx) => {
        await lockChain(trx);
        const anchor = await readAnchor(trx);
        if (!anchor || anchor.kid === keyring.active.kid) return;
        if (!anchorIsValid(anchor)) {
          throw new CofferError("audit_anchor_invalid", "The audit anchor does not verify; run `coffer audit verify`.");
        }
        await writeAnchor(trx, anchor.count, anchor.hash, true);
      });
    },
  };
}
