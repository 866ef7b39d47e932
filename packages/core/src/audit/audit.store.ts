import { type Kysely, sql } from "kysely";
import { createCompiledChanges, createCompiledQueries } from "../db/compiled-queries.js";
import type { DialectName } from "../db/database.js";
import type { AuditAnchorTable, AuditEventsTable, CofferSchema } from "../db/schema.js";

type Db = Kysely<CofferSchema>;
const ANCHOR_ID = "head";

/** The columns of an event row in insert order (the canonical order of the hash, plus the chain). */
const EVENT_COLUMNS = [
  "seq",
  "id",
  "occurred_at",
  "actor",
  "workspace_id",
  "action",
  "outcome",
  "target_type",
  "target_id",
  "target_name",
  "environment",
  "request_id",
  "run_id",
  "details",
  "prev_hash",
  "hash",
] as const satisfies readonly (keyof AuditEventsTable)[];

/** The anchor and the hash of the event it names, as one read. */
export interface AuditHead extends Omit<AuditAnchorTable, "id"> {
  /** The stored hash of event #count; null when that row is gone. */
  head_hash: string | null;
}

/** The audit chain's queries: events, the anchored head, and the writers' lock. */
export function createAuditStore(db: Db, dialect: DialectName) {
  // Every write appends here, so its queries compile once (the insert once per batch size).
  const rows = createCompiledQueries();
  const changes = createCompiledChanges();
  return {
    /** Serialises chain writers; SQLite writers already hold the database's write lock (BEGIN IMMEDIATE). */
    async lockChain(trx: Db): Promise<void> {
      if (dialect === "postgres") {
        await sql`select pg_advisory_xact_lock(hashtext(current_schema() || '.coffer_audit_chain'))`.execute(trx);
      }
    },

    readAnchor: (trx: Db = db) =>
      trx.selectFrom("audit_anchor").selectAll().where("id", "=", ANCHOR_ID).executeTakeFirst(),

    async writeAnchor(trx: Db, row: Omit<AuditAnchorTable, "id">, exists: boolean) {
      if (exists) await trx.updateTable("audit_anchor").set(row).where("id", "=", ANCHOR_ID).execute();
      else
        await trx
          .insertInto("audit_anchor")
          .values({ id: ANCHOR_ID, ...row })
          .execute();
    },

    /** The anchor with the stored hash of the event it names: what every append checks first. */
    async readHead(trx: Db): Promise<AuditHead | undefined> {
      const found = await rows(trx, "audit.readHead", [ANCHOR_ID], () =>
        trx
          .selectFrom("audit_anchor as a")
          .select(["a.count", "a.hash", "a.kid", "a.mac", "a.updated_at"])
          .select((eb) =>
            eb.selectFrom("audit_events as e").select("e.hash").whereRef("e.seq", "=", "a.count").as("head_hash"),
          )
          .where("a.id", "=", ANCHOR_ID),
      );
      return found[0];
    },

    /** Moves the anchor (it exists: the caller read it in this transaction). */
    async moveAnchor(trx: Db, row: Omit<AuditAnchorTable, "id">): Promise<void> {
      const parameters = [row.count, row.hash, row.kid, row.mac, row.updated_at, ANCHOR_ID];
      await rows(trx, "audit.moveAnchor", parameters, () =>
        trx
          .updateTable("audit_anchor")
          .set({ count: row.count, hash: row.hash, kid: row.kid, mac: row.mac, updated_at: row.updated_at })
          .where("id", "=", ANCHOR_ID),
      );
    },

    /**
     * Moves the anchor from `from` to `to` only if it still holds exactly `from` and event
     * #from.count still has the hash it names (the checks an append makes on the head it read);
     * false, and nothing written, otherwise.
     */
    async moveAnchorFrom(trx: Db, from: Omit<AuditAnchorTable, "id" | "updated_at">, to: Omit<AuditAnchorTable, "id">) {
      const parameters = [
        ...[to.count, to.hash, to.kid, to.mac, to.updated_at, ANCHOR_ID],
        ...[from.count, from.hash, from.kid, from.mac, from.count, from.hash],
      ];
      const moved = await changes(trx, "audit.moveAnchorFrom", parameters, () =>
        trx
          .updateTable("audit_anchor")
          .set({ count: to.count, hash: to.hash, kid: to.kid, mac: to.mac, updated_at: to.updated_at })
          .where("id", "=", ANCHOR_ID)
          .where("count", "=", from.count)
          .where("hash", "=", from.hash)
          .where("kid", "=", from.kid)
          .where("mac", "=", from.mac)
          .where((eb) =>
            eb(eb.selectFrom("audit_events as e").select("e.hash").where("e.seq", "=", from.count), "=", from.hash),
          ),
      );
      return moved === 1;
    },

    async insertEvents(trx: Db, events: AuditEventsTable[]) {
      const parameters: unknown[] = [];
      for (const e of events) for (const c of EVENT_COLUMNS) parameters.push(e[c]);
      await rows(trx, `audit.insertEvents:${events.length}`, parameters, () =>
        trx
          .insertInto("audit_events")
          .values(
            events.map((e) => Object.fromEntries(EVENT_COLUMNS.map((c) => [c, e[c]])) as unknown as AuditEventsTable),
          ),
      );
    },

    /** Events from `seq` on, in order, a batch at a time (for `audit verify`). */
    eventsFrom: (seq: number, limit: number) =>
      db.selectFrom("audit_events").selectAll().where("seq", ">=", seq).orderBy("seq").limit(limit).execute(),

    /** Oldest first, for tests and exports; `page` (audit.listing.ts) serves users newest first. */
    list(filter: { workspaceId?: string; limit?: number; afterSeq?: number }) {
      let q = db
        .selectFrom("audit_events")
        .selectAll()
        .orderBy("seq")
        .limit(filter.limit ?? 100);
      if (filter.workspaceId) q = q.where("workspace_id", "=", filter.workspaceId);
      if (filter.afterSeq !== undefined) q = q.where("seq", ">", filter.afterSeq);
      return q.execute();
    },
  };
}

export type AuditStore = ReturnType<typeof createAuditStore>;
